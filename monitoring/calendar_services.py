"""Writing the monitoring calendar: the department's stages of a territory and year, a municipality's shift.

Each step checks the actor (`monitoring.access`), validates in Russian (`MonitoringStage.clean`,
`MunicipalStageShift.clean` and the rules below), writes in a transaction and leaves its history
(django-simple-history records who changed what).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from schools.models import Municipality, Region
from schools.school_year import school_year_label

from .access import can_edit_calendar, require, shift_municipalities
from .models import IndicatorValue, MonitoringStage, MunicipalStageShift, SelfAssessment
from .services import MonitoringError

NOT_DEPARTMENT = "Календарь мониторинга территории задаёт управление образования."
NOT_SHIFTER = "Сроки этапа в муниципалитете сдвигает его координатор или управление образования."
STAGE_FIELDS = ["code", "name", "position", "starts_on", "due_on", "basis"]


def _territory(region: Region | None) -> str:
    return f"территории «{region.name}»" if region else "по умолчанию"


def _validated(obj, *, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise MonitoringError(" ".join(error.messages)) from None


@transaction.atomic
def monitoring_stage_save(
    *, actor, region: Region | None, year: int, data: dict, stage: MonitoringStage | None = None
) -> MonitoringStage:
    """Add a stage to the calendar of a territory and year, or change one. The code of a stage that values or
    self-assessments already store cannot change (they would lose their stage)."""
    require(can_edit_calendar(actor, region), NOT_DEPARTMENT)
    if stage is None:
        stage = MonitoringStage(region=region, year=year)
    else:
        stage = MonitoringStage.objects.select_for_update().get(pk=stage.pk)
        if data.get("code") != stage.code and _in_use(stage):
            raise MonitoringError(
                f"Код этапа «{stage.name}» не меняется: по нему уже есть значения показателей или самооценки."
            )
    for name in STAGE_FIELDS:
        if name in data:
            setattr(stage, name, data[name])
    duplicate = MonitoringStage.objects.filter(region=region, year=year, code=stage.code).exclude(pk=stage.pk)
    if duplicate.exists():
        raise MonitoringError(
            f"Этап с кодом «{stage.code}» в календаре {_territory(region)} на {school_year_label(year)} учебный год "
            "уже есть: у каждого этапа года свой код."
        )
    _validated(stage, exclude=["region"])
    _refuse_outside_shifts(stage)
    stage._history_user = actor
    stage.save()
    return stage


def _refuse_outside_shifts(stage: MonitoringStage) -> None:
    """Changed dates must still hold the municipalities' shifts of the stage."""
    if stage.pk is None:
        return
    outside = stage.shifts.exclude(starts_on__gte=stage.starts_on, due_on__lte=stage.due_on).select_related(
        "municipality"
    )
    names = ", ".join(shift.municipality.name for shift in outside)
    if names:
        raise MonitoringError(
            f"Сроки этапа «{stage.name}» не вмещают сроки, сдвинутые муниципалитетами ({names}): сначала измените "
            "или уберите их сдвиг."
        )


def _in_use(stage: MonitoringStage) -> bool:
    municipalities = Municipality.objects.all()
    if stage.region_id is not None:
        municipalities = municipalities.filter(region_id=stage.region_id)
    values = IndicatorValue.objects.filter(year=stage.year, stage=stage.code, municipality__in=municipalities)
    assessments = SelfAssessment.objects.filter(
        year=stage.year, stage=stage.code, school__municipality__in=municipalities
    )
    return values.exists() or assessments.exists()


@transaction.atomic
def monitoring_stage_delete(*, actor, stage: MonitoringStage) -> None:
    """Remove a stage: never the last one of a territory's year (a calendar has at least one stage), never one that
    values or self-assessments store."""
    require(can_edit_calendar(actor, stage.region), NOT_DEPARTMENT)
    stage = MonitoringStage.objects.select_for_update().get(pk=stage.pk)
    if not MonitoringStage.objects.filter(region_id=stage.region_id, year=stage.year).exclude(pk=stage.pk).exists():
        raise MonitoringError(
            f"Этап «{stage.name}» — единственный в календаре {_territory(stage.region)} на "
            f"{school_year_label(stage.year)} учебный год: в календаре должен остаться хотя бы один этап."
        )
    if _in_use(stage):
        raise MonitoringError(
            f"Этап «{stage.name}» удалить нельзя: по нему уже есть значения показателей или самооценки школ."
        )
    stage._history_user = actor
    stage.delete()


@transaction.atomic
def monitoring_calendar_start(*, actor, region: Region, year: int) -> int:
    """Start a territory's calendar of a year from the default one (today's values): its stages copied, to be edited."""
    require(can_edit_calendar(actor, region), NOT_DEPARTMENT)
    if MonitoringStage.objects.filter(region=region, year=year).exists():
        raise MonitoringError("Календарь этой территории на этот учебный год уже задан.")
    defaults = list(MonitoringStage.objects.filter(region__isnull=True, year=year).order_by("position", "pk"))
    if not defaults:
        raise MonitoringError(
            f"Календаря по умолчанию на {school_year_label(year)} учебный год нет: добавьте этапы территории по одному."
        )
    for row in defaults:
        copy = MonitoringStage(region=region, year=year, **{name: getattr(row, name) for name in STAGE_FIELDS})
        copy._history_user = actor
        copy.save()
    return len(defaults)


@transaction.atomic
def stage_shift_save(
    *,
    actor,
    stage: MonitoringStage,
    municipality: Municipality,
    starts_on: datetime.date,
    due_on: datetime.date,
    note: str = "",
) -> MunicipalStageShift:
    """A municipality's own dates of a stage, inside the department's dates."""
    require(shift_municipalities(actor).filter(pk=municipality.pk).exists(), NOT_SHIFTER)
    if stage.region_id is not None and municipality.region_id != stage.region_id:
        raise MonitoringError("Этап относится к календарю другой территории.")
    shift = (
        MunicipalStageShift.objects.select_for_update()
        .filter(stage=stage, municipality=municipality)
        .order_by("pk")
        .first()
    )
    shift = shift or MunicipalStageShift(stage=stage, municipality=municipality)
    shift.starts_on, shift.due_on, shift.note = starts_on, due_on, note
    _validated(shift)
    shift._history_user = actor
    shift.save()
    return shift


@transaction.atomic
def stage_shift_delete(*, actor, stage: MonitoringStage, municipality: Municipality) -> None:
    """Back to the department's dates."""
    require(shift_municipalities(actor).filter(pk=municipality.pk).exists(), NOT_SHIFTER)
    for shift in MunicipalStageShift.objects.filter(stage=stage, municipality=municipality):
        shift._history_user = actor
        shift.delete()
