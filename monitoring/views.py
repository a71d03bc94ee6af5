"""Pages of monitoring: indicators, value grids, the confirmation queue, the import of values, self-assessments
(template, upload → preview → confirm, decision) and a school's monitoring page. Views stay thin: rows come from
`monitoring.access` and `monitoring.selectors`, writes go through `monitoring.services`."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from programs.files import EvidenceRefused
from schools.access import (
    get_municipality_or_404,
    get_school_or_404,
    teams_schools,
    visible_municipalities,
    visible_schools,
)
from schools.school_year import current_school_year, school_year_label
from shnor_portal import uploads
from shnor_portal.history import last_change_ids
from shnor_portal.paging import page_of
from shnor_portal.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response
from shnor_portal.stored_files import download_response

from .access import (
    can_confirm_any,
    can_decide_self_assessment,
    can_enter_municipality_values,
    can_enter_school_values,
    can_import_values,
    can_read_calendar,
    can_see_dashboard,
    can_upload_self_assessment,
    confirms_at_once,
    get_indicator_or_404,
    get_open_report_or_404,
    get_self_assessment_or_404,
    require,
    visible_values,
)
from .calendar import CalendarStage, attach_labels, last_stage, stages_of
from .computed import compute
from .exports import indicators_xlsx, missing_self_assessments_xlsx, queue_xlsx, self_assessments_xlsx
from .filters import indicators_filtered, queue_filtered, self_assessments_filtered, year_choices
from .forms import (
    DecisionForm,
    GridForm,
    OpenReportForm,
    QueueActionForm,
    SelfAssessmentUploadForm,
)
from .models import YEAR_MIN, Indicator, IndicatorValue, OpenReport, RiskProfile, SelfAssessment
from .school_due import school_due
from .selectors import (
    grid_indicators,
    indicator_actuals,
    indicator_chart,
    indicator_rows,
    met_css,
    plans_of,
    risk_comparison,
    school_history,
    stage_overview,
)
from .self_assessment_xlsx import self_assessment_parse, template_content, template_xlsx
from .services import (
    MonitoringError,
    StaleValues,
    ValueEntry,
    computed_values_store,
    indicator_values_confirm,
    indicator_values_return,
    indicator_values_save,
    open_report_upload,
    self_assessment_accept,
    self_assessment_return,
    self_assessment_submit,
)

# The kind of the held upload (`shnor_portal.uploads`); the values import holds its own (`values_views`).
SELF_ASSESSMENT_UPLOAD = "self_assessment"


def _stage_or_404(stage: str, calendar: list[CalendarStage]) -> CalendarStage:
    """A stage of the owner's calendar of the year (`monitoring.calendar`), else 404."""
    for item in calendar:
        if item.code == stage:
            return item
    raise Http404("Нет такого этапа в календаре мониторинга этого учебного года.")


def _grid_year_or_404(year: int) -> int:
    if not YEAR_MIN <= year <= current_school_year() + 1:
        raise Http404("Нет такого учебного года.")
    return year


def _upload_years() -> list[int]:
    """Self-assessments are uploaded for the current school year and the one before it."""
    now = current_school_year()
    return [now, now - 1]


def _label_stages(context) -> None:
    """The page's rows get the names of their stages in their territories' calendars, read once for the page."""
    page = context["page"]
    page.object_list = list(page.object_list)
    attach_labels(page.object_list)



# --- the hub --------------------------------------------------------------------------------------------------------


@login_required
def index(request):
    team_schools = teams_schools(request.user)
    return render(
        request,
        "monitoring/index.html",
        {
            "team_schools": team_schools,
            "can_confirm": can_confirm_any(request.user),
            "can_import": can_import_values(request.user),
            "can_see_dashboard": can_see_dashboard(request.user),
            "can_read_calendar": can_read_calendar(request.user),
            "year": current_school_year(),
            "year_label": school_year_label(current_school_year()),
        },
    )


# --- indicators -----------------------------------------------------------------------------------------------------


@login_required
def indicator_list(request):
    indicator_filter, indicators = indicators_filtered(user=request.user, data=request.GET)
    context = page_of(request, indicators.prefetch_related("plans"))
    return render(request, "monitoring/indicator_list.html", {"filter": indicator_filter, **context})


