"""The dashboards' figures kept counted: one summary row per municipality and school year (`FigureSummary`), refreshed
by a task of the worker shortly after the data it counts changes.

Counting a region's or the country's figures takes up to seconds (`monitoring.figures.count_figures`); the pages
read them far more often than the data changes, and on several app hosts while thousands of people write. So:

- **Reading** (`dashboard_figures`, `figures_read`): the page takes the summaries of its municipalities — one query —
  and adds them up: counts are summed, shares divided again, each indicator's values combined by stage (the stored sums
  and numbers), the results' mean scores from their stored sums. A region's row holds the last two summed over all its
  municipalities (`_wholes`), so a scope of whole regions reads only the counts of each municipality (a department's
  page: 29 rows' counts and one region's sums instead of 29 whole rows). The page says when the oldest of them was
  counted («данные на ЧЧ:ММ»). Municipalities nobody has read for the year yet are counted at once, all of them in one
  `count_figures` (the country's first look at a new year costs one count of the country).
- **Marking** (`figures_changed`): a change of what the figures count marks the summaries of the municipalities it
  touches — and the row of their region, for its pooled indicators — once the change commits, and asks for the task.
  Model signals mark what the views, forms and the back office save (`monitoring.summary_sources`); bulk writes (COPY,
  `update()`) call `figures_changed` themselves. A change in one municipality marks only its row and its region's:
  nothing else is counted again.
- **Refreshing** (`figures_refresh`, a task of `manage.py db_worker`): counts the marked rows again — the marked
  municipalities of a year in one count, whichever regions they lie in — and the rows of an earlier day (overdue
  measures and missing self-assessments depend on the day). A mark that arrives while a row is being counted stays on
  it, so the next run counts the row again: no change is lost between two runs. The delay is the worker's poll plus one
  run — seconds; docs/PERFORMANCE.md has the figures.

What a summary cannot give exactly is computed when read: an indicator pooled over several municipalities that are
not one whole region (a coordinator of two municipalities), or one of no region over several regions.
"""

import datetime
import logging
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, OperationalError, connections, transaction
from django.db.models import Case, JSONField, Q, Value, When
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from schools.models import Municipality
from schools.selectors import list_years_for
from shnor_portal import jobs

from .access import dashboard_municipalities
from .calendar import CalendarBook, rank_in
from .computed import compute
from .figures import (
    FIGURES_BY_KEY,
    INT,
    YearFigures,
    count_figures,
    dynamics_of,
    figures_frame,
    figures_targets,
    figures_total,
    indicator_actual,
    indicator_row,
    school_year_period,
    shares_fill,
    stages_add,
    stages_due_of,
)
from .models import FigureSummary, Indicator

logger = logging.getLogger(__name__)

INT_KEYS = [key for key, figure in FIGURES_BY_KEY.items() if figure.kind == INT]


# --- reading ---------------------------------------------------------------------------------------------------------


def dashboard_figures(*, user, year: int, municipality: Municipality | None = None) -> YearFigures:
    """The figures of the user's dashboard (or of one of its municipalities), from the summaries."""
    municipalities = dashboard_municipalities(user).order_by("name")
    if municipality is not None:
        municipalities = municipalities.filter(pk=municipality.pk)
    return figures_read(municipalities=list(municipalities), year=year)


