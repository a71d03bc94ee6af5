"""E-mail of notifications: who gets it how (`delivery_of`, `email_state_for`), the messages, and sending them —
one e-mail per notification (`emails_send`, queued by `notify` for the worker) or a digest per person
(`digests_send`), over one connection, recording per notification what happened, in bulk.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

EmailState = Notification.EmailState
CHUNK = 2000
# After this many failed attempts an e-mail is given up (state «не отправлено»); the notification stays in the portal.
MAX_ATTEMPTS = getattr(settings, "NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 5)
# Consecutive failures after which a run stops trying: the server is down, the rest waits for the next run.
GIVE_UP_AFTER = 3


def clip(text: str, limit: int) -> str:
    """The text on one line (short texts) and cut to `limit` characters with an ellipsis."""
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
        "body": clip(notification.body, body_limit),
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
        subject=clip(f"{notification.title} — портал ШНОР", 200),
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