@login_required
def indicator_list_export(request):
    _filter, indicators = indicators_filtered(user=request.user, data=request.GET)
    return xlsx_response(indicators_xlsx(indicators), file_name="celevye-pokazateli.xlsx")


def _objects_for(indicator: Indicator, user):
    """The schools (or municipalities) the indicator applies to, within the user's reach."""
    if indicator.level == Indicator.Level.SCHOOL:
        objects = visible_schools(user).select_related("municipality").order_by("municipality__name", "short_name")
        if indicator.municipality_id:
            objects = objects.filter(municipality_id=indicator.municipality_id)
        if indicator.programme_id and indicator.programme.school_id:
            objects = objects.filter(pk=indicator.programme.school_id)
        return objects
    objects = visible_municipalities(user).order_by("name")
    if indicator.municipality_id:
        objects = objects.filter(pk=indicator.municipality_id)
    return objects


@login_required
def indicator_detail(request, pk):
    indicator = get_indicator_or_404(request.user, pk)
    if indicator.is_regional:  # one value per region: its page is the region's (`monitoring.regional`)
        return redirect(reverse("monitoring:region_indicators") + f"#region-{indicator.region_id}")
    is_school_level = indicator.level == Indicator.Level.SCHOOL
    plans = plans_of([indicator]).get(indicator.pk, {})
    scoped_values = visible_values(request.user).filter(indicator=indicator)
    if not is_school_level:
        scoped_values = scoped_values.filter(school__isnull=True)
    chosen_school = None
    if is_school_level and request.GET.get("school", "").isdigit():
        chosen_school = get_school_or_404(request.user, request.GET["school"])
        label = f"Факт: {chosen_school.short_name}"
    else:
        label = f"Факт ({indicator.get_aggregation_display()})"
    actuals = indicator_actuals(
        indicator, scoped_values, school=chosen_school,
        municipality_ids=visible_municipalities(request.user).values("pk"),
    )  # fmt: skip
    chart = indicator_chart(indicator, plans=plans, actuals=actuals, label=label)
    years = sorted(set(plans) | set(actuals))
    plan_rows = [
        {
            "year": year,
            "label": school_year_label(year),
            "planned": plans.get(year),
            "actual": actuals.get(year),
            "css": met_css(indicator.met(actuals.get(year), plans.get(year))),
        }
        for year in years
    ]

    try:
        year = int(request.GET.get("year") or 0) or (max(actuals) if actuals else current_school_year())
    except ValueError:
        year = current_school_year()
    calendar = stages_of(year, municipality=indicator.municipality)
    codes = [s.code for s in calendar]
    stage = request.GET.get("stage") if request.GET.get("stage") in codes else last_stage(calendar).code
    objects = _objects_for(indicator, request.user)
    context = page_of(request, objects)
    on_page = list(context["page"].object_list)
    values = scoped_values.filter(year=year, stage=stage).select_related("entered_by")
    values = values.filter(school__in=on_page) if is_school_level else values.filter(municipality__in=on_page)
    by_owner = {(v.school_id if is_school_level else v.municipality_id): v for v in values}
    planned = plans.get(year)
    object_rows = []
    for obj in on_page:
        value = by_owner.get(obj.pk)
        met = indicator.met(value.value, planned) if value and value.status == IndicatorValue.Status.CONFIRMED else None
        object_rows.append({"object": obj, "value": value, "css": met_css(met), "met": met})
    return render(
        request,
        "monitoring/indicator_detail.html",
        {
            "indicator": indicator,
            "is_school_level": is_school_level,
            "plan_rows": plan_rows,
            "chart": chart,
            "chosen_school": chosen_school,
            "year": year,
            "year_label": school_year_label(year),
            "stage": stage,
            "stages": [(s.code, s.name) for s in calendar],
            "years": year_choices({year, *years}),
            "planned": planned,
            "object_rows": object_rows,
            **context,
        },
    )


# --- the value grid -------------------------------------------------------------------------------------------------


