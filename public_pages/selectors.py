"""What a region's public page shows, read in a fixed number of queries whatever the size of the region, and kept
per state of the data.

The figures by school year and the results' dynamics are the dashboards' own, read from their summaries
(`monitoring.summaries`: one query for the three years, refreshed by the worker shortly after the data changes);
the acts, practices and events are read as they are. Nothing is cached per page: `cache_page` would store each
visitor's navigation and CSRF token with it. Downloads are views of their own: every one is counted.

Nothing personal is read: no person's name, e-mail or account, only registry names (schools, municipalities), acts,
practices, events and counts.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from monitoring.figures import FIGURES_BY_KEY, SHNOR_STATUSES, dynamics_charts, dynamics_of
from monitoring.summaries import SummedYear, summed_years
from partnerships.models import MethodicalEvent, Practice
from schools.models import Act, Municipality, Region, School
from schools.school_year import school_year_label, school_year_of
from schools.selectors import counted_statuses

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
    """Everything the page shows below its text."""

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
    """The page's data: its lists as they are, its figures from the dashboards' summaries."""
    today = today or timezone.localdate()
    year = school_year_of(today)
    municipalities = list(Municipality.objects.filter(region_id=region.pk).order_by("name"))
    years = list(range(year - PUBLIC_YEARS + 1, year + 1))
    summed = summed_years(municipalities=municipalities, years=years, cells_of=year)
    list_years = summed[year].list_years
    acts, practices = public_acts(region), public_practices(region)
    data = RegionData(
        year=year,
        list_year=list_years.get(region.pk),
        acts=list(acts[:ACTS_SHOWN]),
        acts_total=acts.count(),
        practices=list(practices[:PRACTICES_SHOWN]),
        practices_total=practices.count(),
        events=upcoming_events(region=region, today=today),
        years=year_rows(region=region, summed=summed),
        dynamics=dynamics_of(summed[year].cells, year=year, ids=[]),
    )
    data.charts = dynamics_charts(data)
    if page.publish_list:
        data.shnor_schools = shnor_schools(region=region, list_years=list_years)
    return data


def public_acts(region: Region) -> QuerySet[Act]:
    """The region's register of acts (its municipalities' acts are its too), newest first."""
    return Act.objects.filter(region_id=region.pk).select_related("municipality").order_by("-date", "-pk")


def public_practices(region: Region) -> QuerySet[Practice]:
    """The practices the region's schools published in the bank, newest first, with their files."""
    return (
        Practice.objects.filter(status=Practice.Status.PUBLISHED, school__municipality__region_id=region.pk)
        .select_related("school__municipality")
        .prefetch_related("files")
        .order_by("-published_at", "-created_at", "-pk")  # the bank's own order (its index)
    )


def upcoming_events(*, region: Region, today: datetime.date) -> list[MethodicalEvent]:
    """The region's methodical events (its own and its municipalities') not cancelled, from today on — a course
    until its last day."""
    return list(
        MethodicalEvent.objects.filter(region_id=region.pk, is_cancelled=False)
        .filter(Q(held_on__gte=today) | Q(ends_on__gte=today))
        .select_related("municipality")
        .order_by("held_on", "starts_at", "pk")[:EVENTS_SHOWN]
    )


def year_rows(*, region: Region, summed: dict[int, SummedYear]) -> list[YearRow]:
    """Per school year of the last PUBLIC_YEARS, the region's schools on its newest approved list up to that year
    (ШНОР and ШНСУ each include the schools that are both) and those of them with an accepted school programme
    covering the year: the dashboards' figures «shnor», «shnsu» and «accepted» for the whole region, and the list
    they count by, from the same summaries."""
    return [
        YearRow(year, school_year_label(year), one.list_years.get(region.pk), {key: one.total[key] for key in YEAR_KEYS})
        for year, one in sorted(summed.items())
    ]


def shnor_schools(*, region: Region, list_years: dict[int, int]) -> list[tuple[str, str]]:
    """The ШНОР (ШНОР and ШНСУ at once included) of the region's current approved list: name and municipality only."""
    shnor = counted_statuses(list_years).filter(status__in=SHNOR_STATUSES).values("school_id")
    return list(
        School.objects.filter(municipality__region_id=region.pk, pk__in=shnor)
        .order_by("municipality__name", "name")
        .values_list("name", "municipality__name")
    )
