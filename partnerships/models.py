"""Support given by people: curator agreements and their sessions, tutors and teachers' development plans (ИПРП),
the bank of practices and methodical events.

- An agreement (договор о сотрудничестве) joins a curator school and a supported school for a term, with forms of
  support and a plan of joint sessions. While it is in force (status «действует» and today within the term) the
  curator school reaches the supported school (`schools.access.reach_of`).
- The curator logs each support session; the supported school confirms it or disputes it with a comment. Only
  confirmed sessions count in reports; a confirmed or disputed session is no longer the curator's to change.
- Teachers are kept with as little personal data as the work needs; their deficits, plans (ИПРП) and tutoring
  sessions are read only by the school's team, the tutors assigned to them, the coordinator and the department.
- Schools publish practices after the coordinator's moderation; every download is counted.
- Methodical events invite schools; attendance is marked per school and per person.

Every domain model keeps its history (django-simple-history): who changed what and when.
"""

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from programs.models import RiskFactor
from schools.models import Municipality, School

# Seed 000: at least five partner agreements a year in a municipality.
AGREEMENTS_PER_YEAR_TARGET = 5
# Seed 002: share of teachers with tutor support and an ИПРП — 20 % → 35 % → 50 % over the programme's years.
COVERAGE_TARGETS = (20, 35, 50)
# Seed 004: at least 80 % of ШНОР take part in methodical events.
EVENT_PARTICIPATION_TARGET = 80

MONTHS = [
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
]  # fmt: skip


def month_label(day: datetime.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def _upload_to(folder: str, filename: str) -> str:
    """A random stored name: the user's file name is kept apart and never used as a path."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"partnerships/{folder}/{uuid.uuid4().hex}{suffix}"


def agreement_scan_upload_to(instance, filename):
    return _upload_to("agreements", filename)


def session_evidence_upload_to(instance, filename):
    return _upload_to("sessions", filename)


def practice_file_upload_to(instance, filename):
    return _upload_to("practices", filename)


class StoredFile(models.Model):
    """What every stored document keeps besides the file: the user's name for it, its type and size."""

    original_name = models.CharField("имя файла", max_length=300)
    content_type = models.CharField("тип", max_length=120)
    size = models.PositiveBigIntegerField("размер, байт")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="загрузил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name


# --- data lists kept by the department ------------------------------------------------------------------------------


class Subject(models.Model):
    """A school subject: what a teacher teaches, what a practice is about."""

    code = models.SlugField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=200)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class DeficitArea(models.Model):
    """An area of professional deficits found by diagnostics (the list is data, kept by the department)."""

    code = models.SlugField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=300)
    description = models.TextField("пояснение", blank=True)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "область профессиональных дефицитов"
        verbose_name_plural = "области профессиональных дефицитов"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


# --- curator agreements -----------------------------------------------------------------------------------------------


class SessionFormat(models.TextChoices):
    CONSULTATION = "consultation", "консультация"
    SEMINAR = "seminar", "семинар"
    WEBINAR = "webinar", "вебинар"
    MASTER_CLASS = "master_class", "мастер-класс"
    LESSON_VISITS = "lesson_visits", "посещение уроков"
    JOINT_COUNCIL = "joint_council", "совместный педсовет"
    INTERNSHIP = "internship", "стажировка"
    MUTUAL_REVIEW = "mutual_review", "взаимоэкспертиза"
    OTHER = "other", "иное"


class AgreementQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        """Agreements that hold on the day: status «действует» and the day within the term."""
        on = on or timezone.localdate()
        return self.filter(status=Agreement.Status.ACTIVE, starts_on__lte=on, ends_on__gte=on)

    def overlapping(self, *, curator_school_id, supported_school_id, starts_on, ends_on):
        """Agreements of the same pair whose term overlaps the given one (terminated ones do not count)."""
        return self.filter(
            curator_school_id=curator_school_id,
            supported_school_id=supported_school_id,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        ).exclude(status=Agreement.Status.TERMINATED)