def _grid(request, *, year: int, stage: str, school=None, municipality=None, may_edit: bool):
    indicators = grid_indicators(school=school, municipality=municipality)
    rows = indicator_rows(indicators=indicators, year=year, school=school, municipality=municipality)
    initial, value_pks = {}, {}
    for row in rows:
        value = dict(row["stages"]).get(stage)
        if value is not None:
            initial[row["indicator"].pk] = (value.value, value.comment)
            value_pks[value.pk] = row["indicator"].pk
    versions = {value_pks[pk]: version for pk, version in last_change_ids(IndicatorValue, value_pks).items()}
    form = GridForm(
        request.POST if request.method == "POST" else None,
        indicators=indicators,
        initial_values=initial,
        versions=versions,
        read_only=not may_edit,
    )
    if request.method == "POST":
        require(may_edit, "Вносить значения здесь вам нельзя: доступ только для просмотра.")
        if form.is_valid():
            try:
                counts = indicator_values_save(
                    actor=request.user,
                    year=year,
                    stage=stage,
                    school=school,
                    municipality=None if school else municipality,
                    entries=[ValueEntry(i, v, c, seen) for i, v, c, seen in form.entries()],
                )
            except StaleValues as refusal:
                messages.error(request, str(refusal))
                form.reopen_on(refusal.current)
            except MonitoringError as error:
                messages.error(request, str(error))
            else:
                computed_values_store(
                    year=year, stage=stage, indicators=indicators, school=school,
                    municipality=None if school else municipality,
                )
                changed = counts["created"] + counts["updated"] + counts["deleted"]
                messages.success(
                    request,
                    f"Значения сохранены (изменено: {changed})."
                    if changed
                    else "Изменений нет: значения остались прежними.",
                )
                return redirect(request.path)
    live = {}
    for indicator in indicators:
        if indicator.is_computed:
            live[indicator.pk] = compute(
                indicator.computed_by, year=year, school=school, municipality=None if school else municipality
            )
    grid_rows = []
    for row in rows:
        indicator = row["indicator"]
        value = dict(row["stages"]).get(stage)
        value_field, comment_field = form.bound(indicator)
        shown = value.value if value else None
        if indicator.is_computed and live.get(indicator.pk) is not None:
            shown = Decimal(str(live[indicator.pk])).quantize(Decimal("0.01"))
        # Colour only what counts: a confirmed or computed value; one waiting for the coordinator stays plain.
        counts = indicator.is_computed or (value is not None and value.status == IndicatorValue.Status.CONFIRMED)
        met = indicator.met(shown, row["planned"]) if counts else None
        grid_rows.append(
            {**row, "value": value, "value_field": value_field, "comment_field": comment_field, "shown": shown,
             "css": met_css(met), "met": met}
        )
    return form, grid_rows


def _neighbour_years(year: int) -> dict:
    return {
        "previous_year": (year - 1, school_year_label(year - 1)) if year - 1 >= YEAR_MIN else None,
        "next_year": (year + 1, school_year_label(year + 1)) if year + 1 <= current_school_year() + 1 else None,
    }


