"""Reading notifications: a person's own, and — for a coordinator — who in the municipality has not reacted.

A person only ever reads their own notifications. The coordinator's page lists other people's, but only those of
the people of the coordinator's municipalities (roles scoped to the municipality or one of its schools) and only
about things of those municipalities (or region-wide ones, such as an approved list) — all within the
coordinator's own reach, so the page shows nothing the coordinator could not open.
"""

from functools import reduce
from operator import or_

from django.apps import apps
from django.db.models import Count, Min, Q, QuerySet, Window

from schools.models import RoleAssignment

from . import kinds
from .models import Notification

Role = RoleAssignment.Role


def unread_count(*, user) -> int:
    """The bell: one query."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def latest_unread(*, user, limit: int) -> tuple[list[Notification], int]:
    """The newest unread notifications and how many are unread in all — in the one query the bell would cost."""
    rows = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .annotate(unread_total=Window(Count("pk")))
        .order_by("-created_at", "-pk")[:limit]
    )
    return rows, (rows[0].unread_total if rows else 0)


def notifications_for(*, user, kind: str = "", state: str = "") -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(kind=kind)
    if state == "unread":
        rows = rows.filter(read_at__isnull=True)
    elif state == "read":
        rows = rows.filter(read_at__isnull=False)
    return rows.order_by("-created_at", "-pk")


# --- who has not reacted ------------------------------------------------------------------------------------------------


def waiting_q() -> Q:
    """Notifications nobody has reacted to: for a kind that asks for an action, while its target still waits for
    it (read or not); for a kind that only informs, while it is unread."""
    informational, conditions = [], []
    for kind in kinds.KINDS.values():
        model = None
        if kind.pending:
            label, lookup = kind.pending
            try:
                model = apps.get_model(label)
            except LookupError:
                model = None
        if model is None:
            informational.append(kind.code)
            continue
        conditions.append(Q(kind=kind.code, target_id__in=model._default_manager.filter(**lookup).values("pk")))
    unread = Q(read_at__isnull=True) & (Q(kind__in=informational) | ~Q(kind__in=list(kinds.KINDS)))
    return reduce(or_, conditions, unread)


def unreacted(*, municipality_ids, kind: str = "") -> QuerySet[Notification]:
    """Notifications of the municipalities' people about the municipalities' things that nobody reacted to, oldest
    first."""
    people = RoleAssignment.objects.filter(
        Q(municipality_id__in=municipality_ids) | Q(school__municipality_id__in=municipality_ids)
    ).values("user_id")
    rows = Notification.objects.filter(recipient_id__in=people).filter(
        Q(municipality_id__in=municipality_ids) | Q(municipality__isnull=True)
    )
    if kind:
        rows = rows.filter(kind=kind)
    return rows.filter(waiting_q()).order_by("created_at", "pk")


def unreacted_by_person(rows: QuerySet[Notification]) -> list[dict]:
    """Per person: how many notifications wait and since when — the longest waiting first."""
    return list(
        rows.order_by()
        .values("recipient_id", "recipient__username", "recipient__last_name", "recipient__first_name")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
        .order_by("oldest", "recipient_id")
    )


def roles_of(user_ids) -> dict[int, list[RoleAssignment]]:
    """The role assignments of these people (to say who they are on the coordinator's page): one query."""
    result: dict[int, list[RoleAssignment]] = {}
    for assignment in RoleAssignment.objects.filter(user_id__in=list(user_ids)).select_related("municipality", "school"):
        result.setdefault(assignment.user_id, []).append(assignment)
    return result