def figures_read(*, municipalities: list[Municipality], year: int, today: datetime.date | None = None) -> YearFigures:
    """The year's figures of these municipalities added up from their summaries: a fixed number of queries whatever
    their number. The rows of each municipality's indicators and results' dynamics are there only when the scope is
    one municipality — the page that shows them; over several, only the scope's (the country's dashboard would
    otherwise build 20,000 indicator rows and 1,150 charts' series nobody sees). A scope of whole regions — a
    department's, the federal operator's — takes its indicators and dynamics from its regions' rows, which hold them
    summed over their municipalities (`_wholes`); of the municipalities' rows it reads only their counts."""
    today = today or timezone.localdate()
    each = len(municipalities) == 1
    summaries, region_rows = _summaries(municipalities, year=year, today=today, whole=not each)
    wholes = _wholes_of(municipalities, region_rows) if not each else None
    if not each and wholes is None:  # a part of a region (a coordinator of several municipalities): theirs, read whole
        summaries = _full(summaries, year=year)
    list_years = {pk: row.figures.get("list_year") for pk, row in region_rows.items()}
    result = figures_frame(
        year=year, municipalities=municipalities, today=today,
        list_years={pk: y for pk, y in list_years.items() if y is not None},
    )  # fmt: skip
    for m in municipalities:
        row = dict.fromkeys(FIGURES_BY_KEY, 0) | summaries[m.pk].row
        shares_fill(row)
        result.rows[m.pk] = row
    book = CalendarBook([year])
    due = stages_due_of(book, year, municipalities, today)
    result.stages_due = sorted({code for codes in due.values() for code in codes})
    parts = wholes if wholes is not None else {m.pk: summaries[m.pk].figures for m in municipalities}
    result.indicator_rows = _indicator_rows(municipalities, year, parts, region_rows, book, each=each)
    result.total = figures_total(result.rows, result.indicator_rows)
    result.dynamics_cells = {
        (measure_id, part, group, cell_year): [_exact(total), n]
        for part, figures in parts.items()
        for measure_id, group, cell_year, total, n in figures["cells"]
    }
    result.dynamics = dynamics_of(result.dynamics_cells, year=year, ids=[m.pk for m in municipalities] if each else [])
    result.targets = figures_targets(year, municipalities)
    rows = [*summaries.values(), *region_rows.values()]
    result.fresh_at = min((_behind_since(s, result.as_of) for s in rows), default=result.fresh_at)
    return result


def _wholes_of(municipalities: list[Municipality], region_rows: dict[int, FigureSummary]) -> dict | None:
    """The sums of the scope's regions: ("r", region id) → what `_wholes` keeps, when the scope is all of each
    one's municipalities and each was summed; else None."""
    ids_of = defaultdict(set)
    for m in municipalities:
        ids_of[m.region_id].add(m.pk)
    wholes = {}
    for region_id, ids in ids_of.items():
        whole = region_rows[region_id].figures.get("whole") if region_id in region_rows else None
        if whole is None or set(whole["ids"]) != ids:
            return None
        wholes[("r", region_id)] = whole
    return wholes


def _exact(total):
    """A cell's sum as stored: a municipality's float, or a region's exact sum of them («numerator/denominator»)."""
    return Fraction(total) if isinstance(total, str) else total


def _behind_since(summary: FigureSummary, as_of: datetime.date) -> datetime.datetime:
    """Since when the summary may miss a change: the earliest change marked on it; its count, when it was counted
    for an earlier day (overdue measures and the like change with the day); else it misses nothing (now)."""
    if summary.stale_since is not None:
        return summary.stale_since
    if summary.as_of < as_of:
        return summary.counted_at
    return timezone.now()


class SummedYear(NamedTuple):
    total: dict  # the counts summed, with the shares
    cells: dict  # the results' cells (`figures.dynamics_cells`): only of the year they were asked for
    list_years: dict[int, int]  # region → the year of the list the counts are by (`list_years_for`)


def summed_years(*, municipalities: list[Municipality], years: list[int], cells_of: int) -> dict[int, SummedYear]:
    """Per school year, the counts of the municipalities summed and the lists they count by; the results' cells of
    the year `cells_of` alone. Read as the dashboards read a region (`figures_read`): of each municipality's summary
    only its counts, the cells from its region's sums when the municipalities are whole regions. A query a year, and
    a count of what is missing."""
    today = timezone.localdate()
    summed = {}
    for year in years:
        found, region_rows = _summaries(municipalities, year=year, today=today, whole=True)
        total = dict.fromkeys(INT_KEYS, 0)
        for summary in found.values():
            for key, value in summary.row.items():
                total[key] += value
        shares_fill(total)
        cells = {}
        if year == cells_of:
            parts = _wholes_of(municipalities, region_rows)
            if parts is None:
                parts = {pk: summary.figures for pk, summary in _full(found, year=year).items()}
            cells = {
                (measure_id, part, group, cell_year): [_exact(value_sum), n]
                for part, figures in parts.items()
                for measure_id, group, cell_year, value_sum, n in figures["cells"]
            }
        list_years = {pk: row.figures["list_year"] for pk, row in region_rows.items() if row.figures.get("list_year")}
        summed[year] = SummedYear(total, cells, list_years)
    return summed


