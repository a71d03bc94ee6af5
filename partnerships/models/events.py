"""Methodical events and training courses: they invite schools, municipalities (their methodical services) and named
people — teachers of the registry, members of school management teams, municipal specialists — and count them.

An event's target measures one invited group (`TargetGroup`): the share of invited schools that took part (the
meaning of every event before people were counted, so existing rows keep it), of invited teachers, of invited
management teams, or of invited municipal specialists. A course (курсы повышения квалификации) is an event of the
format «курсы» with dates from–to and hours; for it «прошёл обучение» is marked per person and the target counts
those who completed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from schools.models import Municipality, Region, School

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
        COURSE = "course", "курсы повышения квалификации"

    class TargetGroup(models.TextChoices):
        SCHOOLS = "schools", "приглашённые школы"
        TEACHERS = "teachers", "приглашённые педагоги"
        MANAGEMENT = "management", "управленческие команды приглашённых школ"
        SPECIALISTS = "specialists", "приглашённые специалисты муниципальных методических служб и МОУО"

    title = models.CharField("название", max_length=300)
    format = models.CharField("форма", max_length=16, choices=Format.choices)
    held_on = models.DateField("дата", help_text="Для курсов — дата начала.")
    ends_on = models.DateField("курсы: по", null=True, blank=True, help_text="Последний день курсов.")
    hours = models.PositiveSmallIntegerField("курсы: объём, ч", null=True, blank=True)
    starts_at = models.TimeField("начало", null=True, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="methodical_events",
        help_text="Территория мероприятия: региональное видят школы только этого региона.",
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, null=True, blank=True,
        related_name="methodical_events", help_text="Пусто — региональное мероприятие для всех муниципалитетов.",
    )
    organiser = models.CharField("организатор", max_length=300)
    place = models.CharField("место или ссылка", max_length=500, blank=True)
    description = models.TextField("программа и описание", blank=True)
    is_cancelled = models.BooleanField("отменено", default=False)
    target_group = models.CharField(
        "цель считается по группе", max_length=16, choices=TargetGroup.choices, default=TargetGroup.SCHOOLS,
        help_text="Чья доля измеряется: школ, педагогов, управленческих команд или специалистов МОУО.",
    )
    target_share = models.PositiveSmallIntegerField(
        "цель: доля группы, принявшей участие (на курсах — прошедшей обучение), %", null=True, blank=True,
        validators=SHARE_VALIDATORS,
        help_text="Например, «не менее 95 % участников Проекта приняли участие», «не менее 85 % управленческих команд "
        "прошли обучение» (краевой проект). Пусто — без цели.",
    )
    invited_municipalities = models.ManyToManyField(
        Municipality, verbose_name="приглашённые муниципалитеты (методические службы, МОУО)", blank=True,
        related_name="invited_to_events",
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

    def save(self, *args, **kwargs):
        # a municipal event is always of its municipality's region
        if self.municipality_id:
            self.region_id = Municipality.objects.filter(pk=self.municipality_id).values_list("region_id", flat=True).get()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.ends_on and self.held_on and self.ends_on < self.held_on:
            errors["ends_on"] = "Курсы не могут закончиться раньше, чем начались."
        elif self.format != self.Format.COURSE and (self.ends_on or self.hours):
            errors["ends_on"] = "Даты «по» и объём в часах указывают только для курсов повышения квалификации."
        if self.hours == 0:
            errors["hours"] = "Объём курсов — не меньше 1 часа."
        if errors:
            raise ValidationError(errors)

    @property
    def is_course(self) -> bool:
        return self.format == self.Format.COURSE

    @property
    def last_day(self):
        return self.ends_on or self.held_on

    @property
    def is_over(self) -> bool:
        """A course is over after its last day; «прошёл обучение» is marked then."""
        return self.last_day < timezone.localdate()

    @property
    def level_label(self) -> str:
        return str(self.municipality) if self.municipality_id else "региональное"

    def target_met(self, invited: int, attended: int) -> bool | None:
        """Whether the share of the invited group that took part (completed, for a course) reaches the event's
        target (None: no target, nobody invited, or the event — a course: its last day — is still ahead)."""
        if self.target_share is None or not invited or not self.is_past:
            return None
        if self.is_course and not self.is_over:
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


class EventAttendee(models.Model):
    """A named person invited to an event (enrolled on a course): whether they took part and, on a course, whether
    they completed it (None until marked).

    A teacher comes from the registry (`teacher`); a member of a school's management team or a municipal specialist
    who is in no registry is recorded by name with their school or municipality. The municipality is kept for every
    person (a school's own for school people), so counts by municipality need no join through schools."""

    class Kind(models.TextChoices):
        TEACHER = "teacher", "педагог"
        MANAGEMENT = "management", "член управленческой команды школы"
        SPECIALIST = "specialist", "специалист муниципальной методической службы / МОУО"
        OTHER = "other", "другой участник"

    event = models.ForeignKey(MethodicalEvent, verbose_name="мероприятие", on_delete=models.CASCADE, related_name="attendees")
    kind = models.CharField("кто", max_length=16, choices=Kind.choices)
    teacher = models.ForeignKey(
        "partnerships.Teacher", verbose_name="педагог из реестра", on_delete=models.CASCADE, null=True, blank=True,
        related_name="event_attendances",
    )
    school = models.ForeignKey(
        School, verbose_name="школа", on_delete=models.PROTECT, null=True, blank=True, related_name="event_attendees"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, null=True, blank=True,
        related_name="event_attendees",
    )
    full_name = models.CharField("ФИО", max_length=200)
    position = models.CharField("должность", max_length=200, blank=True)
    attended = models.BooleanField("принял(а) участие", null=True, blank=True)
    completed = models.BooleanField("прошёл(ла) обучение", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "участник мероприятия (поимённо)"
        verbose_name_plural = "приглашённые и участники мероприятий (поимённо)"
        ordering = ["kind", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "teacher"], condition=Q(teacher__isnull=False), name="attendee_unique_teacher",
                violation_error_message="Педагог уже приглашён на это мероприятие.",
            ),
            models.CheckConstraint(
                name="attendee_kind_has_its_place",
                condition=Q(kind="teacher", teacher__isnull=False, school__isnull=False)
                | Q(kind="management", school__isnull=False)
                | Q(kind="specialist", municipality__isnull=False, school__isnull=True)
                | Q(kind="other"),
                violation_error_message="Педагог выбирается из реестра, член управленческой команды — со школой, "
                "специалист — с муниципалитетом.",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} — {self.event}"

    def clean(self):
        if self.kind == self.Kind.TEACHER and not self.teacher_id:
            raise ValidationError({"teacher": "Выберите педагога из реестра."})
        if self.kind == self.Kind.MANAGEMENT and not self.school_id:
            raise ValidationError({"school": "Укажите школу, в управленческую команду которой входит участник."})
        if self.kind == self.Kind.SPECIALIST and not self.municipality_id:
            raise ValidationError({"municipality": "Укажите муниципалитет, службу которого представляет специалист."})
        if not (self.full_name or "").strip():
            raise ValidationError({"full_name": "Укажите ФИО."})
