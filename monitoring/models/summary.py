"""The dashboards' figures kept counted (`monitoring.summaries`)."""

import datetime

from django.db import models
from django.db.models import Q

from schools.models import Municipality, Region
from schools.school_year import school_year_period


class FigureSummary(models.Model):
    """The figures of one municipality for one school year, as the dashboards show them; or — with no municipality
    — what only a whole region gives: its indicators pooled over all its municipalities. Counted by the summaries'
    task, marked to count again (`changed_at`) when the data they count changes."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name="регион")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="муниципалитет"
    )
    year = models.PositiveSmallIntegerField("учебный год")
    as_of = models.DateField("на день")  # the day the figures are for: overdue measures, agreements in force…
    counted_at = models.DateTimeField("посчитано")
    # The data counted changed after `counted_at` (set when the change commits): the task counts the row again.
    # `changed_at` is the latest such change (a mark after the count began keeps the row marked), `stale_since`
    # the earliest (what the figures are behind: the pages' «данные на ЧЧ:ММ»).
    changed_at = models.DateTimeField("данные изменились", null=True, blank=True)
    stale_since = models.DateTimeField("не учтены изменения с", null=True, blank=True)
    figures = models.JSONField("показатели", default=dict)

    class Meta:
        verbose_name = "сводка показателей"
        verbose_name_plural = "сводки показателей"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], condition=Q(municipality__isnull=False), name="summary_municipality_year"
            ),
            models.UniqueConstraint(
                fields=["region", "year"], condition=Q(municipality__isnull=True), name="summary_region_year"
            ),
        ]
        indexes = [models.Index(fields=["changed_at"], condition=Q(changed_at__isnull=False), name="summary_changed")]

    def __str__(self):
        return f"{self.municipality or self.region}, {self.year}"

    def is_due(self, today: datetime.date) -> bool:
        """To be counted again: marked, or counted for an earlier day of a year that is not over."""
        return self.changed_at is not None or self.as_of < min(today, school_year_period(self.year)[1])
