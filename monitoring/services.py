"""Writes of the monitoring app: indicator values, their confirmation and import, self-assessments, open reports.

Every function runs in a transaction, checks the actor's right to act (PermissionDenied → 403) and records who
did it: values and self-assessments keep their history (django-simple-history), with the actor as its user.
A domain rule that refuses the step raises `MonitoringError` with a Russian message.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from notifications import kinds as notice_kinds
from notifications import recipients as notice_recipients
from notifications.services import notify
from programs.files import DOCX, PDF, EvidenceRefused, evidence_sniff
from programs.models import RiskFactor
from schools.models import Municipality, School
from schools.school_year import school_year_label
from schools.signals import rows_changed_in
from shnor_portal.history import changed_by, last_change_ids, stale_message

from .access import (
    can_confirm_in,
    can_decide_self_assessment,
    can_enter_municipality_values,
    can_enter_school_values,
    can_upload_self_assessment,
    require,
)
from .calendar import stage_of, stages_of
from .computed import compute
from .models import (
    Indicator,
    IndicatorValue,
    OpenReport,
    RiskLevel,
    RiskProfile,
    SelfAssessment,
    applicable_to_municipality_q,
    applicable_to_school_q,
    pooled_for_municipality_q,
)
from .self_assessment_xlsx import ParsedSelfAssessment

Status = IndicatorValue.Status
Source = IndicatorValue.Source


class MonitoringError(Exception):
    """The step is refused by a rule of the domain; the message says why, in Russian."""


def _stage_label(stage: str, *, year: int, municipality: Municipality) -> str:
    """The stage's name in the municipality's calendar of the year; a Russian refusal for a stage it has not."""
    try:
        return stage_of(year, stage, municipality=municipality).name
    except ValidationError as error:
        raise MonitoringError(error.messages[0]) from None


# --- indicator values -----------------------------------------------------------------------------------------------


@dataclass
class ValueEntry:
    indicator: Indicator
    value: Decimal | None
    comment: str = ""
    seen: int | None = None  # the cell's version the user saw (0: empty); None: not checked


class StaleValues(MonitoringError):
    """Cells somebody else changed after the grid was opened; `current`: indicator pk → (value, comment, version)."""

    def __init__(self, message: str, current: dict):
        super().__init__(message)
        self.current = current


def _owner(school: School | None, municipality: Municipality | None) -> tuple[School | None, Municipality]:
    if (school is None) == (municipality is None):
        raise ValueError("Укажите либо школу, либо муниципалитет.")
    return school, municipality or school.municipality


def _stamp(value: IndicatorValue, *, actor, confirmed: bool, now: datetime.datetime) -> None:
    value.entered_by, value.entered_at = actor, now
    value.status = Status.CONFIRMED if confirmed else Status.SUBMITTED
    value.confirmed_by, value.confirmed_at = (actor, now) if confirmed else (None, None)
    value.return_comment = ""
    value._history_user = actor


@transaction.atomic
def indicator_values_save(
    *, actor, year: int, stage: str, entries: list[ValueEntry], school: School | None = None,
    municipality: Municipality | None = None,
) -> dict[str, int]:
    """Save one grid: the values of a school (or a municipality) for a year and stage.

    A value entered by the school team waits for the coordinator; one entered by the coordinator or the department
    is confirmed at once. An emptied cell deletes the value (its history stays). Unchanged values are left alone.
    """
    school, municipality = _owner(school, municipality)
    if school is not None:
        require(can_enter_school_values(actor, school), "Значения школы вносит её команда или координатор.")
    else:
        require(
            can_enter_municipality_values(actor, municipality),
            "Значения муниципалитета вносит его координатор или управление образования.",
        )
    _stage_label(stage, year=year, municipality=municipality)
    for entry in entries:
        indicator = entry.indicator
        if indicator.is_computed:
            raise MonitoringError(f"Показатель «{indicator.name}» вычисляется порталом: его значение не вводят.")
        applies = indicator.applies_to_school(school) if school else indicator.applies_to_municipality(municipality)
        if not applies:
            raise MonitoringError(f"Показатель «{indicator.name}» не относится к {school or municipality}.")
        if entry.value is not None:
            error = indicator.value_error(entry.value)
            if error:
                raise MonitoringError(f"«{indicator.name}»: {error}.")
    confirmed = can_confirm_in(actor, municipality.pk)
    existing = {
        v.indicator_id: v
        for v in IndicatorValue.objects.select_for_update().filter(
            indicator__in=[e.indicator for e in entries], year=year, stage=stage, school=school,
            municipality=municipality,
        )
    }
    _refuse_stale(entries, existing)
    try:
        with transaction.atomic():
            counts = _write_values(
                entries, existing, actor=actor, confirmed=confirmed, year=year, stage=stage, school=school,
                municipality=municipality,
            )
    except IntegrityError:
        # Somebody filled an empty cell of this grid at the same moment (no row to lock yet).
        raise MonitoringError(
            "Значения не сохранены: в ту же минуту другой пользователь внёс значения в эту таблицу. Откройте её "
            "заново, проверьте сохранённое и внесите правки ещё раз."
        ) from None
    return counts


def _write_values(entries, existing, *, actor, confirmed, year, stage, school, municipality) -> dict[str, int]:
    now = timezone.now()
    counts = {"created": 0, "updated": 0, "deleted": 0}
    for entry in entries:
        current = existing.get(entry.indicator.pk)
        comment = (entry.comment or "").strip()[:1000]
        if entry.value is None:
            if current is not None:
                current._history_user = actor
                current.delete()
                counts["deleted"] += 1
            continue
        if current is None:
            current = IndicatorValue(
                indicator=entry.indicator, year=year, stage=stage, school=school, municipality=municipality,
            )
            counts["created"] += 1
        elif current.value == entry.value and current.comment == comment and current.status != Status.RETURNED:
            continue
        else:
            counts["updated"] += 1
        current.value, current.comment, current.source = entry.value, comment, Source.ENTERED
        _stamp(current, actor=actor, confirmed=confirmed, now=now)
        current.save()
    return counts


def _changes(entry: ValueEntry, current: IndicatorValue | None) -> bool:
    if entry.value is None:
        return current is not None
    comment = (entry.comment or "").strip()[:1000]
    return current is None or current.value != entry.value or current.comment != comment


def _refuse_stale(entries: list[ValueEntry], existing: dict[int, IndicatorValue]) -> None:
    """Refuse the whole grid if a cell it would change was changed by somebody since the user opened it — a cell the
    user left as it was would otherwise put back the value they saw over the newer one. Rows are locked already."""
    versions = last_change_ids(IndicatorValue, [v.pk for v in existing.values()])
    stale = []
    for entry in entries:
        current = existing.get(entry.indicator.pk)
        version = versions.get(current.pk, 0) if current else 0
        if entry.seen is not None and entry.seen != version and _changes(entry, current):
            stale.append((entry, current, version))
    if not stale:
        return
    histories = {
        record.id: record
        for record in IndicatorValue.history.filter(history_id__in=[v for _, _, v in stale if v]).select_related("history_user")
    }
    parts = []
    for entry, current, _version in stale:
        record = histories.get(current.pk) if current else None
        who = ", ".join(changed_by(record)) if record is not None else ""
        now_shown = _number_label(current.value) if current else "пусто (значение удалено)"
        typed = _number_label(entry.value) if entry.value is not None else "пусто"
        parts.append(f"«{entry.indicator.name}»: сейчас {now_shown}{f' ({who})' if who else ''}, у вас {typed}")
    raise StaleValues(
        "Значения не сохранены: пока вы их вводили, другой пользователь изменил "
        + "; ".join(parts)
        + ". В этих ячейках теперь показаны сохранённые значения, остальные ваши правки остались в форме: проверьте "
        "и сохраните ещё раз.",
        current={
            entry.indicator.pk: (current.value if current else None, current.comment if current else "", version)
            for entry, current, version in stale
        },
    )


def _number_label(value) -> str:
    return format(value.normalize(), "f").replace(".", ",") if isinstance(value, Decimal) else str(value)


@transaction.atomic
def computed_values_store(
    *, year: int, stage: str, indicators: list[Indicator], school: School | None = None,
    municipality: Municipality | None = None,
) -> int:
    """Store the portal's value of each computed indicator for one school (or municipality), year and stage."""
    school, municipality = _owner(school, municipality)
    computed = [
        i for i in indicators
        if i.is_computed
        and (
            i.applies_to_school(school) if school
            else i.applies_to_municipality(municipality) or i.pools_for_municipality(municipality)
        )
    ]
    existing = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(
            indicator__in=computed, year=year, stage=stage, school=school, municipality=municipality
        )
    }
    now = timezone.now()
    stored = 0
    for indicator in computed:
        number = compute(
            indicator.computed_by, year=year, school=school, municipality=None if school else municipality
        )
        current = existing.get(indicator.pk)
        if number is None:
            if current is not None and current.source == Source.COMPUTED:
                current.delete()
            continue
        value = Decimal(str(number)).quantize(Decimal("0.01"))
        if current is not None and current.value == value and current.source == Source.COMPUTED:
            continue
        current = current or IndicatorValue(
            indicator=indicator, year=year, stage=stage, school=school, municipality=municipality
        )
        current.value, current.source, current.status = value, Source.COMPUTED, Status.CONFIRMED
        current.entered_by, current.entered_at, current.confirmed_by, current.confirmed_at = None, now, None, now
        current.comment = current.return_comment = ""
        current.save()
        stored += 1
    return stored


