"""The programme list, a new programme, its page and passport, its history (and a passport brought back), its print."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shnor_portal.paging import page_of
from shnor_portal.spreadsheets import xlsx_response

from ..access import (
    can_act_on_review,
    can_create_programme,
    can_keep_plan,
    can_read_routes,
    get_programme_or_404,
    require,
    visible_measures,
    visible_programmes,
)
from ..files import evidence_max_bytes, size_label
from ..filters import MeasureFilter, ProgrammeFilter
from ..forms import MutualReviewForm, PassportForm, ProgrammeCreateForm
from ..measure_export import measures_xlsx
from ..selectors import (
    advisory_remarks,
    annotate_progress,
    latest_return,
    passport_version,
    programme_history,
    programme_reviews,
    programme_rounds,
    progress_of,
    roadmap_sections,
    step_openers,
)
from ..services import (
    NOT_OWNER,
    ProgrammeError,
    StaleEdit,
    programme_create,
    programme_restore_passport,
    programme_update_passport,
)
from .common import detail_url, programme_perms, roadmap_context

HISTORY_PAGE_SIZE = 50


def _measures(request) -> tuple[MeasureFilter, object]:
    """The filter of the measure list and its rows, as the page and its export show them."""
    measure_filter = MeasureFilter(request.GET or None, queryset=visible_measures(request.user), user=request.user)
    measures = measure_filter.qs.select_related(
        "programme__municipality", "programme__school", "programme__region"
    ).order_by(
        F("programme__municipality__name").asc(nulls_first=True), "programme__school__short_name", "programme__title", "deadline", "pk"
    )
    return measure_filter, measures


@login_required
def measure_list(request):
    """Measures of the roadmaps the user sees, across programmes: what a dashboard's count of measures opens."""
    measure_filter, measures = _measures(request)
    return render(
        request,
        "programs/measure_list.html",
        {"filter": measure_filter, **page_of(request, measures), "today": timezone.localdate()},
    )


@require_GET
@login_required
def measure_export(request):
    """The measure list, with the same filters, as xlsx."""
    _filter, measures = _measures(request)
    today = timezone.localdate()
    return xlsx_response(measures_xlsx(measures, today=today), file_name=f"meropriyatiya-{today:%Y-%m-%d}.xlsx")


@login_required
def programme_list(request):
    programme_filter = ProgrammeFilter(request.GET or None, queryset=visible_programmes(request.user), user=request.user)
    programmes = (
        programme_filter.qs.with_progress()
        .select_related("municipality", "school", "risk_factor", "region")
        # the regional plan-schedules (no municipality) first, then the municipalities'
        .order_by(F("municipality__name").asc(nulls_first=True), "school__short_name", "-period_start", "title", "pk")
    )
    listed = page_of(request, programmes)
    annotate_progress(listed["page"].object_list)
    return render(
        request,
        "programs/programme_list.html",
        {
            "filter": programme_filter,
            **listed,
            "can_create": can_create_programme(request.user),
            "can_read_routes": can_read_routes(request.user),
        },
    )


@login_required
def programme_create_view(request):
    require(
        can_create_programme(request.user),
        "Программы создают координатор муниципалитета (муниципальную), управленческая команда школы (школьные) и "
        "министерство (региональный план-график).",
    )
    year = timezone.localdate().year
    form = ProgrammeCreateForm(
        request.POST or None, user=request.user, initial={"period_start": year, "period_end": year + 2}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = programme_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                municipality=data.get("municipality"),
                school=data.get("school"),
                region=data.get("region"),
                risk_factor=data.get("risk_factor"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Программа создана. Заполните паспорт и дорожную карту.")
            return redirect(detail_url(programme))
    return render(request, "programs/programme_create.html", {"form": form})


@login_required
def programme_detail(request, pk):
    programme = get_programme_or_404(request.user, pk)
    sections = roadmap_sections(programme=programme)
    measures = [m for s in sections for m in s.rows]
    reviews = programme_reviews(programme=programme)
    perms = programme_perms(request.user, programme)
    return render(
        request,
        "programs/programme_detail.html",
        roadmap_context(
            request.user,
            programme,
            sections=sections,
            progress=progress_of(measures),
            reviews=reviews,
            my_reviews=[r for r in reviews if can_act_on_review(request.user, r)],
            returned_review=latest_return(reviews, programme),
            advisory=advisory_remarks(reviews, programme),
            rounds=programme_rounds(programme=programme),
            mutual_form=MutualReviewForm(user=request.user, programme=programme) if perms["assign_mutual"] else None,
            openers=[
                o for o in step_openers(request.user, programme)
                if not (o["step"].kind == "mutual" and o["step"].reviewer == "school" and perms["assign_mutual"])
                and not (o["step"].kind == "regional" and o["step"].reviewer == "department" and perms["start_regional"])
            ],  # fmt: skip
            today=timezone.localdate(),
            evidence_max=size_label(evidence_max_bytes()),
        ),
    )


@login_required
def passport_edit(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    if not programme.plan_is_editable:
        messages.warning(request, "Паспорт сейчас изменить нельзя: программа на экспертизе или принята.")
        return redirect(detail_url(programme))
    form = PassportForm(request.POST or None, instance=programme)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            programme_update_passport(
                programme=programme, actor=request.user, data=form.passport_data(),
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as exc:
            current = exc.current
            data = request.POST.copy()
            data["version"] = current.version
            form = PassportForm(data, instance=current)
            form.is_valid()
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        except ProgrammeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Паспорт программы сохранён.")
            return redirect(detail_url(programme, "passport"))
    return render(request, "programs/passport_form.html", {"programme": programme, "form": form, "current": current})


@require_GET
@login_required
def programme_history_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    return render(
        request,
        "programs/history.html",
        {
            "programme": programme,
            "can_restore": programme.plan_is_editable and can_keep_plan(request.user, programme),
            **page_of(request, programme_history(programme=programme), HISTORY_PAGE_SIZE),
        },
    )


@login_required
def passport_restore_view(request, pk, history_id):
    """Confirm, then bring the passport back to an earlier version (a change like any other, in the history)."""
    programme = get_programme_or_404(request.user, pk)
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    version = passport_version(programme=programme, history_id=history_id)
    if version is None:
        raise Http404("Такой версии паспорта нет.")
    if request.method == "POST":
        try:
            programme_restore_passport(
                programme=programme, actor=request.user, history_id=history_id,
                expected_version=int(request.POST.get("version") or 0),
            )  # fmt: skip
        except (ProgrammeError, ValidationError) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            return redirect("programs:passport_restore", pk=programme.pk, history_id=history_id)
        messages.success(request, "Паспорт программы восстановлен; восстановление записано в истории изменений.")
        return redirect(detail_url(programme, "passport"))
    return render(request, "programs/passport_restore.html", {"programme": programme, "version": version})


@require_GET
@login_required
def programme_print(request, pk):
    programme = get_programme_or_404(request.user, pk)
    sections = roadmap_sections(programme=programme)
    return render(
        request,
        "programs/print.html",
        {
            "programme": programme,
            "sections": sections,
            "years": programme.years,
            "progress": progress_of([m for s in sections for m in s.rows]),
            "today": timezone.localdate(),
            "territory": programme.region.name
            if programme.is_regional
            else f"{programme.municipality.name}, {programme.municipality.region.name}",
        },
    )