class Agreement(models.Model):
    """A cooperation agreement between a curator school and a supported school."""

    class Status(models.TextChoices):
        DRAFT = "draft", "проект"
        ACTIVE = "active", "действует"
        FINISHED = "finished", "завершён"
        TERMINATED = "terminated", "расторгнут"

    FORM_FIELDS = ("form_consulting", "form_methodical", "form_organisational", "form_resource")

    number = models.CharField("номер", max_length=50, blank=True)
    signed_on = models.DateField("дата договора", null=True, blank=True)
    starts_on = models.DateField("начало срока")
    ends_on = models.DateField("окончание срока")
    curator_school = models.ForeignKey(
        School, verbose_name="школа-куратор", on_delete=models.PROTECT, related_name="curator_agreements"
    )
    supported_school = models.ForeignKey(
        School, verbose_name="сопровождаемая школа", on_delete=models.PROTECT, related_name="support_agreements"
    )
    subject = models.TextField(
        "предмет договора",
        help_text="Что стороны делают вместе: например, «сотрудничество в целях повышения качества образования и "
        "перевода школы в эффективный режим работы».",
    )
    form_consulting = models.BooleanField("консультационная поддержка", default=True)
    form_methodical = models.BooleanField("методическая поддержка", default=True)
    form_organisational = models.BooleanField("организационная поддержка", default=False)
    form_resource = models.BooleanField("ресурсная поддержка", default=False)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    scan = models.FileField("скан подписанного договора", upload_to=agreement_scan_upload_to, max_length=300, blank=True)
    scan_name = models.CharField("имя файла скана", max_length=300, blank=True)
    scan_content_type = models.CharField("тип файла скана", max_length=120, blank=True)
    scan_size = models.PositiveBigIntegerField("размер скана, байт", null=True, blank=True)
    closed_on = models.DateField("дата завершения или расторжения", null=True, blank=True)
    termination_reason = models.TextField("причина расторжения", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="создал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)
    history = HistoricalRecords()

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = "договор о сотрудничестве"
        verbose_name_plural = "договоры о сотрудничестве"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="agreement_term_order",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="Окончание срока не может быть раньше его начала.",
            ),
            models.CheckConstraint(
                name="agreement_two_schools",
                condition=~Q(curator_school=F("supported_school")),
                violation_error_message="Школа не может сопровождать сама себя.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_on", "ends_on"], name="agreement_in_force"),
            # the list shows the newest 25 of a country's agreements: read in this order, not sorted per request
            models.Index(fields=["-starts_on", "-id"], name="agreement_list_order"),
        ]

    def __str__(self):
        number = f"№ {self.number}" if self.number else "без номера"
        return f"Договор {number}: {self.curator_school} — {self.supported_school}"

    @property
    def title(self) -> str:
        number = f"№ {self.number}" if self.number else "(проект, без номера)"
        date = f" от {self.signed_on:%d.%m.%Y}" if self.signed_on else ""
        return f"Договор о сотрудничестве {number}{date}"

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status == self.Status.ACTIVE and self.starts_on <= on <= self.ends_on

    @property
    def state_label(self) -> str:
        """The status as people read it: an active agreement whose term is over or not yet begun says so."""
        today = timezone.localdate()
        if self.status == self.Status.ACTIVE:
            if today > self.ends_on:
                return "срок истёк"
            if today < self.starts_on:
                return "подписан, срок не начался"
        return self.get_status_display()

    @property
    def state_css(self) -> str:
        if self.is_in_force():
            return "bg-success"
        if self.status == self.Status.DRAFT:
            return "bg-light text-dark border"
        if self.status == self.Status.TERMINATED:
            return "bg-danger"
        return "bg-secondary"

    @property
    def forms_label(self) -> list[str]:
        return [str(self._meta.get_field(name).verbose_name) for name in self.FORM_FIELDS if getattr(self, name)]

    @property
    def is_open(self) -> bool:
        """Draft or active: the agreement and its plan may still change."""
        return self.status in (self.Status.DRAFT, self.Status.ACTIVE)

    def term_error(self, day: datetime.date | None) -> str | None:
        if day and not self.starts_on <= day <= self.ends_on:
            return (
                f"Дата {day:%d.%m.%Y} вне срока договора: он действует с {self.starts_on:%d.%m.%Y} "
                f"по {self.ends_on:%d.%m.%Y}."
            )
        return None

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "Окончание срока не может быть раньше его начала."
        if self.curator_school_id and self.curator_school_id == self.supported_school_id:
            errors["supported_school"] = "Школа не может сопровождать сама себя: выберите другую школу."
        if not any(getattr(self, name) for name in self.FORM_FIELDS):
            errors["form_consulting"] = "Отметьте хотя бы одну форму поддержки."
        if self.signed_on and self.ends_on and self.signed_on > self.ends_on:
            errors["signed_on"] = "Договор не может быть подписан после окончания своего срока."
        if errors:
            raise ValidationError(errors)