def computed_values_refresh(*, year: int, stages: list[str] | None = None, municipality_ids=None) -> int:
    """Recompute every computed indicator for every school and municipality it applies to (a batch job)."""
    municipalities = Municipality.objects.all()
    if municipality_ids is not None:
        municipalities = municipalities.filter(pk__in=municipality_ids)
    stored = 0
    for municipality in municipalities:
        municipal = list(
            Indicator.objects.filter(
                applicable_to_municipality_q(municipality) | pooled_for_municipality_q(municipality)
            ).exclude(computed_by="")
        )
        codes = stages or [s.code for s in stages_of(year, municipality=municipality)]
        for stage in codes:
            if municipal:
                stored += computed_values_store(
                    year=year, stage=stage, indicators=municipal, municipality=municipality
                )
        for school in School.objects.filter(municipality=municipality).select_related("municipality"):
            own = list(Indicator.objects.filter(applicable_to_school_q(school)).exclude(computed_by=""))
            if not own:
                continue
            for stage in codes:
                stored += computed_values_store(year=year, stage=stage, indicators=own, school=school)
    return stored


def _decidable(actor, values: list[IndicatorValue]) -> list[IndicatorValue]:
    for value in values:
        require(
            can_confirm_in(actor, value.municipality_id),
            "Значения подтверждает координатор муниципалитета или управление образования.",
        )
        if value.status != Status.SUBMITTED:
            raise MonitoringError(
                f"Значение «{value.indicator.name}» ({value.owner_label}) уже не ждёт подтверждения: "
                f"оно {value.get_status_display()}."
            )
    return values


