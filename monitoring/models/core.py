"""Monitoring: target indicators with plans and values by stage, and the schools' self-assessment.

- An indicator (целевой показатель) has a unit, a direction, a level (a value per municipality or per school),
  a baseline and a planned value per year; it belongs to a programme (municipal, school or the regional
  plan-schedule) or, without one, to a municipality or to the whole region (`region`: whose indicator it is). A
  regional indicator (level «регион», seed 004's 3.1: shares of the region's municipalities) has one value per
  region, entered by the region's department or computed.
- A value is kept per school (or municipality), year and monitoring stage. School teams enter values, the
  coordinator confirms them; values the portal already knows are computed (`monitoring.computed`) and never typed.
- A self-assessment is an xlsx filled on the portal's template; each upload is kept, the newest is current.
  The coordinator accepts it or returns it; an accepted one yields the school's risk profile for the year.

Years are school years by the calendar year they end in (2027 is 2026/27), as everywhere in the portal.
"""

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from programs.models import Programme, RiskFactor
from schools.models import Municipality, Region, School
from schools.school_year import school_year_label
from shnor_portal import jobs

from ..computed import COMPUTED_INDICATORS, computed_choices
from .calendar import STAGE_CODE_MAX, YEAR_MAX, YEAR_MIN, Stage, StageLabelled  # noqa: F401  (read from here too)