def _summaries(
    municipalities: list[Municipality], *, year: int, today: datetime.date, whole: bool = False
) -> tuple[dict[int, FigureSummary], dict[int, FigureSummary]]:
    """The summaries of the municipalities (their counts in `row`; with `whole`, only those) and of their regions,
    counting those missing at once. Asks the task to count again those marked or of an earlier day."""
    ids = [m.pk for m in municipalities]
    region_ids = {m.region_id for m in municipalities}

    def read():
        rows = FigureSummary.objects.filter(year=year).filter(
            Q(municipality_id__in=ids) | Q(municipality__isnull=True, region_id__in=region_ids)
        )
        if whole:  # a municipality's indicators and cells are in its region's sums: of it, only its counts
            rows = rows.annotate(
                figures_part=Case(When(municipality__isnull=True, then="figures"), default=Value(None, JSONField()))
            ).defer("figures")
        found, regions = {}, {}
        for summary in rows.annotate(row=KeyTransform("row", "figures")):
            if whole:
                summary.figures = summary.figures_part
            (found if summary.municipality_id else regions)[summary.municipality_id or summary.region_id] = summary
        return found, regions

    found, regions = read()
    missing = [m for m in municipalities if m.pk not in found or m.region_id not in regions]
    if missing:
        summaries_count(municipalities=missing, year=year, today=today)
        found, regions = read()
    due = [s for s in [*found.values(), *regions.values()] if s.is_due(today)]
    if due and settings.FIGURES_READ_FRESH:
        due_regions = {s.region_id for s in due}
        again = [m for m in municipalities if m.region_id in due_regions]
        summaries_count(municipalities=again, year=year, today=today)
        found, regions = read()
    elif any(s.changed_at is None for s in due):  # a row of an earlier day: nobody marks it (a mark asked already)
        refresh_request()
    return found, regions


def _indicator_rows(
    municipalities: list[Municipality],
    year: int,
    parts: dict,
    region_rows: dict[int, FigureSummary],
    book: CalendarBook,
    *,
    each: bool,
) -> list[dict]:
    """The indicator rows of `monitoring.figures._indicator_rows` from the summaries: each municipality's row as
    stored (with `each`), and the row of the whole scope combined by stage from the values of its parts — its
    municipalities, or its regions summed (`parts`: key → stored figures)."""
    first_region_id = municipalities[0].region_id if municipalities else None
    calendars = {rid: book.stages(year, rid) for rid in {m.region_id for m in municipalities} | {first_region_id}}
    ranks = {rid: rank_in(calendar) for rid, calendar in calendars.items()}
    labels = {rid: {stage.code: stage.name for stage in calendar} for rid, calendar in calendars.items()}
    stored: dict[int, dict] = defaultdict(dict)  # indicator id → part → stored row
    own: dict[int, float | None] = {}  # a municipal indicator → its actual over its municipality
    for part, figures in parts.items():
        for item in figures["indicators"]:
            stored[item["id"]][part] = item
        own.update({int(key): value for key, value in figures["own"].items()})
    indicators = Indicator.objects.in_bulk(list(stored))
    by_id = {m.pk: m for m in municipalities}
    rows = []
    for indicator in sorted(indicators.values(), key=lambda i: (i.position, i.code, i.pk)):
        items = stored[indicator.pk]
        planned = next(iter(items.values()))["planned"]
        scope: dict[str, tuple[Decimal, int]] = {}
        for part, item in items.items():
            stages = _stages_of(item)
            stages_add(scope, stages)
            if each:
                region_id = by_id[part].region_id
                rows.append(
                    indicator_row(
                        indicator, by_id[part], planned, item["actual"], stages, ranks[region_id], labels[region_id]
                    )
                )  # fmt: skip
        region_id = indicator.region_id if indicator.region_id in ranks else first_region_id
        if indicator.municipality_id is not None:
            actual = own.get(indicator.pk)
        elif indicator.aggregation == Indicator.Aggregation.POOLED and scope:
            actual = (
                items[municipalities[0].pk]["actual"] if each
                else _pooled_over(indicator, year, municipalities, region_rows)
            )  # fmt: skip
        else:
            actual = indicator_actual(indicator, scope, ranks[region_id])
        rows.append(indicator_row(indicator, None, planned, actual, scope, ranks[region_id], labels[region_id]))
    return rows


def _stages_of(item: dict) -> dict[str, tuple[Decimal, int]]:
    """A stored indicator row's values by stage: stage → (sum, number)."""
    return {code: (Decimal(total), n) for code, (total, n) in item["stages"].items()}


