"""Pages of the monitoring calendar: the stages of a territory per school year (the department edits them, a
coordinator reads them and shifts their dates for the municipality). Rules live in `monitoring.access` and
`monitoring.calendar_services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from schools.school_year import school_year_choices, school_year_label, school_year_param

from . import access
from .calendar import CalendarBook
from .calendar_services import (
    NOT_DEPARTMENT,
    NOT_SHIFTER,
    monitoring_calendar_start,
    monitoring_stage_delete,
    monitoring_stage_save,
    stage_shift_delete,
    stage_shift_save,
)
from .forms import MonitoringStageForm, StageShiftForm
from .models import YEAR_MAX, YEAR_MIN, MonitoringStage, MunicipalStageShift
from .services import MonitoringError

NOT_READER = "Календарь мониторинга видят управление образования и координаторы муниципалитетов."


def _calendar_url(year: int) -> str:
    return reverse("monitoring:calendar") + f"?year={year}"


def _year_or_404(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404("Нет такого учебного года.")
    return year


@login_required
def calendar(request):
    access.require(access.can_read_calendar(request.user), NOT_READER)
    year = school_year_param(request.GET.get("year"))
    book = CalendarBook([year])
    territories = [(None, "По умолчанию (все территории)")] + [
        (region, region.name) for region in access.calendar_regions(request.user)
    ]
    rows = []
    for region, name in territories:
        region_id = region.pk if region else None
        own = book.rows.get((region_id, year), [])
        rows.append({
            "region": region, "name": name, "own": own, "stages": book.stages(year, region_id),
            "can_edit": access.can_edit_calendar(request.user, region),
        })
    municipalities = []
    for municipality in access.shift_municipalities(request.user).select_related("region"):
        stages = book.of_municipality(municipality, year)
        if any(stage.shifted for stage in stages) or not access.can_edit_calendar(request.user, municipality.region):
            municipalities.append({"municipality": municipality, "stages": stages})
    return render(
        request,
        "monitoring/calendar.html",
        {
            "year": year,
            "year_label": school_year_label(year),
            "years": school_year_choices({year}, ahead=2),
            "rows": rows,
            "municipalities": municipalities,
            "can_edit": any(row["can_edit"] for row in rows),
        },
    )


def _stage_form_page(request, form, *, title: str, year: int):
    back = _calendar_url(year)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "title": title,
            "crumbs": [("Календарь мониторинга", back), (title, None)],
            "cancel_url": back,
            "submit_label": "Сохранить",
            "intro": "Код этапа постоянный: его хранят значения показателей и самооценки. Даты могут лежать до "
            "начала учебного года (входной мониторинг перед первым годом программы), но не позже его конца.",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage_create(request, year):
    access.require(access.edits_some_calendar(request.user), NOT_DEPARTMENT)
    year = _year_or_404(year)
    region = access.get_calendar_region_or_404(request.user, request.GET.get("region"))
    access.require(access.can_edit_calendar(request.user, region), NOT_DEPARTMENT)
    count = MonitoringStage.objects.filter(region=region, year=year).count()
    form = MonitoringStageForm(
        request.POST or None, instance=MonitoringStage(region=region, year=year), initial={"position": count + 1}
    )
    if request.method == "POST" and form.is_valid():
        try:
            monitoring_stage_save(actor=request.user, region=region, year=year, data=form.cleaned_data)
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Этап «{form.cleaned_data['name']}» добавлен.")
            return redirect(_calendar_url(year))
    territory = region.name if region else "по умолчанию"
    return _stage_form_page(request, form, title=f"Новый этап: {territory}, {school_year_label(year)}", year=year)


@login_required
@require_http_methods(["GET", "POST"])
def stage_edit(request, pk):
    stage = access.get_monitoring_stage_or_404(request.user, pk)
    access.require(access.can_edit_calendar(request.user, stage.region), NOT_DEPARTMENT)
    form = MonitoringStageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        try:
            monitoring_stage_save(
                actor=request.user, region=stage.region, year=stage.year, data=form.cleaned_data, stage=stage
            )
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Этап «{form.cleaned_data['name']}» сохранён.")
            return redirect(_calendar_url(stage.year))
    return _stage_form_page(request, form, title=f"Этап «{stage.name}», {stage.territory_label}", year=stage.year)


@login_required
@require_http_methods(["GET", "POST"])
def stage_delete(request, pk):
    stage = access.get_monitoring_stage_or_404(request.user, pk)
    access.require(access.can_edit_calendar(request.user, stage.region), NOT_DEPARTMENT)
    error = None
    if request.method == "POST":
        try:
            monitoring_stage_delete(actor=request.user, stage=stage)
        except MonitoringError as refused:
            error = str(refused)
        else:
            messages.success(request, f"Этап «{stage.name}» удалён из календаря.")
            return redirect(_calendar_url(stage.year))
    return render(
        request, "monitoring/calendar_stage_delete.html",
        {"stage": stage, "error": error, "back": _calendar_url(stage.year)},
        status=400 if error else 200,
    )  # fmt: skip


@login_required
@require_POST
def calendar_start(request, year):
    access.require(access.edits_some_calendar(request.user), NOT_DEPARTMENT)
    year = _year_or_404(year)
    region = access.get_calendar_region_or_404(request.user, request.GET.get("region"))
    if region is None:
        raise Http404("Календарь по умолчанию задают по этапам.")
    access.require(access.can_edit_calendar(request.user, region), NOT_DEPARTMENT)
    try:
        copied = monitoring_calendar_start(actor=request.user, region=region, year=year)
    except MonitoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Календарь территории «{region.name}» начат с календаря по умолчанию: этапов — {copied}."
        )
    return redirect(_calendar_url(year))


@login_required
def calendar_history(request, year):
    access.require(access.can_read_calendar(request.user), NOT_READER)
    year = _year_or_404(year)
    region = access.get_calendar_region_or_404(request.user, request.GET.get("region"))
    records = MonitoringStage.history.filter(year=year, region_id=region.pk if region else None)
    shifts = MunicipalStageShift.history.filter(
        stage_id__in=MonitoringStage.objects.filter(year=year, region=region).values("pk"),
        municipality_id__in=access.shift_municipalities(request.user).values("pk"),
    )
    return render(
        request,
        "monitoring/calendar_history.html",
        {
            "year": year,
            "year_label": school_year_label(year),
            "region": region,
            "back": _calendar_url(year),
            "stage_rows": records.select_related("history_user").order_by("-history_date")[:200],
            "shift_rows": _shift_rows(shifts, year=year, region=region),
        },
    )


def _shift_rows(shifts, *, year: int, region) -> list[dict]:
    names = dict(MonitoringStage.objects.filter(year=year, region=region).values_list("pk", "name"))
    return [
        {"record": record, "stage_name": names.get(record.stage_id, "—")}
        for record in shifts.select_related("history_user", "municipality").order_by("-history_date")[:200]
    ]


@login_required
@require_http_methods(["GET", "POST"])
def stage_shift(request, pk, municipality_pk):
    stage = access.get_monitoring_stage_or_404(request.user, pk)
    municipality = access.get_shift_municipality_or_404(request.user, stage, municipality_pk)
    shift = MunicipalStageShift.objects.filter(stage=stage, municipality=municipality).first()
    instance = shift or MunicipalStageShift(
        stage=stage, municipality=municipality, starts_on=stage.starts_on, due_on=stage.due_on
    )
    form = StageShiftForm(request.POST or None, instance=instance)
    if request.method == "POST" and request.POST.get("action") == "reset":
        stage_shift_delete(actor=request.user, stage=stage, municipality=municipality)
        messages.success(request, f"{municipality.name}: этап «{stage.name}» снова по срокам управления.")
        return redirect(_calendar_url(stage.year))
    if request.method == "POST" and form.is_valid():
        try:
            stage_shift_save(actor=request.user, stage=stage, municipality=municipality, **form.cleaned_data)
        except MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{municipality.name}: сроки этапа «{stage.name}» сохранены.")
            return redirect(_calendar_url(stage.year))
    return render(
        request,
        "monitoring/calendar_shift.html",
        {"form": form, "stage": stage, "municipality": municipality, "shift": shift, "back": _calendar_url(stage.year),
         "not_shifter": NOT_SHIFTER},
    )  # fmt: skip