@transaction.atomic
def indicator_values_confirm(*, actor, values) -> int:
    values = _decidable(actor, list(values))
    now = timezone.now()
    for value in values:
        value.status, value.confirmed_by, value.confirmed_at, value.return_comment = Status.CONFIRMED, actor, now, ""
        value._history_user = actor
    bulk_update_with_history(
        values, IndicatorValue, ["status", "confirmed_by", "confirmed_at", "return_comment"], default_user=actor
    )
    return len(values)


@transaction.atomic
def indicator_value_restore(*, actor, value: IndicatorValue, history_id: int, seen: int | None = None) -> IndicatorValue:
    """Bring a value (and its comment) back to an earlier version from its history: a correction by the coordinator
    or the department, so the restored value stands confirmed by them. A computed value is the portal's, and a save
    made on a page older than the value's last change is refused."""
    value = IndicatorValue.objects.select_for_update().select_related("indicator").get(pk=value.pk)
    require(
        can_confirm_in(actor, value.municipality_id),
        "Прежнее значение восстанавливает координатор муниципалитета или управление образования.",
    )
    if value.is_computed or value.indicator.is_computed:
        raise MonitoringError("Это значение вычисляет портал: восстанавливать его вручную не нужно.")
    record = value.history.filter(history_id=history_id).first()
    if record is None:
        raise MonitoringError("Такой версии в истории этого значения нет.")
    if message := stale_message(value, seen):
        raise MonitoringError(message)
    value.value, value.comment = record.value, record.comment
    _stamp(value, actor=actor, confirmed=True, now=timezone.now())
    value._change_reason = f"Восстановлено значение от {timezone.localtime(record.history_date):%d.%m.%Y %H:%M}"
    value.save()
    return value


@transaction.atomic
def indicator_values_return(*, actor, values, comment: str) -> int:
    comment = (comment or "").strip()
    if not comment:
        raise MonitoringError("Чтобы вернуть значения, напишите, что в них исправить.")
    values = _decidable(actor, list(values))
    for value in values:
        value.status, value.return_comment = Status.RETURNED, comment
    bulk_update_with_history(values, IndicatorValue, ["status", "return_comment"], default_user=actor)
    return len(values)


