"""The per-account login throttle: growing pauses after many wrong passwords for one username, from any address.

django-axes refuses a username on one address after AXES_FAILURE_LIMIT failures; a guesser with many addresses is
never stopped by it. Here every failure for the username counts whatever its address: from the
LOGIN_ACCOUNT_FAILURE_LIMIT-th on, the account is closed for LOGIN_ACCOUNT_DELAY_MINUTES, doubling with each further
failure up to LOGIN_ACCOUNT_DELAY_MAX_MINUTES — long enough that guessing gets nowhere, short enough that a stranger
cannot keep a colleague out for long. Attempts while closed are refused without counting. A successful login or a
password reset (`clear`) opens it again; failures older than LOGIN_ACCOUNT_FAILURE_WINDOW_HOURS are forgotten.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import LoginThrottle


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def _delay(failures: int) -> datetime.timedelta:
    over = failures - _setting("LOGIN_ACCOUNT_FAILURE_LIMIT", 10)
    minutes = _setting("LOGIN_ACCOUNT_DELAY_MINUTES", 1) * 2 ** min(over, 16)
    return datetime.timedelta(minutes=min(minutes, _setting("LOGIN_ACCOUNT_DELAY_MAX_MINUTES", 60)))


def closed_until(username: str) -> datetime.datetime | None:
    """When the account opens again, or None if a password may be tried now."""
    until = LoginThrottle.objects.filter(username=username).values_list("locked_until", flat=True).first()
    return until if until and until > timezone.now() else None


def record_failure(username: str) -> None:
    if not username:
        return
    now = timezone.now()
    window = datetime.timedelta(hours=_setting("LOGIN_ACCOUNT_FAILURE_WINDOW_HOURS", 24))
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(username=username)
        if row.locked_until and row.locked_until > now:
            return  # refused while closed: not a guess that counts
        if row.last_failure_at and now - row.last_failure_at > window:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= _setting("LOGIN_ACCOUNT_FAILURE_LIMIT", 10):
            row.locked_until = now + _delay(row.failures)
        row.save()


def clear(username: str) -> None:
    LoginThrottle.objects.filter(username=username).delete()
