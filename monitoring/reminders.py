"""Daily reminders of monitoring: self-assessments not uploaded in time (`notifications.reminders`)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse

from notifications import kinds
from notifications.reminders import (
    REPEAT_DAYS,
    SELF_ASSESSMENT_HORIZON_DAYS,
    Reminder,
    day_start,
    provider,
    reminded_since,
)
from schools.models import RoleAssignment, School
from schools.school_year import school_year_label, school_year_of

from .calendar import CalendarBook, CalendarStage
from .models import SelfAssessment

Role = RoleAssignment.Role


def _due_stages(book: CalendarBook, region_id, municipality_id, *, today, since) -> list[CalendarStage]:
    return [
        stage
        for year in book.years
        for stage in book.stages(year, region_id, municipality_id)
        if stage.due_on is not None and since <= stage.due_on < today
    ]


@provider("monitoring.self_assessments")
def self_assessment_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Schools whose self-assessment of a stage is not uploaded (or was returned) after the stage's due date — the
    date of the school's municipality in its territory's calendar (`monitoring.calendar`) — to the school team, one
    reminder per school listing the stages, again weekly."""
    since = today - datetime.timedelta(days=SELF_ASSESSMENT_HORIZON_DAYS)
    # a stage of school year Y is due by 31 August of Y and starts at most a few years before it
    book = CalendarBook(range(school_year_of(since), school_year_of(today) + 3))
    recently = reminded_since(
        kinds.SELF_ASSESSMENT_MISSING, School, day_start(today - datetime.timedelta(days=REPEAT_DAYS - 1))
    )
    teams = (
        RoleAssignment.objects.filter(role=Role.SCHOOL_TEAM, user__is_active=True, school__isnull=False)
        .exclude(school_id__in=recently)
        .values_list("school_id", "user_id", "school__municipality_id", "school__municipality__region_id")
    )
    due_of = {}  # municipality id → [stage] due within the horizon
    missing = {}  # school id → [stage]
    people = defaultdict(set)
    municipality = {}
    for school_id, user_id, municipality_id, region_id in teams:
        if municipality_id not in due_of:
            due_of[municipality_id] = _due_stages(book, region_id, municipality_id, today=today, since=since)
        if due_of[municipality_id]:
            missing[school_id] = due_of[municipality_id]
            people[school_id].add(user_id)
            municipality[school_id] = municipality_id
    if not missing:
        return []
    done = set(
        SelfAssessment.objects.filter(
            school_id__in=list(missing),
            year__in=book.years,
            is_current=True,
            status__in=[SelfAssessment.Status.SUBMITTED, SelfAssessment.Status.ACCEPTED],
        ).values_list("school_id", "year", "stage")
    )
    reminders = []
    for school_id, due in missing.items():
        stages = sorted((s for s in due if (school_id, s.year, s.code) not in done), key=lambda s: s.due_on)
        if not stages:
            continue
        listed = "; ".join(
            f"этап «{s.name}» {school_year_label(s.year)} — срок был {s.due_on:%d.%m.%Y}" for s in stages
        )
        reminders.append(
            Reminder(
                kind=kinds.SELF_ASSESSMENT_MISSING, target_model=School, target_id=school_id,
                recipient_ids=people[school_id],
                title="Самооценка школы не загружена в срок" if len(stages) == 1
                else f"Самооценка школы не загружена в срок: этапов — {len(stages)}",
                body=f"{listed}. Скачайте шаблон, заполните и загрузите самооценку на странице мониторинга школы.",
                municipality_id=municipality[school_id],
                url=reverse("monitoring:school", args=[school_id]),
            )
        )
    return reminders


