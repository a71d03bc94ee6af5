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

from .models import SelfAssessment, StageSchedule

Role = RoleAssignment.Role


@provider("monitoring.self_assessments")
def self_assessment_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Schools whose self-assessment of a stage is not uploaded (or was returned) after the stage's due date — to
    the school team, one reminder per school listing the stages, again weekly."""
    schedules = list(
        StageSchedule.objects.filter(
            due_on__lt=today, due_on__gte=today - datetime.timedelta(days=SELF_ASSESSMENT_HORIZON_DAYS)
        )
    )
    if not schedules:
        return []
    recently = reminded_since(kinds.SELF_ASSESSMENT_MISSING, School, day_start(today - datetime.timedelta(days=REPEAT_DAYS - 1)))
    missing = defaultdict(list)  # school id → [schedule]
    people = defaultdict(set)
    municipality = {}
    for schedule in schedules:
        done = SelfAssessment.objects.filter(
            year=schedule.year, stage=schedule.stage, is_current=True,
            status__in=[SelfAssessment.Status.SUBMITTED, SelfAssessment.Status.ACCEPTED],
        ).values("school_id")
        rows = (
            RoleAssignment.objects.filter(role=Role.SCHOOL_TEAM, user__is_active=True)
            .exclude(school_id__in=done)
            .exclude(school_id__in=recently)
            .values_list("school_id", "user_id", "school__municipality_id")
        )
        for school_id, user_id, municipality_id in rows:
            if schedule not in missing[school_id]:
                missing[school_id].append(schedule)
            people[school_id].add(user_id)
            municipality[school_id] = municipality_id
    reminders = []
    for school_id, stages in missing.items():
        stages.sort(key=lambda s: s.due_on)
        listed = "; ".join(
            f"{s.get_stage_display()} этап {s.year - 1}/{str(s.year)[-2:]} — срок был {s.due_on:%d.%m.%Y}" for s in stages
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