class Indicator(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", "%"
        COUNT = "count", "ед."
        SCORE = "score", "балл"

    class Direction(models.TextChoices):
        HIGHER_BETTER = "higher_better", "чем больше, тем лучше"
        LOWER_BETTER = "lower_better", "чем меньше, тем лучше"

    class Level(models.TextChoices):
        MUNICIPAL = "municipal", "муниципалитет"
        SCHOOL = "school", "школа"
        REGIONAL = "regional", "регион"

    class Aggregation(models.TextChoices):
        """How the values of the level below make the fact of a municipality and of the whole scope."""

        MEAN = "mean", "среднее по школам (муниципалитетам)"
        SUM = "sum", "сумма по школам (муниципалитетам)"
        POOLED = "pooled", "по всем данным сразу (считает портал)"

    code = models.SlugField("код", max_length=64)
    name = models.CharField("наименование", max_length=500)
    goal = models.CharField("цель программы", max_length=1000, blank=True)
    unit = models.CharField("единица измерения", max_length=8, choices=Unit.choices, default=Unit.PERCENT)
    direction = models.CharField(
        "направление", max_length=16, choices=Direction.choices, default=Direction.HIGHER_BETTER
    )
    level = models.CharField(
        "уровень", max_length=10, choices=Level.choices, default=Level.SCHOOL,
        help_text="Значение по каждой школе или одно на муниципалитет.",
    )
    programme = models.ForeignKey(
        Programme, verbose_name="программа", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="indicators",
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, null=True, blank=True,
        related_name="indicators",
        help_text="Берётся из программы. Пусто — показатель для всех муниципалитетов региона.",
    )
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, null=True, blank=True, related_name="indicators",
        help_text="Чей показатель: берётся из программы или муниципалитета; у показателя уровня «регион» обязателен.",
    )
    baseline_year = models.PositiveSmallIntegerField(
        "год базового значения", null=True, blank=True,
        validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)],
    )
    baseline_value = models.DecimalField("базовое значение", max_digits=12, decimal_places=2, null=True, blank=True)
    computed_by = models.CharField(
        "вычисляется порталом", max_length=64, blank=True, choices=computed_choices,
        help_text="Если выбрано, значение считает портал по своим данным; вручную его не вводят.",
    )
    aggregation = models.CharField(
        "как сводится", max_length=8, choices=Aggregation.choices, default=Aggregation.MEAN,
        help_text="Доля по всем данным (например, педагоги с ИПРП из всех педагогов муниципалитета) — только для "
        "показателей, которые считает портал; среднее или сумма — по значениям школ.",
    )
    instrument = models.CharField(
        "инструмент", max_length=300, blank=True, help_text="Чем измеряется: анализ документов, опросный лист…"
    )
    data_source = models.CharField(
        "источник данных", max_length=300, blank=True, help_text="Откуда берётся: АСИОУ, отчёты, справки, опросы…"
    )
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "целевой показатель"
        verbose_name_plural = "целевые показатели"
        ordering = ["position", "code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"], condition=Q(programme__isnull=False), name="indicator_code_in_programme"
            ),
            models.UniqueConstraint(
                fields=["municipality", "code"], condition=Q(programme__isnull=True, municipality__isnull=False),
                name="indicator_code_in_municipality",
            ),
            # one code per region (issue 20); a row of no region is the installation's, its code unique among those
            models.UniqueConstraint(
                fields=["region", "code"],
                condition=Q(programme__isnull=True, municipality__isnull=True, region__isnull=False),
                name="indicator_code_in_region",
                violation_error_message="Показатель с таким кодом в этом регионе уже есть.",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(programme__isnull=True, municipality__isnull=True, region__isnull=True),
                name="indicator_code_of_installation",
                violation_error_message="Общий показатель с таким кодом уже есть.",
            ),
            models.CheckConstraint(
                name="indicator_regional_has_region",
                condition=~Q(level="regional") | Q(region__isnull=False, municipality__isnull=True),
                violation_error_message="Показатель уровня «регион» принадлежит региону, а не муниципалитету: укажите "
                "регион.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_computed(self) -> bool:
        return bool(self.computed_by)

    @property
    def unit_label(self) -> str:
        return self.get_unit_display()

    @property
    def higher_is_better(self) -> bool:
        return self.direction == self.Direction.HIGHER_BETTER

    @property
    def is_regional(self) -> bool:
        return self.level == self.Level.REGIONAL

    @property
    def scope_label(self) -> str:
        if self.programme_id:
            return str(self.programme)
        if self.is_regional:
            return str(self.region)
        return str(self.municipality) if self.municipality_id else "все муниципалитеты"

    def met(self, actual, planned) -> bool | None:
        """Whether an actual value meets the plan, by the indicator's direction; None when either is missing."""
        if actual is None or planned is None:
            return None
        actual, planned = Decimal(str(actual)), Decimal(str(planned))
        return actual >= planned if self.higher_is_better else actual <= planned

    def value_error(self, value: Decimal) -> str | None:
        """Why a value cannot be a value of this indicator (in Russian), or None."""
        if value < 0:
            return f"значение не может быть отрицательным, а указано {number_label(value)}"
        if self.unit == self.Unit.PERCENT and value > 100:
            return f"доля в процентах должна быть от 0 до 100, а указано {number_label(value)}"
        if self.unit == self.Unit.COUNT and value != value.to_integral_value():
            return f"количество должно быть целым числом, а указано {number_label(value)}"
        if abs(value) >= Decimal("10000000000"):
            return "слишком большое число"
        return None

    def applies_to_school(self, school: School) -> bool:
        if self.level != self.Level.SCHOOL or not self.is_active:
            return False
        if self.municipality_id and self.municipality_id != school.municipality_id:
            return False
        return not (self.programme_id and self.programme.school_id and self.programme.school_id != school.pk)

    def applies_to_municipality(self, municipality: Municipality) -> bool:
        if self.level != self.Level.MUNICIPAL or not self.is_active:
            return False
        return not (self.municipality_id and self.municipality_id != municipality.pk)

    def pools_for_municipality(self, municipality: Municipality) -> bool:
        """A pooled school indicator also keeps the municipality's own value, computed over all its schools."""
        return (
            self.aggregation == self.Aggregation.POOLED and self.level == self.Level.SCHOOL and self.is_active
            and not (self.municipality_id and self.municipality_id != municipality.pk)
            and not (self.programme_id and self.programme.school_id)
        )  # fmt: skip

    def clean(self):
        errors = {}
        if self.programme_id:
            programme = self.programme
            self.municipality_id = programme.municipality_id
            self.region_id = programme.territory_region_id
            if programme.school_id and self.level != self.Level.SCHOOL:
                errors["level"] = "Показатель школьной программы — школьного уровня."
            if programme.is_regional != self.is_regional:
                errors["level"] = (
                    "У регионального плана-графика показатели уровня «регион»; у программ муниципалитета и школы — "
                    "муниципального или школьного."
                )
        elif self.municipality_id:
            self.region_id = self.municipality.region_id
        if self.is_regional and self.municipality_id:
            errors["municipality"] = "У показателя уровня «регион» муниципалитета нет."
        elif self.is_regional and not self.region_id:
            errors["region"] = "Укажите регион: показатель уровня «регион» принадлежит ему."
        if self.computed_by and self.computed_by not in COMPUTED_INDICATORS:
            errors["computed_by"] = "Такого вычисления портал не знает."
        if self.aggregation == self.Aggregation.POOLED and not self.computed_by:
            errors["aggregation"] = (
                "По всем данным сразу сводятся только показатели, которые считает портал: для вводимых значений "
                "выберите среднее или сумму."
            )
        if (self.baseline_value is None) != (self.baseline_year is None):
            errors["baseline_year"] = "Укажите и год, и базовое значение — или ни то ни другое."
        if self.baseline_value is not None:
            error = self.value_error(self.baseline_value)
            if error:
                errors["baseline_value"] = error[:1].upper() + error[1:] + "."
        if errors:
            raise ValidationError(errors)


def _region_wide_q(municipality_id) -> Q:
    """Indicators «для всех муниципалитетов региона» that hold in this municipality: of its region, or the
    installation's (no region). No query of its own: the municipality's region is a subquery (a join to the
    region's municipalities would repeat every indicator once per municipality of the region)."""
    region_of = Municipality.objects.filter(pk=municipality_id).values("region_id")[:1]
    return Q(municipality__isnull=True) & (Q(region__isnull=True) | Q(region_id=models.Subquery(region_of)))


def applicable_to_school_q(school: School) -> Q:
    """Indicators whose values are entered for this school (the same rule as `Indicator.applies_to_school`)."""
    return (
        Q(level=Indicator.Level.SCHOOL, is_active=True)
        & (_region_wide_q(school.municipality_id) | Q(municipality_id=school.municipality_id))
        & (Q(programme__isnull=True) | Q(programme__school__isnull=True) | Q(programme__school_id=school.pk))
    )


def applicable_to_municipality_q(municipality: Municipality) -> Q:
    return (
        Q(level=Indicator.Level.MUNICIPAL, is_active=True)
        & (_region_wide_q(municipality.pk) | Q(municipality_id=municipality.pk))
        & (Q(programme__isnull=True) | Q(programme__school__isnull=True))
    )


def pooled_for_municipality_q(municipality: Municipality) -> Q:
    """The school indicators whose municipality's value is computed pooled (`Indicator.pools_for_municipality`)."""
    return (
        Q(level=Indicator.Level.SCHOOL, aggregation=Indicator.Aggregation.POOLED, is_active=True)
        & (_region_wide_q(municipality.pk) | Q(municipality_id=municipality.pk))
        & (Q(programme__isnull=True) | Q(programme__school__isnull=True))
    )


def number_label(value) -> str:
    """12.50 → «12,5», 75.00 → «75»: how values are shown."""
    if value is None:
        return ""
    value = Decimal(str(value)).quantize(Decimal("0.01"))
    return f"{value.normalize():f}".replace(".", ",")


class IndicatorPlan(models.Model):
    """The planned value of an indicator in one year."""

    indicator = models.ForeignKey(Indicator, verbose_name="показатель", on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField("год", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)])
    planned_value = models.DecimalField("плановое значение", max_digits=12, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "плановое значение показателя"
        verbose_name_plural = "плановые значения показателей"
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="indicator_plan_unique_year")]

    def __str__(self):
        # People read the indicator's name (history pages, the back office); the code is the department's key.
        return f"{self.indicator.name}, {school_year_label(self.year)}: {number_label(self.planned_value)}"


