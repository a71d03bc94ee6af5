"""Every write to programmes, roadmaps and reviews.

Each function takes keyword arguments, runs in one transaction, checks that the actor may take the step (403 via
PermissionDenied when they may not; ProgrammeError with a Russian message when the state forbids it) and records
the actor in the history of every row it changes.

Rows edited by two people at once carry a version number: a save made against an older version is refused with
StaleEdit, which carries the current row, instead of silently overwriting the other person's change.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from schools.signals import rows_changed_in

from .access import (
    can_approve,
    can_edit_plan,
    can_edit_programme,
    can_oversee,
    can_reopen,
    creatable_municipalities,
    creatable_regions,
    creatable_schools,
    require,
)
from .deadlines import Deadline
from .files import evidence_sniff
from .models import (
    OPEN_STATUSES,
    Evidence,
    MeasureStatus,
    MeasureYear,
    Programme,
    RiskFactor,
    RoadmapMeasure,
    RoadmapSection,
)
from .review_flow import (  # noqa: F401  (the review steps are services too; callers import them from here)
    programme_submit,
    review_assign_mutual,
    review_complete,
    review_open_regional,
    review_open_step,
    review_save_draft,
    review_start,
)
from .service_common import (  # noqa: F401  (re-exported: views and tests import them from here)
    NOT_OWNER,
    PLAN_LOCKED,
    ProgrammeError,
    StaleEdit,
    _locked_programme,
    _require_plan_editor,
    _stamp,
    _who_changed,
)

State = Programme.State

PASSPORT_FIELDS = [
    "title",
    "period_start",
    "period_end",
    "preparation_from",
    "risk_factor",
    "goal",
    "tasks",
    "curator",
    "responsible_executor",
    "executors",
    "web_address",
]
MEASURE_PLAN_FIELDS = ["name", "result_name", "unit", "planned_value", "planned_text", "executors", "due", "risk_factor"]
MEASURE_EXECUTION_FIELDS = ["status", "note"]


# --- programmes ---------------------------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    actor,
    kind: str,
    title: str,
    period_start: int,
    period_end: int,
    municipality=None,
    school=None,
    region=None,
    risk_factor=None,
    passport: dict | None = None,
) -> Programme:
    if kind == Programme.Kind.REGIONAL:
        require(
            region is not None and creatable_regions(actor).filter(pk=region.pk).exists(),
            "Региональный план-график составляет министерство образования этого региона.",
        )
        municipality = school = risk_factor = None
    elif kind == Programme.Kind.MUNICIPAL:
        require(
            municipality is not None and creatable_municipalities(actor).filter(pk=municipality.pk).exists(),
            "Муниципальную программу ведёт координатор этого муниципалитета.",
        )
        school = None
    else:
        require(
            school is not None and creatable_schools(actor).filter(pk=school.pk).exists(),
            "Школьную программу ведёт управленческая команда этой школы.",
        )
        municipality = school.municipality
    if kind != Programme.Kind.REGIONAL:
        region = None
    programme = Programme(
        kind=kind,
        title=title,
        municipality=municipality,
        school=school,
        region=region,
        risk_factor=risk_factor,
        period_start=period_start,
        period_end=period_end,
        created_by=actor,
        **(passport or {}),
    )
    programme.full_clean()
    _stamp(programme, actor, "Программа создана").save()
    return programme


@transaction.atomic
def programme_update_passport(
    *, programme: Programme, actor, data: dict, expected_version: int, reason: str | None = None
) -> Programme:
    """Change the passport and the period; the period cannot drop years the roadmap already uses."""
    programme = _locked_programme(programme)
    _require_plan_editor(actor, programme)
    if programme.version != expected_version:
        raise StaleEdit(
            f"Паспорт программы уже изменил(а) {_who_changed(programme)}. Ваши изменения не сохранены: "
            "ниже — текущие значения; внесите правки ещё раз.",
            current=programme,
        )
    start, end = data.get("period_start", programme.period_start), data.get("period_end", programme.period_end)
    preparation = data.get("preparation_from", programme.preparation_from)
    if (start, end, preparation) != (programme.period_start, programme.period_end, programme.preparation_from):
        _check_period_fits_roadmap(programme, start, end, preparation)
    for name in PASSPORT_FIELDS:
        if name in data:
            setattr(programme, name, data[name])
    programme.full_clean()
    programme.version += 1
    _stamp(programme, actor, reason).save()
    return programme


@transaction.atomic
def programme_restore_passport(*, programme: Programme, actor, history_id: int, expected_version: int) -> Programme:
    """Bring the passport back to an earlier version from its history. The restore is itself a change: it goes
    through the same checks as an edit (owner, plan still editable, nobody saved meanwhile) and is recorded."""
    record = Programme.history.filter(id=programme.pk, history_id=history_id).first()
    if record is None:
        raise ProgrammeError("Такой версии паспорта в истории этой программы нет.")
    data = {name: getattr(record, name) for name in PASSPORT_FIELDS if name != "risk_factor"}
    # The factor may have been removed from the department's list since: then the passport keeps none.
    data["risk_factor"] = RiskFactor.objects.filter(pk=record.risk_factor_id).first() if record.risk_factor_id else None
    when = timezone.localtime(record.history_date).strftime("%d.%m.%Y %H:%M")
    return programme_update_passport(
        programme=programme, actor=actor, data=data, expected_version=expected_version,
        reason=f"Восстановлена версия паспорта от {when}",
    )  # fmt: skip


def _check_period_fits_roadmap(programme: Programme, start: int, end: int, preparation=None) -> None:
    first, last = min(preparation or datetime.date(start, 1, 1), datetime.date(start, 1, 1)), datetime.date(end, 12, 31)
    measures = RoadmapMeasure.objects.filter(programme=programme).select_related("section")
    outside = [m for m in measures.exclude(deadline__isnull=True) if not first <= m.deadline <= last]
    years = MeasureYear.objects.filter(measure__programme=programme).exclude(year__gte=start, year__lte=end)
    year_values = sorted(set(years.values_list("year", flat=True)))
    problems = []
    if outside:
        numbers = ", ".join(f"{m.section.position}.{m.position}" for m in outside[:10])
        problems.append(f"сроки мероприятий {numbers} выходят за новые границы")
    if year_values:
        problems.append("у мероприятий есть значения за " + ", ".join(f"{y} г." for y in year_values))
    if problems:
        raise ValidationError(
            {"period_end": f"Срок программы нельзя изменить так: {'; '.join(problems)}. Сначала исправьте мероприятия."}
        )


# --- sections -----------------------------------------------------------------------------------------------------


@transaction.atomic
def section_add(*, programme: Programme, actor, title: str) -> RoadmapSection:
    programme = _locked_programme(programme)
    _require_plan_editor(actor, programme)
    last = programme.sections.aggregate(n=Max("position"))["n"] or 0
    section = RoadmapSection(programme=programme, position=last + 1, title=title.strip())
    section.full_clean()
    _stamp(section, actor).save()
    return section


@transaction.atomic
def section_update(*, section: RoadmapSection, actor, title: str, expected_version: int) -> RoadmapSection:
    section = RoadmapSection.objects.select_for_update(of=("self",)).select_related("programme").get(pk=section.pk)
    _require_plan_editor(actor, section.programme)
    if section.version != expected_version:
        raise StaleEdit(
            f"Задачу уже изменил(а) {_who_changed(section)}: сейчас она называется «{section.title}». "
            "Ваши изменения не сохранены.",
            current=section,
        )
    section.title = title.strip()
    section.full_clean()
    section.version += 1
    _stamp(section, actor).save()
    return section


@transaction.atomic
def section_delete(*, section: RoadmapSection, actor, expected_version: int) -> None:
    """Remove a task with its measures (and their evidence files)."""
    section = RoadmapSection.objects.select_for_update(of=("self",)).select_related("programme").get(pk=section.pk)
    _require_plan_editor(actor, section.programme)
    if section.version != expected_version:
        raise StaleEdit(
            f"Задачу изменил(а) {_who_changed(section)}, пока вы смотрели страницу: обновите её и решите снова.",
            current=section,
        )
    files = list(Evidence.objects.filter(measure__section=section).values_list("file", flat=True))
    position, programme = section.position, section.programme
    _stamp(section, actor).delete()  # its measures go with it; the request's user is named in their history
    RoadmapSection.objects.filter(programme=programme, position__gt=position).update(position=F("position") - 1)
    _delete_files_on_commit(files)


@transaction.atomic
def section_move(*, section: RoadmapSection, actor, direction: str) -> None:
    section = RoadmapSection.objects.select_for_update(of=("self",)).select_related("programme").get(pk=section.pk)
    _require_plan_editor(actor, section.programme)
    _swap(RoadmapSection.objects.filter(programme_id=section.programme_id), section, direction)


def _swap(siblings, obj, direction: str) -> None:
    """Swap an object's position with its neighbour's (positions stay 1…n, no gaps)."""
    target = obj.position - 1 if direction == "up" else obj.position + 1
    neighbour = siblings.filter(position=target).first()
    if neighbour is None:
        return
    type(obj).objects.filter(pk=neighbour.pk).update(position=obj.position)
    type(obj).objects.filter(pk=obj.pk).update(position=target)


# --- measures -----------------------------------------------------------------------------------------------------


@dataclass
class MeasureData:
    """A measure's values as a form or an import delivers them (plan values already parsed)."""

    name: str
    result_name: str = ""
    unit: str = ""
    planned_value: Decimal | None = None
    planned_text: str = ""
    executors: str = ""
    due: Deadline | None = None  # a date is taken as a date deadline
    status: str = MeasureStatus.PLANNED
    risk_factor: object = None
    note: str = ""
    # year → {"planned_value", "planned_text", "actual_value"}
    years: dict[int, dict] = field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.due, datetime.date):
            self.due = Deadline.on(self.due)


