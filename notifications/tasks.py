"""Notification e-mail and the daily reminders as tasks of the worker (shnor_portal.jobs).

`notify` queues the e-mails of one action with the action's transaction; cron's `send_reminders` and
`send_notifications` queue the daily run and the e-mails left waiting. Each returns its counts (the task's result).
"""

import datetime

from django.utils import timezone
from django_tasks import task

from .emails import digests_send, emails_send
from .reminders import reminders_create


@task()
def notification_emails_send(ids: list[int]) -> dict:
    """The e-mails of one action's notifications, queued by `notify` (those still waiting: a second sender —
    `send_notifications` — may have sent some meanwhile, and is never doubled)."""
    return emails_send(ids=ids)


@task()
def queued_emails_send(digest: bool = False) -> dict:
    """The e-mails waiting (those that failed before included); with `digest`, the daily digests too."""
    result = {"emails": emails_send()}
    if digest:
        result["digests"] = digests_send()
    return result


@task()
def daily_reminders_send(day: str | None = None, email: bool = True) -> dict:
    """The daily run: the reminders of `day` (ГГГГ-ММ-ДД, today by default), then — unless `email` is off — the
    e-mails waiting and the daily digests. A second run on the same day stores and sends nothing twice."""
    now = timezone.now()
    today = datetime.date.fromisoformat(day) if day else timezone.localdate(now)
    result = {"day": today.isoformat(), "reminders": reminders_create(today=today, now=now)}
    if email:
        result["emails"] = emails_send(now=now)
        result["digests"] = digests_send(now=now)
    return result
