"""Methodical events: they invite schools; attendance is marked per school and per person."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from schools.models import Municipality, School

from .targets import SHARE_VALIDATORS


class MethodicalEvent(models.Model):
    """A seminar, webinar, conference, round table or contest, with invited schools and their attendance."""

    class Format(models.TextChoices):
        SEMINAR = "seminar", "семинар"
        WEBINAR = "webinar", "вебинар"
        CONFERENCE = "conference", "конференция"
        ROUND_TABLE = "round_table", "круглый стол"
        CONTEST = "contest", "конкурс"
        MEETING = "meeting", "совещание"
        MASTER_CLASS = "master_class", "мастер-класс"

    title = models.CharField("название", max_length=300)
    format = models.CharField("форма", max_length=16, choices=Format.choices)
    held_on = models.DateField("дата")
    starts_at = models.TimeField("начало", null=True, blank=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, null=True, blank=True,
        related_name="methodical_events", help_text="Пусто — региональное мероприятие для всех муниципалитетов.",
    )
    organiser = models.CharField("организатор", max_length=300)
    place = models.CharField("место или ссылка", max_length=500, blank=True)
    description = models.TextField("программа и описание", blank=True)
    is_cancelled = models.BooleanField("отменено", default=False)
    target_share = models.PositiveSmallIntegerField(
        "цель: доля приглашённых школ, принявших участие, %", null=True, blank=True, validators=SHARE_VALIDATORS,
        help_text="Например, «не менее 95 % участников Проекта приняли участие» (краевой проект). Пусто — без цели.",
    )
    invited_schools = models.ManyToManyField(
        School, verbose_name="приглашённые школы", through="EventInvitation", related_name="methodical_events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="создал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "методическое мероприятие"
        verbose_name_plural = "методические мероприятия"
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d.%m.%Y})"

    @property
    def level_label(self) -> str:
        return str(self.municipality) if self.municipality_id else "региональное"

    def target_met(self, invited: int, attended: int) -> bool | None:
        """Whether the share of invited schools that took part reaches the event's target (None: no target, nobody
        invited, or the event is still ahead)."""
        if self.target_share is None or not invited or not self.is_past:
            return None
        return 100 * attended >= self.target_share * invited

    @property
    def is_past(self) -> bool:
        return self.held_on <= timezone.localdate()


class EventInvitation(models.Model):
    """A school invited to an event, and whether it took part (None until marked)."""

    event = models.ForeignKey(MethodicalEvent, verbose_name="мероприятие", on_delete=models.CASCADE, related_name="invitations")
    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.PROTECT, related_name="event_invitations")
    attended = models.BooleanField("приняла участие", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "приглашение на мероприятие"
        verbose_name_plural = "приглашения и участие школ"
        ordering = ["school__short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "school"],
                name="invitation_unique_school",
                violation_error_message="Школа уже приглашена на это мероприятие.",
            )
        ]

    def __str__(self):
        return f"{self.school} — {self.event}"


class EventParticipant(models.Model):
    """A person of an invited school who attended."""

    invitation = models.ForeignKey(
        EventInvitation, verbose_name="школа", on_delete=models.CASCADE, related_name="participants"
    )
    full_name = models.CharField("ФИО", max_length=200)
    position = models.CharField("должность", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "участник мероприятия"
        verbose_name_plural = "участники мероприятий"
        ordering = ["pk"]

    def __str__(self):
        return self.full_name