class IndicatorValue(StageLabelled, models.Model):
    """The value of an indicator for one school (or one municipality, or one region), year and monitoring stage."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "ждёт подтверждения"
        CONFIRMED = "confirmed", "подтверждено"
        RETURNED = "returned", "возвращено на исправление"

    class Source(models.TextChoices):
        ENTERED = "entered", "введено на портале"
        IMPORTED = "imported", "загружено из файла"
        SELF_ASSESSMENT = "self_assessment", "из самооценки"
        COMPUTED = "computed", "вычислено порталом"

    indicator = models.ForeignKey(Indicator, verbose_name="показатель", on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(
        "учебный год", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    stage = models.CharField(
        "этап мониторинга", max_length=STAGE_CODE_MAX, help_text="Код этапа календаря мониторинга территории."
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.CASCADE, null=True, blank=True,
        related_name="indicator_values", help_text="Для значения школы — муниципалитет школы; у значения региона пусто.",
    )
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.CASCADE, null=True, blank=True, related_name="indicator_values",
        help_text="Только у значения показателя уровня «регион».",
    )
    school = models.ForeignKey(
        School, verbose_name="школа", on_delete=models.CASCADE, null=True, blank=True, related_name="indicator_values",
        help_text="Пусто — значение муниципалитета.",
    )
    value = models.DecimalField("значение", max_digits=12, decimal_places=2)
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    source = models.CharField("источник", max_length=16, choices=Source.choices, default=Source.ENTERED)
    comment = models.CharField("комментарий школы", max_length=1000, blank=True)
    return_comment = models.TextField("замечание координатора", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="внёс", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField("внесено", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="подтвердил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("подтверждено", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "значение показателя"
        verbose_name_plural = "значения показателей"
        ordering = ["indicator", "year", "stage", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "stage", "school"], condition=Q(school__isnull=False),
                name="indicator_value_unique_school",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "stage", "municipality"], condition=Q(school__isnull=True),
                name="indicator_value_unique_municipality",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "stage", "region"], condition=Q(region__isnull=False),
                name="indicator_value_unique_region",
                violation_error_message="Значение показателя региона за этот год и этап уже внесено.",
            ),
            # a school's value (with its municipality), a municipality's, or a region's: one owner
            models.CheckConstraint(
                name="indicator_value_one_owner",
                condition=Q(municipality__isnull=False, region__isnull=True)
                | Q(school__isnull=True, municipality__isnull=True, region__isnull=False),
                violation_error_message="Значение принадлежит школе, муниципалитету или региону — одному из них.",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status"], name="indicator_value_queue"),
            models.Index(fields=["school", "year"], name="indicator_value_school_year"),
            models.Index(fields=["indicator", "year", "stage"], name="indicator_value_by_stage"),
        ]

    def __str__(self):
        # The history page of a value is titled by it: the indicator's name and the stage's, not their codes.
        stage = Stage(self.stage).label if self.stage in Stage.values else self.stage
        return (
            f"{self.indicator.name} — {self.owner_label}, {school_year_label(self.year)}, {stage.lower()}: "
            f"{self.value_label}"
        )

    @property
    def owner_label(self) -> str:
        if self.region_id:
            return str(self.region)
        return str(self.school) if self.school_id else str(self.municipality)

    @property
    def value_label(self) -> str:
        return number_label(self.value)

    @property
    def is_computed(self) -> bool:
        return self.source == self.Source.COMPUTED


def _random_name(prefix: str, filename: str, school_id) -> str:
    """A random stored name: the user's file name is kept in `original_name`, never used as a path."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"monitoring/{prefix}/{school_id}/{uuid.uuid4().hex}{suffix}"