def _pooled_over(indicator: Indicator, year: int, municipalities: list[Municipality], region_rows: dict):
    """A pooled indicator over the scope's municipalities it covers: its region's stored value when they are the
    whole region; else computed now (`compute`)."""
    ids = [m.pk for m in municipalities if indicator.region_id in (None, m.region_id)]
    regions = {m.region_id for m in municipalities if m.pk in ids}
    region_row = region_rows.get(next(iter(regions))) if len(regions) == 1 else None
    if region_row is not None and region_row.figures.get("municipalities") == len(ids):
        pooled = region_row.figures.get("pooled", {})
        if str(indicator.pk) in pooled:
            return pooled[str(indicator.pk)]
    return compute(indicator.computed_by, year=year, municipality=ids)


def _full(summaries: dict[int, FigureSummary], *, year: int) -> dict[int, FigureSummary]:
    """The municipalities' summaries with all they keep (read with their counts only): one query."""
    figures = dict(
        FigureSummary.objects.filter(year=year, pk__in=[s.pk for s in summaries.values()]).values_list("pk", "figures")
    )
    for summary in summaries.values():
        summary.figures = figures[summary.pk]
    return summaries


# --- counting --------------------------------------------------------------------------------------------------------


def summaries_count(*, municipalities: list[Municipality], year: int, today: datetime.date | None = None) -> None:
    """Count the year's figures of these municipalities — every row, for anyone who reads them whole — in one
    `count_figures`, whatever regions they lie in, and store them with the rows of their regions."""
    if not municipalities:
        return
    today = today or timezone.localdate()
    started = timezone.now()
    figures = count_figures(user=None, year=year, municipalities=municipalities, today=today)
    payloads: dict[tuple[str, int], dict] = {("m", pk): payload for pk, payload in _payloads(figures).items()}
    regions = {m.region_id for m in municipalities}
    payloads |= {("r", region_id): payload for region_id, payload in region_payloads(regions, year).items()}
    regions_of = {m.pk: m.region_id for m in municipalities}
    _store(year=year, as_of=figures.as_of, started=started, payloads=payloads, regions_of=regions_of)


def _payloads(figures: YearFigures) -> dict[int, dict]:
    """What each municipality's summary keeps: its counts, its indicators' rows with their values' sums by stage,
    the actual of its own municipal indicators, its results' sums. One pass over each (the country has 40,000
    indicator rows and 100,000 cells)."""
    payloads = {
        m.pk: {"row": {key: figures.rows[m.pk][key] for key in INT_KEYS}, "indicators": [], "own": {}, "cells": []}
        for m in figures.municipalities
    }
    for r in figures.indicator_rows:
        indicator = r["indicator"]
        if r["municipality"] is not None:
            payloads[r["municipality"].pk]["indicators"].append(
                {
                    "id": indicator.pk,
                    "planned": r["planned"],
                    "actual": r["actual"],
                    "stages": {code: [str(total), n] for code, (total, n) in r["stages"].items()},
                }
            )
        elif indicator.municipality_id in payloads:
            payloads[indicator.municipality_id]["own"][str(indicator.pk)] = r["actual"]
    for (measure_id, municipality_id, group, cell_year), (total, n) in figures.dynamics_cells.items():
        payloads[municipality_id]["cells"].append([measure_id, group, cell_year, total, n])
    return payloads


def region_payloads(region_ids: set[int], year: int) -> dict[int, dict]:
    """What a region's row keeps: how many municipalities it has, the year of the list its figures count by
    (`list_years_for`), and its pooled indicators over all of them (those of the region and those of every region),
    each computed in a few queries. Three queries besides."""
    ids_of = defaultdict(list)
    for pk, region_id in Municipality.objects.filter(region_id__in=region_ids).values_list("pk", "region_id"):
        ids_of[region_id].append(pk)
    pooled = list(
        Indicator.objects.filter(
            Q(region_id__in=region_ids) | Q(region__isnull=True),
            is_active=True,
            aggregation=Indicator.Aggregation.POOLED,
            municipality__isnull=True,
        ).filter(Q(programme__isnull=True) | Q(programme__school__isnull=True))
    )
    list_years = list_years_for(year, region_ids)
    return {
        region_id: {
            "municipalities": len(ids_of[region_id]),
            "list_year": list_years.get(region_id),
            "pooled": {
                str(i.pk): compute(i.computed_by, year=year, municipality=ids_of[region_id])
                for i in pooled
                if i.region_id in (None, region_id)
            },
        }
        for region_id in region_ids
    }