def _render_grid(request, *, year, stage, calendar, may_edit, grid_url: str, confirms: bool, **owner):
    """The entry grid of one school or one municipality (`owner`: school= or municipality=) for a year and stage."""
    result = _grid(request, year=year, stage=stage, may_edit=may_edit, **owner)
    if not isinstance(result, tuple):
        return result
    form, rows = result
    (owner_name, owner_obj), = owner.items()
    return render(
        request,
        "monitoring/grid.html",
        {
            "form": form,
            "rows": rows,
            owner_name: owner_obj,
            "owner": owner_obj,
            "year": year,
            "stage": stage,
            "year_label": school_year_label(year),
            "stage_label": _stage_or_404(stage, calendar).name,
            "may_edit": may_edit,
            "stages": [(s.code, s.name) for s in calendar],
            **_neighbour_years(year),
            "grid_url": grid_url,
            "owner_pk": owner_obj.pk,
            "confirms_at_once": confirms,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_grid(request, pk, year, stage):
    school = get_school_or_404(request.user, pk)
    year = _grid_year_or_404(year)
    calendar = stages_of(year, municipality=school.municipality)
    stage = _stage_or_404(stage, calendar).code
    may_edit = can_enter_school_values(request.user, school)
    return _render_grid(
        request, year=year, stage=stage, calendar=calendar, may_edit=may_edit, grid_url="monitoring:school_grid",
        confirms=may_edit and confirms_at_once(request.user, school), school=school,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def municipality_grid(request, pk, year, stage):
    municipality = get_municipality_or_404(request.user, pk)
    year = _grid_year_or_404(year)
    calendar = stages_of(year, municipality=municipality)
    stage = _stage_or_404(stage, calendar).code
    may_edit = can_enter_municipality_values(request.user, municipality)
    return _render_grid(
        request, year=year, stage=stage, calendar=calendar, may_edit=may_edit, grid_url="monitoring:municipality_grid",
        confirms=may_edit, municipality=municipality,
    )  # fmt: skip


# --- the confirmation queue -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def queue(request):
    require(can_confirm_any(request.user), "Очередь подтверждения — для координатора муниципалитета и управления.")
    queue_filter, values = queue_filtered(user=request.user, data=request.GET)
    context = page_of(request, values, 50)
    _label_stages(context)
    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
        form = QueueActionForm(request.POST, ids=ids)
        if form.is_valid():
            chosen = list(values.filter(pk__in=form.cleaned_data["ids"]))
            try:
                if form.cleaned_data["action"] == QueueActionForm.CONFIRM:
                    done = indicator_values_confirm(actor=request.user, values=chosen)
                    messages.success(request, f"Подтверждено значений: {done}.")
                else:
                    done = indicator_values_return(actor=request.user, values=chosen, comment=form.cleaned_data["comment"])
                    messages.success(request, f"Возвращено на исправление значений: {done}.")
            except MonitoringError as error:
                messages.error(request, str(error))
            query = context["query"]
            return redirect(f"{request.path}?{query}" if query else request.path)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return render(request, "monitoring/queue.html", {"filter": queue_filter, **context})


@login_required
def queue_export(request):
    require(can_confirm_any(request.user), "Очередь подтверждения — для координатора муниципалитета и управления.")
    _filter, values = queue_filtered(user=request.user, data=request.GET)
    return xlsx_response(queue_xlsx(values), file_name="znacheniya-na-podtverzhdenii.xlsx")


# --- self-assessments -----------------------------------------------------------------------------------------------


@login_required
def self_assessment_list(request):
    assessment_filter, assessments = self_assessments_filtered(user=request.user, data=request.GET)
    counts = dict(assessments.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    missing = assessment_filter.missing_pairs()
    context = page_of(request, assessments if missing is None else missing)
    if missing is None:
        _label_stages(context)
    return render(
        request,
        "monitoring/self_assessment_list.html",
        {
            "filter": assessment_filter,
            "counts": [(value, label, counts.get(value, 0)) for value, label in SelfAssessment.Status.choices],
            "missing": missing is not None,
            **context,
        },
    )


@login_required
def self_assessment_export(request):
    assessment_filter, assessments = self_assessments_filtered(user=request.user, data=request.GET)
    if (missing := assessment_filter.missing_pairs()) is not None:
        return xlsx_response(missing_self_assessments_xlsx(missing), file_name="samoocenki-ne-sdany.xlsx")
    return xlsx_response(self_assessments_xlsx(assessments), file_name="samoocenki-shkol.xlsx")


def _last_year_levels(school, year) -> dict[str, int]:
    profile = RiskProfile.objects.filter(school=school, year=year - 1).first()
    if profile is None:
        return {}
    return {level.risk_factor.code: level.level for level in profile.levels.select_related("risk_factor")}


def _ratings_with_last_year(ratings: list[dict], last: dict[str, int]) -> list[dict]:
    rows = []
    for rating in ratings:
        before = last.get(rating.get("code"))
        level = rating.get("level")
        change = None
        if before and level:
            change = "worse" if level > before else "better" if level < before else "same"
        rows.append({**rating, "before": before, "change": change})
    return rows


@login_required
def self_assessment_detail(request, pk):
    assessment = get_self_assessment_or_404(request.user, pk)
    return _render_detail(request, assessment, DecisionForm())


def _render_detail(request, assessment, decision_form, status=200):
    school = assessment.school
    versions = list(
        SelfAssessment.objects.filter(school=school, year=assessment.year, stage=assessment.stage)
        .select_related("uploaded_by", "decided_by")
        .order_by("-uploaded_at", "-pk")
    )
    reports = list(OpenReport.objects.filter(school=school, year=assessment.year).order_by("-uploaded_at", "-pk"))
    history = list(assessment.history.select_related("history_user").order_by("history_date", "history_id"))
    return render(
        request,
        "monitoring/self_assessment_detail.html",
        {
            "assessment": assessment,
            "school": school,
            "year_label": school_year_label(assessment.year),
            "ratings": _ratings_with_last_year(assessment.ratings, _last_year_levels(school, assessment.year)),
            "last_year_label": school_year_label(assessment.year - 1),
            "versions": versions,
            "reports": reports,
            "history": history,
            "may_decide": assessment.awaits_decision and can_decide_self_assessment(request.user, assessment),
            "decision_form": decision_form,
        },
        status=status,
    )


@login_required
@require_POST
def self_assessment_decide(request, pk):
    assessment = get_self_assessment_or_404(request.user, pk)
    require(
        can_decide_self_assessment(request.user, assessment),
        "Самооценку принимает или возвращает координатор муниципалитета школы.",
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, assessment, form, status=400)
    try:
        if form.cleaned_data["action"] == DecisionForm.ACCEPT:
            self_assessment_accept(actor=request.user, assessment=assessment, comment=form.cleaned_data["comment"])
            messages.success(
                request, f"Самооценка принята. Рисковый профиль школы за {school_year_label(assessment.year)} сохранён."
            )
        else:
            self_assessment_return(actor=request.user, assessment=assessment, comment=form.cleaned_data["comment"])
            messages.success(request, "Самооценка возвращена школе на доработку с вашим комментарием.")
    except MonitoringError as error:
        messages.error(request, str(error))
    return redirect("monitoring:self_assessment_detail", pk=assessment.pk)


@login_required
def self_assessment_file(request, pk):
    assessment = get_self_assessment_or_404(request.user, pk)
    return download_response(assessment.file, name=assessment.original_name, content_type=XLSX_CONTENT_TYPE)


@login_required
def open_report_file(request, pk):
    report = get_open_report_or_404(request.user, pk)
    return download_response(report.file, name=report.original_name, content_type=report.content_type)


def _self_assessment_context(request, pk, year, stage):
    school = get_school_or_404(request.user, pk)
    if year not in _upload_years():
        raise Http404("Самооценку загружают за текущий или прошлый учебный год.")
    stage = _stage_or_404(stage, stages_of(year, municipality=school.municipality))
    return school, year, stage.code


def _stage_label(school, year: int, stage: str) -> str:
    return _stage_or_404(stage, stages_of(year, municipality=school.municipality)).name


@login_required
def self_assessment_template(request, pk, year, stage):
    school, year, stage = _self_assessment_context(request, pk, year, stage)
    require(
        can_upload_self_assessment(request.user, school) or can_enter_school_values(request.user, school),
        "Шаблон самооценки скачивает команда школы или координатор.",
    )
    content = template_content(school=school, year=year, stage=stage)
    return xlsx_response(template_xlsx(content), file_name=content.file_name)


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment_upload(request, pk, year, stage):
    school, year, stage = _self_assessment_context(request, pk, year, stage)
    require(can_upload_self_assessment(request.user, school), "Самооценку загружает управленческая команда школы.")
    form = SelfAssessmentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads.hold(
            request, SELF_ASSESSMENT_UPLOAD, form.cleaned_data["file"], school=school.pk, year=year, stage=stage
        )
        return redirect("monitoring:self_assessment_preview")
    current = SelfAssessment.objects.filter(school=school, year=year, stage=stage, is_current=True).first()
    return render(
        request,
        "monitoring/self_assessment_upload.html",
        {
            "school": school,
            "year": year,
            "stage": stage,
            "year_label": school_year_label(year),
            "stage_label": _stage_label(school, year, stage),
            "form": form,
            "current": current,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment_preview(request):
    upload = uploads.held(request, SELF_ASSESSMENT_UPLOAD)
    if upload is None:
        messages.info(request, "Сначала загрузите заполненный шаблон самооценки.")
        return redirect("monitoring:index")
    context = upload.context
    school, year, stage = _self_assessment_context(request, context.get("school"), context.get("year"), context.get("stage"))
    require(can_upload_self_assessment(request.user, school), "Самооценку загружает управленческая команда школы.")
    content = template_content(school=school, year=year, stage=stage)
    data = upload.read()
    parsed = self_assessment_parse(data, content=content)
    if not parsed.ok:
        # A file with errors can never be confirmed: it is not kept (the page still lists its errors).
        uploads.discard(request, SELF_ASSESSMENT_UPLOAD)
    save_error = None
    if request.method == "POST" and parsed.ok:
        try:
            assessment = self_assessment_submit(
                actor=request.user, school=school, year=year, stage=stage, parsed=parsed,
                content=data, original_name=upload.name,
            )
        except MonitoringError as error:
            save_error = str(error)
        else:
            uploads.discard(request, SELF_ASSESSMENT_UPLOAD)
            messages.success(request, "Самооценка отправлена координатору на проверку.")
            return redirect("monitoring:self_assessment_detail", pk=assessment.pk)
    return render(
        request,
        "monitoring/self_assessment_preview.html",
        {
            "school": school,
            "year": year,
            "stage": stage,
            "year_label": school_year_label(year),
            "stage_label": _stage_label(school, year, stage),
            "parsed": parsed,
            "file_name": upload.name,
            "ratings": _ratings_with_last_year(parsed.ratings, _last_year_levels(school, year)),
            "last_year_label": school_year_label(year - 1), "save_error": save_error,
        },
    )


@login_required
@require_POST
def open_report_upload_view(request, pk, year):
    school = get_school_or_404(request.user, pk)
    if year not in _upload_years():
        raise Http404("Открытый доклад загружают за текущий или прошлый учебный год.")
    require(can_upload_self_assessment(request.user, school), "Открытый доклад загружает управленческая команда школы.")
    form = OpenReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            open_report_upload(actor=request.user, school=school, year=year, file=form.cleaned_data["file"])
        except EvidenceRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"Открытый доклад за {school_year_label(year)} учебный год загружен.")
    else:
        for error in form.errors.get("file", []):
            messages.error(request, f"Открытый доклад не загружен: {error}")
    return redirect(reverse("monitoring:school", args=[school.pk]) + f"?year={year}#open-reports")


# --- a school's monitoring page -------------------------------------------------------------------------------------


@login_required
def school_page(request, pk):
    school = get_school_or_404(request.user, pk)
    now = current_school_year()
    try:
        year = int(request.GET.get("year") or now)
    except ValueError:
        year = now
    if not YEAR_MIN <= year <= now + 1:
        raise Http404("Нет такого учебного года.")
    indicators = grid_indicators(school=school)
    rows = indicator_rows(indicators=indicators, year=year, school=school)
    stages = stage_overview(school=school, year=year)
    history = school_history(school=school)
    attach_labels(history["assessments"])
    return render(
        request,
        "monitoring/school.html",
        {
            "school": school,
            "year": year,
            "year_label": school_year_label(year),
            "years": [(y, school_year_label(y)) for y in range(now, now - 5, -1)],
            "stages": stages,
            "rows": rows,
            "risk": risk_comparison(school=school, year=year),
            "due": school_due(user=request.user, school=school, year=year),
            **history,
            "may_upload": can_upload_self_assessment(request.user, school) and year in _upload_years(),
            "may_enter": can_enter_school_values(request.user, school),
            "open_report_form": OpenReportForm(),
            "waiting_values": IndicatorValue.objects.filter(
                school=school, year=year, status=IndicatorValue.Status.SUBMITTED
            ).count(),
            "returned_values": IndicatorValue.objects.filter(
                Q(school=school), year=year, status=IndicatorValue.Status.RETURNED
            ).count(),
        },
    )
