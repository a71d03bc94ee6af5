"""Programmes and their roadmaps, reviewed by experts.

A programme (municipal support programme, school programme of transition to effective work, anti-risk programme,
medium-term development programme) belongs to a municipality or to one school. Its roadmap is sections (задачи)
→ measures (мероприятия) with planned values in total and per year, executors, a deadline, a status, actual values
and evidence files. A school submits its programme; reviews (municipal, mutual, regional) accept it or return it
with remarks; every round is kept as a snapshot so that it can be compared with the previous one.

Every model keeps its history (django-simple-history): who changed what and when.
"""

import datetime
import re
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from schools.models import Municipality, Organisation, Region, School

from .deadlines import Deadline, DeadlineKind, deadline_fields
from .review_routes import ReviewRoute, ReviewStep, RouteOwner, StepSubject  # noqa: F401  (the app's models)

YEAR_MIN = 2000
YEAR_MAX = 2100
MAX_PERIOD_YEARS = 10
PLAN_TEXT_MAX = 100

# Qualifiers the seed documents write in front of a planned number: «не менее 3», «до 5».
_QUALIFIER = (
    r"(?:не\s+менее|не\s+более|не\s+ниже|не\s+выше|не\s+меньше|не\s+больше|до|от|около|более|менее|≥|>=|≤|<=)"
)
_QUALIFIED_NUMBER = re.compile(rf"^{_QUALIFIER}\s*(\d+(?:[.,]\d+)?)(?:\s+[^\d/]*)?$", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_NEGATIVE = re.compile(rf"^(?:{_QUALIFIER}\s*)?[-−]\s*\d", re.IGNORECASE)


def plan_value_parse(raw) -> tuple[Decimal | None, str]:
    """A planned value as the seed documents write it → (number, text as written).

    «4» → (4, ""); «не менее 3» → (3, "не менее 3"); «1/4», «По количеству педагогов» → (None, text).
    A negative number raises ValidationError: a plan cannot be below zero.
    """
    if raw is None:
        return None, ""
    if isinstance(raw, bool):
        raise ValidationError("Ожидается число или короткая запись вроде «не менее 3».")
    if isinstance(raw, int | float | Decimal):
        value = Decimal(str(raw))
        if value < 0:
            raise ValidationError("Плановое значение не может быть отрицательным.")
        return _quantize(value), ""
    text = " ".join(str(raw).split())
    if not text:
        return None, ""
    if _NEGATIVE.search(text):
        raise ValidationError("Плановое значение не может быть отрицательным.")
    if len(text) > PLAN_TEXT_MAX:
        raise ValidationError(f"Слишком длинная запись: не больше {PLAN_TEXT_MAX} знаков.")
    if _PLAIN_NUMBER.match(text):
        return _quantize(Decimal(text.replace(",", "."))), ""
    match = _QUALIFIED_NUMBER.match(text)
    if match:
        return _quantize(Decimal(match.group(1).replace(",", "."))), text
    return None, text


def _quantize(value: Decimal) -> Decimal:
    try:
        value = value.quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationError("Слишком большое число.") from exc
    if value >= Decimal("10000000000"):
        raise ValidationError("Слишком большое число.")
    return value


def number_label(value: Decimal | None) -> str:
    """4.00 → «4», 2.50 → «2,5»: how numbers are shown and written back."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def plan_label(value: Decimal | None, text: str) -> str:
    return text or number_label(value)


class RiskFactor(models.Model):
    """What keeps a school's results low; the department keeps the list, anti-risk programmes address one."""

    region = models.ForeignKey(
        Region, verbose_name="территория (регион)", on_delete=models.CASCADE, null=True, blank=True,
        related_name="risk_factors", help_text="Пусто — список по умолчанию для территорий без своего.",
    )  # fmt: skip
    code = models.SlugField("код", max_length=64)
    name = models.CharField("название", max_length=300)
    description = models.TextField("пояснение", blank=True)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "фактор риска"
        verbose_name_plural = "факторы риска"
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"], name="risk_factor_unique_region_code",
                violation_error_message="Фактор риска с таким кодом в списке территории уже есть.",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(region__isnull=True), name="risk_factor_unique_default_code",
                violation_error_message="Фактор риска с таким кодом в списке по умолчанию уже есть.",
            ),
        ]  # fmt: skip

    def __str__(self):
        return self.name


