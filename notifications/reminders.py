"""Daily reminders: computed by `python manage.py send_reminders` (cron), stored as notifications, sent in bulk.

A provider is a small function `provider(*, today, now) -> Iterable[Reminder]` registered in `PROVIDERS` under a
name. It finds, set-based, what is due today — a few queries whatever the number of schools — and names the
people to remind (helpers of `notifications.recipients`, or role assignments read in one query). The framework
stores all reminders in bulk under a dedupe key (kind, target, person, day) with a unique constraint, so that a
second run on the same day — even one running at the same time — stores and sends nothing twice.

How often a thing is reminded is the provider's choice, made in SQL with `reminded_since`: the measures,
reviews, sessions and missing self-assessments below are reminded once, then again weekly while they still wait.

Providers for partnerships and monitoring live here until those apps register their own: an app replaces one
by registering a function under the same name (`reminders.PROVIDERS["partnerships.sessions"] = …`, or the
`@provider("partnerships.sessions")` decorator) in its `AppConfig.ready()`. A failing provider is logged and
skipped; the others still run.
"""

import csv
import datetime
import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, Model, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from schools.models import RoleAssignment

from . import kinds
from .models import Notification
from .services import CHUNK, delivery_of, email_state_for

logger = logging.getLogger(__name__)
Role = RoleAssignment.Role

DUE_SOON_DAYS = 7
REVIEW_WAITS_DAYS = 5
SESSION_WAITS_DAYS = 7
AGREEMENT_ENDS_DAYS = 30
REPEAT_DAYS = 7
# Overdue measures are reminded of weekly for this long after the deadline; after that the coordinator's page
# («кто не отреагировал») still shows the last reminder as waiting.
OVERDUE_HORIZON_DAYS = 56
# Stages whose due date passed longer ago than this are no longer reminded of.
SELF_ASSESSMENT_HORIZON_DAYS = 120


@dataclass
class Reminder:
    kind: str
    target_model: type[Model]
    target_id: int
    recipient_ids: Iterable[int]
    title: str
    body: str = ""
    municipality_id: int | None = None
    url: str = ""


Provider = Callable[..., Iterable[Reminder]]
PROVIDERS: dict[str, Provider] = {}


def provider(name: str):
    def register(function: Provider) -> Provider:
        PROVIDERS[name] = function
        return function

    return register


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def reminded_since(kind: str, model: type[Model], since: datetime.datetime) -> QuerySet:
    """Ids of the targets already reminded of (this kind) since a moment: a subquery to exclude them with."""
    return Notification.objects.filter(
        kind=kind, target_type=ContentType.objects.get_for_model(model), created_at__gte=since
    ).values("target_id")


def days_word(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} день"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} дня"
    return f"{n} дней"


def _users_by(condition_field: str, role, ids: QuerySet) -> dict[int, list[int]]:
    """{school or municipality id: [user ids]} of a role, for the ids a subquery yields — one query."""
    result = defaultdict(list)
    rows = RoleAssignment.objects.filter(
        role=role, user__is_active=True, **{f"{condition_field}__in": ids}
    ).values_list(condition_field, "user_id")
    for key, user_id in rows:
        result[key].append(user_id)
    return result


def _department_ids() -> list[int]:
    return list(
        RoleAssignment.objects.filter(role=Role.DEPARTMENT, user__is_active=True).values_list("user_id", flat=True)
    )


# --- programmes -------------------------------------------------------------------------------------------------------


@provider("programs.measures")
def measure_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Measures not done whose deadline comes within 7 days (once), or has passed (then weekly, for 8 weeks) — to
    the programme's owner: the school team, or the coordinators for the municipal programme."""
    from programs.models import OPEN_STATUSES, RoadmapMeasure

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
        "pk", "name", "deadline", "position", "section__position", "programme__title", "programme__school_id",
        "programme__municipality_id",
    )
    rows = [(kinds.MEASURE_DUE, row) for row in soon.values_list(*fields)]
    rows += [(kinds.MEASURE_OVERDUE, row) for row in overdue.values_list(*fields)]
    if not rows:
        return []
    teams = _users_by("school_id", Role.SCHOOL_TEAM, (soon | overdue).values("programme__school_id"))
    coordinators = _users_by(
        "municipality_id", Role.COORDINATOR,
        (soon | overdue).filter(programme__school__isnull=True).values("programme__municipality_id"),
    )
    reminders = []
    for kind, (pk, name, deadline, position, section, title, school_id, municipality_id) in rows:
        people = teams.get(school_id, []) if school_id else coordinators.get(municipality_id, [])
        if not people:
            continue
        label = f"{section}.{position} «{_short(name)}»"
        if kind == kinds.MEASURE_DUE:
            days = (deadline - today).days
            when = "сегодня" if days == 0 else f"через {days_word(days)}"
            headline = f"Срок мероприятия {label} — {deadline:%d.%m.%Y} ({when})"
        else:
            headline = f"Просрочено мероприятие {label}: срок был {deadline:%d.%m.%Y}"
        reminders.append(
            Reminder(
                kind=kind, target_model=RoadmapMeasure, target_id=pk, recipient_ids=people, title=headline,
                body=f"Программа «{title}». Отметьте выполнение мероприятия с подтверждающим документом "
                "или согласуйте новый срок.",
                municipality_id=municipality_id,
            )
        )
    return reminders