def _check_measure(programme: Programme, data: MeasureData) -> None:
    errors = {}
    if not data.name.strip():
        errors["name"] = "Укажите наименование мероприятия."
    if deadline_error := programme.deadline_error(data.due):
        errors["deadline"] = deadline_error
    for value in [data.planned_value] + [v.get("planned_value") for v in data.years.values()]:
        if value is not None and value < 0:
            errors["planned"] = "Плановое значение не может быть отрицательным."
    for value in [v.get("actual_value") for v in data.years.values()]:
        if value is not None and value < 0:
            errors["__all__"] = "Фактическое значение не может быть отрицательным."
    outside = [y for y in data.years if y not in programme.years and any(_year_has_values(data.years[y]))]
    if outside:
        errors["__all__"] = f"Годы {', '.join(map(str, outside))} вне срока программы ({programme.period_label})."
    if errors:
        raise ValidationError(errors)


def _year_has_values(values: dict):
    return (values.get("planned_value") is not None, bool(values.get("planned_text")), values.get("actual_value") is not None)


@transaction.atomic
def measure_add(*, section: RoadmapSection, actor, data: MeasureData) -> RoadmapMeasure:
    section = RoadmapSection.objects.select_for_update(of=("self",)).select_related("programme").get(pk=section.pk)
    programme = section.programme
    _require_plan_editor(actor, programme)
    _check_measure(programme, data)
    last = section.measures.aggregate(n=Max("position"))["n"] or 0
    measure = RoadmapMeasure(programme=programme, section=section, position=last + 1)
    for name in MEASURE_PLAN_FIELDS + MEASURE_EXECUTION_FIELDS:
        setattr(measure, name, getattr(data, name))
    measure.name = measure.name.strip()
    measure.full_clean()
    _stamp(measure, actor).save()
    _save_years(measure, actor, data.years, plan_editable=True)
    return measure


