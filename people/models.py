"""People and their accounts: what the portal keeps about logging in and being invited, beyond Django's user.

`LoginThrottle` counts the wrong passwords typed for one username from any address:
django-axes locks a username on one address; this row slows down a guesser who changes addresses
(docs/PRODUCTION.md «Защита входа»).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from schools.models import Municipality, Region


class LoginThrottle(models.Model):
    username = models.CharField("имя пользователя", max_length=150, unique=True)
    failures = models.PositiveIntegerField("неудачных попыток подряд", default=0)
    last_failure_at = models.DateTimeField("последняя неудачная попытка", null=True, blank=True)
    locked_until = models.DateTimeField("вход закрыт до", null=True, blank=True)

    class Meta:
        verbose_name = "счётчик неудачных входов"
        verbose_name_plural = "счётчики неудачных входов"

    def __str__(self):
        return f"{self.username}: {self.failures}"


class Invitation(models.Model):
    """The letter that brings a person into the portal: a one-time link to set their password (people/invitations.py).

    One row per person; sending again renews it. Where the person works (`region`, `municipality`) is kept so that the
    department and the coordinator see the invitations of their territory."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="пользователь", on_delete=models.CASCADE, related_name="invitation"
    )
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.CASCADE, related_name="invitations"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.CASCADE, null=True, blank=True,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="пригласил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)
    expires_at = models.DateTimeField("действует до", null=True, blank=True)
    times_sent = models.PositiveSmallIntegerField("сколько раз отправлено", default=0)
    send_error = models.CharField("ошибка отправки", max_length=300, blank=True)
    accepted_at = models.DateTimeField("принято", null=True, blank=True)

    class State(models.TextChoices):
        QUEUED = "queued", "ждёт отправки"
        SENT = "sent", "отправлено"
        FAILED = "failed", "не отправлено"
        EXPIRED = "expired", "истекло"
        ACCEPTED = "accepted", "принято"

    class Meta:
        verbose_name = "приглашение"
        verbose_name_plural = "приглашения"
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(fields=["region", "accepted_at"], name="invitation_region_accepted"),
            models.Index(fields=["municipality", "accepted_at"], name="invitation_munic_accepted"),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_state_display()}"

    def state_at(self, now) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.send_error and not self.sent_at:
            return self.State.FAILED
        if not self.sent_at:
            return self.State.QUEUED
        return self.State.EXPIRED if self.expires_at and self.expires_at <= now else self.State.SENT

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def get_state_display(self) -> str:
        return self.State(self.state).label
