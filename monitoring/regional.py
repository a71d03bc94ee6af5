"""The region's own indicators (level «регион», seed 004's «Показатели эффективности реализации Проекта на
региональном уровне»): their plan and fact per region, and the department's entry of a value.

A regional indicator has one value per region, year and stage. Entered by the region's department, it is confirmed
on entry — nobody above the department confirms it. A computed one (`monitoring.computed`) is counted when the page
is read, for every region at once (`municipal_programme_share_by_region`: three queries whatever the number of
regions), and never typed. The fact of a year is the value of the latest stage of the region's calendar that has
one.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from programs.models import Programme
from schools.access import reach_of, require
from schools.models import Region

from .access import can_enter_region_values, regional_value_reader_region_ids
from .calendar import CalendarBook, rank_in, stage_of
from .computed import municipal_programme_share_by_region
from .models import Indicator, IndicatorPlan, IndicatorValue

# computed regional indicators counted for many regions at once: key -> (year, region ids) -> {region id: value}
BY_REGION = {"municipal_programme_share": municipal_programme_share_by_region}


@dataclass
class RegionalRow:
    indicator: Indicator
    region: Region
    planned: Decimal | None
    fact: float | Decimal | None
    fact_stage: str  # the stage's name, or «считает портал»
    can_enter: bool
    form: object = None  # the department's entry form, set by the page

    @property
    def met(self) -> bool | None:
        return self.indicator.met(self.fact, self.planned)


def readable_regions(user) -> QuerySet[Region]:
    """The regions whose indicators of level «регион» the user reads: every one for the federal operator."""
    reach = reach_of(user)
    if reach.reads_all:
        return Region.objects.order_by("name")
    return Region.objects.filter(pk__in=regional_value_reader_region_ids(reach)).order_by("name")


def regional_rows(user, *, year: int) -> tuple[list[Region], list[RegionalRow], list[Programme]]:
    """The regions the user reads, their regional indicators with plan and fact of the year, and their
    plan-schedules; a fixed number of queries whatever the number of regions and indicators."""
    regions = list(readable_regions(user))
    by_pk = {region.pk: region for region in regions}
    indicators = list(
        Indicator.objects.filter(level=Indicator.Level.REGIONAL, is_active=True, region_id__in=by_pk)
        .select_related("programme")
        .order_by("region__name", "position", "code", "pk")
    )
    plans = {
        p.indicator_id: p.planned_value for p in IndicatorPlan.objects.filter(indicator__in=indicators, year=year)
    }
    values = IndicatorValue.objects.filter(indicator__in=indicators, year=year, region__isnull=False)
    book = CalendarBook([year])
    facts: dict[int, tuple] = {}
    for value in values:
        stages = book.stages(year, value.region_id)
        rank, names = rank_in(stages), {s.code: s.name for s in stages}
        known = facts.get(value.indicator_id)
        if known is None or rank.get(value.stage, -1) > known[0]:
            facts[value.indicator_id] = (rank.get(value.stage, -1), value.value, names.get(value.stage, value.stage))
    counted = {
        key: function(year, list(by_pk))
        for key, function in BY_REGION.items()
        if any(i.computed_by == key for i in indicators)
    }
    reach = reach_of(user)
    rows = []
    for indicator in indicators:
        if indicator.is_computed:
            fact, stage = counted.get(indicator.computed_by, {}).get(indicator.region_id), "считает портал"
        else:
            _rank, fact, stage = facts.get(indicator.pk, (None, None, ""))
        rows.append(
            RegionalRow(
                indicator=indicator, region=by_pk[indicator.region_id], planned=plans.get(indicator.pk), fact=fact,
                fact_stage=stage, can_enter=not indicator.is_computed and reach.acts_for_region(indicator.region_id),
            )
        )  # fmt: skip
    plans_of_regions = list(
        Programme.objects.filter(kind=Programme.Kind.REGIONAL, region_id__in=by_pk)
        .select_related("region")
        .order_by("region__name", "-period_start", "title")
    )
    return regions, rows, plans_of_regions


@transaction.atomic
def regional_value_save(*, actor, indicator: Indicator, year: int, stage: str, value: Decimal) -> IndicatorValue:
    """The region's department enters (or corrects) its region's value of a regional indicator: confirmed at once,
    the change recorded in the value's history."""
    require(
        indicator.is_regional and can_enter_region_values(actor, indicator.region_id),
        "Значения показателей региона вносит министерство образования этого региона.",
    )
    if indicator.is_computed:
        raise ValidationError("Значение этого показателя считает портал: вручную его не вводят.")
    if error := indicator.value_error(value):
        raise ValidationError(error[:1].upper() + error[1:] + ".")
    stage_of(year, stage, region=indicator.region)
    now = timezone.now()
    current = IndicatorValue.objects.select_for_update().filter(
        indicator=indicator, year=year, stage=stage, region_id=indicator.region_id
    ).first() or IndicatorValue(indicator=indicator, year=year, stage=stage, region_id=indicator.region_id)
    current.value, current.source = value, IndicatorValue.Source.ENTERED
    current.status = IndicatorValue.Status.CONFIRMED
    current.entered_by, current.entered_at, current.confirmed_by, current.confirmed_at = actor, now, actor, now
    current.return_comment = ""
    current._history_user = actor
    current.full_clean()
    current.save()
    return current


def stage_choices_of(region: Region, year: int) -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in CalendarBook([year]).stages(year, region.pk)]

