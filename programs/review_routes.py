"""Review routes (маршруты экспертизы): the kinds of review a territory runs, in order, as data.

A route belongs to a territory (`schools.Region`; none — the installation's default) and to the owner of the
programmes it serves (school programmes, or the municipal programme). Its steps say, in order, what is reviewed
(the plan, the evidence documents of a stage, an open report), by whom (the municipality's coordinator, the
department, a school or an organisation the assigner chooses), by when (a date, a month, or N days after the
review opens — read through `programs.deadlines.Deadline`), whether the verdict decides (accepts or returns the
programme) or advises, and whether it may overturn an earlier deciding verdict. A step may keep its own checklist
(`ReviewCriterion.step`); a step without one uses the common checklist.

The default routes (no territory) are today's behaviour: a school programme gets a municipal review that decides,
a mutual review (advice, by a school of the same municipality) and a regional review (decides) the coordinator and
the department may add while the decision is pending; a municipal programme gets a regional review that decides.
The migration `programs/0004_review_routes` created them; `route_for` recreates a missing one.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from schools.models import Region

from .deadlines import MONTH_NAMES, Deadline

MAX_DUE_DAYS = 365


class RouteOwner(models.TextChoices):
    SCHOOL = "school", "школьные программы"
    MUNICIPAL = "municipal", "муниципальная программа"


class StepKind(models.TextChoices):
    MUNICIPAL = "municipal", "муниципальная экспертиза"
    MUTUAL = "mutual", "взаимоэкспертиза"
    REGIONAL = "regional", "региональная экспертиза"
    CUSTOM = "custom", "иная экспертиза"


class StepSubject(models.TextChoices):
    PLAN = "plan", "программа (план)"
    EVIDENCE = "evidence", "подтверждающие документы этапа"
    REPORT = "report", "открытый доклад (отчёт)"


class StepReviewer(models.TextChoices):
    COORDINATOR = "coordinator", "координатор муниципалитета"
    DEPARTMENT = "department", "управление образования"
    SCHOOL = "school", "школа, которую назначат"
    ORGANISATION = "organisation", "эксперт организации, которую назначат"
    INSTITUTE = "institute", "институт (методический центр)"


class SchoolScope(models.TextChoices):
    MUNICIPALITY = "municipality", "школы того же муниципалитета"
    TERRITORY = "territory", "любая школа территории"
    OTHER_MUNICIPALITIES = "other", "школы других муниципалитетов"


class ReviewRoute(models.Model):
    region = models.ForeignKey(
        Region,
        verbose_name="территория (регион)",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_routes",
        help_text="Пусто — маршрут по умолчанию для всех территорий.",
    )
    owner = models.CharField("для чего", max_length=16, choices=RouteOwner.choices)
    basis = models.CharField("основание", max_length=500, blank=True, help_text="Документ, которым маршрут установлен.")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "маршрут экспертизы"
        verbose_name_plural = "маршруты экспертизы"
        ordering = ["region__name", "owner"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "owner"],
                name="review_route_unique_region_owner",
                violation_error_message="Маршрут этой территории для таких программ уже есть.",
            ),
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(region__isnull=True),
                name="review_route_unique_default",
                violation_error_message="Маршрут по умолчанию для таких программ уже есть.",
            ),
        ]

    def __str__(self):
        return f"{self.region or 'По умолчанию'}: {self.get_owner_display()}"

    @property
    def territory_label(self) -> str:
        return self.region.name if self.region_id else "По умолчанию (все территории)"


class ReviewStep(models.Model):
    route = models.ForeignKey(ReviewRoute, verbose_name="маршрут", on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("порядок", default=1)
    name = models.CharField("название", max_length=300)
    kind = models.CharField("вид", max_length=16, choices=StepKind.choices)
    subject = models.CharField(
        "что рассматривают", max_length=16, choices=StepSubject.choices, default=StepSubject.PLAN
    )
    stage_from = models.DateField(
        "этап: с", null=True, blank=True, help_text="Для документов этапа: документы, загруженные с этого дня."
    )
    stage_to = models.DateField("этап: по", null=True, blank=True, help_text="…и по этот день включительно.")
    reviewer = models.CharField("кто проводит", max_length=16, choices=StepReviewer.choices)
    school_scope = models.CharField(
        "из каких школ",
        max_length=16,
        choices=SchoolScope.choices,
        default=SchoolScope.MUNICIPALITY,
        help_text="Если экспертизу поручают школе.",
    )
    deciding = models.BooleanField(
        "решающая", default=False, help_text="Её решение принимает или возвращает программу."
    )
    required = models.BooleanField(
        "обязательная",
        default=True,
        help_text="Обязательная открывается сама (или её назначают) и без неё раунд не закрывается; необязательную "
        "открывают по решению координатора или управления.",
    )
    with_previous = models.BooleanField(
        "одновременно с предыдущей",
        default=False,
        help_text="Можно открыть, пока идёт предыдущая; иначе — после её завершения.",
    )
    may_overturn = models.BooleanField(
        "может изменить решение предыдущей",
        default=False,
        help_text="Решение этой экспертизы может отменить решение более ранней решающей экспертизы.",
    )
    due_date = models.DateField("срок: дата", null=True, blank=True)
    due_month = models.PositiveSmallIntegerField(
        "срок: месяц",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, "Месяц срока — от 1 до 12."),
            MaxValueValidator(12, "Месяц срока — от 1 до 12."),
        ],
        help_text="До конца этого месяца (ближайшего после открытия экспертизы).",
    )
    due_days = models.PositiveSmallIntegerField(
        "срок: дней после открытия",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, "Срок в днях — не меньше 1."),
            MaxValueValidator(MAX_DUE_DAYS, f"Срок в днях — не больше {MAX_DUE_DAYS}."),
        ],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "шаг маршрута экспертизы"
        verbose_name_plural = "шаги маршрутов экспертизы"
        ordering = ["route", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                name="review_step_due_month",
                condition=Q(due_month__isnull=True) | Q(due_month__gte=1, due_month__lte=12),
                violation_error_message="Месяц срока — от 1 до 12.",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"

    @property
    def chooses_reviewer(self) -> bool:
        """A school or an organisation the assigner names when opening it."""
        return self.reviewer in (StepReviewer.SCHOOL, StepReviewer.ORGANISATION)

    @property
    def due_label(self) -> str:
        if self.due_date:
            return f"{self.due_date:%d.%m.%Y}"
        if self.due_month:
            return MONTH_NAMES[self.due_month - 1]
        if self.due_days:
            return f"{self.due_days} дн. после открытия"
        return "без срока"

    @property
    def stage_label(self) -> str:
        if self.subject != StepSubject.EVIDENCE:
            return ""
        if self.stage_from and self.stage_to:
            return f"документы с {self.stage_from:%d.%m.%Y} по {self.stage_to:%d.%m.%Y}"
        return "все документы"

    def due_on(self, opened: datetime.date) -> datetime.date | None:
        """The last day of a review of this step opened on `opened`: the date; the month's last day (this year's,
        or next year's when this year's has passed — `Deadline`); or N days on."""
        if self.due_date:
            return self.due_date
        if self.due_month:
            year = opened.year
            if datetime.date(year, self.due_month, calendar.monthrange(year, self.due_month)[1]) < opened:
                year += 1
            return Deadline.in_months(year, [self.due_month]).last_day
        if self.due_days:
            return opened + datetime.timedelta(days=self.due_days)
        return None

    def clean(self):
        errors = {}
        if sum(bool(v) for v in (self.due_date, self.due_month, self.due_days)) > 1:
            errors["due_month"] = "Срок — что-то одно: дата, месяц или число дней после открытия."
        if self.due_month is not None and not 1 <= self.due_month <= 12:
            errors["due_month"] = "Месяц срока — от 1 до 12."
        if self.stage_from and self.stage_to and self.stage_from > self.stage_to:
            errors["stage_to"] = "Этап не может закончиться раньше, чем начался."
        if (self.stage_from or self.stage_to) and self.subject != StepSubject.EVIDENCE:
            errors["stage_from"] = "Сроки этапа указывают только для экспертизы подтверждающих документов."
        if self.may_overturn and not self.deciding:
            errors["may_overturn"] = "Изменить решение может только решающая экспертиза."
        if self.kind == StepKind.MUTUAL and self.reviewer != StepReviewer.SCHOOL:
            errors["reviewer"] = "Взаимоэкспертизу проводит школа: выберите «школа, которую назначат»."
        if errors:
            raise ValidationError(errors)


DEFAULT_STEPS = {
    RouteOwner.SCHOOL: [
        dict(name="Муниципальная экспертиза", kind=StepKind.MUNICIPAL, reviewer=StepReviewer.COORDINATOR,
             deciding=True, required=True),
        dict(name="Взаимоэкспертиза", kind=StepKind.MUTUAL, reviewer=StepReviewer.SCHOOL, deciding=False,
             required=False, with_previous=True, school_scope=SchoolScope.MUNICIPALITY),
        dict(name="Региональная экспертиза", kind=StepKind.REGIONAL, reviewer=StepReviewer.DEPARTMENT,
             deciding=True, required=False, with_previous=True),
    ],
    RouteOwner.MUNICIPAL: [
        dict(name="Региональная экспертиза", kind=StepKind.REGIONAL, reviewer=StepReviewer.DEPARTMENT,
             deciding=True, required=True),
    ],
}  # fmt: skip


def default_route(owner: str) -> ReviewRoute:
    """The installation's default route for the owner, made with today's steps when first read (the migration makes
    none in an empty database)."""
    route, _ = ReviewRoute.objects.get_or_create(region=None, owner=owner)
    if not route.steps.exists():
        for position, row in enumerate(DEFAULT_STEPS[owner], start=1):
            ReviewStep.objects.create(route=route, position=position, **row)
    return route


def ensure_default_routes() -> None:
    """Make the default routes that are missing (one query when none is)."""
    present = set(ReviewRoute.objects.filter(region__isnull=True, steps__isnull=False).values_list("owner", flat=True))
    for owner in set(RouteOwner.values) - present:
        default_route(owner)
