"""The regions side by side: the dashboard's key figures of a school year per region, for those who read more than
one (the federal operator, a department of several regions; `monitoring.access.can_compare_regions`) — the page
`monitoring:regions`, its xlsx and the «Регионы» sheet of the country's yearly report.

The figures are `monitoring.figures.year_figures`, the very numbers of the dashboards, summed per region: each count
is of rows that belong to one municipality (a school, a programme, an agreement by its supported school…), so a
region's count is the sum of its municipalities' and the shares are taken of the sums. The indicators are left out:
a region's indicator is judged against the region's own actual, which is no sum of its municipalities' verdicts.
Beside the figures, the approved list of the counted year in each region (its approval and order). Two queries
more than the figures whatever the number of regions.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from schools.models import IdentificationRun, Region
from shnor_portal.spreadsheets import Column, Link, TypedSheet

from .figure_links import FigureLinks
from .figures import FIGURES_BY_KEY, INT, PERCENT, SHARES, YearFigures, share

# The figures shown per region, in the page's and the sheet's order.
REGION_KEYS = [
    "schools", "listed", "shnor", "shnsu", "both", "with_programme_share", "accepted", "accepted_share",
    "measures_done_share", "measures_overdue", "agreements_signed", "agreements_in_force", "sessions",
    "sessions_pending", "events_share", "plan_share", "tutor_share", "practices", "sa_missing", "sa_submitted",
    "sa_accepted",
]  # fmt: skip
_COUNTS = [key for key, figure in FIGURES_BY_KEY.items() if figure.kind == INT and not key.startswith("indicators")]
# The lists that filter by region: a count of schools opens the registry of the region.
REGION_FILTERED_LISTS = {"schools:list"}


@dataclass
class RegionRow:
    region: Region
    municipality_count: int
    figures: dict
    approved_run: IdentificationRun | None  # the approved list of the counted year in this region, if any


@dataclass
class RegionFigures:
    year_figures: YearFigures
    rows: list[RegionRow]
    total: dict

    @property
    def municipality_count(self) -> int:
        return sum(row.municipality_count for row in self.rows)


def _blank() -> dict:
    return dict.fromkeys(_COUNTS, 0)


def _with_shares(row: dict) -> dict:
    for key, part, whole in SHARES:  # a region's shares divide its own totals
        row[key] = share(row[part], row[whole])
    return row


def region_figures(figures: YearFigures) -> RegionFigures:
    """The figures of `figures` (per municipality) summed per region of its municipalities, with each region's
    approved list of the year the figures count by."""
    by_region: dict[int, dict] = defaultdict(_blank)
    municipalities: dict[int, int] = defaultdict(int)
    for municipality in figures.municipalities:
        row, into = figures.rows[municipality.pk], by_region[municipality.region_id]
        for key in _COUNTS:
            into[key] += row[key]
        municipalities[municipality.region_id] += 1
    regions = list(Region.objects.filter(pk__in=list(municipalities)).order_by("name"))
    approved: dict[int, IdentificationRun] = {}
    # each region's own list: the newest it approved up to the year (`YearFigures.list_years`), in one query
    own_list = Q(pk=None)
    for region in regions:
        if region.pk in figures.list_years:
            own_list |= Q(region_id=region.pk, year=figures.list_years[region.pk])
    if figures.list_years and regions:
        for run in (
            IdentificationRun.objects.filter(own_list, approved_at__isnull=False, municipality__isnull=True)
            .only("pk", "region_id", "year", "approved_at", "order_number", "order_date")
            .order_by("region_id", "-approved_at", "-pk")
        ):
            approved.setdefault(run.region_id, run)
    rows = [
        RegionRow(region, municipalities[region.pk], _with_shares(by_region[region.pk]), approved.get(region.pk))
        for region in regions
    ]
    total = _blank()
    for row in rows:
        for key in _COUNTS:
            total[key] += row.figures[key]
    return RegionFigures(year_figures=figures, rows=rows, total=_with_shares(total))


class RegionLinks:
    """The list behind a figure of a region, where that list filters by region (the registry): None otherwise."""

    def __init__(self, figures: YearFigures):
        self.link = FigureLinks(figures)

    def __call__(self, key: str, region_id: int | None) -> str | None:
        target = self.link.targets.get(key)
        if target is None or target[0] not in REGION_FILTERED_LISTS:
            return None
        url = self.link(key, None)
        if region_id is None:
            return url
        return url + ("&" if "?" in url else "?") + f"region={int(region_id)}"


def columns() -> list[dict]:
    return [{"key": key, "label": FIGURES_BY_KEY[key].label, "kind": FIGURES_BY_KEY[key].kind} for key in REGION_KEYS]


def approval_label(run: IdentificationRun | None) -> str:
    """«утверждён 01.06.2026, приказ № 15 от 30.05.2026», or that there is none."""
    if run is None:
        return "не утверждён"
    text = f"утверждён {run.approved_at:%d.%m.%Y}" if run.approved_at else "утверждён"
    if run.order_number:
        text += f", приказ № {run.order_number}"
        if run.order_date:
            text += f" от {run.order_date:%d.%m.%Y}"
    return text


def chart(regions: RegionFigures) -> dict:
    """Chart.js data: per region, its schools on the approved list (ШНОР, ШНСУ) and those whose programme was
    accepted, as bars."""
    labels = [row.region.name for row in regions.rows]
    series = [
        {"label": FIGURES_BY_KEY[key].label, "key": key, "data": [row.figures[key] for row in regions.rows]}
        for key in ("shnor", "shnsu", "accepted")
    ]
    return {"labels": labels, "series": series}


def regions_sheet(regions: RegionFigures, *, title: str = "Регионы") -> TypedSheet:
    """The regions side by side as a sheet of typed columns: the page's xlsx and the country report's «Регионы»;
    each count of schools links to the region's registry."""
    f = regions.year_figures
    link, base = RegionLinks(f), settings.PORTAL_BASE_URL.rstrip("/")
    sheet_columns = [
        Column("Регион", 30),
        Column("Муниципалитетов", 14, "int"),
        Column(f"Перечень на {f.list_year} год" if f.list_year and not f.list_years_differ else "Перечень", 34),
        *[Column(FIGURES_BY_KEY[key].label, 16, "percent" if FIGURES_BY_KEY[key].kind == PERCENT else "int")
          for key in REGION_KEYS],
        Column("Реестр школ региона", 20),
    ]  # fmt: skip

    def rows():
        for row in regions.rows:
            url = link("schools", row.region.pk)
            yield [
                row.region.name, row.municipality_count, approval_label(row.approved_run),
                *[row.figures[key] for key in REGION_KEYS],
                Link("открыть", base + url) if url else None,
            ]  # fmt: skip
        yield ["Итого", regions.municipality_count, "", *[regions.total[key] for key in REGION_KEYS], None]

    return TypedSheet(title, sheet_columns, rows())
