"""The targets a territory judges its support against, per school year: agreements a year, the share of ШНОР taking
part in methodical events, the share of teachers covered by an ИПРП and a tutor.

A row belongs to a territory (today a `schools.Region`; no region — the installation's default) and a school year
(by the year it ends in: 2027 is 2026/27, `schools.school_year`). What a page or a report judges against is read by
`partnerships.targets.targets_of_year`: the territory's row of the year, else the default row of the year, else
the portal's defaults below — the values the portal used before targets were data (docs/MONITORING.md, «Цели и
календарь»).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from schools.models import Region
from schools.school_year import school_year_label

# Seed 000: «не менее 5-ти в год» partner agreements in a municipality.
DEFAULT_AGREEMENTS_PER_YEAR = 5
# Seed 004, 3.1.4: «не менее 80 % ШНОР приняли участие в информационно-методических мероприятиях».
DEFAULT_EVENT_PARTICIPATION = 80
# Seed 002, «Доля педагогов, охваченных тьюторским сопровождением и имеющих ИПРП»: 20 % → 35 % → 50 % over
# 2022–2024; without a row of the year the portal holds the programme's final 50 %.
DEFAULT_TEACHER_COVERAGE = 50

SHARE_VALIDATORS = [
    MinValueValidator(0, "Доля не может быть отрицательной."),
    MaxValueValidator(100, "Доля не может быть больше 100 %%."),
]


class SupportTarget(models.Model):
    """The targets of one territory for one school year."""

    region = models.ForeignKey(
        Region, verbose_name="территория (регион)", on_delete=models.CASCADE, null=True, blank=True,
        related_name="support_targets", help_text="Пусто — по умолчанию для всех территорий портала.",
    )
    year = models.PositiveSmallIntegerField(
        "учебный год", validators=[MinValueValidator(2000, "Год не раньше 2000."), MaxValueValidator(2100, "Год не позже 2100.")],
        help_text="Год окончания учебного года: 2027 — это 2026/27.",
    )
    agreements_per_year = models.IntegerField(
        "договоров с кураторами в муниципалитете за год, не менее", default=DEFAULT_AGREEMENTS_PER_YEAR,
        validators=[MinValueValidator(0, "Число договоров не может быть отрицательным.")],
    )
    event_participation = models.IntegerField(
        "доля ШНОР, участвовавших в методических мероприятиях, %, не менее", default=DEFAULT_EVENT_PARTICIPATION,
        validators=SHARE_VALIDATORS,
    )
    teacher_coverage = models.IntegerField(
        "доля педагогов с ИПРП и тьюторским сопровождением, %, не менее", default=DEFAULT_TEACHER_COVERAGE,
        validators=SHARE_VALIDATORS,
    )
    basis = models.CharField(
        "основание", max_length=500, blank=True, help_text="Документ, которым цели установлены: программа, приказ."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "цели сопровождения на учебный год"
        verbose_name_plural = "цели сопровождения по учебным годам"
        ordering = ["-year", "region__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"], name="support_target_unique_region_year",
                violation_error_message="Цели этой территории на этот учебный год уже заданы.",
            ),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(region__isnull=True), name="support_target_unique_default_year",
                violation_error_message="Цели по умолчанию на этот учебный год уже заданы.",
            ),
            models.CheckConstraint(
                condition=models.Q(agreements_per_year__gte=0), name="support_target_agreements_not_negative",
                violation_error_message="Число договоров не может быть отрицательным.",
            ),
            models.CheckConstraint(
                condition=models.Q(event_participation__gte=0, event_participation__lte=100),
                name="support_target_participation_share",
                violation_error_message="Доля участия — от 0 до 100 %%.",
            ),
            models.CheckConstraint(
                condition=models.Q(teacher_coverage__gte=0, teacher_coverage__lte=100),
                name="support_target_coverage_share",
                violation_error_message="Доля охвата педагогов — от 0 до 100 %%.",
            ),
        ]

    def __str__(self):
        return f"{self.region or 'По умолчанию'}: {school_year_label(self.year)}"
