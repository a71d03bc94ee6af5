"""People and their accounts: what the portal keeps about logging in and being invited, beyond Django's user.

`LoginThrottle` counts the wrong passwords typed for one username from any address:
django-axes locks a username on one address; this row slows down a guesser who changes addresses
(docs/PRODUCTION.md «Защита входа»).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

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


class PersonalDataAccess(models.Model):
    """One opening of teachers' personal data (152-ФЗ): their deficits, ИПРП and tutoring notes — who, when, what
    (people/personal_data.py). The department reads its territory's; old rows go after its retention period."""

    class Kind(models.TextChoices):
        TEACHER = "teacher", "карточка педагога: дефициты, ИПРП, тьюторские занятия"
        PLAN = "plan", "ИПРП педагога"
        TEACHERS_EXPORT = "teachers_export", "выгрузка списка педагогов"
        PLANS_EXPORT = "plans_export", "выгрузка ИПРП"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="кто", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField("когда", auto_now_add=True)
    kind = models.CharField("что открыто", max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField("номер записи", null=True, blank=True)
    label = models.CharField("запись", max_length=300, blank=True)
    region = models.ForeignKey(Region, verbose_name="регион", on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "обращение к персональным данным"
        verbose_name_plural = "журнал обращений к персональным данным"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["region", "at"], name="pd_access_region_at"),
            models.Index(fields=["municipality", "at"], name="pd_access_municipality_at"),
        ]

    def __str__(self):
        return f"{self.at:%d.%m.%Y %H:%M} {self.user}: {self.get_kind_display()}"


class PersonalDataPolicy(models.Model):
    """A region's rule for the access log: how long its rows are kept (a territory's own number, today's default)."""

    DEFAULT_RETENTION_DAYS = 365

    region = models.OneToOneField(Region, verbose_name="регион", on_delete=models.CASCADE, related_name="+")
    retention_days = models.PositiveSmallIntegerField(
        "хранить журнал, дней", default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text="Записи старше удаляются ежедневно. От 30 дней до 10 лет.",
    )
    updated_at = models.DateTimeField("изменено", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "правило журнала персональных данных"
        verbose_name_plural = "правила журнала персональных данных"

    def __str__(self):
        return f"{self.region}: {self.retention_days} дн."