def _store(
    *, year: int, as_of: datetime.date, started: datetime.datetime, payloads: dict, regions_of: dict[int, int]
) -> None:
    """Write the counted rows (`payloads`: ("m", municipality id) or ("r", region id) → figures). A row counted
    later by someone else is left as it is; a mark made after the count began stays (the next run counts the row
    again)."""
    municipality_ids = [pk for kind, pk in payloads if kind == "m"]
    region_ids = [pk for kind, pk in payloads if kind == "r"]
    with transaction.atomic():
        existing = {
            ("m", s.municipality_id) if s.municipality_id else ("r", s.region_id): s
            for s in FigureSummary.objects.select_for_update()
            .filter(year=year)
            .filter(Q(municipality_id__in=municipality_ids) | Q(municipality__isnull=True, region_id__in=region_ids))
        }
        changed, new = [], []
        for (kind, pk), payload in payloads.items():
            summary = existing.get((kind, pk))
            if summary is None:
                new.append(
                    FigureSummary(
                        region_id=regions_of[pk] if kind == "m" else pk, municipality_id=pk if kind == "m" else None,
                        year=year, as_of=as_of, counted_at=started, figures=payload,
                    )
                )  # fmt: skip
            elif summary.counted_at <= started:
                summary.figures, summary.as_of, summary.counted_at = payload, as_of, started
                if summary.changed_at is not None and summary.changed_at <= started:
                    summary.changed_at = summary.stale_since = None
                elif summary.changed_at is not None:  # marked again since the count began: what is missed, since then
                    summary.stale_since = started
                changed.append(summary)
        FigureSummary.objects.bulk_update(
            changed, ["figures", "as_of", "counted_at", "changed_at", "stale_since"], batch_size=500
        )
        try:
            with transaction.atomic():
                FigureSummary.objects.bulk_create(new, batch_size=500)
        except IntegrityError:
            logger.info("Summaries of %s were counted by another process at the same time", year)
        # Summed again whoever counted the region's row last: its lock makes the writers of a region's
        # municipalities take turns, and each sums what is stored by then.
        wholes = _wholes(year, region_ids)
        region_summaries = list(
            FigureSummary.objects.filter(year=year, municipality__isnull=True, region_id__in=region_ids)
        )
        for summary in region_summaries:
            summary.figures = summary.figures | {"whole": wholes[summary.region_id]}
        FigureSummary.objects.bulk_update(region_summaries, ["figures"], batch_size=500)


def _wholes(year: int, region_ids: list[int]) -> dict[int, dict]:
    """Per region, what its municipalities' summaries keep summed over all of them: their indicators' values by
    stage, their own indicators' actuals, their results' cells (exact sums, «numerator/denominator») — what a scope
    of whole regions reads instead of every municipality's row; `ids`, the municipalities summed."""
    wholes = {region_id: {"ids": [], "indicators": {}, "own": {}, "cells": {}} for region_id in region_ids}
    stored = (
        FigureSummary.objects.filter(year=year, region_id__in=region_ids, municipality__isnull=False)
        .order_by("municipality__name", "municipality_id")
        .values_list("region_id", "municipality_id", "figures")
    )
    for region_id, municipality_id, figures in stored:
        whole = wholes[region_id]
        whole["ids"].append(municipality_id)
        for item in figures["indicators"]:
            summed = whole["indicators"].setdefault(item["id"], {"planned": item["planned"], "stages": {}})
            stages_add(summed["stages"], _stages_of(item))
        whole["own"].update(figures["own"])
        for measure_id, group, cell_year, total, n in figures["cells"]:
            before = whole["cells"].get((measure_id, group, cell_year), (Fraction(0), 0))
            whole["cells"][(measure_id, group, cell_year)] = (before[0] + Fraction(total), before[1] + n)
    as_stored = lambda stages: {code: [str(total), n] for code, (total, n) in stages.items()}  # noqa: E731
    return {
        region_id: {
            "ids": whole["ids"],
            "indicators": [
                {"id": pk, "planned": item["planned"], "stages": as_stored(item["stages"])}
                for pk, item in whole["indicators"].items()
            ],
            "own": whole["own"],
            "cells": [[*key, str(total), n] for key, (total, n) in whole["cells"].items()],
        }
        for region_id, whole in wholes.items()
    }


# --- marking and refreshing ------------------------------------------------------------------------------------------