class AgreementPlanItem(models.Model):
    """A line of the plan of joint sessions: a date (or a month), a format, a topic, the risk factor addressed."""

    agreement = models.ForeignKey(
        Agreement, verbose_name="договор", on_delete=models.CASCADE, related_name="plan_items"
    )
    planned_on = models.DateField("дата", help_text="Если известен только месяц, укажите любой его день и отметьте «только месяц».")
    month_only = models.BooleanField("только месяц", default=False)
    format = models.CharField("форма", max_length=16, choices=SessionFormat.choices)
    topic = models.CharField("тема", max_length=500)
    risk_factor = models.ForeignKey(
        RiskFactor, verbose_name="фактор риска", on_delete=models.PROTECT, null=True, blank=True,
        related_name="agreement_plan_items",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "пункт плана совместных мероприятий"
        verbose_name_plural = "план совместных мероприятий"
        ordering = ["planned_on", "pk"]

    def __str__(self):
        return f"{self.when_label}: {self.topic}"

    def save(self, *args, **kwargs):
        if self.month_only and self.planned_on:
            self.planned_on = self.planned_on.replace(day=1)
        super().save(*args, **kwargs)

    @property
    def when_label(self) -> str:
        return month_label(self.planned_on) if self.month_only else f"{self.planned_on:%d.%m.%Y}"


class SupportSession(models.Model):
    """One logged act of help under an agreement; counts in reports once the supported school confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", "ждёт подтверждения"
        CONFIRMED = "confirmed", "подтверждено"
        DISPUTED = "disputed", "оспорено"

    agreement = models.ForeignKey(Agreement, verbose_name="договор", on_delete=models.PROTECT, related_name="sessions")
    plan_item = models.ForeignKey(
        AgreementPlanItem, verbose_name="по пункту плана", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="sessions",
    )
    held_on = models.DateField("дата проведения")
    format = models.CharField("форма", max_length=16, choices=SessionFormat.choices)
    topic = models.CharField("тема", max_length=500)
    risk_factor = models.ForeignKey(
        RiskFactor, verbose_name="фактор риска", on_delete=models.PROTECT, null=True, blank=True,
        related_name="support_sessions",
    )
    teachers_count = models.PositiveSmallIntegerField("педагогов", default=0)
    managers_count = models.PositiveSmallIntegerField("руководителей", default=0)
    hours = models.DecimalField(
        "часов", max_digits=4, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(99)]
    )
    outcome = models.TextField("результат", blank=True)
    status = models.CharField("подтверждение", max_length=16, choices=Status.choices, default=Status.PENDING)
    dispute_comment = models.TextField("комментарий школы", blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="записал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    logged_at = models.DateTimeField("записано", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="подтвердил или оспорил", on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    reviewed_at = models.DateTimeField("подтверждено или оспорено", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "занятие по договору"
        verbose_name_plural = "занятия по договорам"
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["agreement", "status"], name="session_agreement_status"),
            models.Index(fields=["-held_on", "-id"], name="session_list_order"),
        ]

    def __str__(self):
        return f"{self.held_on:%d.%m.%Y} {self.get_format_display()}: {self.topic}"

    @property
    def participants(self) -> int:
        return self.teachers_count + self.managers_count

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def status_css(self) -> str:
        return {
            self.Status.PENDING: "bg-warning text-dark",
            self.Status.CONFIRMED: "bg-success",
            self.Status.DISPUTED: "bg-danger",
        }[self.status]


class SessionEvidence(StoredFile):
    """A document proving a session: minutes, a list of participants, photos."""

    session = models.ForeignKey(
        SupportSession, verbose_name="занятие", on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField("файл", upload_to=session_evidence_upload_to, max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "подтверждение занятия"
        verbose_name_plural = "подтверждения занятий"
        ordering = ["uploaded_at", "pk"]


# --- tutors and teachers ------------------------------------------------------------------------------------------


class TutorProfile(models.Model):
    """A member of the municipal tutor team; the role itself is a `RoleAssignment` (tutor, municipality)."""

    class Direction(models.TextChoices):
        TEACHERS = "teachers", "сопровождение педагогов"
        GIFTED = "gifted", "работа с одарёнными детьми"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="тьютор", on_delete=models.CASCADE, related_name="tutor_profiles"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.CASCADE, related_name="tutor_profiles"
    )
    direction = models.CharField("направление", max_length=16, choices=Direction.choices, default=Direction.TEACHERS)
    subjects = models.ManyToManyField(Subject, verbose_name="предметы", blank=True, related_name="tutor_profiles")
    workplace = models.ForeignKey(
        School, verbose_name="основное место работы", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    note = models.CharField("примечание", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "тьютор муниципальной команды"
        verbose_name_plural = "муниципальные команды тьюторов"
        ordering = ["municipality__name", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"],
                name="tutor_profile_unique",
                violation_error_message="Этот тьютор уже есть в команде муниципалитета.",
            )
        ]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username} ({self.municipality})"


class Teacher(models.Model):
    """A teacher of a supported school, with only what the work needs (personal data, 152-ФЗ)."""

    class Category(models.TextChoices):
        NONE = "none", "без категории"
        CONFORMITY = "conformity", "соответствие занимаемой должности"
        FIRST = "first", "первая"
        HIGHEST = "highest", "высшая"
        METHODIST = "methodist", "педагог-методист"
        MENTOR = "mentor", "педагог-наставник"

    class Experience(models.TextChoices):
        UNDER_3 = "under_3", "до 3 лет"
        FROM_3_TO_10 = "3_10", "от 3 до 10 лет"
        FROM_10_TO_20 = "10_20", "от 10 до 20 лет"
        OVER_20 = "over_20", "более 20 лет"

    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.PROTECT, related_name="teachers")
    full_name = models.CharField("ФИО", max_length=200)
    subject = models.ForeignKey(Subject, verbose_name="предмет", on_delete=models.PROTECT, related_name="teachers")
    category = models.CharField("квалификационная категория", max_length=16, choices=Category.choices, default=Category.NONE)
    experience = models.CharField("педагогический стаж", max_length=16, choices=Experience.choices)
    is_active = models.BooleanField("работает в школе", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="внёс", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("внесён", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "педагог"
        verbose_name_plural = "педагоги"
        ordering = ["school__short_name", "full_name"]

    def __str__(self):
        return self.full_name


class TutorAssignmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


class TutorAssignment(models.Model):
    """A tutor beside a teacher, from a day until a day (open-ended while it lasts)."""

    teacher = models.ForeignKey(Teacher, verbose_name="педагог", on_delete=models.CASCADE, related_name="tutor_assignments")
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="тьютор", on_delete=models.PROTECT, related_name="tutored_teachers"
    )
    starts_on = models.DateField("с")
    ends_on = models.DateField("по", null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="назначил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = TutorAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "закрепление тьютора"
        verbose_name_plural = "закрепления тьюторов за педагогами"
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="tutor_assignment_order",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                violation_error_message="Закрепление не может закончиться раньше, чем началось.",
            )
        ]

    def __str__(self):
        return f"{self.tutor} → {self.teacher}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class TeacherDeficit(models.Model):
    """A professional deficit of a teacher found by diagnostics."""

    class Level(models.TextChoices):
        SIGNIFICANT = "significant", "выраженный"
        PARTIAL = "partial", "частичный"

    teacher = models.ForeignKey(Teacher, verbose_name="педагог", on_delete=models.CASCADE, related_name="deficits")
    area = models.ForeignKey(DeficitArea, verbose_name="область", on_delete=models.PROTECT, related_name="deficits")
    level = models.CharField("выраженность", max_length=16, choices=Level.choices, default=Level.SIGNIFICANT)
    diagnosed_on = models.DateField("дата диагностики")
    source = models.CharField("диагностика", max_length=300, blank=True, help_text="Например: «Диагностика ЦНППМ, ноябрь».")
    note = models.TextField("примечание", blank=True)
    resolved_on = models.DateField("преодолён", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "профессиональный дефицит"
        verbose_name_plural = "профессиональные дефициты"
        ordering = ["resolved_on", "-diagnosed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "area", "diagnosed_on"],
                name="deficit_unique_per_diagnostics",
                violation_error_message="Этот дефицит по этой диагностике уже записан.",
            )
        ]

    def __str__(self):
        return f"{self.area} ({self.get_level_display()})"


class DevelopmentPlan(models.Model):
    """ИПРП: a teacher's individual plan of professional development for a school year, kept with a tutor."""

    class Status(models.TextChoices):
        DRAFT = "draft", "проект"
        ACTIVE = "active", "выполняется"
        COMPLETED = "completed", "выполнен"
        CANCELLED = "cancelled", "отменён"

    # Plans that count as «teacher has an ИПРП» in coverage.
    COUNTING = (Status.ACTIVE, Status.COMPLETED)

    teacher = models.ForeignKey(Teacher, verbose_name="педагог", on_delete=models.CASCADE, related_name="plans")
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="тьютор", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="development_plans",
    )
    year = models.PositiveSmallIntegerField(
        "учебный год", validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="Год окончания учебного года: 2027 — это 2026/27.",
    )
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание")
    goal = models.TextField("цель", blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="составил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("составлен", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ИПРП"
        verbose_name_plural = "ИПРП (индивидуальные планы профессионального развития)"
        ordering = ["-year", "teacher__full_name"]
        constraints = [
            models.CheckConstraint(
                name="plan_term_order",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="Окончание плана не может быть раньше его начала.",
            ),
            models.UniqueConstraint(
                fields=["teacher", "year"],
                name="plan_unique_teacher_year",
                violation_error_message="У педагога уже есть ИПРП на этот учебный год.",
            ),
        ]

    def __str__(self):
        return f"ИПРП {self.teacher} на {self.year_label}"

    @property
    def year_label(self) -> str:
        return f"{self.year - 1}/{str(self.year)[-2:]}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "Окончание плана не может быть раньше его начала."})


class PlanItemStatus(models.TextChoices):
    PLANNED = "planned", "запланировано"
    IN_PROGRESS = "in_progress", "выполняется"
    DONE = "done", "выполнено"
    CANCELLED = "cancelled", "отменено"


OPEN_ITEM_STATUSES = (PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS)


class DevelopmentPlanItem(models.Model):
    """A step of an ИПРП: what the teacher does, in which form, by when; it may address a deficit."""

    class Form(models.TextChoices):
        COURSE = "course", "курсы повышения квалификации"
        INTERNSHIP = "internship", "стажировка"
        MENTORING = "mentoring", "наставничество"
        LESSON_VISITS = "lesson_visits", "посещение уроков коллег"
        SELF_STUDY = "self_study", "самообразование"
        EVENT = "event", "методическое мероприятие"
        OTHER = "other", "иное"

    plan = models.ForeignKey(DevelopmentPlan, verbose_name="ИПРП", on_delete=models.CASCADE, related_name="items")
    deficit = models.ForeignKey(
        TeacherDeficit, verbose_name="дефицит", on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_items"
    )
    action = models.CharField("мероприятие", max_length=500)
    form = models.CharField("форма", max_length=16, choices=Form.choices, default=Form.COURSE)
    due_on = models.DateField("срок")
    status = models.CharField("статус", max_length=16, choices=PlanItemStatus.choices, default=PlanItemStatus.PLANNED)
    result = models.TextField("результат", blank=True)
    done_on = models.DateField("выполнено", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "пункт ИПРП"
        verbose_name_plural = "пункты ИПРП"
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.action

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN_ITEM_STATUSES and self.due_on < today


class TutoringSession(models.Model):
    """A tutor's session with a teacher."""

    class Format(models.TextChoices):
        CONSULTATION = "consultation", "консультация"
        LESSON_VISIT = "lesson_visit", "посещение урока"
        LESSON_ANALYSIS = "lesson_analysis", "разбор урока"
        JOINT_PLANNING = "joint_planning", "совместное планирование"
        OTHER = "other", "иное"

    teacher = models.ForeignKey(Teacher, verbose_name="педагог", on_delete=models.CASCADE, related_name="tutoring_sessions")
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="тьютор", on_delete=models.PROTECT, related_name="tutoring_sessions"
    )
    held_on = models.DateField("дата")
    format = models.CharField("форма", max_length=16, choices=Format.choices, default=Format.CONSULTATION)
    topic = models.CharField("тема", max_length=500)
    hours = models.DecimalField(
        "часов", max_digits=4, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(24)]
    )
    note = models.TextField("итог", blank=True)
    logged_at = models.DateTimeField("записано", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "тьюторское занятие"
        verbose_name_plural = "тьюторские занятия"
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.held_on:%d.%m.%Y}: {self.topic}"


