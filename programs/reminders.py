"""Daily reminders of programmes: measures due or overdue, reviews waiting (`notifications.reminders`)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from notifications import kinds
from notifications.reminders import (
    DUE_SOON_DAYS,
    OVERDUE_HORIZON_DAYS,
    REPEAT_DAYS,
    REVIEW_WAITS_DAYS,
    Reminder,
    day_start,
    days_word,
    department_ids_by_municipality,
    provider,
    reminded_since,
    short,
    users_by,
)
from schools.models import RoleAssignment

from .deadlines import Deadline, DeadlineKind
from .models import OPEN_STATUSES, Review, RoadmapMeasure

Role = RoleAssignment.Role


@provider("programs.measures")
def measure_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Measures not done whose deadline comes within 7 days (once), or has passed (then weekly, for 8 weeks) — to
    the programme's owner: the school team, or the coordinators for the municipal programme."""
    open_measures = RoadmapMeasure.objects.filter(status__in=OPEN_STATUSES)
    soon = open_measures.filter(
        deadline__gte=today, deadline__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
    ).exclude(pk__in=reminded_since(kinds.MEASURE_DUE, RoadmapMeasure, day_start(today - datetime.timedelta(days=DUE_SOON_DAYS))))
    # Overdue: on the day after the deadline and then every 7 days (anchored on the deadline, so that the weekly
    # repeats spread over the days of the week), for 8 weeks; a measure never reminded of (the first run after
    # deploying, a missed day) is reminded of at once.
    horizon = today - datetime.timedelta(days=OVERDUE_HORIZON_DAYS)
    anchors = [today - datetime.timedelta(days=1 + REPEAT_DAYS * k) for k in range(OVERDUE_HORIZON_DAYS // REPEAT_DAYS + 1)]
    overdue = (
        open_measures.filter(deadline__lt=today, deadline__gte=horizon)
        .filter(
            Q(deadline__in=anchors)
            | ~Q(pk__in=reminded_since(kinds.MEASURE_OVERDUE, RoadmapMeasure, day_start(horizon)))
        )
        .exclude(
            pk__in=reminded_since(
                kinds.MEASURE_OVERDUE, RoadmapMeasure, day_start(today - datetime.timedelta(days=REPEAT_DAYS - 1))
            )
        )
    )
    fields = (
        "pk", "name", "deadline", "deadline_kind", "deadline_months", "position", "section__position",
        "programme__title", "programme__school_id", "programme__municipality_id",
    )
    rows = [(kinds.MEASURE_DUE, row) for row in soon.values_list(*fields)]
    rows += [(kinds.MEASURE_OVERDUE, row) for row in overdue.values_list(*fields)]
    if not rows:
        return []
    teams = users_by("school_id", Role.SCHOOL_TEAM, (soon | overdue).values("programme__school_id"))
    coordinators = users_by(
        "municipality_id", Role.COORDINATOR,
        (soon | overdue).filter(programme__school__isnull=True).values("programme__municipality_id"),
    )
    reminders = []
    for kind, (pk, name, deadline, deadline_kind, months, position, section, title, school_id, municipality_id) in rows:
        people = teams.get(school_id, []) if school_id else coordinators.get(municipality_id, [])
        if not people:
            continue
        label = f"{section}.{position} «{short(name)}»"
        # `deadline` is the term's last day: «май 2026» is due by 31 May, overdue from 1 June.
        term = Deadline.from_fields(deadline, deadline_kind, months)
        if kind == kinds.MEASURE_DUE:
            days = (deadline - today).days
            when = "сегодня" if days == 0 else f"через {days_word(days)}"
            if term.kind != DeadlineKind.DATE:
                when = f"последний день {deadline:%d.%m.%Y}, {when}"
            headline = f"Срок мероприятия {label} — {term} ({when})"
        else:
            headline = f"Просрочено мероприятие {label}: срок был {term}"
        reminders.append(
            Reminder(
                kind=kind, target_model=RoadmapMeasure, target_id=pk, recipient_ids=people, title=headline,
                body=f"Программа «{title}». Отметьте выполнение мероприятия с подтверждающим документом "
                "или согласуйте новый срок.",
                municipality_id=municipality_id,
            )
        )
    return reminders


_REVIEW_FIELDS = (
    "pk", "kind", "step__reviewer", "step__name", "reviewer_school_id", "reviewer_organisation_id", "created_at",
    "due_on", "programme__title", "programme__municipality_id",
)  # fmt: skip


def _reviewers(reviews) -> dict[int, list[int]]:
    """Review id → whom it waits for (as `programs.access.can_act_on_review`): the reviewer school's people, the
    organisation's experts, else the coordinators, the department or the institute as its step (or its kind) says. Six
    queries (eight when a review waits for the institute)."""
    rows = list(reviews.values_list("pk", "step__reviewer", "kind", "reviewer_school_id", "reviewer_organisation_id",
                                    "programme__municipality_id"))  # fmt: skip
    coordinators = users_by("municipality_id", Role.COORDINATOR, reviews.values("programme__municipality_id"))
    schools, experts = defaultdict(list), defaultdict(list)
    for school_id, user_id in RoleAssignment.objects.filter(
        role__in=[Role.SCHOOL_TEAM, Role.CURATOR], user__is_active=True, school_id__in=reviews.values("reviewer_school_id")
    ).values_list("school_id", "user_id"):
        schools[school_id].append(user_id)
    for organisation_id, user_id in RoleAssignment.objects.filter(
        role=Role.EXPERT, user__is_active=True, organisation_id__in=reviews.values("reviewer_organisation_id")
    ).values_list("organisation_id", "user_id"):
        experts[organisation_id].append(user_id)
    departments = department_ids_by_municipality(reviews.values("programme__municipality_id"))
    institutes = {}
    if any(row[1] == "institute" for row in rows):  # two queries more, only when a route gives the institute reviews
        institutes = department_ids_by_municipality(reviews.values("programme__municipality_id"), Role.INSTITUTE)
    people = {}
    for pk, reviewer, kind, school_id, organisation_id, municipality_id in rows:
        reviewer = reviewer or {Review.Kind.MUNICIPAL: "coordinator", Review.Kind.REGIONAL: "department"}.get(kind)
        if school_id:
            people[pk] = schools.get(school_id, [])
        elif organisation_id:
            people[pk] = experts.get(organisation_id, [])
        elif reviewer == "coordinator":
            people[pk] = coordinators.get(municipality_id, [])
        elif reviewer == "department":
            people[pk] = departments.get(municipality_id, [])
        elif reviewer == "institute":
            people[pk] = institutes.get(municipality_id, [])
        else:
            people[pk] = []
    return people


def _review_label(kind, step_name) -> str:
    return step_name or Review.Kind(kind).label.capitalize()


@provider("programs.reviews")
def review_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Reviews open for more than 5 days — to whom they wait for; again weekly while they wait."""
    waiting = Review.objects.filter(
        status__in=Review.OPEN_STATUSES, created_at__lte=now - datetime.timedelta(days=REVIEW_WAITS_DAYS)
    ).exclude(pk__in=reminded_since(kinds.REVIEW_WAITING, Review, day_start(today - datetime.timedelta(days=REPEAT_DAYS - 1))))
    rows = list(waiting.values_list(*_REVIEW_FIELDS))
    if not rows:
        return []
    people = _reviewers(waiting)
    reminders = []
    for pk, kind, _reviewer, step_name, _school, _org, created_at, _due, title, municipality_id in rows:
        if not people.get(pk):
            continue
        days = (today - timezone.localdate(created_at)).days
        reminders.append(
            Reminder(
                kind=kinds.REVIEW_WAITING, target_model=Review, target_id=pk, recipient_ids=people[pk],
                title=f"{_review_label(kind, step_name)} программы «{short(title)}» ждёт {days_word(days)}",
                body="Проведите экспертизу: примите программу или верните её на доработку с замечаниями.",
                municipality_id=municipality_id,
            )
        )
    return reminders


@provider("programs.reviews_overdue")
def review_overdue_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Open reviews whose due day has passed (the route's step set it) — from the next day, then weekly, for 8 weeks,
    to whom they wait for."""
    overdue = Review.objects.filter(
        status__in=Review.OPEN_STATUSES, due_on__lt=today,
        due_on__gte=today - datetime.timedelta(days=OVERDUE_HORIZON_DAYS),
    ).exclude(pk__in=reminded_since(kinds.REVIEW_OVERDUE, Review, day_start(today - datetime.timedelta(days=REPEAT_DAYS - 1))))  # fmt: skip
    rows = list(overdue.values_list(*_REVIEW_FIELDS))
    if not rows:
        return []
    people = _reviewers(overdue)
    reminders = []
    for pk, kind, _reviewer, step_name, _school, _org, _created, due_on, title, municipality_id in rows:
        if not people.get(pk):
            continue
        reminders.append(
            Reminder(
                kind=kinds.REVIEW_OVERDUE, target_model=Review, target_id=pk, recipient_ids=people[pk],
                title=f"Просрочена экспертиза «{_review_label(kind, step_name)}» программы «{short(title)}»: срок был "
                f"{due_on:%d.%m.%Y}",
                body="Завершите экспертизу: дайте заключение по программе или сообщите, когда оно будет.",
                municipality_id=municipality_id,
            )
        )
    return reminders
