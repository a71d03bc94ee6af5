"""The monitoring calendar as data: the stages a territory names for a school year, and a municipality's shift.

A department names the stages of its monitoring cycle per territory (`schools.Region`; no region — the
installation's default) and school year (by the year it ends in: 2027 is 2026/27): any number of them, each with a
stable code that values and self-assessments store, a name («Входной мониторинг», «2 этап»), its place in the
cycle and its dates — which may lie before the school year (seed 002: «Входной мониторинг … Декабрь 2021» for a
2022–2024 programme). A municipality may shift a stage's dates within the department's.

What a page, an import or a reminder follows is read by `monitoring.calendar` (the territory's stages of the year,
else the default stages of the year, else the portal's three stages); it is the one place that reads these rows.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from schools.models import Municipality, Region
from schools.school_year import school_year_label, school_year_period

YEAR_MIN = 2000
YEAR_MAX = 2100


class Stage(models.TextChoices):
    """The codes of the portal's default calendar (`monitoring.calendar`): a territory names its own stages, so a
    value or a self-assessment stores any code of its territory's calendar, not only these."""

    ENTRY = "entry", "Входной мониторинг"
    INTERIM = "interim", "Промежуточный мониторинг"
    FINAL = "final", "Итоговый мониторинг"


STAGE_CODE_MAX = 32


class StageLabelled:
    """`stage_label`: the name of the stage in the calendar of the object's territory and year (`monitoring.calendar`).
    Lists set it for all their rows at once (`calendar.attach_labels`); one object reads the calendar itself."""

    @property
    def stage_label(self) -> str:
        if "_stage_label" not in self.__dict__:
            self._stage_label = stage_name(self.year, self.stage, region_id_of(self))
        return self._stage_label

    @stage_label.setter
    def stage_label(self, value: str) -> None:
        self._stage_label = value


# How far before its school year a stage may start: seed 002's entry stage runs in December before the programme's
# first year, a department preparing a cycle may start it a year or two ahead; further is a typing error.
YEARS_BEFORE = 2

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]*$", "Код этапа — латинские строчные буквы, цифры, «-» и «_», например «stage-2»."
)


def _date(value: datetime.date) -> str:
    return f"{value:%d.%m.%Y}"


def dates_problem(starts_on, due_on, *, name: str) -> str:
    """The Russian message for dates that cannot be, or an empty string."""
    if starts_on and due_on and due_on < starts_on:
        return (
            f"Этап «{name}» не может закончиться раньше, чем начнётся: срок сдачи {_date(due_on)}, "
            f"начало {_date(starts_on)}."
        )
    return ""


class MonitoringStage(models.Model):
    """One stage of a territory's monitoring cycle in a school year; values and self-assessments are due by `due_on`."""

    region = models.ForeignKey(
        Region,
        verbose_name="территория (регион)",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monitoring_stages",
        help_text="Пусто — календарь по умолчанию для всех территорий портала.",
    )
    year = models.PositiveSmallIntegerField(
        "учебный год",
        validators=[
            MinValueValidator(YEAR_MIN, "Год не раньше 2000."),
            MaxValueValidator(YEAR_MAX, "Год не позже 2100."),
        ],
        help_text="Год окончания учебного года: 2027 — это 2026/27.",
    )
    code = models.CharField(
        "код",
        max_length=STAGE_CODE_MAX,
        validators=[code_validator],
        help_text="Постоянный: его хранят значения показателей и самооценки этого этапа.",
    )
    name = models.CharField("название", max_length=200, help_text="Например, «Входной мониторинг» или «2 этап».")
    position = models.PositiveSmallIntegerField("порядок", default=1, help_text="Место этапа в цикле: 1, 2, 3…")
    starts_on = models.DateField("начало")
    due_on = models.DateField("срок сдачи", help_text="Значения показателей и самооценки этапа сдаются до этой даты.")
    basis = models.CharField(
        "основание", max_length=500, blank=True, help_text="Документ, которым календарь установлен: программа, приказ."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "этап мониторинга"
        verbose_name_plural = "календарь мониторинга: этапы"
        ordering = ["-year", "region__name", "position", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "code"],
                name="monitoring_stage_unique_code",
                violation_error_message="Этап с таким кодом в этом учебном году уже есть.",
            ),
            models.UniqueConstraint(
                fields=["year", "code"],
                condition=models.Q(region__isnull=True),
                name="monitoring_stage_unique_default_code",
                violation_error_message="Этап с таким кодом в календаре по умолчанию на этот год уже есть.",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("starts_on")),
                name="monitoring_stage_ends_after_start",
                violation_error_message="Этап не может закончиться раньше, чем начнётся.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({school_year_label(self.year)}): {_date(self.starts_on)} — {_date(self.due_on)}"

    @property
    def territory_label(self) -> str:
        return self.region.name if self.region_id else "по умолчанию для всех территорий"

    def clean(self):
        problem = dates_problem(self.starts_on, self.due_on, name=self.name or self.code)
        if problem:
            raise ValidationError({"due_on": problem})
        if self.year and self.starts_on:
            earliest = school_year_period(self.year)[0].replace(year=self.year - 1 - YEARS_BEFORE)
            if self.starts_on < earliest:
                raise ValidationError(
                    {
                        "starts_on": f"Этап {school_year_label(self.year)} учебного года не может начинаться раньше "
                        f"{_date(earliest)}: проверьте год."
                    }  # fmt: skip
                )
        if self.year and self.due_on and self.due_on > school_year_period(self.year)[1]:
            raise ValidationError(
                {
                    "due_on": f"Срок этапа не может быть позже конца {school_year_label(self.year)} учебного года "
                    f"({_date(school_year_period(self.year)[1])})."
                }  # fmt: skip
            )


