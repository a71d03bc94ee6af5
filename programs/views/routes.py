"""Review routes (маршруты экспертизы): the department edits them, coordinators read those of their territory."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import (
    NOT_ROUTE_EDITOR,
    NOT_ROUTE_READER,
    can_edit_routes,
    can_read_routes,
    editable_route_regions,
    get_route_or_404,
    get_step_or_404,
    require,
    visible_routes,
)
from ..review_routes import ensure_default_routes
from ..route_forms import ReviewStepForm, RouteCreateForm, StepCriteriaForm
from ..route_services import route_create, step_criteria_save, step_delete, step_move, step_save
from ..selectors import route_history, routes_with_steps


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _route_url(route) -> str:
    return reverse("programs:route", args=[route.pk])


@login_required
def route_list(request):
    require(can_read_routes(request.user), NOT_ROUTE_READER)
    ensure_default_routes()  # made when first read (migration 0005)
    can_edit = can_edit_routes(request.user)
    form = RouteCreateForm(request.POST or None, regions=editable_route_regions(request.user)) if can_edit else None
    if request.method == "POST":
        require(can_edit, NOT_ROUTE_EDITOR)
        if form.is_valid():
            try:
                route = route_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Маршрут создан как копия прежнего: {route}. Измените его шаги.")
                return redirect(_route_url(route))
    return render(
        request,
        "programs/routes.html",
        {"routes": routes_with_steps(visible_routes(request.user)), "can_edit": can_edit, "form": form},
    )


@login_required
def route_detail(request, pk):
    route = get_route_or_404(request.user, pk)
    return render(
        request,
        "programs/route_detail.html",
        {
            "route": route,
            "steps": routes_with_steps([route])[0].step_rows,
            "can_edit": can_edit_routes(request.user, route),
            "history": route_history(route),
        },
    )


def _step_page(request, *, route, step=None):
    require(can_edit_routes(request.user, route), NOT_ROUTE_EDITOR)
    form = ReviewStepForm(request.POST or None, instance=step, route=route)
    if request.method == "POST" and form.is_valid():
        try:
            step_save(actor=request.user, route=route, step=step, data=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Шаг маршрута сохранён.")
            return redirect(_route_url(route))
    return render(request, "programs/step_form.html", {"route": route, "step": step, "form": form})


@login_required
def step_add(request, pk):
    return _step_page(request, route=get_route_or_404(request.user, pk))


@login_required
def step_edit(request, pk):
    step = get_step_or_404(request.user, pk)
    return _step_page(request, route=step.route, step=step)


@login_required
def step_delete_view(request, pk):
    """GET asks to confirm; POST deletes."""
    step = get_step_or_404(request.user, pk)
    require(can_edit_routes(request.user, step.route), NOT_ROUTE_EDITOR)
    error = None
    if request.method == "POST":
        try:
            step_delete(actor=request.user, step=step)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Шаг «{step.name}» удалён из маршрута.")
            return redirect(_route_url(step.route))
    return render(request, "programs/step_delete.html", {"step": step, "route": step.route, "error": error})


@require_POST
@login_required
def step_move_view(request, pk, direction):
    if direction not in ("up", "down"):
        raise Http404
    step = get_step_or_404(request.user, pk)
    require(can_edit_routes(request.user, step.route), NOT_ROUTE_EDITOR)
    try:
        step_move(actor=request.user, step=step, direction=direction)
    except ValidationError as exc:
        messages.error(request, "Шаг не перемещён: " + " ".join(exc.messages))
    return redirect(_route_url(step.route))


@login_required
def step_criteria(request, pk):
    step = get_step_or_404(request.user, pk)
    require(can_edit_routes(request.user, step.route), NOT_ROUTE_EDITOR)
    current = "\n".join(c.name for c in step.criteria.filter(is_active=True).order_by("position", "pk"))
    form = StepCriteriaForm(request.POST or None, initial={"criteria": current})
    if request.method == "POST" and form.is_valid():
        try:
            kept = step_criteria_save(actor=request.user, step=step, names=form.names())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Чек-лист шага сохранён: {len(kept)} критериев." if kept else "Шаг проверяют по общему чек-листу.",
            )
            return redirect(_route_url(step.route))
    return render(request, "programs/step_criteria.html", {"step": step, "route": step.route, "form": form})
