"""What a region's public page shows, read in a fixed number of queries whatever the size of the region, and kept
per state of the data.

Caching: the page's data is counted through `schools.freshness.counted`, keyed by the region, its page's settings
(the time they were saved), the day, and the data's state token (`DataVersion`, changed by every committed write to
the registry, programmes, monitoring and partnerships). So a repeated visit costs two queries (the region with its
page, the token) instead of some twenty, and nobody ever sees a page older than the last committed change —
which `cache_page` with a timeout could not promise, besides storing each visitor's navigation and CSRF token with
the page. Downloads are views of their own and never cached: every one is counted.

Nothing personal is read: no person's name, e-mail or account, only registry names (schools, municipalities), acts,
practices, events and counts.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from monitoring.figures import (
    FIGURES_BY_KEY,
    LISTED_STATUSES,
    SHNOR_STATUSES,
    SHNSU_STATUSES,
    dynamics_charts,
    results_dynamics,
)
from partnerships.models import MethodicalEvent, Practice
from programs.models import Programme
from schools.freshness import counted
from schools.models import Act, Region, School
from schools.school_year import school_year_label, school_year_of
from schools.selectors import counted_statuses, list_years_for

from .models import PublicPage

PUBLIC_YEARS = 3  # figures of the current school year and the two before it
ACTS_SHOWN = 30  # the newest acts of the register; the page says how many there are in all
PRACTICES_SHOWN = 30  # the newest practices of the bank
EVENTS_SHOWN = 20  # the nearest events

# The figures by school year, with the dashboards' own words (`monitoring.figures.FIGURES`).
YEAR_KEYS = ["shnor", "shnsu", "accepted"]


def regions_with_schools() -> list[dict]:
    """The regions that have schools in the registry, with their number: the index of the public pages."""
    return list(
        Region.objects.annotate(schools=Count("municipalities__schools"))
        .filter(schools__gt=0)
        .order_by("name")
        .values("pk", "name", "schools")
    )


@dataclass(frozen=True)
class YearRow:
    year: int
    label: str
    list_year: int | None  # the region's newest approved list up to the year, which the year's figures count by
    figures: dict  # key of YEAR_KEYS → count


@dataclass
class RegionData:
    """Everything the page shows below its text. Shared between visitors (`counted`): nobody may change it."""

    year: int  # the current school year; `dynamics_charts` and the charts' template read `year` and `dynamics`
    list_year: int | None  # the region's list the current year counts by
    acts: list[Act]
    acts_total: int
    practices: list[Practice]
    practices_total: int
    events: list[MethodicalEvent]
    years: list[YearRow]
    dynamics: list[dict]
    charts: list[dict] = field(default_factory=list)
    shnor_schools: list[tuple[str, str]] | None = None  # (school, municipality); None: the list is not published
    list_years_differ: bool = False  # one region: one list (read by the shared charts' template)

    @property
    def year_chart(self) -> dict:
        """Chart.js data: per school year, the schools on the list (ШНОР, ШНСУ) and those with an accepted
        programme."""
        return {
            "labels": [row.label for row in self.years],
            "series": [
                {"label": FIGURES_BY_KEY[key].label, "key": key, "data": [row.figures[key] for row in self.years]}
                for key in YEAR_KEYS
            ],
        }


def region_data(*, region: Region, page: PublicPage, today: datetime.date | None = None) -> RegionData:
    """The page's data, counted once per state of the data, the page's settings and the day."""
    today = today or timezone.localdate()
    settings_key = page.updated_at.isoformat() if page.updated_at else "default"
    key = f"public-region:{region.pk}:{settings_key}:{int(page.publish_list)}:{today.isoformat()}"
    return counted(key, lambda: _count_region(region=region, publish_list=page.publish_list, today=today))


def _count_region(*, region: Region, publish_list: bool, today: datetime.date) -> RegionData:
    year = school_year_of(today)
    schools = School.objects.filter(municipality__region_id=region.pk)
    list_years = list_years_for(year, [region.pk])
    acts = Act.objects.filter(region_id=region.pk)
    practices = Practice.objects.filter(status=Practice.Status.PUBLISHED, school__municipality__region_id=region.pk)
    data = RegionData(
        year=year,
        list_year=list_years.get(region.pk),
        acts=list(acts.select_related("municipality").order_by("-date", "-pk")[:ACTS_SHOWN]),
        acts_total=acts.count(),
        practices=list(
            practices.select_related("school__municipality").prefetch_related("files")[:PRACTICES_SHOWN]
        ),
        practices_total=practices.count(),
        events=upcoming_events(region=region, today=today),
        years=year_rows(region=region, year=year),
        dynamics=results_dynamics(schools=schools, year=year, ids=[], list_years=list_years),
    )
    data.charts = dynamics_charts(data)
    if publish_list:
        data.shnor_schools = shnor_schools(region=region, list_years=list_years)
    return data


def upcoming_events(*, region: Region, today: datetime.date) -> list[MethodicalEvent]:
    """The region's methodical events (its own and its municipalities') not cancelled, from today on — a course
    until its last day."""
    return list(
        MethodicalEvent.objects.filter(region_id=region.pk, is_cancelled=False)
        .filter(Q(held_on__gte=today) | Q(ends_on__gte=today))
        .select_related("municipality")
        .order_by("held_on", "starts_at", "pk")[:EVENTS_SHOWN]
    )


def year_rows(*, region: Region, year: int) -> list[YearRow]:
    """Per school year of the last PUBLIC_YEARS, the region's schools on its newest approved list up to that year
    (ШНОР and ШНСУ each include the schools that are both) and those of them with an accepted school programme
    covering the year: the dashboards' figures «shnor», «shnsu» and «accepted» for the whole region
    (`monitoring.figures.year_figures`). Three queries a year."""
    schools = School.objects.filter(municipality__region_id=region.pk)
    rows = []
    for each in range(year - PUBLIC_YEARS + 1, year + 1):
        list_years = list_years_for(each, [region.pk])
        statuses = counted_statuses(list_years)

        def on_list(kinds, statuses=statuses):
            return Q(pk__in=statuses.filter(status__in=kinds).values("school_id"))

        counts = schools.aggregate(
            shnor=Count("pk", filter=on_list(SHNOR_STATUSES)), shnsu=Count("pk", filter=on_list(SHNSU_STATUSES))
        )
        counts["accepted"] = (
            Programme.objects.filter(
                kind__in=Programme.SCHOOL_KINDS,
                state=Programme.State.ACCEPTED,
                period_start__lte=each,
                period_end__gte=each,
                school__in=schools.filter(on_list(LISTED_STATUSES)).values("pk"),
            ).aggregate(n=Count("school", distinct=True))["n"]
        )
        rows.append(YearRow(each, school_year_label(each), list_years.get(region.pk), counts))
    return rows


def shnor_schools(*, region: Region, list_years: dict[int, int]) -> list[tuple[str, str]]:
    """The ШНОР (ШНОР and ШНСУ at once included) of the region's current approved list: name and municipality only."""
    shnor = counted_statuses(list_years).filter(status__in=SHNOR_STATUSES).values("school_id")
    return list(
        School.objects.filter(municipality__region_id=region.pk, pk__in=shnor)
        .order_by("municipality__name", "name")
        .values_list("name", "municipality__name")
    )