class ReviewCriterion(models.Model):
    """One line of a review checklist (экспертиза); the department edits the lists. A criterion of a step belongs to
    that step's own checklist (of the step's route's territory); one without a step to the common checklist, used by
    the steps that have none — the region's own common checklist if it has one, else the default (no region)."""

    step = models.ForeignKey(
        ReviewStep, verbose_name="шаг маршрута", on_delete=models.CASCADE, null=True, blank=True,
        related_name="criteria", help_text="Пусто — общий чек-лист, для шагов без своего.",
    )
    region = models.ForeignKey(
        Region, verbose_name="территория (регион) общего чек-листа", on_delete=models.CASCADE, null=True, blank=True,
        related_name="review_criteria",
        help_text="Только для общего чек-листа (без шага). Пусто — общий чек-лист по умолчанию.",
    )
    name = models.CharField("критерий", max_length=500)
    description = models.TextField("что проверить", blank=True)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "критерий экспертизы"
        verbose_name_plural = "критерии экспертизы (чек-лист)"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                name="review_criterion_region_of_common_list",
                condition=Q(step__isnull=True) | Q(region__isnull=True),
                violation_error_message="Критерий шага принадлежит территории маршрута: территорию указывают только "
                "для общего чек-листа.",
            ),
        ]

    def __str__(self):
        return self.name


class Rag(models.TextChoices):
    GREEN = "green", "в срок"
    AMBER = "amber", "есть просроченные"
    RED = "red", "отстаёт"


def rag_of(*, active: int, overdue: int) -> str:
    """Red when more than a quarter of the measures to do is overdue, amber when any is, green otherwise."""
    if overdue and active and overdue * 4 > active:
        return Rag.RED
    if overdue:
        return Rag.AMBER
    return Rag.GREEN


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "запланировано"
    IN_PROGRESS = "in_progress", "выполняется"
    DONE = "done", "выполнено"
    CANCELLED = "cancelled", "отменено"


OPEN_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Open measures whose term has ended: `deadline` is the term's last day (a month's, the last month's, the
    year's), so one indexed comparison serves every kind of deadline (see programs/deadlines.py)."""
    return Q(**{f"{prefix}deadline__lt": today, f"{prefix}status__in": OPEN_STATUSES})


class ProgrammeQuerySet(models.QuerySet):
    def with_progress(self, today: datetime.date | None = None):
        """Counts of measures, done and overdue, in the same query (no query per programme)."""
        today = today or timezone.localdate()
        return self.annotate(
            measure_count=Count("measures", filter=~Q(measures__status=MeasureStatus.CANCELLED), distinct=True),
            done_count=Count("measures", filter=Q(measures__status=MeasureStatus.DONE), distinct=True),
            overdue_count=Count("measures", filter=overdue_q(today, "measures__"), distinct=True),
        )