def self_assessment_upload_to(instance: "SelfAssessment", filename: str) -> str:
    return _random_name("self_assessments", filename, instance.school_id)


def open_report_upload_to(instance: "OpenReport", filename: str) -> str:
    return _random_name("open_reports", filename, instance.school_id)


class SelfAssessment(StageLabelled, models.Model):
    """One upload of a school's self-assessment for a year and stage; the newest upload is the current one."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "ждёт проверки"
        ACCEPTED = "accepted", "принята"
        RETURNED = "returned", "возвращена на доработку"
        SUPERSEDED = "superseded", "заменена новой загрузкой"

    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="self_assessments")
    year = models.PositiveSmallIntegerField(
        "учебный год", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    stage = models.CharField(
        "этап мониторинга", max_length=STAGE_CODE_MAX, help_text="Код этапа календаря мониторинга территории."
    )
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    is_current = models.BooleanField("текущая", default=True, help_text="Последняя загрузка за этот год и этап.")
    file = models.FileField("файл", upload_to=self_assessment_upload_to, max_length=300)
    original_name = models.CharField("имя файла", max_length=300)
    size = models.PositiveBigIntegerField("размер, байт", default=0)
    data = models.JSONField("прочитано из файла", default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="загрузил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("загружена", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="проверил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("проверена", null=True, blank=True)
    decision_comment = models.TextField("комментарий координатора", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "самооценка школы"
        verbose_name_plural = "самооценки школ"
        ordering = ["-year", "school__short_name", "stage", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "stage"], condition=Q(is_current=True), name="self_assessment_one_current"
            )
        ]
        indexes = [models.Index(fields=["status", "year"], name="self_assessment_status_year")]

    def __str__(self):
        return f"Самооценка {self.school}, {self.year}, этап {self.stage} ({self.get_status_display()})"

    @property
    def awaits_decision(self) -> bool:
        return self.is_current and self.status == self.Status.SUBMITTED

    @property
    def ratings(self) -> list[dict]:
        return list(self.data.get("ratings", [])) if isinstance(self.data, dict) else []

    @property
    def indicator_rows(self) -> list[dict]:
        return list(self.data.get("indicators", [])) if isinstance(self.data, dict) else []

    @property
    def conclusion(self) -> str:
        return str(self.data.get("conclusion") or "") if isinstance(self.data, dict) else ""


class OpenReport(models.Model):
    """The school's open report on its self-assessment (открытый доклад), a PDF or Word file; every upload kept."""

    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="open_reports")
    year = models.PositiveSmallIntegerField("учебный год", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)])
    file = models.FileField("файл", upload_to=open_report_upload_to, max_length=300)
    original_name = models.CharField("имя файла", max_length=300)
    content_type = models.CharField("тип", max_length=120)
    size = models.PositiveBigIntegerField("размер, байт", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="загрузил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "открытый доклад школы"
        verbose_name_plural = "открытые доклады школ"
        ordering = ["-year", "school__short_name", "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["school", "year"], name="open_report_school_year")]

    def __str__(self):
        return f"Открытый доклад {self.school}, {self.year} ({self.original_name})"


class RiskLevelChoice(models.IntegerChoices):
    LOW = 1, "низкий"
    MEDIUM = 2, "средний"
    HIGH = 3, "высокий"


class RiskProfile(models.Model):
    """A school's risk profile for a year: a level per risk factor, from its latest accepted self-assessment."""

    school = models.ForeignKey(School, verbose_name="школа", on_delete=models.CASCADE, related_name="risk_profiles")
    year = models.PositiveSmallIntegerField("учебный год", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)])
    self_assessment = models.ForeignKey(
        SelfAssessment, verbose_name="по самооценке", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("обновлён", auto_now=True)

    class Meta:
        verbose_name = "рисковый профиль школы"
        verbose_name_plural = "рисковые профили школ"
        ordering = ["-year", "school__short_name"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="risk_profile_unique_school_year")]

    def __str__(self):
        return f"Рисковый профиль {self.school}, {self.year}"