@transaction.atomic
def measure_update(*, measure: RoadmapMeasure, actor, data: MeasureData, expected_version: int) -> RoadmapMeasure:
    """Save a measure. While the plan is locked only its execution (status, note, actual values) may change."""
    measure = RoadmapMeasure.objects.select_for_update(of=("self",)).select_related("programme", "section").get(pk=measure.pk)
    programme = measure.programme
    require(can_edit_programme(actor, programme), NOT_OWNER)
    if measure.version != expected_version:
        raise StaleEdit(
            f"Это мероприятие уже изменил(а) {_who_changed(measure)}. Ваши изменения не сохранены — сейчас в нём "
            "сохранено то, что показано ниже; проверьте и сохраните ещё раз.",
            current=measure,
        )
    plan_editable = can_edit_plan(actor, programme)  # the plan is unlocked, and the actor's (not the institute's)
    if not plan_editable:
        current_years = {y.year: y for y in measure.years.all()}
        changed = [name for name in MEASURE_PLAN_FIELDS if getattr(data, name) != getattr(measure, name)]
        for year, values in data.years.items():
            row = current_years.get(year)
            if ("planned_value" in values or "planned_text" in values) and (
                values.get("planned_value") != (row.planned_value if row else None)
                or values.get("planned_text", "") != (row.planned_text if row else "")
            ):
                changed.append(f"plan {year}")
        if changed:
            raise ProgrammeError(PLAN_LOCKED)
    _check_measure(programme, data)
    fields = (MEASURE_PLAN_FIELDS if plan_editable else []) + MEASURE_EXECUTION_FIELDS
    for name in fields:
        setattr(measure, name, getattr(data, name))
    measure.name = measure.name.strip()
    measure.full_clean()
    measure.version += 1
    _stamp(measure, actor).save()
    _save_years(measure, actor, data.years, plan_editable=plan_editable)
    return measure


