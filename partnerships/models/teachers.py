"""Municipal tutor teams, teachers of supported schools, their deficits, development plans (ИПРП) and tutoring.

Teachers are kept with as little personal data as the work needs; their deficits, plans and tutoring sessions are
read only by the school's team, the tutors assigned to them, the coordinator and the department.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from schools.models import Municipality, School

from .lists import DeficitArea, Subject


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
