"""Daily reminders: computed by `python manage.py send_reminders` (cron), stored as notifications, sent in bulk.

A provider is a small function `provider(*, today, now) -> Iterable[Reminder]` registered in `PROVIDERS` under a
name. It finds, set-based, what is due today — a few queries whatever the number of schools — and names the
people to remind (helpers of `notifications.recipients`, or role assignments read in one query). The framework
stores all reminders in bulk under a dedupe key (kind, target, person, day) with a unique constraint, so that a
second run on the same day — even one running at the same time — stores and sends nothing twice.

How often a thing is reminded is the provider's choice, made in SQL with `reminded_since`: the measures,
reviews, sessions and missing self-assessments below are reminded once, then again weekly while they still wait.

Each app keeps the providers of its own things in its `reminders.py` (`@provider("programs.measures")`), imported
by its `AppConfig.ready()`; this module knows none of them. A failing provider is logged and skipped; the others
still run.
"""

import csv
import datetime
import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from schools.models import RoleAssignment
from shnor_portal.pg_copy import copy_from

from .emails import CHUNK, delivery_of, email_state_for
from .models import Notification

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


def users_by(condition_field: str, role, ids: QuerySet) -> dict[int, list[int]]:
    """{school or municipality id: [user ids]} of a role, for the ids a subquery yields — one query."""
    result = defaultdict(list)
    rows = RoleAssignment.objects.filter(
        role=role, user__is_active=True, **{f"{condition_field}__in": ids}
    ).values_list(condition_field, "user_id")
    for key, user_id in rows:
        result[key].append(user_id)
    return result


def department_ids_by_municipality(municipality_ids: QuerySet, role: str = Role.DEPARTMENT) -> dict[int, list[int]]:
    """{municipality id: [user ids]} of those who are its department (or, given the role, its institute) — its
    region's and its district's — for the ids a subquery yields; two queries."""
    from schools.models import Municipality

    regions = dict(Municipality.objects.filter(pk__in=municipality_ids).values_list("pk", "region_id"))
    rows = RoleAssignment.objects.filter(
        Q(region_id__in=set(regions.values())) | Q(municipality_id__in=list(regions)),
        role=role, user__is_active=True,
    ).values_list("region_id", "municipality_id", "user_id")
    result = defaultdict(list)
    for municipality_id, region_id in regions.items():
        result[municipality_id] = [
            user_id for of_region, of_municipality, user_id in rows
            if of_region == region_id or of_municipality == municipality_id
        ]
    return result


def short(text: str, limit: int = 120) -> str:
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
        title, body = short(reminder.title, 300), reminder.body[:5000]
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

    PostgreSQL takes them by COPY into a temporary table and one INSERT … ON CONFLICT DO NOTHING (fast for a
    country's reminders, docs/PERFORMANCE.md); other databases by bulk_create(ignore_conflicts=True).
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
        copy_from(
            cursor,
            f"COPY notification_load ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N', FORCE_NULL (municipality_id))",
            buffer.getvalue(),
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
