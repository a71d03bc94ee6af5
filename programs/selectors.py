"""Reads of programmes, roadmaps, reviews and history, each in a fixed number of queries however large the data."""

import datetime
from functools import reduce
from operator import or_

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from schools.access import reach_of
from schools.models import School

from .access import coordinator_municipality_ids, reviewer_school_ids, team_school_ids
from .deadlines import Deadline, deadline_label
from .models import (
    Evidence,
    MeasureStatus,
    MeasureYear,
    Programme,
    ProgrammeSnapshot,
    Rag,
    Review,
    RiskFactor,
    RoadmapMeasure,
    RoadmapSection,
    number_label,
    overdue_q,
    rag_of,
)

HOME_LIMIT = 10


# --- the roadmap --------------------------------------------------------------------------------------------------


def _evidence_count():
    return Coalesce(
        Subquery(
            Evidence.objects.filter(measure=OuterRef("pk"))
            .order_by()
            .values("measure")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _prepare(measures: list[RoadmapMeasure], years_by_measure: dict, programme: Programme, sections: dict, today):
    """Give each measure what its table row shows: number, a cell per year of the period, overdue flag."""
    for measure in measures:
        section = sections[measure.section_id]
        measure.section = section
        measure.number = f"{section.position}.{measure.position}"
        by_year = years_by_measure.get(measure.pk, {})
        measure.year_cells = [by_year.get(year) for year in programme.years]
        measure.year_values = by_year
        measure.overdue = measure.is_overdue(today)
    return measures


def _years_by_measure(queryset) -> dict[int, dict[int, MeasureYear]]:
    result: dict[int, dict[int, MeasureYear]] = {}
    for row in queryset:
        result.setdefault(row.measure_id, {})[row.year] = row
    return result


def roadmap_sections(*, programme: Programme, today: datetime.date | None = None) -> list[RoadmapSection]:
    """Sections in order, each with `.rows` — its measures ready for the table. Three queries."""
    today = today or timezone.localdate()
    sections = list(RoadmapSection.objects.filter(programme=programme).order_by("position", "pk"))
    by_id = {s.pk: s for s in sections}
    measures = list(
        RoadmapMeasure.objects.filter(programme=programme)
        .select_related("risk_factor")
        .annotate(evidence_count=_evidence_count())
        .order_by("position", "pk")
    )
    years = _years_by_measure(MeasureYear.objects.filter(measure__programme=programme))
    for section in sections:
        section.programme = programme
        section.rows = []
    for measure in _prepare(measures, years, programme, by_id, today):
        measure.programme = programme
        by_id[measure.section_id].rows.append(measure)
    return sections


def roadmap_section(*, section: RoadmapSection, today: datetime.date | None = None) -> RoadmapSection:
    """One section with its measures (after a change in it)."""
    today = today or timezone.localdate()
    programme = section.programme
    measures = list(
        RoadmapMeasure.objects.filter(section=section)
        .select_related("risk_factor")
        .annotate(evidence_count=_evidence_count())
        .order_by("position", "pk")
    )
    years = _years_by_measure(MeasureYear.objects.filter(measure__section=section))
    section.rows = _prepare(measures, years, programme, {section.pk: section}, today)
    for measure in section.rows:
        measure.programme = programme
    return section


def roadmap_measure(*, measure: RoadmapMeasure, today: datetime.date | None = None) -> RoadmapMeasure:
    """One measure ready for its table row."""
    today = today or timezone.localdate()
    fresh = (
        RoadmapMeasure.objects.select_related("risk_factor", "section", "programme")
        .annotate(evidence_count=_evidence_count())
        .get(pk=measure.pk)
    )
    years = _years_by_measure(MeasureYear.objects.filter(measure=fresh))
    fresh.section.programme = fresh.programme
    return _prepare([fresh], years, fresh.programme, {fresh.section_id: fresh.section}, today)[0]


def progress_of(measures: list[RoadmapMeasure], today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    active = [m for m in measures if m.status != MeasureStatus.CANCELLED]
    done = sum(1 for m in active if m.status == MeasureStatus.DONE)
    overdue = sum(1 for m in active if m.is_overdue(today))
    return _progress(len(active), done, overdue)


def programme_progress(*, programme: Programme, today: datetime.date | None = None) -> dict:
    """Completion of one programme by an aggregate query (after an inline change)."""
    today = today or timezone.localdate()
    counts = RoadmapMeasure.objects.filter(programme=programme).aggregate(
        active=Count("pk", filter=~Q(status=MeasureStatus.CANCELLED)),
        done=Count("pk", filter=Q(status=MeasureStatus.DONE)),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    return _progress(counts["active"], counts["done"], counts["overdue"])


def _progress(active: int, done: int, overdue: int) -> dict:
    rag = rag_of(active=active, overdue=overdue)
    return {
        "active": active,
        "done": done,
        "overdue": overdue,
        "done_share": round(100 * done / active) if active else 0,
        "rag": rag,
        "rag_label": Rag(rag).label,
    }


def annotate_progress(programmes) -> list[Programme]:
    """Turn the counts of `Programme.objects.with_progress()` into share and colour on each programme."""
    for programme in programmes:
        programme.progress = _progress(programme.measure_count, programme.done_count, programme.overdue_count)
    return programmes


def evidence_of(*, measure: RoadmapMeasure) -> list[Evidence]:
    return list(measure.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk"))


# --- reviews ------------------------------------------------------------------------------------------------------


def programme_reviews(*, programme: Programme) -> list[Review]:
    """Every review of every round, newest round first, with its checklist. Two queries."""
    reviews = list(
        Review.objects.filter(programme=programme)
        .select_related("reviewer_school", "reviewer_organisation", "step", "completed_by", "assigned_by")
        .prefetch_related("checks__criterion")
        .order_by("-round", "created_at", "pk")
    )
    for review in reviews:
        review.programme = programme
    return reviews


def latest_return(reviews: list[Review], programme: Programme) -> Review | None:
    """The verdict that sent the programme back, to show its remarks next to the programme."""
    if programme.state != Programme.State.RETURNED:
        return None
    returned = [
        r for r in reviews if r.round == programme.round and r.is_deciding and r.verdict == Review.Verdict.RETURNED
    ]
    return max(returned, key=lambda r: r.completed_at) if returned else None


def advisory_remarks(reviews: list[Review], programme: Programme) -> list[Review]:
    """Mutual reviews of the current round that left remarks."""
    return [r for r in reviews if r.round == programme.round and not r.is_deciding and r.status == Review.Status.DONE]


# --- snapshots and comparison -------------------------------------------------------------------------------------

PASSPORT_LABELS = {
    "title": "Наименование",
    "period": "Срок",
    "risk_factor": "Фактор риска",
    "goal": "Цель",
    "tasks": "Задачи",
    "curator": "Куратор программы",
    "responsible_executor": "Ответственный исполнитель",
    "executors": "Исполнители",
    "web_address": "Адрес в интернете",
}
MEASURE_LABELS = {
    "number": "№",
    "name": "Мероприятие",
    "result_name": "Результат",
    "unit": "Единица",
    "planned": "Плановое значение",
    "years": "По годам",
    "executors": "Исполнители",
    "deadline": "Срок",
    "risk_factor": "Фактор риска",
}


def programme_content(programme: Programme) -> dict:
    """The plan as reviewers see it, as plain data: stored with each round and compared between rounds."""
    sections = roadmap_sections(programme=programme)
    return {
        "title": programme.title,
        "period": programme.period_label,
        "passport": {
            "risk_factor": str(programme.risk_factor) if programme.risk_factor_id else "",
            "goal": programme.goal,
            "tasks": programme.tasks,
            "curator": programme.curator,
            "responsible_executor": programme.responsible_executor,
            "executors": programme.executors,
            "web_address": programme.web_address,
        },
        "sections": [
            {
                "id": section.pk,
                "number": section.number,
                "title": section.title,
                "measures": [
                    {
                        "id": m.pk,
                        "number": m.number,
                        "name": m.name,
                        "result_name": m.result_name,
                        "unit": m.unit,
                        "planned": m.planned_label,
                        "years": {str(year): row.planned_label for year, row in sorted(m.year_values.items()) if row.planned_label},
                        "executors": m.executors,
                        "deadline": m.deadline_label,
                        "risk_factor": str(m.risk_factor) if m.risk_factor_id else "",
                    }
                    for m in section.rows
                ],
            }
            for section in sections
        ],
    }


def _years_text(years: dict) -> str:
    return "; ".join(f"{year}: {value}" for year, value in sorted(years.items()))


def compare_contents(old: dict, new: dict) -> dict:
    """What changed from one version of the plan to the next: passport fields, tasks, measures."""
    passport = []
    for key, label in PASSPORT_LABELS.items():
        before = old.get(key) if key in ("title", "period") else old.get("passport", {}).get(key, "")
        after = new.get(key) if key in ("title", "period") else new.get("passport", {}).get(key, "")
        if (before or "") != (after or ""):
            passport.append({"label": label, "old": before, "new": after})

    def measures_of(content):
        return [m for s in content.get("sections", []) for m in s.get("measures", [])]

    def match(old_items, new_items):
        old_by_id = {o["id"]: o for o in old_items}
        pairs, added = [], []
        for item in new_items:
            if item["id"] in old_by_id:
                pairs.append((old_by_id.pop(item["id"]), item))
            else:
                added.append(item)
        # Rows re-created by an import have new ids: match what is left by number.
        left_by_number = {o["number"]: o for o in old_by_id.values()}
        still_added = []
        for item in added:
            if item["number"] in left_by_number:
                pairs.append((left_by_number.pop(item["number"]), item))
            else:
                still_added.append(item)
        return pairs, still_added, list(left_by_number.values())

    section_pairs, sections_added, sections_removed = match(old.get("sections", []), new.get("sections", []))
    sections_changed = [
        {"number": n["number"], "old": o["title"], "new": n["title"]}
        for o, n in section_pairs
        if o["title"] != n["title"] or o["number"] != n["number"]
    ]
    measure_pairs, added, removed = match(measures_of(old), measures_of(new))
    changed = []
    for o, n in measure_pairs:
        fields = []
        for key, label in MEASURE_LABELS.items():
            before, after = o.get(key, ""), n.get(key, "")
            if key == "years":
                before, after = _years_text(before or {}), _years_text(after or {})
            if before != after:
                fields.append({"label": label, "old": before, "new": after})
        if fields:
            changed.append({"number": n["number"], "name": n["name"], "fields": fields})
    return {
        "passport": passport,
        "sections_added": sections_added,
        "sections_removed": sections_removed,
        "sections_changed": sections_changed,
        "measures_added": added,
        "measures_removed": removed,
        "measures_changed": changed,
        "empty": not (passport or sections_added or sections_removed or sections_changed or added or removed or changed),
    }


def programme_rounds(*, programme: Programme) -> list[ProgrammeSnapshot]:
    return list(
        ProgrammeSnapshot.objects.filter(programme=programme).select_related("submitted_by").order_by("round")
    )


# --- history ------------------------------------------------------------------------------------------------------

_ACTIONS = {"+": "создано", "~": "изменено", "-": "удалено"}

# (field, label) shown for each kind of row; other fields (version, timestamps, positions) are not news.
_HISTORY_FIELDS = {
    "programme": [
        ("title", "наименование"),
        ("state", "состояние"),
        ("period_start", "первый год"),
        ("period_end", "последний год"),
        ("risk_factor_id", "фактор риска"),
        ("goal", "цель"),
        ("tasks", "задачи"),
        ("curator", "куратор"),
        ("responsible_executor", "ответственный исполнитель"),
        ("executors", "исполнители"),
        ("web_address", "адрес в интернете"),
        ("round", "раунд экспертизы"),
    ],
    "section": [("title", "задача")],
    "measure": [
        ("name", "мероприятие"),
        ("result_name", "результат"),
        ("unit", "единица"),
        ("planned_value", "плановое значение"),
        ("planned_text", "плановое значение (запись)"),
        ("executors", "исполнители"),
        ("deadline", "срок"),
        ("status", "статус"),
        ("risk_factor_id", "фактор риска"),
        ("note", "примечание"),
    ],
    "year": [("planned_value", "план"), ("planned_text", "план (запись)"), ("actual_value", "факт")],
    "evidence": [("title", "документ"), ("original_name", "файл")],
    "review": [("status", "состояние"), ("verdict", "решение"), ("remarks", "замечания")],
}


def _format(value, *, field: str, choices: dict, risk_factors: dict) -> str:
    if value is None or value == "":
        return "—"
    if field == "risk_factor_id":
        return risk_factors.get(value, f"№ {value}")
    if field in choices:
        return str(choices[field].get(value, value))
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    if hasattr(value, "normalize"):
        return number_label(value)
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


PASSPORT_HISTORY_FIELDS = [
    (name, label) for name, label in _HISTORY_FIELDS["programme"] if name not in ("state",)
]


def passport_version(*, programme: Programme, history_id: int) -> dict | None:
    """An earlier version of the passport beside the current one, for the restore confirmation. Three queries."""
    record = Programme.history.filter(id=programme.pk, history_id=history_id).select_related("history_user").first()
    if record is None:
        return None
    risk_factors = {f.pk: f.name for f in RiskFactor.objects.all()}
    choices = {"state": dict(Programme.State.choices)}
    rows = []
    for name, label in PASSPORT_HISTORY_FIELDS:
        old, now = getattr(record, name), getattr(programme, name)
        rows.append(
            {
                "label": label,
                "version": _format(old, field=name, choices=choices, risk_factors=risk_factors),
                "current": _format(now, field=name, choices=choices, risk_factors=risk_factors),
                "differs": old != now,
            }
        )
    user = record.history_user
    return {
        "record": record,
        "user": (user.get_full_name() or user.username) if user else "система",
        "rows": rows,
        "differs": any(row["differs"] for row in rows),
    }


def programme_history(*, programme: Programme) -> list[dict]:
    """Every change to the programme, its roadmap, values, documents and reviews: who, when, what. Eight queries."""
    loaded = _history_records(programme.pk)
    risk_factors = {f.pk: f.name for f in RiskFactor.objects.all()}
    label = _history_labeller(loaded)
    choices = {
        "state": dict(Programme.State.choices),
        "status": {**dict(MeasureStatus.choices), **dict(Review.Status.choices)},
        "verdict": dict(Review.Verdict.choices),
    }
    events = []
    for key, records in loaded.items():
        fields = _HISTORY_FIELDS[key]
        previous: dict[int, object] = {}
        for record in records:
            before = previous.get(record.id)
            previous[record.id] = record
            changes = []
            if record.history_type == "~" and before is not None:
                changes = _history_changes(before, record, fields, choices=choices, risk_factors=risk_factors)
                if not changes:
                    continue
            events.append(_history_event(key, record, label(key, record), changes))
    events.sort(key=lambda e: e["order"], reverse=True)
    return _merge_bulk(events)


def _history_records(pk: int) -> dict[str, list]:
    """The history records of the programme and of each kind of row under it, oldest first. Six queries."""
    sources = {
        "programme": Programme.history.filter(id=pk),
        "section": RoadmapSection.history.filter(programme_id=pk),
        "measure": RoadmapMeasure.history.filter(programme_id=pk),
        "year": MeasureYear.history.filter(measure_id__in=RoadmapMeasure.history.filter(programme_id=pk).values("id")),
        "evidence": Evidence.history.filter(measure_id__in=RoadmapMeasure.history.filter(programme_id=pk).values("id")),
        "review": Review.history.filter(programme_id=pk),
    }
    return {
        key: list(qs.select_related("history_user").order_by("history_date", "history_id"))
        for key, qs in sources.items()
    }


def _history_labeller(loaded: dict[str, list]):
    """What a history record is about, as the history page names it: «Мероприятие «…»», «Взаимоэкспертиза — школа,
    раунд 2». Reads the reviewer schools' names (one query, none without reviews)."""
    school_ids = {r.reviewer_school_id for r in loaded["review"] if r.reviewer_school_id}
    schools = {s.pk: s.short_name for s in School.objects.filter(pk__in=school_ids)} if school_ids else {}
    measure_names = {}
    for record in loaded["measure"]:
        measure_names[record.id] = record.name
    kind_labels = dict(Review.Kind.choices)

    def label(key, record) -> str:
        if key == "programme":
            return "Паспорт и состояние программы"
        if key == "section":
            return f"Задача «{record.title}»"
        if key == "measure":
            return f"Мероприятие «{record.name}»"
        if key == "year":
            return f"Мероприятие «{measure_names.get(record.measure_id, '…')}», {record.year} год"
        if key == "evidence":
            return f"Документ «{record.title}» к мероприятию «{measure_names.get(record.measure_id, '…')}»"
        who = f" — {schools.get(record.reviewer_school_id)}" if record.reviewer_school_id else ""
        return f"{str(kind_labels.get(record.kind, record.kind)).capitalize()}{who}, раунд {record.round}"

    return label


def _history_changes(before, record, fields, *, choices: dict, risk_factors: dict) -> list[dict]:
    """The fields a change record changed against the record before it: label, old and new value as shown."""
    changes = []
    for name, field_label in fields:
        old, new = _history_value(before, name), _history_value(record, name)
        if old != new:
            changes.append(
                {
                    "label": field_label,
                    "old": _format(old, field=name, choices=choices, risk_factors=risk_factors),
                    "new": _format(new, field=name, choices=choices, risk_factors=risk_factors),
                }
            )
    return changes


def _history_value(record, name: str):
    """A field of a history record; a measure's deadline as written («май 2026»), from its three columns."""
    if name == "deadline":
        return deadline_label(Deadline.from_fields(record.deadline, record.deadline_kind, record.deadline_months))
    return getattr(record, name)


def _history_event(key: str, record, label: str, changes: list[dict]) -> dict:
    user = record.history_user
    return {
        "date": record.history_date,
        "order": (record.history_date, record.history_id),
        "user": (user.get_full_name() or user.username) if user else "система",
        "action": _ACTIONS.get(record.history_type, record.history_type),
        "type": record.history_type,
        "object": label,
        "changes": changes,
        "reason": record.history_change_reason or "",
        "count": 1,
        # A version of the passport can be brought back (`programme_restore_passport`).
        "restore_id": record.history_id if key == "programme" and record.history_type != "-" else None,
    }


def _merge_bulk(events: list[dict]) -> list[dict]:
    """An import writes hundreds of rows under one reason: show it as one entry with a count."""
    merged: list[dict] = []
    for event in events:
        last = merged[-1] if merged else None
        if (
            last
            and event["reason"].startswith("Импорт")
            and last["reason"] == event["reason"]
            and last["user"] == event["user"]
        ):
            last["count"] += 1
            last["objects"][event["action"]] = last["objects"].get(event["action"], 0) + 1
            continue
        event["objects"] = {event["action"]: 1}
        merged.append(event)
    return merged


# --- the home page ------------------------------------------------------------------------------------------------


def _my_review_conditions(reach, coordinator_of, reviewer_of) -> list[Q]:
    """The open reviews a user is to carry out, as their steps say (a review without a step: by its kind)."""
    given_to_nobody = Q(reviewer_school__isnull=True, reviewer_organisation__isnull=True)
    conditions = []
    if reach.department:
        conditions.append(
            given_to_nobody
            & (Q(step__reviewer="department") | Q(step__isnull=True, kind=Review.Kind.REGIONAL))
            & Q(programme__municipality_id__in=reach.department_municipality_ids)
        )
    if coordinator_of:
        conditions.append(
            given_to_nobody
            & (Q(step__reviewer="coordinator") | Q(step__isnull=True, kind=Review.Kind.MUNICIPAL))
            & Q(programme__municipality_id__in=coordinator_of)
        )
    if reach.institute_municipality_ids:
        conditions.append(
            given_to_nobody & Q(step__reviewer="institute")
            & Q(programme__municipality_id__in=reach.institute_municipality_ids)
        )  # fmt: skip
    if reviewer_of:
        conditions.append(Q(reviewer_school_id__in=reviewer_of))
    if reach.expert_organisation_ids:
        conditions.append(Q(reviewer_organisation_id__in=reach.expert_organisation_ids))
    return conditions


def my_open_reviews(*, user):
    """The open reviews of the programmes' current rounds that the user is to carry out, or None if the user carries
    out none: the home page's «Ждут вашей экспертизы» and the programme list's filter «Экспертиза» read the same."""
    reach = reach_of(user)
    conditions = _my_review_conditions(reach, coordinator_municipality_ids(user), reviewer_school_ids(user))
    if not conditions:
        return None
    return Review.objects.filter(reduce(or_, conditions), status__in=Review.OPEN_STATUSES, round=F("programme__round"))


def home_items(*, user) -> dict:
    """What waits for the user in programmes, in a fixed number of queries (at most seven, whatever the data).

    - reviews: reviews the user is to carry out (coordinator: municipal; department: regional; a school: mutual);
    - overdue: overdue measures of the coordinator's municipalities;
    - own: the school team's programmes with state and completion, and `returned`: the remarks to address.
    """
    reach = reach_of(user)
    today = timezone.localdate()
    coordinator_of = coordinator_municipality_ids(user)
    team_of = team_school_ids(user)
    reviewer_of = reviewer_school_ids(user)
    items = {
        "reviews": [],
        "reviews_total": 0,
        "reviews_overdue": 0,
        "overdue": [],
        "overdue_total": 0,
        "own": [],
        "returned": [],
        "is_coordinator": bool(coordinator_of),
        "is_department": reach.department,
        "is_school": bool(team_of),
        "is_reviewer": bool(reviewer_of),
        "is_expert": bool(reach.expert_organisation_ids),
        "is_institute": bool(reach.institute_municipality_ids),
        "today": today,
    }
    reviews = my_open_reviews(user=user)
    if reviews is not None:
        reviews = reviews.select_related(
            "programme__school", "programme__municipality", "reviewer_school", "reviewer_organisation", "step"
        ).order_by(F("due_on").asc(nulls_last=True), "created_at", "pk")
        items["reviews"] = list(reviews[:HOME_LIMIT])
        # programmes, not reviews: each number opens the programme list filtered to the rows it counts
        counts = reviews.aggregate(
            total=Count("programme", distinct=True),
            overdue=Count("programme", distinct=True, filter=Q(due_on__lt=today)),
        )
        items["reviews_total"], items["reviews_overdue"] = counts["total"], counts["overdue"]
        for review in items["reviews"]:
            review.days_late = (today - review.due_on).days if review.due_on and review.due_on < today else 0
    if coordinator_of:
        overdue = (
            RoadmapMeasure.objects.filter(overdue_q(today), programme__municipality_id__in=coordinator_of)
            .select_related("programme__school", "section")
            .order_by("deadline", "pk")
        )
        items["overdue"] = list(overdue[:HOME_LIMIT])
        for measure in items["overdue"]:
            measure.number = f"{measure.section.position}.{measure.position}"
            measure.days_late = (today - measure.deadline).days
        items["overdue_total"] = overdue.count()
    if team_of:
        own = annotate_progress(
            list(
                Programme.objects.filter(school_id__in=team_of)
                .with_progress(today)
                .select_related("school", "risk_factor")
                .order_by("school__short_name", "-period_start", "title")
            )
        )
        items["own"] = own
        returned_ids = [p.pk for p in own if p.state == Programme.State.RETURNED]
        if returned_ids:
            latest = {}
            for review in (
                Review.objects.filter(
                    programme_id__in=returned_ids,
                    verdict=Review.Verdict.RETURNED,
                    kind__in=[Review.Kind.MUNICIPAL, Review.Kind.REGIONAL],
                )
                .select_related("completed_by")
                .order_by("-completed_at")
            ):
                latest.setdefault(review.programme_id, review)
            items["returned"] = [
                {"programme": p, "review": latest[p.pk]} for p in own if p.pk in latest
            ]
    items["empty"] = not (items["reviews"] or items["overdue"] or items["own"])
    return items


# --- review routes ------------------------------------------------------------------------------------------------


def routes_with_steps(routes) -> list:
    """Routes with their steps in order (`step_rows`), each step with its own active checklist (`own_criteria`):
    three queries whatever the number of routes and steps."""
    from django.db.models import Prefetch

    from .models import ReviewCriterion
    from .review_routes import ReviewStep

    criteria = Prefetch(
        "criteria", queryset=ReviewCriterion.objects.filter(is_active=True).order_by("position", "pk"), to_attr="own_criteria"
    )
    steps = Prefetch(
        "steps", queryset=ReviewStep.objects.order_by("position", "pk").prefetch_related(criteria), to_attr="step_rows"
    )
    if hasattr(routes, "select_related"):
        routes = routes.select_related("region").order_by(F("region__name").asc(nulls_first=True), "owner")
        return list(routes.prefetch_related(steps))
    from django.db.models import prefetch_related_objects

    routes = list(routes)
    prefetch_related_objects(routes, steps)
    return routes


def route_history(route, limit: int = 30) -> list[dict]:
    """The latest changes of the route and its steps, newest first: who, when, what."""
    from .review_routes import ReviewRoute, ReviewStep

    records = list(ReviewStep.history.filter(route_id=route.pk).select_related("history_user").order_by("-history_date")[:limit])
    records += list(ReviewRoute.history.filter(id=route.pk).select_related("history_user").order_by("-history_date")[:limit])
    records.sort(key=lambda r: r.history_date, reverse=True)
    actions = {"+": "добавлен", "~": "изменён", "-": "удалён"}
    return [
        {
            "when": r.history_date,
            "user": (r.history_user.get_full_name() or r.history_user.username) if r.history_user else "",
            "object": f"шаг «{r.name}»" if hasattr(r, "name") else "маршрут",
            "action": actions.get(r.history_type, ""),
            "reason": r.history_change_reason or "",
        }
        for r in records[:limit]
    ]


def route_step_of(programme, step_id: int):
    """A step of the programme's route, or None."""
    from .route_steps import route_steps

    return next((s for s in route_steps(programme) if s.pk == step_id), None)


def step_openers(user, programme) -> list[dict]:
    """The steps of the programme's route the user may open a review of now, each with its form (whom to give it
    to): the «Открыть экспертизу» block of the programme's page."""
    from .access import can_open_reviews, can_open_step
    from .route_forms import ReviewOpenForm
    from .route_steps import openable_steps

    if not can_open_reviews(user, programme):
        return []
    return [
        {"step": step, "form": ReviewOpenForm(user=user, programme=programme, step=step, prefix=f"step{step.pk}")}
        for step in openable_steps(programme)
        if can_open_step(user, step, programme)
    ]


def evidence_for_review(review) -> list | None:
    """The evidence documents a review of evidence looks at: those of the programme uploaded within the stage its
    step covers (all of them when the step names no dates); None for a review of the plan or of a report."""
    from .models import Evidence
    from .review_routes import StepSubject

    if review.subject != StepSubject.EVIDENCE:
        return None
    documents = Evidence.objects.filter(measure__programme_id=review.programme_id)
    step = review.step
    if step and step.stage_from:
        documents = documents.filter(uploaded_at__date__gte=step.stage_from)
    if step and step.stage_to:
        documents = documents.filter(uploaded_at__date__lte=step.stage_to)
    return list(documents.select_related("measure__section").order_by("measure__section__position", "measure__position", "pk"))