class RiskLevel(models.Model):
    profile = models.ForeignKey(RiskProfile, verbose_name="профиль", on_delete=models.CASCADE, related_name="levels")
    risk_factor = models.ForeignKey(
        RiskFactor, verbose_name="фактор риска", on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField("уровень риска", choices=RiskLevelChoice.choices)
    comment = models.CharField("комментарий", max_length=1000, blank=True)

    class Meta:
        verbose_name = "уровень фактора риска"
        verbose_name_plural = "уровни факторов риска"
        ordering = ["profile", "risk_factor__position", "risk_factor__name"]
        constraints = [models.UniqueConstraint(fields=["profile", "risk_factor"], name="risk_level_unique_factor")]

    def __str__(self):
        return f"{self.risk_factor}: {self.get_level_display()}"


def report_export_upload_to(instance: "ReportExport", filename: str) -> str:
    """A random stored name under MEDIA_ROOT: the file is served only through the download view."""
    return f"monitoring/reports/{uuid.uuid4().hex}.xlsx"


class ReportExport(jobs.JobRow):
    state_field = "status"

    """One export of the yearly report, written in the background while the page polls its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "формируется"
        DONE = "done", "готов"
        FAILED = "failed", "ошибка"

    year = models.PositiveSmallIntegerField(
        "учебный год", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", help_text="Пусто — весь регион.",
    )
    # the federal operator's report of one region (a department's region is its whole territory: no region here)
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text="Пусто — вся территория запросившего (для федерального оператора — вся страна).",
    )
    territory = models.CharField(
        "охват", max_length=300, blank=True, default="", help_text="Что покрывает отчёт, как он назван при запросе."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="запросил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    status = models.CharField("состояние", max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("готовность, %", default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField("этап", max_length=200, blank=True)
    file = models.FileField("файл", upload_to=report_export_upload_to, max_length=300, blank=True)
    size = models.PositiveBigIntegerField("размер, байт", default=0)
    error = models.TextField("ошибка", blank=True)
    created_at = models.DateTimeField("запрошен", auto_now_add=True)
    started_at = models.DateTimeField("начат", null=True, blank=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)

    class Meta:
        verbose_name = "выгрузка годового отчёта"
        verbose_name_plural = "выгрузки годового отчёта"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Годовой отчёт {self.year}: {self.scope_label} ({self.get_status_display()})"

    @property
    def scope_label(self) -> str:
        if self.municipality_id:
            return str(self.municipality)
        if self.region_id:
            return str(self.region)
        return self.territory or "весь регион"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def file_name(self) -> str:
        scope = (
            f"mo-{self.municipality_id}" if self.municipality_id
            else f"region-{self.region_id}" if self.region_id else "region"
        )  # fmt: skip
        return f"godovoy-otchet-{self.year}-{scope}.xlsx"