class MunicipalStageShift(models.Model):
    """A municipality's own dates of a stage, within the department's: its schools follow them."""

    stage = models.ForeignKey(
        MonitoringStage, verbose_name="этап мониторинга", on_delete=models.CASCADE, related_name="shifts"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.CASCADE, related_name="monitoring_stage_shifts"
    )
    starts_on = models.DateField("начало в муниципалитете")
    due_on = models.DateField("срок сдачи в муниципалитете")
    note = models.CharField("основание", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "сроки этапа мониторинга в муниципалитете"
        verbose_name_plural = "календарь мониторинга: сроки муниципалитетов"
        ordering = ["stage", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "municipality"],
                name="monitoring_stage_shift_unique",
                violation_error_message="Сроки этого этапа в этом муниципалитете уже заданы.",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("starts_on")),
                name="monitoring_stage_shift_ends_after_start",
                violation_error_message="Этап не может закончиться раньше, чем начнётся.",
            ),
        ]

    def __str__(self):
        return f"{self.stage.name}, {self.municipality}: {_date(self.starts_on)} — {_date(self.due_on)}"

    def clean(self):
        if not self.stage_id:
            return
        name = self.stage.name
        problem = dates_problem(self.starts_on, self.due_on, name=name)
        if problem:
            raise ValidationError({"due_on": problem})
        stage = self.stage
        if self.starts_on and self.due_on and not (stage.starts_on <= self.starts_on and self.due_on <= stage.due_on):
            raise ValidationError(
                f"Муниципалитет сдвигает сроки этапа «{name}» только внутри сроков управления: "
                f"с {_date(stage.starts_on)} по {_date(stage.due_on)}."
            )


def region_id_of(obj) -> int | None:
    """The territory of a value's municipality or a self-assessment's school."""
    municipality = obj.municipality if getattr(obj, "municipality_id", None) else None
    if municipality is None and getattr(obj, "school_id", None):
        municipality = obj.school.municipality
    return municipality.region_id if municipality is not None else None


def stage_name(year: int, code: str, region_id: int | None) -> str:
    """The name of a stage in the calendar that holds for a territory and year (as `monitoring.calendar.CalendarBook`
    reads it: the territory's stages, else the default ones, else the portal's three); a code no longer in the
    calendar shows as it is stored. One query, for a single object; lists label their rows in one pass."""
    rows = MonitoringStage.objects.filter(year=year).filter(Q(region_id=region_id) | Q(region__isnull=True))
    rows = list(rows.values_list("region_id", "code", "name"))
    own = [row for row in rows if region_id is not None and row[0] == region_id] or [r for r in rows if r[0] is None]
    if not own:
        return dict(Stage.choices).get(code, code)
    return next((name for _region, stage_code, name in own if stage_code == code), code)