# --- the bank of practices ----------------------------------------------------------------------------------------


class Practice(models.Model):
    """A practice a school shares; published after the coordinator's moderation."""

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        SUBMITTED = "submitted", "на модерации"
        PUBLISHED = "published", "опубликована"
        RETURNED = "returned", "возвращена на доработку"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.PROTECT, related_name="practices")
    title = models.CharField("название", max_length=300)
    description = models.TextField("описание", help_text="Что сделано, для кого, какой получен результат.")
    subjects = models.ManyToManyField(Subject, verbose_name="предметы", blank=True, related_name="practices")
    risk_factors = models.ManyToManyField(RiskFactor, verbose_name="факторы риска", blank=True, related_name="practices")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    moderation_comment = models.TextField("замечания модератора", blank=True)
    submitted_at = models.DateTimeField("отправлена на модерацию", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="модератор", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField("проверена", null=True, blank=True)
    published_at = models.DateTimeField("опубликована", null=True, blank=True)
    download_count = models.PositiveIntegerField("скачиваний", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="автор записи", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)
    history = HistoricalRecords(excluded_fields=["download_count"])

    class Meta:
        verbose_name = "практика"
        verbose_name_plural = "банк практик"
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["-published_at", "-created_at", "-id"], name="practice_list_order")]

    def __str__(self):
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def status_css(self) -> str:
        return {
            self.Status.DRAFT: "bg-light text-dark border",
            self.Status.SUBMITTED: "bg-warning text-dark",
            self.Status.PUBLISHED: "bg-success",
            self.Status.RETURNED: "bg-danger",
        }[self.status]


class PracticeFile(StoredFile):
    practice = models.ForeignKey(Practice, verbose_name="практика", on_delete=models.CASCADE, related_name="files")
    file = models.FileField("файл", upload_to=practice_file_upload_to, max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "файл практики"
        verbose_name_plural = "файлы практик"
        ordering = ["uploaded_at", "pk"]


class PracticeDownload(models.Model):
    """One download of a published practice's file (seed 001 counts them)."""

    practice = models.ForeignKey(Practice, verbose_name="практика", on_delete=models.CASCADE, related_name="downloads")
    file = models.ForeignKey(
        PracticeFile, verbose_name="файл", on_delete=models.SET_NULL, null=True, blank=True, related_name="downloads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="кто скачал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    downloaded_at = models.DateTimeField("когда", default=timezone.now)

    class Meta:
        verbose_name = "скачивание практики"
        verbose_name_plural = "скачивания практик"
        ordering = ["-downloaded_at"]

    def __str__(self):
        return f"{self.practice} — {self.downloaded_at:%d.%m.%Y %H:%M}"


# --- methodical events --------------------------------------------------------------------------------------------


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