@dataclass
class ImportRow:
    indicator: Indicator
    year: int
    stage: str
    municipality: Municipality
    school: School | None
    value: Decimal
    comment: str
    existing: IndicatorValue | None = None
    stage_name: str = ""

    @property
    def stage_label(self) -> str:
        return self.stage_name or self.stage


@transaction.atomic
def values_import_save(*, actor, rows: list[ImportRow]) -> dict[str, int]:
    """Write the rows of a checked import, all or nothing; imported values are confirmed (the importer confirms)."""
    now = timezone.now()
    create, update = [], []
    for row in rows:
        require(
            can_confirm_in(actor, row.municipality.pk),
            "Загружать значения может координатор муниципалитета или управление образования.",
        )
        value = row.existing or IndicatorValue(
            indicator=row.indicator, year=row.year, stage=row.stage, municipality=row.municipality, school=row.school
        )
        value.value, value.comment, value.source = row.value, row.comment, Source.IMPORTED
        _stamp(value, actor=actor, confirmed=True, now=now)
        (update if value.pk else create).append(value)
    rows_changed_in(municipality_ids={row.municipality.pk for row in rows})
    if create:
        bulk_create_with_history(create, IndicatorValue, default_user=actor)
    if update:
        bulk_update_with_history(
            update,
            IndicatorValue,
            ["value", "comment", "source", "status", "entered_by", "entered_at", "confirmed_by", "confirmed_at",
             "return_comment"],
            default_user=actor,
        )
    return {"created": len(create), "updated": len(update)}


# --- self-assessments -----------------------------------------------------------------------------------------------


def current_self_assessment(*, school: School, year: int, stage: str) -> SelfAssessment | None:
    return SelfAssessment.objects.filter(school=school, year=year, stage=stage, is_current=True).first()


@transaction.atomic
def self_assessment_submit(
    *, actor, school: School, year: int, stage: str, parsed: ParsedSelfAssessment, content: bytes, original_name: str
) -> SelfAssessment:
    """Store a checked upload as the current self-assessment of the stage; the earlier one stays in history."""
    require(can_upload_self_assessment(actor, school), "Самооценку загружает управленческая команда школы.")
    if not parsed.ok:
        raise MonitoringError("В файле есть ошибки: исправьте их и загрузите файл снова.")
    stage_name = _stage_label(stage, year=year, municipality=school.municipality)
    # Lock the school's row so that two confirmations of the same stage cannot both become current.
    School.objects.select_for_update().filter(pk=school.pk).first()
    previous = current_self_assessment(school=school, year=year, stage=stage)
    if previous is not None:
        if previous.status == SelfAssessment.Status.ACCEPTED:
            raise MonitoringError(
                f"Самооценка за {school_year_label(year)} учебный год (этап «{stage_name}») уже принята "
                "координатором — новая загрузка не нужна."
            )
        previous.is_current = False
        if previous.status == SelfAssessment.Status.SUBMITTED:
            previous.status = SelfAssessment.Status.SUPERSEDED
        previous._history_user = actor
        previous.save(update_fields=["is_current", "status"])
    assessment = SelfAssessment(
        school=school, year=year, stage=stage, data=parsed.data(), uploaded_by=actor,
        original_name=Path(original_name).name[:300] or "самооценка.xlsx", size=len(content),
    )
    assessment.file.save(f"{school.pk}.xlsx", ContentFile(content), save=False)
    assessment._history_user = actor
    assessment.save()
    notify(
        kind=notice_kinds.SELF_ASSESSMENT_UPLOADED,
        recipients=notice_recipients.self_assessment_checkers(assessment),
        target=assessment,
        title=f"{school}: самооценка (этап «{stage_name}», {school_year_label(year)}) загружена и ждёт проверки",
        body="Проверьте самооценку: примите её или верните школе с комментарием.",
        actor=actor,
    )
    return assessment


def _require_decision(actor, assessment: SelfAssessment) -> SelfAssessment:
    require(
        can_decide_self_assessment(actor, assessment),
        "Самооценку принимает или возвращает координатор муниципалитета школы.",
    )
    assessment = SelfAssessment.objects.select_for_update().select_related("school").get(pk=assessment.pk)
    if not assessment.awaits_decision:
        raise MonitoringError(
            f"Эта самооценка уже не ждёт проверки: она {assessment.get_status_display()}."
            + ("" if assessment.is_current else " Есть более новая загрузка.")
        )
    return assessment


