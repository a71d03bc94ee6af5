"""The list (перечень) formed from a run: the department's changes and the coordinators' proposals, the preflight
summary and the approval by an order, the annex to the order in print and in xlsx. The rules are in
`schools.selection` and `schools.access`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shnor_portal.paging import page_of
from shnor_portal.spreadsheets import xlsx_response

from .access import (
    can_change_list,
    can_decide_list,
    can_take_part_in_list,
    get_department_run_or_404,
    get_list_change_or_404,
    get_list_run_or_404,
    list_runs_visible,
    list_schools,
    require,
    visible_schools,
)
from .exports import COMPUTED_REASON, list_heading, list_xlsx
from .forms import VerdictSearchForm
from .models import ListChange, School, Status
from .selection import (
    LISTED,
    SelectionError,
    list_annex,
    list_change_add,
    list_change_decide,
    list_change_withdraw,
    list_compose,
    list_counts,
    list_differences,
    list_preflight,
    pending_proposals,
    run_in_force,
)

Kind, State = ListChange.Kind, ListChange.State
LIST_READ_ONLY = "Этот перечень вы только читаете: изменения вносит управление образования, предлагают координаторы."


class ListFilterForm(VerdictSearchForm):
    computed = forms.ChoiceField(
        label="По расчёту", required=False,
        choices=[("", "Любое решение"), ("listed", "В перечне (ШНОР или ШНСУ)"), *Status.choices],
    )  # fmt: skip
    show = forms.ChoiceField(
        label="Показать",
        required=False,
        choices=[
            ("", "Все школы"),
            ("listed", "В перечне"),
            ("differs", "Отличия от расчёта"),
            ("proposals", "Предложения координаторов"),
            ("targeted", "Адресная поддержка"),
            ("curators", "Школы-кураторы"),
        ],
    )

    def filter(self, run, verdicts):
        if not self.is_valid():
            return verdicts
        data = self.cleaned_data
        verdicts = self.search(verdicts)
        if data["computed"] == "listed":
            verdicts = verdicts.filter(status__in=LISTED)
        elif data["computed"]:
            verdicts = verdicts.filter(status=data["computed"])
        accepted = ListChange.objects.filter(run=run, state=State.ACCEPTED)
        show = data["show"]
        if show == "listed":  # an accepted addition wins over the computation (`selection._resolve`)
            verdicts = verdicts.filter(
                Q(status__in=LISTED) & ~Q(school__in=_schools(accepted.filter(kind=Kind.REMOVE)))
                | Q(school__in=_schools(accepted.filter(kind=Kind.ADD)))
            )
        elif show == "differs":
            verdicts = verdicts.filter(school__in=_schools(accepted))
        elif show == "proposals":
            verdicts = verdicts.filter(school__in=_schools(ListChange.objects.filter(run=run, state=State.PROPOSED)))
        elif show == "targeted":
            verdicts = verdicts.filter(school__in=_schools(accepted.filter(kind=Kind.SELECT)))
        elif show == "curators":
            verdicts = verdicts.filter(
                Q(curator_candidate=True) & ~Q(school__in=_schools(accepted.filter(kind=Kind.CURATOR_REMOVE)))
                | Q(school__in=_schools(accepted.filter(kind=Kind.CURATOR_ADD)))
            )
        return verdicts


def _schools(changes):
    return changes.values("school_id")


class ApproveForm(forms.Form):
    order_number = forms.CharField(label="Номер приказа", max_length=64)
    order_date = forms.DateField(label="Дата приказа", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    confirm = forms.BooleanField(
        label="Я ознакомлен(а) со сводкой: школы с недостаточными данными, без кластера и без социального паспорта, "
        "с признаками необъективности ВПР и нерассмотренные предложения координаторов",
        error_messages={"required": "Подтвердите, что вы ознакомились со сводкой перед утверждением."},
    )


def _back(request, run_pk):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):  # fmt: skip
        return redirect(target)
    return redirect("schools:selection", pk=run_pk)


@login_required
def selection_latest(request):
    """The newest list the user reaches: the entry to «Формирование перечня»."""
    require(can_take_part_in_list(request.user), "Перечень формирует управление образования, координаторы предлагают изменения.")
    run = list_runs_visible(request.user).order_by("-year", "-created_at", "-pk").first()
    if run is None:
        messages.info(request, "Завершённых запусков идентификации пока нет: перечень формируется по запуску.")
        return redirect("schools:identification")
    return redirect("schools:selection", pk=run.pk)


@login_required
def selection(request, pk):
    run = get_list_run_or_404(request.user, pk)
    schools = list_schools(request.user)
    form = ListFilterForm(request.GET or None, user=request.user)
    verdicts = form.filter(run, run.verdicts.filter(school__in=schools))
    paging = page_of(
        request,
        verdicts.order_by("school__municipality__name", "school__short_name", "school_id").values_list(
            "school_id", flat=True
        ),
    )
    rows = list_compose(run, School.objects.filter(pk__in=list(paging["page"].object_list)))
    in_force = run_in_force(run)
    department = can_decide_list(request.user, run)
    return render(
        request,
        "schools/list_compose.html",
        {
            "run": run,
            "form": form,
            **paging,
            "rows": rows,
            "counts": list_counts(run, schools),
            "proposals": list(pending_proposals(run, schools)) if department else [],
            "in_force": in_force,
            "decides_list": department,
            "may_change": not in_force,
            "status_choices": [(s.value, s.label) for s in (Status.SHNOR, Status.SHNSU, Status.BOTH)],
            "other_runs": list_runs_visible(request.user).exclude(pk=run.pk).order_by("-year", "-created_at")[:10],
            "here": request.get_full_path(),
        },
    )


@login_required
@require_POST
def selection_change_add(request, pk):
    run = get_list_run_or_404(request.user, pk)
    require(can_change_list(request.user, run), LIST_READ_ONLY)
    school = get_object_or_404(visible_schools(request.user), pk=request.POST.get("school") or 0)
    try:
        change = list_change_add(
            run=run, school=school, kind=request.POST.get("kind", ""), status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""), actor=request.user,
        )  # fmt: skip
    except SelectionError as error:
        messages.error(request, str(error))
    else:
        if change.state == State.PROPOSED:
            messages.success(request, f"Предложение «{change.get_kind_display()}» по школе «{school}» передано "
                                      "управлению образования.")  # fmt: skip
        else:
            messages.success(request, f"Изменение внесено: «{change.get_kind_display()}» — {school}.")
    return _back(request, run.pk)


@login_required
@require_POST
def selection_change_withdraw(request, pk):
    change = get_list_change_or_404(request.user, pk)
    require(can_change_list(request.user, change.run), LIST_READ_ONLY)
    try:
        list_change_withdraw(change=change, actor=request.user)
    except SelectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Изменение «{change.get_kind_display()}» по школе «{change.school}» отозвано.")
    return _back(request, change.run_id)


@login_required
@require_POST
def selection_change_decide(request, pk):
    change = get_list_change_or_404(request.user, pk)
    # the region's department decides the coordinators' proposals
    require(can_decide_list(request.user, change.run), "Предложения координаторов рассматривает управление образования региона.")
    accept = request.POST.get("action") == "accept"
    try:
        list_change_decide(change=change, actor=request.user, accept=accept)
    except SelectionError as error:
        messages.error(request, str(error))
    else:
        verb = "принято" if accept else "отклонено"
        messages.success(request, f"Предложение «{change.get_kind_display()}» по школе «{change.school}» {verb}.")
    return _back(request, change.run_id)


def render_preflight(request, run, form, status=200):
    return render(
        request,
        "schools/list_approve.html",
        {"run": run, "form": form, "in_force": run_in_force(run), **list_preflight(run)},
        status=status,
    )


@login_required
def selection_approve(request, pk):
    """The preflight summary and the approval form (posted to `schools:run_approve`)."""
    run = get_department_run_or_404(request.user, pk)
    require(can_decide_list(request.user, run), "Перечень утверждает управление образования региона.")
    return render_preflight(request, run, ApproveForm())


def _annex(request, pk):
    run = get_list_run_or_404(request.user, pk)
    schools = list_schools(request.user)
    listed, curators = list_annex(run, schools)
    return run, schools, listed, curators


def _territory(rows) -> str:
    """The region of the listed schools, for the printed list's running header."""
    return rows[0].school.municipality.region.name if rows else ""


@login_required
def selection_print(request, pk):
    run, _schools, listed, curators = _annex(request, pk)
    return render(
        request,
        "schools/list_print.html",
        {"run": run, "heading": list_heading(run), "listed": listed, "curators": curators,
         "computed_reason": COMPUTED_REASON, "territory": _territory(listed + curators)},
    )  # fmt: skip


@login_required
def selection_export(request, pk):
    run, schools, listed, curators = _annex(request, pk)
    content = list_xlsx(run, listed, curators, list_differences(run, schools))
    return xlsx_response(content, file_name=f"perechen-{run.year}-zapusk-{run.pk}.xlsx")