class _Pending:
    """The municipalities and regions a transaction has changed: marked when it commits."""

    def __init__(self):
        self.municipality_ids: set[int] = set()
        self.region_ids: set[int] = set()
        self.__qualname__ = "figures_changed"  # how Django's log names a robust on_commit callback that failed

    def __call__(self):
        connection = connections["default"]
        if getattr(connection, "_figures_pending", None) is self:  # run: what changes next is marked again
            connection._figures_pending = None
        try:
            summaries_mark(municipality_ids=self.municipality_ids, region_ids=self.region_ids)
        except OperationalError:
            # The mark's UPDATE and the task's storing lock the same rows, each in its own order: PostgreSQL may
            # end a deadlock by cancelling the mark. Once more, then the change waits for the day's recount.
            logger.warning("Summaries of %s were not marked at once, again", sorted(self.municipality_ids))
            summaries_mark(municipality_ids=self.municipality_ids, region_ids=self.region_ids)


def figures_changed(*, municipality_ids=(), region_ids=()) -> None:
    """The data the figures of these municipalities (or of every municipality of these regions) count has changed,
    or will have once the open transaction commits: their summaries are marked then, and the task is asked for."""
    connection = connections["default"]
    if not connection.in_atomic_block or settings.FIGURES_READ_FRESH:
        summaries_mark(municipality_ids=set(municipality_ids), region_ids=set(region_ids))
        return
    pending = getattr(connection, "_figures_pending", None)
    if pending is None or not any(func is pending for _, func, _ in connection.run_on_commit):
        pending = connection._figures_pending = _Pending()
        transaction.on_commit(pending, robust=True)  # the change is saved: a failed mark must not answer an error
    pending.municipality_ids.update(pk for pk in municipality_ids if pk is not None)
    pending.region_ids.update(pk for pk in region_ids if pk is not None)


def summaries_mark(*, municipality_ids: set[int], region_ids: set[int]) -> int:
    """Mark the summaries of the municipalities, of their regions' rows and of the regions; one query. Returns how
    many rows were marked."""
    if not municipality_ids and not region_ids:
        return 0
    condition = (
        Q(municipality_id__in=municipality_ids)
        | Q(
            municipality__isnull=True,
            region_id__in=Municipality.objects.filter(pk__in=municipality_ids).values("region_id"),
        )
        | Q(region_id__in=region_ids)
    )
    now = timezone.now()
    marked = FigureSummary.objects.filter(condition).update(
        changed_at=now, stale_since=Coalesce("stale_since", Value(now))
    )
    if marked:
        refresh_request()
    return marked


def refresh_request() -> None:
    """Queue the task, unless one is already waiting for the worker (it will count what is marked by then). On the
    worker's queue it runs FIGURES_REFRESH_AFTER seconds later, so that the changes of those seconds are counted
    together."""
    if not isinstance(figures_refresh.get_backend(), DatabaseBackend):
        jobs.enqueue(figures_refresh)
        return
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=figures_refresh.module_path)
    if not waiting.exists():
        later = timezone.now() + datetime.timedelta(seconds=settings.FIGURES_REFRESH_AFTER)
        jobs.enqueue(figures_refresh.using(run_after=later))


# Before the reports and runs waiting in the queue: a dashboard must not wait behind a country's yearly report.
@task(priority=10)
def figures_refresh() -> int:
    """Count again the summaries that are marked or of an earlier day: the marked municipalities of a year in one
    count, and the rows of regions marked alone. Returns the number of municipalities counted."""
    today = timezone.localdate()
    municipality_ids: dict[int, set[int]] = defaultdict(set)
    region_ids: dict[int, set[int]] = defaultdict(set)
    candidates = FigureSummary.objects.filter(Q(changed_at__isnull=False) | Q(as_of__lt=today)).only(
        "region_id", "municipality_id", "year", "as_of", "changed_at"
    )
    for summary in candidates:
        if summary.is_due(today):
            if summary.municipality_id:
                municipality_ids[summary.year].add(summary.municipality_id)
            else:
                region_ids[summary.year].add(summary.region_id)
    counted = 0
    for year in sorted({*municipality_ids, *region_ids}):
        municipalities = list(Municipality.objects.filter(pk__in=municipality_ids[year]).order_by("name"))
        summaries_count(municipalities=municipalities, year=year, today=today)
        alone = region_ids[year] - {m.region_id for m in municipalities}
        if alone:  # only a region's row: its pooled indicators
            started = timezone.now()
            payloads = {("r", pk): payload for pk, payload in region_payloads(alone, year).items()}
            as_of = min(today, school_year_period(year)[1])
            _store(year=year, as_of=as_of, started=started, payloads=payloads, regions_of={})
        counted += len(municipalities)
    return counted