@transaction.atomic
def measure_mark_done(*, measure: RoadmapMeasure, actor, expected_version: int) -> RoadmapMeasure:
    """«Выполнено» in one click from the roadmap's row: the execution part of `measure_update` alone — the same
    editor, the same stale-edit guard and the same model rules; values, note and documents stay as they are."""
    measure = RoadmapMeasure.objects.select_for_update(of=("self",)).select_related("programme").get(pk=measure.pk)
    require(can_edit_programme(actor, measure.programme), NOT_OWNER)
    if measure.version != expected_version:
        raise StaleEdit(
            f"Это мероприятие уже изменил(а) {_who_changed(measure)}. Отметка не поставлена: проверьте мероприятие "
            "в его нынешнем виде и отметьте ещё раз.",
            current=measure,
        )
    if measure.status == MeasureStatus.DONE:
        raise ProgrammeError("Мероприятие уже отмечено выполненным.")
    if measure.status not in OPEN_STATUSES:
        raise ProgrammeError("Отменённое мероприятие не отмечают выполненным: измените его статус в форме.")
    measure.status = MeasureStatus.DONE
    measure.full_clean()
    measure.version += 1
    _stamp(measure, actor, "Отмечено выполненным").save()
    return measure


def _save_years(measure: RoadmapMeasure, actor, years: dict[int, dict], *, plan_editable: bool) -> None:
    existing = {row.year: row for row in MeasureYear.objects.filter(measure=measure)}
    for year in measure.programme.years:
        values = years.get(year)
        if values is None:
            continue
        row = existing.get(year) or MeasureYear(measure=measure, year=year)
        before = (row.planned_value, row.planned_text, row.actual_value)
        if plan_editable:
            row.planned_value = values.get("planned_value")
            row.planned_text = values.get("planned_text", "") or ""
        if "actual_value" in values:
            row.actual_value = values.get("actual_value")
        after = (row.planned_value, row.planned_text, row.actual_value)
        empty = row.planned_value is None and not row.planned_text and row.actual_value is None
        if row.pk and empty:
            _stamp(row, actor).delete()
        elif not empty and (row.pk is None or before != after):
            row.full_clean(validate_unique=False)
            _stamp(row, actor).save()


@transaction.atomic
def measure_delete(*, measure: RoadmapMeasure, actor, expected_version: int) -> None:
    measure = RoadmapMeasure.objects.select_for_update(of=("self",)).select_related("programme", "section").get(pk=measure.pk)
    _require_plan_editor(actor, measure.programme)
    if measure.version != expected_version:
        raise StaleEdit(
            f"Мероприятие изменил(а) {_who_changed(measure)}, пока вы смотрели страницу: обновите её и решите снова.",
            current=measure,
        )
    files = list(measure.evidence.values_list("file", flat=True))
    section_id, position = measure.section_id, measure.position
    _stamp(measure, actor).delete()
    RoadmapMeasure.objects.filter(section_id=section_id, position__gt=position).update(position=F("position") - 1)
    _delete_files_on_commit(files)


@transaction.atomic
def measure_move(*, measure: RoadmapMeasure, actor, direction: str) -> None:
    measure = RoadmapMeasure.objects.select_for_update(of=("self",)).select_related("programme").get(pk=measure.pk)
    _require_plan_editor(actor, measure.programme)
    _swap(RoadmapMeasure.objects.filter(section_id=measure.section_id), measure, direction)


# --- evidence -----------------------------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(*, measure: RoadmapMeasure, actor, file, title: str) -> Evidence:
    """Attach a document to a measure; refused (EvidenceRefused) when too large or not an accepted type."""
    require(can_edit_programme(actor, measure.programme), NOT_OWNER)
    kind = evidence_sniff(file)
    original = (getattr(file, "name", "") or "документ").rsplit("/", 1)[-1][:300]
    evidence = Evidence(
        measure=measure,
        title=(title or original).strip()[:300],
        original_name=original,
        content_type=kind.content_type,
        size=file.size,
        uploaded_by=actor,
    )
    evidence.file.save(f"evidence{kind.suffix}", file, save=False)
    try:
        _stamp(evidence, actor).save()
    except Exception:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, actor) -> None:
    evidence = Evidence.objects.select_related("measure__programme").get(pk=evidence.pk)
    require(can_edit_programme(actor, evidence.measure.programme), NOT_OWNER)
    name = evidence.file.name
    _stamp(evidence, actor).delete()
    _delete_files_on_commit([name])