@provider("programs.reviews")
def review_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Reviews open for more than 5 days — to whom they wait for; again weekly while they wait."""
    from programs.models import Review

    waiting = Review.objects.filter(
        status__in=Review.OPEN_STATUSES, created_at__lte=now - datetime.timedelta(days=REVIEW_WAITS_DAYS)
    ).exclude(pk__in=reminded_since(kinds.REVIEW_WAITING, Review, day_start(today - datetime.timedelta(days=REPEAT_DAYS - 1))))
    rows = list(
        waiting.values_list(
            "pk", "kind", "reviewer_school_id", "created_at", "programme__title", "programme__municipality_id"
        )
    )
    if not rows:
        return []
    coordinators = _users_by("municipality_id", Role.COORDINATOR, waiting.values("programme__municipality_id"))
    schools = defaultdict(list)
    for school_id, user_id in RoleAssignment.objects.filter(
        role__in=[Role.SCHOOL_TEAM, Role.CURATOR], user__is_active=True,
        school_id__in=waiting.filter(kind=Review.Kind.MUTUAL).values("reviewer_school_id"),
    ).values_list("school_id", "user_id"):
        schools[school_id].append(user_id)
    department = _department_ids() if any(kind == Review.Kind.REGIONAL for _pk, kind, *_ in rows) else []
    reminders = []
    for pk, kind, reviewer_school_id, created_at, title, municipality_id in rows:
        people = {
            Review.Kind.MUNICIPAL: coordinators.get(municipality_id, []),
            Review.Kind.REGIONAL: department,
            Review.Kind.MUTUAL: schools.get(reviewer_school_id, []),
        }.get(kind, [])
        if not people:
            continue
        days = (today - timezone.localdate(created_at)).days
        reminders.append(
            Reminder(
                kind=kinds.REVIEW_WAITING, target_model=Review, target_id=pk, recipient_ids=people,
                title=f"{Review.Kind(kind).label.capitalize()} программы «{_short(title)}» ждёт {days_word(days)}",
                body="Проведите экспертизу: примите программу или верните её на доработку с замечаниями.",
                municipality_id=municipality_id,
            )
        )
    return reminders


# --- partnerships (the app may replace these with its own) -------------------------------------------------------------


@provider("partnerships.sessions")
def session_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Support sessions logged 7 or more days ago and still not confirmed — to the supported school's team."""
    if not apps.is_installed("partnerships"):
        return []
    from partnerships.models import SupportSession

    waiting = SupportSession.objects.filter(
        status=SupportSession.Status.PENDING, logged_at__lte=now - datetime.timedelta(days=SESSION_WAITS_DAYS)
    ).exclude(pk__in=reminded_since(kinds.SESSION_UNCONFIRMED, SupportSession, day_start(today - datetime.timedelta(days=REPEAT_DAYS - 1))))
    rows = list(
        waiting.values_list(
            "pk", "held_on", "topic", "logged_at", "agreement__supported_school_id",
            "agreement__supported_school__municipality_id", "agreement__curator_school__short_name",
        )
    )
    if not rows:
        return []
    teams = _users_by("school_id", Role.SCHOOL_TEAM, waiting.values("agreement__supported_school_id"))
    reminders = []
    for pk, held_on, topic, logged_at, school_id, municipality_id, curator in rows:
        if not teams.get(school_id):
            continue
        days = (today - timezone.localdate(logged_at)).days
        reminders.append(
            Reminder(
                kind=kinds.SESSION_UNCONFIRMED, target_model=SupportSession, target_id=pk,
                recipient_ids=teams[school_id],
                title=f"Занятие {held_on:%d.%m.%Y} «{_short(topic)}» ждёт подтверждения {days_word(days)}",
                body=f"Школа-куратор {curator} отметила занятие. Подтвердите его или оспорьте с комментарием.",
                municipality_id=municipality_id,
            )
        )
    return reminders


