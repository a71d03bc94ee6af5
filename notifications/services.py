"""Every write of the notifications app: storing notifications, reading them, preferences, sending e-mail.

`notify` is the one function other apps call. It stores one notification per recipient in one bulk insert, decides
per recipient whether an e-mail goes at once, in the daily digest or not at all (their preference, and whether
they have an address), and queues the immediate e-mails for the worker (`notifications.tasks`) with the caller's
transaction. It never raises into the caller: the action that triggered it must not fail because of a notification.
A failing mail server is logged; the e-mails stay queued and the next `send_notifications` / `send_reminders` run
sends them.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from shnor_portal.jobs import enqueue
from shnor_portal.object_kinds import kind_of_model

from . import kinds
from .emails import CHUNK, clip, email_state_for
from .models import EmailPreference, Notification
from .tasks import notification_emails_send

logger = logging.getLogger(__name__)

EmailState = Notification.EmailState
# At most this many e-mails are queued by the action that caused them; more wait for `send_notifications`.
AT_ONCE_LIMIT = getattr(settings, "NOTIFICATIONS_EMAIL_AT_ONCE_LIMIT", 200)


def _recipient_rows(recipients, actor):
    User = get_user_model()
    if isinstance(recipients, QuerySet):
        users = User.objects.filter(pk__in=recipients.values("pk"))
    else:
        ids = {item.pk if isinstance(item, Model) else int(item) for item in recipients}
        if not ids:
            return []
        users = User.objects.filter(pk__in=ids)
    users = users.filter(is_active=True)
    if actor is not None and getattr(actor, "pk", None):
        users = users.exclude(pk=actor.pk)
    return list(
        users.values_list("pk", "email", "notification_preference__digest", "notification_preference__muted_kinds")
    )


def notify(
    *,
    kind: str,
    recipients: Iterable | QuerySet,
    target: Model,
    title: str,
    body: str = "",
    actor=None,
    url: str = "",
) -> int:
    """Tell `recipients` (users, ids, or a queryset such as `recipients.coordinators_of(m)`) about `target`.

    The actor is never told about their own action. Returns the number of notifications stored; never raises.
    """
    try:
        if kind not in kinds.KINDS:
            raise ValueError(f"Unknown notification kind {kind!r}: add it to notifications/kinds.py")
        with transaction.atomic():
            created = _store(kind=kind, recipients=recipients, target=target, title=title, body=body, actor=actor,
                             url=url)
    except Exception:
        logger.exception("Notification %r about %r was not stored", kind, target)
        return 0
    immediate = [n.pk for n in created if n.email_state == EmailState.PENDING and n.pk]
    # A handful of e-mails go right after the action, by the worker; a mass event (a list approved for thousands of
    # schools) is left to `send_notifications` (with the immediate backend the request would wait for them all).
    if immediate and getattr(settings, "NOTIFICATIONS_EMAIL_AT_ONCE", True) and len(immediate) <= AT_ONCE_LIMIT:
        _emails_enqueue(immediate)
    return len(created)


def _emails_enqueue(ids: list[int]) -> None:
    try:
        enqueue(notification_emails_send, ids)
    except Exception:  # the e-mails stay queued in their notifications: `send_notifications` sends them
        logger.exception("The e-mails of %s notifications were not queued for the worker", len(ids))


def _store(*, kind, recipients, target, title, body, actor, url) -> list[Notification]:
    rows = _recipient_rows(recipients, actor)
    if not rows:
        return []
    spec = kind_of_model(target._meta.concrete_model._meta.label_lower)
    municipality_id = spec.municipality_id(target) if spec else None
    target_type = ContentType.objects.get_for_model(target)
    now = timezone.now()
    title, body = clip(title, 300), clip(body, 5000)
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk, kind=kind, title=title, body=body, actor=actor if actor and actor.pk else None,
                target_type=target_type, target_id=target.pk, url=url, municipality_id=municipality_id,
                created_at=now, email_state=email_state_for(kind, email, digest, muted),
            )
            for pk, email, digest, muted in rows
        ],
        batch_size=CHUNK,
    )


# --- reading ----------------------------------------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, user) -> None:
    if notification.recipient_id != user.pk or notification.read_at:
        return
    notification.read_at = timezone.now()
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


def notifications_mark_all_read(*, user, kind: str = "") -> int:
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.update(read_at=timezone.now())


# --- preferences ------------------------------------------------------------------------------------------------------


def preference_of(user) -> EmailPreference:
    return EmailPreference.objects.filter(user=user).first() or EmailPreference(user=user)


@transaction.atomic
def preference_save(*, user, emailed_kinds: Iterable[str], digest: bool, email: str | None = None) -> EmailPreference:
    """Save which kinds come by e-mail (the rest come only in the portal), and how. New kinds come by e-mail until
    the person turns them off: the preference stores what is turned off.

    E-mails already queued follow the new choice: a kind turned off is not sent, a switch to (or from) the digest
    moves them into (or out of) the digest.
    """
    emailed = set(emailed_kinds)
    preference = preference_of(user)
    preference.digest = bool(digest)
    preference.muted_kinds = sorted(code for code in kinds.KINDS if code not in emailed)
    preference.save()
    if email is not None and email != user.email:
        user.email = email
        user.save(update_fields=["email"])
    queued = Notification.objects.filter(recipient=user, email_state__in=Notification.TO_SEND)
    queued.filter(kind__in=preference.muted_kinds).update(email_state=EmailState.NONE)
    if not user.email:
        queued.update(email_state=EmailState.NONE)
    else:
        queued.update(email_state=EmailState.DIGEST if preference.digest else EmailState.PENDING)
    return preference