def _delete_files_on_commit(names) -> None:
    from django.core.files.storage import default_storage

    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names])


# --- import -------------------------------------------------------------------------------------------------------


@transaction.atomic
def roadmap_import(*, programme: Programme, actor, sections: list[dict], file_name: str) -> dict[str, int]:
    """Replace the roadmap with the rows of an import, all or nothing.

    `sections` is [{"title", "measures": [MeasureData, …]}, …] as `roadmap_xlsx.roadmap_parse` returns it.
    """
    programme = _locked_programme(programme)
    _require_plan_editor(actor, programme)
    if Evidence.objects.filter(measure__programme=programme).exists():
        raise ProgrammeError(
            "В дорожной карте есть мероприятия с подтверждающими документами: импорт заменил бы их вместе с "
            "документами. Внесите изменения в таблицу на странице программы или удалите документы."
        )
    errors = []
    for section in sections:
        for data in section["measures"]:
            try:
                _check_measure(programme, data)
            except ValidationError as exc:
                errors.extend(f"«{data.name[:60]}»: {m}" for m in exc.messages)
    if errors:
        raise ProgrammeError("Дорожная карта не загружена: " + "; ".join(errors[:10]))
    reason = f"Импорт дорожной карты из файла {file_name}"[:100]
    for old in RoadmapSection.objects.filter(programme=programme):
        _stamp(old, actor, reason).delete()
    new_sections = bulk_create_with_history(
        [
            RoadmapSection(programme=programme, position=index, title=section["title"][:1000])
            for index, section in enumerate(sections, start=1)
        ],
        RoadmapSection,
        default_user=actor,
        default_change_reason=reason,
    )
    measures, years = [], []
    for section, parsed in zip(new_sections, sections, strict=True):
        for position, data in enumerate(parsed["measures"], start=1):
            measure = RoadmapMeasure(programme=programme, section=section, position=position)
            for name in MEASURE_PLAN_FIELDS + MEASURE_EXECUTION_FIELDS:
                setattr(measure, name, getattr(data, name))
            measures.append((measure, data))
    created = bulk_create_with_history(
        [m for m, _ in measures], RoadmapMeasure, default_user=actor, default_change_reason=reason
    )
    for measure, (_, data) in zip(created, measures, strict=True):
        for year, values in data.years.items():
            if any(_year_has_values(values)):
                years.append(
                    MeasureYear(
                        measure=measure,
                        year=year,
                        planned_value=values.get("planned_value"),
                        planned_text=values.get("planned_text", "") or "",
                        actual_value=values.get("actual_value"),
                    )
                )
    bulk_create_with_history(years, MeasureYear, default_user=actor, default_change_reason=reason)
    rows_changed_in(municipality_ids=[programme.municipality_id])
    return {"sections": len(new_sections), "measures": len(created)}


# --- reopening ----------------------------------------------------------------------------------------------------


@transaction.atomic
def programme_approve(*, programme: Programme, actor) -> Programme:
    """The region's department approves («утверждает») its plan-schedule: no review route, the state goes straight to
    «принята» and the history records who approved it; `programme_reopen` opens it for changes again."""
    programme = _locked_programme(programme)
    if not programme.is_regional:
        raise ProgrammeError("Утверждают так только региональный план-график; программу отправляют на экспертизу.")
    require(can_oversee(actor, programme), "Региональный план-график утверждает министерство образования региона.")
    if not can_approve(actor, programme):
        raise ProgrammeError(f"План-график уже {programme.get_state_display()}: утвердить его ещё раз нельзя.")
    if not RoadmapMeasure.objects.filter(programme=programme).exists():
        raise ProgrammeError("В плане-графике нет ни одного мероприятия: добавьте мероприятия, затем утверждайте.")
    programme.state = State.ACCEPTED
    programme.accepted_at = timezone.now()
    programme.version += 1
    _stamp(programme, actor, "План-график утверждён министерством").save()
    return programme


@transaction.atomic
def programme_reopen(*, programme: Programme, actor) -> Programme:
    """The coordinator (or the department) opens an accepted programme for changes to its plan."""
    programme = _locked_programme(programme)
    require(
        can_oversee(actor, programme), "Принятую программу открывает для изменений координатор муниципалитета."
    )
    if not can_reopen(actor, programme):
        raise ProgrammeError("Открыть для изменений можно только принятую программу.")
    programme.state = State.DRAFT
    programme.accepted_at = None
    programme.version += 1
    _stamp(programme, actor, "Открыта для изменений после принятия").save()
    return programme