@provider("partnerships.agreements")
def agreement_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Agreements in force that end within 30 days — once, to both schools and the coordinators."""
    if not apps.is_installed("partnerships"):
        return []
    from partnerships.models import Agreement

    ending = Agreement.objects.filter(
        status=Agreement.Status.ACTIVE, starts_on__lte=today, ends_on__gte=today,
        ends_on__lte=today + datetime.timedelta(days=AGREEMENT_ENDS_DAYS),
    ).exclude(pk__in=reminded_since(kinds.AGREEMENT_ENDING, Agreement, day_start(today - datetime.timedelta(days=AGREEMENT_ENDS_DAYS + 1))))
    rows = list(
        ending.values_list(
            "pk", "number", "ends_on", "curator_school_id", "curator_school__short_name", "supported_school_id",
            "supported_school__short_name", "supported_school__municipality_id",
        )
    )
    if not rows:
        return []
    curators = _users_by("school_id", Role.CURATOR, ending.values("curator_school_id"))
    teams = _users_by("school_id", Role.SCHOOL_TEAM, ending.values("supported_school_id"))
    coordinators = _users_by("municipality_id", Role.COORDINATOR, ending.values("supported_school__municipality_id"))
    reminders = []
    for pk, number, ends_on, curator_id, curator, supported_id, supported, municipality_id in rows:
        people = set(curators.get(curator_id, [])) | set(teams.get(supported_id, [])) | set(
            coordinators.get(municipality_id, [])
        )
        if not people:
            continue
        reminders.append(
            Reminder(
                kind=kinds.AGREEMENT_ENDING, target_model=Agreement, target_id=pk, recipient_ids=people,
                title=f"Договор {('№ ' + number + ' ') if number else ''}{curator} — {supported} "
                f"заканчивается {ends_on:%d.%m.%Y}",
                body="Решите, продлевать ли сопровождение: подготовьте новый договор или завершите этот.",
                municipality_id=municipality_id,
            )
        )
    return reminders


# --- monitoring (the app may replace this with its own) ----------------------------------------------------------------


@provider("monitoring.self_assessments")
def self_assessment_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Schools whose self-assessment of a stage is not uploaded (or was returned) after the stage's due date — to
    the school team, one reminder per school listing the stages, again weekly."""
    if not apps.is_installed("monitoring"):
        return []
    from monitoring.models import SelfAssessment, StageSchedule
    from schools.models import School

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


def _short(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- running them -------------------------------------------------------------------------------------------------------


COLUMNS = (
    "recipient_id", "kind", "title", "body", "target_type_id", "target_id", "url", "municipality_id", "created_at",
    "email_state", "email_attempts", "email_error", "dedupe_key",
)


def reminders_store(reminders: Iterable[Reminder], *, today: datetime.date, now: datetime.datetime) -> int:
    """Store reminders as notifications in bulk; those already stored today (same dedupe key) are skipped.
    Returns the number of rows offered (stored or skipped)."""
    reminders = list(reminders)
    if not reminders:
        return 0
    delivery = delivery_of({pk for r in reminders for pk in r.recipient_ids})
    types = {}
    rows = []
    stamp = today.strftime("%Y%m%d")
    for reminder in reminders:
        if reminder.target_model not in types:
            types[reminder.target_model] = ContentType.objects.get_for_model(reminder.target_model).pk
        target_type_id = types[reminder.target_model]
        title, body = _short(reminder.title, 300), reminder.body[:5000]
        for pk in set(reminder.recipient_ids):
            if pk not in delivery:  # inactive or gone
                continue
            email, digest, muted = delivery[pk]
            rows.append(
                (
                    pk, reminder.kind, title, body, target_type_id, reminder.target_id, reminder.url,
                    reminder.municipality_id, now, email_state_for(reminder.kind, email, digest, muted), 0, "",
                    f"{reminder.kind}:{target_type_id}:{reminder.target_id}:{pk}:{stamp}",
                )
            )
    _insert_ignoring_duplicates(rows)
    return len(rows)


def _insert_ignoring_duplicates(rows: list[tuple]) -> None:
    """Insert rows (in COLUMNS order), skipping those whose dedupe key is already stored.

    PostgreSQL takes them by COPY into a temporary table and one INSERT … ON CONFLICT DO NOTHING (a hundred
    thousand reminders in a couple of seconds); other databases by bulk_create(ignore_conflicts=True).
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(
            (Notification(**dict(zip(COLUMNS, row, strict=True))) for row in rows), batch_size=CHUNK,
            ignore_conflicts=True,
        )
        return
    table = Notification._meta.db_table
    columns = ", ".join(COLUMNS)
    # Strings quoted (so that an empty one stays empty); None as \N, read back as NULL (FORCE_NULL).
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    for row in rows:
        writer.writerow("\\N" if value is None else value.isoformat() if hasattr(value, "isoformat") else value
                        for value in row)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE notification_load ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.copy_expert(
            f"COPY notification_load ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N', FORCE_NULL (municipality_id))",
            buffer,
        )
        cursor.execute(
            f"INSERT INTO {table} ({columns}, read_at, emailed_at, actor_id) "
            f"SELECT {columns}, NULL, NULL, NULL FROM notification_load ON CONFLICT (dedupe_key) DO NOTHING"
        )
        cursor.execute("DROP TABLE notification_load")


def reminders_create(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run every provider; returns {kind: reminders stored by this run}. A failing provider is logged and skipped."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    failed = []
    for name, function in list(PROVIDERS.items()):
        try:
            with transaction.atomic():
                reminders_store(function(today=today, now=now), today=today, now=now)
        except Exception:
            logger.exception("Reminder provider %s failed; the others ran", name)
            failed.append(name)
    # What this run stored (rows a previous run of the day had stored were skipped by their dedupe key).
    counts = dict(
        Notification.objects.filter(created_at=now, dedupe_key__isnull=False)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if failed:
        counts["failed_providers"] = failed
    return counts