class Programme(models.Model):
    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", "муниципальная программа поддержки ШНОР и ШНСУ"
        TRANSITION = "transition", "программа перехода в эффективный режим работы"
        ANTI_RISK = "anti_risk", "антирисковая программа"
        MEDIUM_TERM = "medium_term", "среднесрочная программа развития"
        REGIONAL = "regional", "региональный план-график («дорожная карта») реализации проекта"

    class State(models.TextChoices):
        DRAFT = "draft", "черновик"
        SUBMITTED = "submitted", "отправлена на экспертизу"
        IN_REVIEW = "in_review", "на экспертизе"
        RETURNED = "returned", "возвращена на доработку"
        RESUBMITTED = "resubmitted", "отправлена повторно"
        ACCEPTED = "accepted", "принята"

    SCHOOL_KINDS = (Kind.TRANSITION, Kind.ANTI_RISK, Kind.MEDIUM_TERM)
    # The plan (passport, sections, planned values) changes only in these states; execution (status, actual
    # values, evidence) is reported in any state.
    PLAN_EDITABLE_STATES = (State.DRAFT, State.RETURNED)
    AWAITING_DECISION_STATES = (State.SUBMITTED, State.RESUBMITTED, State.IN_REVIEW)

    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    title = models.CharField("наименование", max_length=500)
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, null=True, blank=True,
        related_name="programmes", help_text="Владелец муниципальной и школьных программ; у регионального плана-графика "
        "пусто.",
    )
    # Only the regional plan-schedule has a region: every other programme's region is its municipality's, and
    # leaving it empty there keeps one source of truth (no copy to drift) and lets the access rule read
    # «region_id in the user's regions» without a kind test.
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, null=True, blank=True, related_name="programmes",
        help_text="Только у регионального плана-графика: регион, чьё министерство его утверждает.",
    )
    school = models.ForeignKey(
        School, verbose_name="школа", on_delete=models.PROTECT, null=True, blank=True, related_name="programmes",
        help_text="Для школьных программ; у муниципальной программы школы нет.",
    )
    risk_factor = models.ForeignKey(
        RiskFactor, verbose_name="фактор риска", on_delete=models.PROTECT, null=True, blank=True,
        related_name="programmes", help_text="Для антирисковой программы: фактор, который она преодолевает.",
    )
    period_start = models.PositiveSmallIntegerField(
        "первый год", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    period_end = models.PositiveSmallIntegerField(
        "последний год", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    preparation_from = models.DateField(
        "подготовка с", null=True, blank=True,
        help_text="Если до первого года программы идёт подготовка (входной мониторинг, анализ): с этого дня можно "
        "ставить сроки мероприятий. Например, «Входной мониторинг … Декабрь 2021» программы на 2022–2024 годы.",
    )
    # The passport («Паспорт Программы» of seed 002).
    goal = models.TextField("цель", blank=True)
    tasks = models.TextField("задачи", blank=True, help_text="По одной задаче в строке.")
    curator = models.CharField("куратор программы", max_length=300, blank=True)
    responsible_executor = models.CharField("ответственный исполнитель", max_length=500, blank=True)
    executors = models.TextField("исполнители", blank=True)
    web_address = models.URLField("адрес размещения в интернете", max_length=300, blank=True)

    state = models.CharField("состояние", max_length=16, choices=State.choices, default=State.DRAFT)
    round = models.PositiveSmallIntegerField("раунд экспертизы", default=0, help_text="Сколько раз программу отправляли.")
    version = models.PositiveIntegerField("версия", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="создал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)
    submitted_at = models.DateTimeField("отправлена", null=True, blank=True)
    accepted_at = models.DateTimeField("принята", null=True, blank=True)
    history = HistoricalRecords()

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = "программа"
        verbose_name_plural = "программы"
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(
                name="programme_owner_matches_kind",
                condition=Q(kind="municipal", school__isnull=True, municipality__isnull=False, region__isnull=True)
                | Q(
                    kind__in=["transition", "anti_risk", "medium_term"],
                    school__isnull=False, municipality__isnull=False, region__isnull=True,
                )
                | Q(kind="regional", school__isnull=True, municipality__isnull=True, region__isnull=False),
                violation_error_message="Владелец не подходит к виду программы: у муниципальной — муниципалитет, у "
                "школьной — школа, у регионального плана-графика — только регион.",
            ),
            models.CheckConstraint(name="programme_period_order", condition=Q(period_start__lte=models.F("period_end"))),
        ]
        indexes = [models.Index(fields=["municipality", "state"], name="programme_municipality_state")]

    def __str__(self):
        return self.title

    # --- the period ---

    @property
    def years(self) -> list[int]:
        return list(range(self.period_start, self.period_end + 1))

    @property
    def period_label(self) -> str:
        if self.period_start == self.period_end:
            return str(self.period_start)
        return f"{self.period_start}–{self.period_end}"

    @property
    def period_first_day(self) -> datetime.date:
        return datetime.date(self.period_start, 1, 1)

    @property
    def earliest_deadline(self) -> datetime.date:
        """The first day a measure may be due: the preparation's, when the programme has one, else the period's."""
        return min(self.preparation_from or self.period_first_day, self.period_first_day)

    @property
    def period_last_day(self) -> datetime.date:
        return datetime.date(self.period_end, 12, 31)

    def deadline_error(self, deadline: "Deadline | datetime.date | None") -> str | None:
        """Why a deadline (a date, a month, months or a year) does not fit the programme, or None."""
        if isinstance(deadline, datetime.date):
            deadline = Deadline.on(deadline)
        if deadline and not self.earliest_deadline <= deadline.first_day <= deadline.last_day <= self.period_last_day:
            preparation = "" if self.preparation_from else " (подготовку до первого года отмечают в паспорте: «подготовка с»)"
            return (
                f"Срок «{deadline.label}» вне срока программы: допустимо с {self.earliest_deadline:%d.%m.%Y} "
                f"по {self.period_last_day:%d.%m.%Y}{preparation}."
            )
        return None

    # --- the owner ---

    @property
    def is_municipal(self) -> bool:
        return self.kind == self.Kind.MUNICIPAL

    @property
    def is_regional(self) -> bool:
        """The region's plan-schedule (seed 004): no review route, the ministry approves it itself."""
        return self.kind == self.Kind.REGIONAL

    @property
    def territory_region_id(self) -> int | None:
        """The region the programme belongs to: its own, or its municipality's."""
        return self.region_id if self.is_regional else self.municipality.region_id

    @property
    def owner_label(self) -> str:
        if self.is_regional:
            return str(self.region)
        return str(self.school) if self.school_id else str(self.municipality)

    @property
    def deciding_review_kind(self) -> str:
        """Whose verdict accepts or returns the programme: the coordinator's for a school, the region's for a
        municipality (and for the regional plan-schedule, which no review decides: the ministry approves it)."""
        return Review.Kind.REGIONAL if self.is_municipal or self.is_regional else Review.Kind.MUNICIPAL

    @property
    def route_owner(self) -> str | None:
        """Which review route serves it (`programs.review_routes`); none for the regional plan-schedule."""
        if self.is_regional:
            return None
        return RouteOwner.MUNICIPAL if self.is_municipal else RouteOwner.SCHOOL

    # --- the state ---

    @property
    def plan_is_editable(self) -> bool:
        return self.state in self.PLAN_EDITABLE_STATES

    @property
    def awaits_decision(self) -> bool:
        return self.state in self.AWAITING_DECISION_STATES

    def clean(self):
        errors = {}
        if self.is_regional and (self.school_id or self.municipality_id or not self.region_id):
            errors["region"] = "Региональный план-график принадлежит региону: укажите регион, без муниципалитета и школы."
        if not self.is_regional and self.region_id:
            errors["region"] = "Регион указывают только у регионального плана-графика."
        if self.kind == self.Kind.MUNICIPAL and self.school_id:
            errors["school"] = "У муниципальной программы школы нет: её владелец — муниципалитет."
        if self.kind in self.SCHOOL_KINDS and not self.school_id:
            errors["school"] = "Укажите школу: это школьная программа."
        if self.kind == self.Kind.ANTI_RISK and not self.risk_factor_id:
            errors["risk_factor"] = "Антирисковая программа преодолевает один фактор риска: укажите его."
        if self.period_start and self.period_end:
            if self.period_start > self.period_end:
                errors["period_end"] = "Последний год не может быть раньше первого."
            elif self.period_end - self.period_start + 1 > MAX_PERIOD_YEARS:
                errors["period_end"] = f"Срок программы — не больше {MAX_PERIOD_YEARS} лет."
            if self.preparation_from and self.preparation_from >= self.period_first_day:
                errors["preparation_from"] = (
                    f"Подготовка идёт до первого года программы: укажите день раньше {self.period_first_day:%d.%m.%Y} "
                    "или оставьте поле пустым."
                )
        if errors:
            raise ValidationError(errors)


class RoadmapSection(models.Model):
    """A task (задача, приоритет) of the roadmap; its number is its position."""

    programme = models.ForeignKey(Programme, verbose_name="программа", on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField("порядковый номер", default=1)
    title = models.CharField("задача", max_length=1000)
    version = models.PositiveIntegerField("версия", default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "задача дорожной карты"
        verbose_name_plural = "задачи дорожных карт"
        ordering = ["programme", "position", "pk"]
        indexes = [models.Index(fields=["programme", "position"], name="section_programme_position")]

    def __str__(self):
        return f"{self.position}. {self.title}"

    @property
    def number(self) -> str:
        return str(self.position)


class RoadmapMeasure(models.Model):
    """A measure (мероприятие) of a roadmap section; numbered «section.position» (1.1, 1.2…)."""

    Status = MeasureStatus

    programme = models.ForeignKey(Programme, verbose_name="программа", on_delete=models.CASCADE, related_name="measures")
    section = models.ForeignKey(
        RoadmapSection, verbose_name="задача", on_delete=models.CASCADE, related_name="measures"
    )
    position = models.PositiveIntegerField("порядковый номер в задаче", default=1)
    name = models.CharField("мероприятие", max_length=1000)
    result_name = models.CharField("наименование результата", max_length=1000, blank=True)
    unit = models.CharField("единица измерения", max_length=60, blank=True)
    planned_value = models.DecimalField(
        "плановое значение (число)", max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    planned_text = models.CharField(
        "плановое значение (как записано)", max_length=PLAN_TEXT_MAX, blank=True,
        help_text="Если в документе не просто число: «не менее 3», «1/4», «по количеству педагогов».",
    )
    executors = models.CharField("исполнители", max_length=500, blank=True)
    # The deadline as written (programs/deadlines.py): `deadline` is its last day, the one column queries read.
    deadline = models.DateField(
        "срок (последний день)", null=True, blank=True,
        help_text="Для месяца — последний день месяца, для «в течение года» — 31 декабря.",
    )
    deadline_kind = models.CharField(
        "вид срока", max_length=8, choices=DeadlineKind.choices, default=DeadlineKind.DATE
    )
    deadline_months = models.PositiveSmallIntegerField(
        "месяцы срока", default=0, validators=[MaxValueValidator(4095)],
        help_text="Битовая маска: январь = 1, февраль = 2, март = 4 … декабрь = 2048; 0 — дата или год.",
    )
    status = models.CharField("статус", max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    risk_factor = models.ForeignKey(
        RiskFactor, verbose_name="фактор риска", on_delete=models.PROTECT, null=True, blank=True,
        related_name="measures",
    )
    note = models.TextField("примечание", blank=True)
    version = models.PositiveIntegerField("версия", default=1)
    updated_at = models.DateTimeField("изменено", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "мероприятие дорожной карты"
        verbose_name_plural = "мероприятия дорожных карт"
        ordering = ["section__position", "position", "pk"]
        indexes = [
            models.Index(fields=["section", "position"], name="measure_section_position"),
            models.Index(fields=["programme", "status", "deadline"], name="measure_programme_due"),
        ]
        constraints = [
            models.CheckConstraint(
                name="measure_deadline_months",
                condition=Q(deadline_kind__in=["month", "months"], deadline_months__gt=0, deadline_months__lte=4095)
                | Q(deadline_kind__in=["date", "year"], deadline_months=0),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def planned_label(self) -> str:
        return plan_label(self.planned_value, self.planned_text)

    @property
    def due(self) -> Deadline | None:
        """The deadline as written: a date, a month, months or a year (None when there is none)."""
        return Deadline.from_fields(self.deadline, self.deadline_kind, self.deadline_months)

    @due.setter
    def due(self, value: Deadline | None) -> None:
        for name, field_value in deadline_fields(value).items():
            setattr(self, name, field_value)

    @property
    def deadline_label(self) -> str:
        """«15.05.2026», «май 2026», «сентябрь, октябрь, ноябрь 2026», «в течение 2026 года» or ""."""
        due = self.due
        return due.label if due else ""

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Not done after the term's last day: after the date, the month's (the last month's) last day, 31 December."""
        today = today or timezone.localdate()
        return bool(self.deadline and self.deadline < today and self.status in OPEN_STATUSES)

    def clean(self):
        due = self.due
        stored = {"deadline": self.deadline, "deadline_kind": self.deadline_kind, "deadline_months": self.deadline_months}
        if due is not None and due.fields() != stored:
            raise ValidationError({"deadline": "Срок записан несогласованно (вид, месяцы, последний день): укажите его заново."})
        if self.programme_id and due:
            error = self.programme.deadline_error(due)
            if error:
                raise ValidationError({"deadline": error})


class MeasureYear(models.Model):
    """Planned and actual value of a measure in one year of the programme's period."""

    measure = models.ForeignKey(RoadmapMeasure, verbose_name="мероприятие", on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("год", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)])
    planned_value = models.DecimalField(
        "план (число)", max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    planned_text = models.CharField("план (как записано)", max_length=PLAN_TEXT_MAX, blank=True)
    actual_value = models.DecimalField(
        "факт", max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "значение мероприятия за год"
        verbose_name_plural = "значения мероприятий по годам"
        ordering = ["measure", "year"]
        constraints = [models.UniqueConstraint(fields=["measure", "year"], name="measure_year_unique")]

    def __str__(self):
        return f"{self.measure} — {self.year}"

    @property
    def planned_label(self) -> str:
        return plan_label(self.planned_value, self.planned_text)

    @property
    def actual_label(self) -> str:
        return number_label(self.actual_value)


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    """A random name under the programme: the user's file name is kept in `original_name`, never used as a path."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"programs/evidence/{instance.measure.programme_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A document that proves a measure was carried out: an order, minutes, a report (приказ, протокол, справка)."""

    measure = models.ForeignKey(
        RoadmapMeasure, verbose_name="мероприятие", on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField("документ", max_length=300, help_text="Например: «Приказ № 45 от 12.09.2025».")
    file = models.FileField("файл", upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField("имя файла", max_length=300)
    content_type = models.CharField("тип", max_length=120)
    size = models.PositiveBigIntegerField("размер, байт")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="загрузил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "подтверждающий документ"
        verbose_name_plural = "подтверждающие документы"
        ordering = ["measure", "uploaded_at", "pk"]

    def __str__(self):
        return f"{self.title} ({self.original_name})"


class Review(models.Model):
    """One expert review of one round of a programme."""

    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", "муниципальная экспертиза"
        MUTUAL = "mutual", "взаимоэкспертиза"
        REGIONAL = "regional", "региональная экспертиза"
        CUSTOM = "custom", "иная экспертиза"

    class Status(models.TextChoices):
        PENDING = "pending", "ожидает"
        IN_PROGRESS = "in_progress", "идёт"
        DONE = "done", "завершена"
        WITHDRAWN = "withdrawn", "снята"

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", "принять"
        RETURNED = "returned", "вернуть на доработку"

    OPEN_STATUSES = (Status.PENDING, Status.IN_PROGRESS)

    programme = models.ForeignKey(Programme, verbose_name="программа", on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveSmallIntegerField("раунд")
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    step = models.ForeignKey(
        ReviewStep, verbose_name="шаг маршрута", on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    # Copied from the step when the review opens, so that a later change of the route does not rewrite it.
    deciding = models.BooleanField("решающая", default=False)
    subject = models.CharField("что рассматривают", max_length=16, choices=StepSubject.choices, default=StepSubject.PLAN)
    due_on = models.DateField("срок", null=True, blank=True)
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.PENDING)
    reviewer_organisation = models.ForeignKey(
        Organisation, verbose_name="организация-эксперт", on_delete=models.PROTECT, null=True, blank=True,
        related_name="reviews", help_text="Если экспертизу поручили организации: её эксперты проводят её.",
    )
    reviewer_school = models.ForeignKey(
        School, verbose_name="школа-эксперт", on_delete=models.PROTECT, null=True, blank=True, related_name="reviews",
        help_text="Для взаимоэкспертизы: школа-куратор или другая ШНОР, которой её поручили.",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="назначил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("назначена", auto_now_add=True)
    started_at = models.DateTimeField("начата", null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="начал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField("завершена", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="эксперт", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    verdict = models.CharField("решение", max_length=16, choices=Verdict.choices, blank=True)
    remarks = models.TextField("замечания", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "экспертиза"
        verbose_name_plural = "экспертизы"
        ordering = ["programme", "round", "created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "kind"], name="review_status_kind"),
            models.Index(fields=["status", "due_on"], name="review_status_due"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.programme} (раунд {self.round})"

    @property
    def reviewer_label(self) -> str:
        return str(self.reviewer_school or self.reviewer_organisation or "")

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.due_on and self.due_on < today and self.is_open)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_deciding(self) -> bool:
        """Its verdict accepts or returns the programme (the step said so when it opened); otherwise it advises."""
        return self.deciding


class ReviewCheck(models.Model):
    """The reviewer's answer to one criterion of the checklist."""

    review = models.ForeignKey(Review, verbose_name="экспертиза", on_delete=models.CASCADE, related_name="checks")
    criterion = models.ForeignKey(
        ReviewCriterion, verbose_name="критерий", on_delete=models.PROTECT, related_name="checks"
    )
    met = models.BooleanField("соответствует", null=True, blank=True)
    comment = models.CharField("комментарий", max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ответ по критерию экспертизы"
        verbose_name_plural = "ответы по критериям экспертизы"
        ordering = ["review", "criterion__position", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="review_check_unique")]

    def __str__(self):
        return f"{self.criterion}: {'да' if self.met else 'нет' if self.met is False else '—'}"


class ProgrammeSnapshot(models.Model):
    """The programme as it was submitted in one round: what the reviewers saw, for comparing rounds."""

    programme = models.ForeignKey(
        Programme, verbose_name="программа", on_delete=models.CASCADE, related_name="snapshots"
    )
    round = models.PositiveSmallIntegerField("раунд")
    submitted_at = models.DateTimeField("отправлена")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="отправил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    data = models.JSONField("содержание", default=dict)

    class Meta:
        verbose_name = "версия программы на экспертизе"
        verbose_name_plural = "версии программ на экспертизе"
        ordering = ["programme", "round"]
        constraints = [models.UniqueConstraint(fields=["programme", "round"], name="snapshot_unique_round")]

    def __str__(self):
        return f"{self.programme} — раунд {self.round}"
