"""The roadmap edited in place: its tasks (sections) and measures, added, edited, moved and deleted.

Row-level actions answer htmx with a partial and plain requests with a redirect or a page around the partial."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from ..access import (
    can_edit_programme,
    can_keep_plan,
    get_measure_or_404,
    get_programme_or_404,
    get_section_or_404,
    require,
)
from ..forms import MeasureForm, SectionForm, current_values
from ..models import Programme
from ..selectors import programme_progress, progress_of, roadmap_measure, roadmap_section, roadmap_sections
from ..services import (
    NOT_OWNER,
    ProgrammeError,
    StaleEdit,
    measure_add,
    measure_delete,
    measure_mark_done,
    measure_move,
    measure_update,
    section_add,
    section_delete,
    section_move,
    section_update,
)
from .common import detail_url, partial_response, roadmap_context


def _section_response(request, section, *, error: str = "", retarget_to: bool = False):
    programme = section.programme
    context = roadmap_context(
        request.user,
        programme,
        section=roadmap_section(section=section),
        section_error=error,
        progress=programme_progress(programme=programme),
        section_oob_progress=True,
    )
    response = render(request, "programs/_section.html", context)
    if retarget_to:
        response = reswap(retarget(response, f"#section-{section.pk}"), "outerHTML")
    return response


def _roadmap_response(request, programme: Programme, *, error: str = ""):
    sections = roadmap_sections(programme=programme)
    context = roadmap_context(
        request.user,
        programme,
        sections=sections,
        roadmap_error=error,
        progress=progress_of([m for s in sections for m in s.rows]),
        oob_progress=True,
    )
    return reswap(retarget(render(request, "programs/_roadmap.html", context), "#roadmap"), "outerHTML")


@require_GET
@login_required
def roadmap_table(request, pk):
    programme = get_programme_or_404(request.user, pk)
    if not request.htmx:
        return redirect(detail_url(programme, "roadmap"))
    return _roadmap_response(request, programme)


@login_required
def section_add_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    form = SectionForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            section_add(programme=programme, actor=request.user, title=form.cleaned_data["title"])
        except (ProgrammeError, ValidationError) as exc:
            error = "; ".join(getattr(exc, "messages", [str(exc)]))
        else:
            if request.htmx:
                return _roadmap_response(request, programme)
            messages.success(request, "Задача добавлена.")
            return redirect(detail_url(programme, "roadmap"))
    return partial_response(
        request,
        "programs/_section_add.html",
        roadmap_context(request.user, programme, form=form, error=error),
        page_title="Новая задача дорожной карты",
        programme=programme,
    )


@login_required
def section_view(request, pk):
    section = get_section_or_404(request.user, pk)
    if not request.htmx:
        return redirect(detail_url(section.programme, f"section-{section.pk}"))
    return _section_response(request, section)


@login_required
def section_edit(request, pk):
    section = get_section_or_404(request.user, pk)
    programme = section.programme
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    form = SectionForm(request.POST or None, initial={"title": section.title, "version": section.version})
    if request.method == "POST" and form.is_valid():
        try:
            section = section_update(
                section=section, actor=request.user, title=form.cleaned_data["title"],
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit as exc:
            data = request.POST.copy()
            data["version"] = exc.current.version
            form = SectionForm(data)
            form.is_valid()
            form.add_error(None, str(exc))
        except (ProgrammeError, ValidationError) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            if request.htmx:
                return _section_response(request, section)
            messages.success(request, "Задача сохранена.")
            return redirect(detail_url(programme, f"section-{section.pk}"))
    if request.htmx:
        context = roadmap_context(
            request.user, programme, section=roadmap_section(section=section), section_form=form
        )
        return render(request, "programs/_section.html", context)
    return render(
        request,
        "programs/row_page.html",
        {
            **roadmap_context(request.user, programme, section=section, section_form=form),
            "partial": "programs/_section_form_fields.html",
            "page_title": f"Задача {section.number}",
        },
    )


@require_POST
@login_required
def section_delete_view(request, pk):
    section = get_section_or_404(request.user, pk)
    programme = section.programme
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    try:
        section_delete(section=section, actor=request.user, expected_version=_int(request.POST.get("version")))
    except ProgrammeError as exc:
        if request.htmx:
            return _roadmap_response(request, programme, error=str(exc))
        messages.error(request, str(exc))
    else:
        if request.htmx:
            return _roadmap_response(request, programme)
        messages.success(request, "Задача удалена вместе с её мероприятиями.")
    return redirect(detail_url(programme, "roadmap"))


@require_POST
@login_required
def section_move_view(request, pk, direction):
    _check_direction(direction)
    section = get_section_or_404(request.user, pk)
    programme = section.programme
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    error = ""
    try:
        section_move(section=section, actor=request.user, direction=direction)
    except ProgrammeError as exc:
        error = str(exc)
    if request.htmx:
        return _roadmap_response(request, programme, error=error)
    if error:
        messages.error(request, error)
    return redirect(detail_url(programme, "roadmap"))


def _check_direction(direction: str) -> None:
    if direction not in ("up", "down"):
        raise Http404("Можно переместить только вверх или вниз.")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _measure_form_response(request, *, programme, form, measure=None, section=None, stale_values=None):
    context = roadmap_context(
        request.user,
        programme,
        form=form,
        measure=measure,
        section=section,
        stale_values=stale_values,
    )
    return partial_response(
        request,
        "programs/_measure_form.html",
        context,
        page_title=f"Мероприятие {getattr(measure, 'number', '')}".strip() if measure else "Новое мероприятие",
        programme=programme,
    )


@login_required
def measure_add_view(request, pk):
    section = get_section_or_404(request.user, pk)
    programme = section.programme
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    form = MeasureForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            measure_add(section=section, actor=request.user, data=form.measure_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        except ProgrammeError as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                return _section_response(request, section, retarget_to=True)
            messages.success(request, "Мероприятие добавлено.")
            return redirect(detail_url(programme, f"section-{section.pk}"))
    return _measure_form_response(request, programme=programme, form=form, section=section)


@login_required
def measure_view(request, pk):
    measure = get_measure_or_404(request.user, pk)
    if not request.htmx:
        return redirect(detail_url(measure.programme, f"measure-{measure.pk}"))
    context = roadmap_context(
        request.user, measure.programme, measure=roadmap_measure(measure=measure), focus_edit=True
    )  # the form closed: the keyboard's focus goes back to the row's «Изменить»
    return render(request, "programs/_measure_row.html", context)


@login_required
def measure_edit(request, pk):
    measure = get_measure_or_404(request.user, pk)
    programme = measure.programme
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    plan_locked = not programme.plan_is_editable
    measure = roadmap_measure(measure=measure)
    form = MeasureForm(request.POST or None, programme=programme, measure=measure, plan_locked=plan_locked)
    stale_values = None
    if request.method == "POST" and form.is_valid():
        try:
            measure_update(
                measure=measure, actor=request.user, data=form.measure_data(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit as exc:
            current = roadmap_measure(measure=exc.current)
            stale_values = current_values(current)
            data = request.POST.copy()
            data["version"] = current.version
            form = MeasureForm(data, programme=programme, measure=current, plan_locked=plan_locked)
            form.is_valid()
            form.add_error(None, str(exc))
            measure = current
        except ValidationError as exc:
            form.add_error(None, exc)
        except ProgrammeError as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                context = roadmap_context(
                    request.user,
                    programme,
                    measure=roadmap_measure(measure=measure),
                    progress=programme_progress(programme=programme),
                    row_oob_progress=True,
                    focus_edit=True,
                )
                return render(request, "programs/_measure_row.html", context)
            messages.success(request, "Мероприятие сохранено.")
            return redirect(detail_url(programme, f"measure-{measure.pk}"))
    return _measure_form_response(
        request, programme=programme, form=form, measure=measure, section=measure.section, stale_values=stale_values
    )


@require_POST
@login_required
def measure_delete_view(request, pk):
    measure = get_measure_or_404(request.user, pk)
    programme, section = measure.programme, measure.section
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    error = ""
    try:
        measure_delete(measure=measure, actor=request.user, expected_version=_int(request.POST.get("version")))
    except ProgrammeError as exc:
        error = str(exc)
    if request.htmx:
        section.programme = programme
        return _section_response(request, section, error=error, retarget_to=True)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Мероприятие удалено.")
    return redirect(detail_url(programme, f"section-{section.pk}"))


@require_POST
@login_required
def measure_move_view(request, pk, direction):
    _check_direction(direction)
    measure = get_measure_or_404(request.user, pk)
    programme, section = measure.programme, measure.section
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    error = ""
    try:
        measure_move(measure=measure, actor=request.user, direction=direction)
    except ProgrammeError as exc:
        error = str(exc)
    if request.htmx:
        section.programme = programme
        return _section_response(request, section, error=error, retarget_to=True)
    if error:
        messages.error(request, error)
    return redirect(detail_url(programme, f"section-{section.pk}"))


@require_POST
@login_required
def measure_done_view(request, pk):
    """«Выполнено» in one click (the button asks for a confirmation first): htmx gets the row back, with the refusal
    in it when somebody changed the measure meanwhile; a plain request goes back to the roadmap."""
    measure = get_measure_or_404(request.user, pk)
    programme = measure.programme
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    error = ""
    try:
        measure = measure_mark_done(measure=measure, actor=request.user, expected_version=_int(request.POST.get("version")))
    except StaleEdit as exc:
        error, measure = str(exc), exc.current
    except (ProgrammeError, ValidationError) as exc:
        error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if request.htmx:
        context = roadmap_context(
            request.user, programme, measure=roadmap_measure(measure=measure),
            progress=programme_progress(programme=programme), row_oob_progress=True, row_error=error,
        )
        return render(request, "programs/_measure_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Мероприятие отмечено выполненным.")
    return redirect(detail_url(programme, f"measure-{measure.pk}"))