@transaction.atomic
def self_assessment_accept(*, actor, assessment: SelfAssessment, comment: str = "") -> RiskProfile:
    """Accept: the ratings become the school's risk profile for the year, the reported values confirmed values."""
    assessment = _require_decision(actor, assessment)
    now = timezone.now()
    assessment.status, assessment.decided_by, assessment.decided_at = SelfAssessment.Status.ACCEPTED, actor, now
    assessment.decision_comment = (comment or "").strip()
    assessment._history_user = actor
    assessment.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])

    profile, _ = RiskProfile.objects.get_or_create(school=assessment.school, year=assessment.year)
    profile.self_assessment = assessment
    profile.save(update_fields=["self_assessment", "updated_at"])
    profile.levels.all().delete()
    factors = RiskFactor.objects.in_bulk([r.get("factor_id") for r in assessment.ratings])
    RiskLevel.objects.bulk_create(
        RiskLevel(profile=profile, risk_factor=factors[r["factor_id"]], level=r["level"], comment=r.get("comment", ""))
        for r in assessment.ratings
        if r.get("factor_id") in factors and r.get("level")
    )
    _store_reported_values(actor, assessment, now)
    notify(
        kind=notice_kinds.SELF_ASSESSMENT_ACCEPTED,
        recipients=notice_recipients.self_assessment_authors(assessment),
        target=assessment,
        title=f"Самооценка (этап «{assessment.stage_label}», {school_year_label(assessment.year)}) принята",
        body=assessment.decision_comment,
        actor=actor,
    )
    return profile


def _store_reported_values(actor, assessment: SelfAssessment, now) -> None:
    reported = {
        r["indicator_id"]: r
        for r in assessment.indicator_rows
        if not r.get("computed") and r.get("value") not in (None, "") and r.get("indicator_id")
    }
    if not reported:
        return
    school = assessment.school
    indicators = Indicator.objects.filter(applicable_to_school_q(school), pk__in=reported, computed_by="")
    existing = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(
            indicator__in=indicators, year=assessment.year, stage=assessment.stage, school=school
        )
    }
    for indicator in indicators:
        row = reported[indicator.pk]
        value = existing.get(indicator.pk) or IndicatorValue(
            indicator=indicator, year=assessment.year, stage=assessment.stage, school=school,
            municipality_id=school.municipality_id,
        )
        number = Decimal(row["value"])
        if value.pk and value.value == number and value.status == Status.CONFIRMED:
            continue
        value.value, value.comment, value.source = number, row.get("comment", "")[:1000], Source.SELF_ASSESSMENT
        _stamp(value, actor=actor, confirmed=True, now=now)
        value.entered_by = assessment.uploaded_by
        value.save()


@transaction.atomic
def self_assessment_return(*, actor, assessment: SelfAssessment, comment: str) -> SelfAssessment:
    comment = (comment or "").strip()
    if not comment:
        raise MonitoringError("Чтобы вернуть самооценку, напишите школе, что нужно исправить.")
    assessment = _require_decision(actor, assessment)
    assessment.status, assessment.decided_by, assessment.decided_at = (
        SelfAssessment.Status.RETURNED, actor, timezone.now(),
    )
    assessment.decision_comment = comment
    assessment._history_user = actor
    assessment.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    notify(
        kind=notice_kinds.SELF_ASSESSMENT_RETURNED,
        recipients=notice_recipients.self_assessment_authors(assessment),
        target=assessment,
        title=f"Самооценка (этап «{assessment.stage_label}», {school_year_label(assessment.year)}) "
        "возвращена на доработку",
        body=f"Комментарий координатора: {comment}",
        actor=actor,
    )
    return assessment


# --- the open report ------------------------------------------------------------------------------------------------

OPEN_REPORT_TYPES = (PDF, DOCX)


@transaction.atomic
def open_report_upload(*, actor, school: School, year: int, file) -> OpenReport:
    """The open report (PDF or .docx, judged by content); an earlier report of the year stays in the list."""
    require(can_upload_self_assessment(actor, school), "Открытый доклад загружает управленческая команда школы.")
    kind = evidence_sniff(file)
    if kind not in OPEN_REPORT_TYPES:
        raise EvidenceRefused(
            f"Открытый доклад принимается в PDF или документом Word (.docx), а файл «{file.name}» — {kind.label}."
        )
    report = OpenReport(
        school=school, year=year, original_name=Path(file.name).name[:300], content_type=kind.content_type,
        size=file.size, uploaded_by=actor,
    )
    file.seek(0)
    report.file.save(f"report{kind.suffix}", file, save=False)
    report.save()
    return report
