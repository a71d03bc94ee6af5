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
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Model, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from shnor_portal.jobs import enqueue
from shnor_portal.object_kinds import kind_of_model

from . import kinds
from .models import EmailPreference, Notification

logger = logging.getLogger(__name__)

EmailState = Notification.EmailState
CHUNK = 2000
# After this many failed attempts an e-mail is given up (state «не отправлено»); the notification stays in the portal.
MAX_ATTEMPTS = getattr(settings, "NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 5)
# At most this many e-mails are queued by the action that caused them; more wait for `send_notifications`.
AT_ONCE_LIMIT = getattr(settings, "NOTIFICATIONS_EMAIL_AT_ONCE_LIMIT", 200)
# Consecutive failures after which a run stops trying: the server is down, the rest waits for the next run.
GIVE_UP_AFTER = 3


def _clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split()) if limit <= 300 else (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def email_state_for(kind: str, email: str | None, digest: bool | None, muted) -> str:
    """How a notification of this kind reaches a person by e-mail, given their address and preference."""
    if not email or (muted and kind in muted):
        return EmailState.NONE
    return EmailState.DIGEST if digest else EmailState.PENDING


def delivery_of(user_ids) -> dict[int, tuple[str, bool, list]]:
    """Per active user: (address, digest?, muted kinds) — one query per 2,000 users."""
    User = get_user_model()
    result = {}
    ids = list(user_ids)
    for start in range(0, len(ids), CHUNK):
        rows = User.objects.filter(pk__in=ids[start : start + CHUNK], is_active=True).values_list(
            "pk", "email", "notification_preference__digest", "notification_preference__muted_kinds"
        )
        result.update({pk: (email, bool(digest), muted or []) for pk, email, digest, muted in rows})
    return result


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
    from .tasks import notification_emails_send  # the task module builds on this one

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
    title, body = _clip(title, 300), _clip(body, 5000)
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


# --- e-mail -----------------------------------------------------------------------------------------------------------


def portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@lru_cache(maxsize=8)
def _links(base: str) -> dict[str, str]:
    """The portal's addresses for e-mails, reversed once (tens of thousands of e-mails a run)."""
    head, tail = reverse("notifications:open", args=[987654321]).split("987654321")
    return {
        "open_head": base + head,
        "open_tail": tail,
        "list": base + reverse("notifications:list"),
        "settings": base + reverse("notifications:settings"),
        "portal": base + "/",
    }


def open_link(notification_pk: int) -> str:
    links = _links(settings.PORTAL_BASE_URL.rstrip("/"))
    return f"{links['open_head']}{notification_pk}{links['open_tail']}"


def _person(user) -> str:
    return user.get_full_name() or user.username


def _item(notification: Notification, *, body_limit: int = 5000) -> dict[str, str]:
    """A notification as plain strings for the e-mail templates."""
    actor = notification.actor if notification.actor_id else None
    return {
        "title": notification.title,
        "kind": notification.kind_label,
        "when": timezone.localtime(notification.created_at).strftime("%d.%m.%Y %H:%M"),
        "body": _clip(notification.body, body_limit),
        "actor": (actor.get_full_name() or actor.username) if actor else "",
        "link": open_link(notification.pk),
    }


def _context(user, **extra) -> dict:
    links = _links(settings.PORTAL_BASE_URL.rstrip("/"))
    return {
        "person": _person(user),
        "list_link": links["list"],
        "settings_link": links["settings"],
        "portal_link": links["portal"],
        **extra,
    }


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """One notification as a Russian e-mail with a plain-text and an HTML part and a link back to the portal."""
    context = _context(notification.recipient, item=_item(notification))
    message = EmailMultiAlternatives(
        subject=_clip(f"{notification.title} — портал ШНОР", 200),
        body=render_to_string("notifications/email/notification.txt", context),
        to=[notification.recipient.email],
    )
    message.attach_alternative(render_to_string("notifications/email/notification.html", context), "text/html")
    return message


BUNDLE_LIMIT = 50  # items listed in one e-mail; the rest are on the portal


def bundle_email(user, notifications: list[Notification], *, daily: bool) -> EmailMultiAlternatives:
    """Several notifications of one person in one e-mail: the daily digest, or what one run found for them."""
    shown = notifications[:BUNDLE_LIMIT]
    context = _context(
        user,
        daily=daily,
        items=[_item(n, body_limit=300) for n in shown],
        count=len(notifications),
        more=len(notifications) - len(shown),
    )
    subject = "Сводка уведомлений портала ШНОР" if daily else "Новые уведомления портала ШНОР"
    message = EmailMultiAlternatives(
        subject=f"{subject}: {len(notifications)}",
        body=render_to_string("notifications/email/digest.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    return message


@dataclass
class _Mailer:
    """Sends messages over one connection, and records per notification what happened, in bulk."""

    now: object
    connection: object = None
    broken: bool = False
    consecutive_failures: int = 0
    sent: list = field(default_factory=list)  # of the current batch
    failed: dict = field(default_factory=dict)  # error text → notification ids, of the current batch
    totals: dict = field(default_factory=lambda: {"sent": 0, "emails": 0, "failed": 0, "waiting": 0})

    def send(self, ids: list[int], message) -> None:
        if self.broken:
            self.totals["waiting"] += len(ids)
            return
        if self.connection is None:
            try:
                self.connection = get_connection()
                self.connection.open()
            except Exception:
                logger.exception("Mail server unavailable: the queued e-mails wait for the next run")
                self.broken = True
                self.totals["waiting"] += len(ids)
                return
        try:
            message.connection = self.connection
            if not self.connection.send_messages([message]):
                raise RuntimeError("the mail backend accepted no message")
        except Exception as error:
            logger.exception("E-mail to %s was not sent; it will be retried by the next run", message.to)
            self.failed.setdefault(f"{type(error).__name__}: {error}"[:500], []).extend(ids)
            self.consecutive_failures += 1
            if self.consecutive_failures >= GIVE_UP_AFTER:
                logger.error("Mail sending stopped after %s failures in a row; the rest waits", GIVE_UP_AFTER)
                self.broken = True
            return
        self.consecutive_failures = 0
        self.totals["emails"] += 1
        self.sent.extend(ids)

    def record(self) -> None:
        """Write down what happened to the batch: sent, or one more failed attempt (given up after MAX_ATTEMPTS)."""
        for start in range(0, len(self.sent), CHUNK):
            Notification.objects.filter(pk__in=self.sent[start : start + CHUNK]).update(
                email_state=EmailState.SENT, emailed_at=self.now, email_error=""
            )
        self.totals["sent"] += len(self.sent)
        for error, ids in self.failed.items():
            self.totals["failed"] += len(ids)
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                Notification.objects.filter(pk__in=chunk).update(
                    email_attempts=F("email_attempts") + 1, email_error=error
                )
                Notification.objects.filter(pk__in=chunk, email_attempts__gte=MAX_ATTEMPTS).update(
                    email_state=EmailState.FAILED
                )
        self.sent, self.failed = [], {}

    def close(self) -> dict[str, int]:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                logger.exception("Closing the mail connection failed")
        return dict(self.totals)


PEOPLE_PER_BATCH = 500


def _send_per_person(queued: QuerySet, mailer: _Mailer, *, daily: bool) -> int:
    """One e-mail per person: a single notification as itself, several as one list. Returns the people reached.

    People go in batches, each in a transaction that locks its rows (skipping rows another sender holds), sends,
    and records the outcome: two senders running at once — the cron and the e-mails of a request — never send the
    same notification twice, and a crash repeats at most one batch.
    """
    people = 0
    recipient_ids = sorted(set(queued.order_by().values_list("recipient_id", flat=True)))
    for start in range(0, len(recipient_ids), PEOPLE_PER_BATCH):
        batch = recipient_ids[start : start + PEOPLE_PER_BATCH]
        if mailer.broken:  # the server is down: leave the rest queued, without building their messages
            mailer.totals["waiting"] += queued.filter(recipient_id__in=batch).count()
            continue
        with transaction.atomic():
            rows = list(
                queued.filter(recipient_id__in=batch)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient", "actor")
                .order_by("recipient_id", "created_at", "pk")
            )
            for _recipient_id, group in groupby(rows, key=lambda n: n.recipient_id):
                group = list(group)
                if mailer.broken:
                    mailer.totals["waiting"] += len(group)
                    continue
                people += 1
                if len(group) == 1 and not daily:
                    message = notification_email(group[0])
                else:
                    message = bundle_email(group[0].recipient, group, daily=daily)
                mailer.send([n.pk for n in group], message)
            mailer.record()
    return people


def emails_send(*, ids: Iterable[int] | None = None, now=None) -> dict[str, int]:
    """Send the queued immediate e-mails (those that failed before included) over one connection: one e-mail per
    person — a daily run that found five reminders for a school team sends it one e-mail listing them."""
    mailer = _Mailer(now=now or timezone.now())
    queued = Notification.objects.filter(email_state=EmailState.PENDING)
    if ids is not None:
        queued = queued.filter(pk__in=list(ids))
    try:
        _send_per_person(queued, mailer, daily=False)
    finally:
        result = mailer.close()
    return result


def digests_send(*, now=None) -> dict[str, int]:
    """One e-mail per person with everything queued for their digest (the day's, and any a failed run left)."""
    mailer = _Mailer(now=now or timezone.now())
    try:
        people = _send_per_person(Notification.objects.filter(email_state=EmailState.DIGEST), mailer, daily=True)
    finally:
        result = mailer.close()
    result["people"] = people
    return result
