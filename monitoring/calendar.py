"""Reading the monitoring calendar (`monitoring.models.MonitoringStage`, `MunicipalStageShift`): the one place that
knows which stages a school year has for a territory and a municipality, and when each is due.

For a municipality and a school year the stages are its territory's stages of that year, else the default stages
(no territory) of that year, else the portal's three stages without dates — today's values before the calendar was
data. A municipality's shift replaces the department's dates of a stage for its schools. `CalendarBook` reads the
rows of some years in two queries, whatever the number of municipalities a page shows.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from schools.school_year import school_year_label

from .models import MonitoringStage, Stage
from .models.calendar import region_id_of  # noqa: F401  (read from here too)

DEFAULT_SOURCE = "этапы портала по умолчанию"


@dataclass(frozen=True)
class CalendarStage:
    """A stage as a school of a municipality meets it: the department's stage with the municipality's dates."""

    year: int
    code: str
    name: str
    position: int
    starts_on: datetime.date | None = None
    due_on: datetime.date | None = None
    department_starts_on: datetime.date | None = None
    department_due_on: datetime.date | None = None
    pk: int | None = None
    source: str = DEFAULT_SOURCE
    basis: str = ""

    @property
    def label(self) -> str:
        return self.name

    @property
    def shifted(self) -> bool:
        return (self.starts_on, self.due_on) != (self.department_starts_on, self.department_due_on)

    @property
    def has_dates(self) -> bool:
        return self.due_on is not None

    def overdue(self, today: datetime.date) -> bool:
        return self.due_on is not None and self.due_on < today

    @property
    def year_label(self) -> str:
        return school_year_label(self.year)


def portal_defaults(year: int) -> list[CalendarStage]:
    """The portal's three stages (entry, interim, final) without dates: a year nobody has set."""
    return [
        CalendarStage(year=year, code=value, name=label, position=n)
        for n, (value, label) in enumerate(Stage.choices, start=1)
    ]


def _stage(row: "StageRow", shift: tuple | None = None) -> CalendarStage:
    source = f"календарь территории «{row.region_name}»" if row.region_id else "календарь по умолчанию"
    starts_on, due_on = shift or (row.starts_on, row.due_on)
    return CalendarStage(
        year=row.year, code=row.code, name=row.name, position=row.position, starts_on=starts_on, due_on=due_on,
        department_starts_on=row.starts_on, department_due_on=row.due_on, pk=row.pk, source=source, basis=row.basis,
    )  # fmt: skip


@dataclass(frozen=True)
class StageRow:
    """A department's stage as the book reads it (one query joins the stages and their municipal shifts)."""

    pk: int
    region_id: int | None
    region_name: str | None
    year: int
    code: str
    name: str
    position: int
    starts_on: datetime.date
    due_on: datetime.date
    basis: str


BOOK_FIELDS = (
    "pk", "region_id", "region__name", "year", "code", "name", "position", "starts_on", "due_on", "basis",
    "shifts__municipality_id", "shifts__starts_on", "shifts__due_on",
)  # fmt: skip


class CalendarBook:
    """The stages of some school years for every territory and the shifts of every municipality, in one query."""

    def __init__(self, years: Iterable[int]):
        self.years = sorted(set(years))
        self.rows = defaultdict(list)  # (region id | None, year) → [StageRow] in order
        self.shifts = {}  # (stage id, municipality id) → (starts_on, due_on)
        seen = set()
        stages = MonitoringStage.objects.filter(year__in=self.years).order_by("position", "starts_on", "pk")
        for *fields, municipality_id, shift_starts_on, shift_due_on in stages.values_list(*BOOK_FIELDS):
            row = StageRow(*fields)
            if row.pk not in seen:
                seen.add(row.pk)
                self.rows[(row.region_id, row.year)].append(row)
            if municipality_id is not None:
                self.shifts[(row.pk, municipality_id)] = (shift_starts_on, shift_due_on)

    def department_rows(self, year: int, region_id: int | None = None) -> list[StageRow]:
        """The rows the department set that hold for a territory: its own of the year, else the default ones."""
        return (region_id is not None and self.rows.get((region_id, year))) or self.rows.get((None, year)) or []

    def stages(
        self, year: int, region_id: int | None = None, municipality_id: int | None = None
    ) -> list[CalendarStage]:
        rows = self.department_rows(year, region_id)
        if not rows:
            return portal_defaults(year)
        return [_stage(row, self.shifts.get((row.pk, municipality_id))) for row in rows]

    def of_municipality(self, municipality, year: int) -> list[CalendarStage]:
        return self.stages(year, municipality.region_id, municipality.pk)

    def rank(self, year: int) -> dict[str, int]:
        """code → place in the cycle over every calendar of the year (the default's, each territory's, the portal's):
        «the latest stage with values» where values of several territories meet."""
        ranks: dict[str, int] = {}
        calendars = [rows for (_, y), rows in self.rows.items() if y == year] or [portal_defaults(year)]
        for stages in calendars:
            for n, stage in enumerate(stages):
                ranks[stage.code] = max(n, ranks.get(stage.code, -1))
        return ranks

    def label(self, year: int, code: str, region_id: int | None = None) -> str:
        """A stage's name; a code no longer in the calendar shows as it is stored."""
        for stage in self.stages(year, region_id):
            if stage.code == code:
                return stage.name
        return code


def stage_choices() -> list[tuple[str, str]]:
    """(code, name) of every stage of the calendars of the recent school years, for filters and choosers: a code
    named differently by territories shows each name once."""
    from schools.school_year import current_school_year

    now = current_school_year()
    book = CalendarBook(range(now - 4, now + 2))
    names: dict[str, list[str]] = {}
    for year in reversed(book.years):
        calendars = [rows for (_, y), rows in book.rows.items() if y == year] + [portal_defaults(year)]
        for stages in calendars:
            for stage in stages:
                if stage.name not in names.setdefault(stage.code, []):
                    names[stage.code].append(stage.name)
    return [(code, " / ".join(labels)) for code, labels in names.items()]


def stages_of(year: int, region=None, municipality=None) -> list[CalendarStage]:
    """The ordered stages of a school year with the dates that hold: for a municipality (its territory's calendar
    with its own shifts), a territory, or the default calendar."""
    book = CalendarBook([year])
    if municipality is not None:
        return book.of_municipality(municipality, year)
    return book.stages(year, region.pk if region is not None else None)


def stage_of(year: int, code: str, *, municipality=None, region=None) -> CalendarStage:
    """The stage a value or a self-assessment names, or a Russian refusal naming the stage and those that exist."""
    stages = stages_of(year, region=region, municipality=municipality)
    for stage in stages:
        if stage.code == code:
            return stage
    raise ValidationError(unknown_stage_message(year, code, stages))


def unknown_stage_message(year: int, code: str, stages: list[CalendarStage]) -> str:
    names = ", ".join(f"«{s.name}» ({s.code})" for s in stages)
    return f"Этапа «{code}» нет в календаре мониторинга на {school_year_label(year)} учебный год; этапы года: {names}."


def last_stage(stages: list[CalendarStage]) -> CalendarStage:
    """The stage whose values are the year's fact: the last of the cycle."""
    return stages[-1]


def rank_in(stages: list[CalendarStage]) -> dict[str, int]:
    """code → place in the cycle (for «the latest stage with values»); a code outside the calendar ranks first."""
    return {stage.code: n for n, stage in enumerate(stages)}


class StageNames:
    """A stage's name by (year, code, territory), reading the calendar once per year met: for exports written
    row by row."""

    def __init__(self):
        self.books: dict[int, CalendarBook] = {}

    def __call__(self, year: int, code: str, region_id: int | None = None) -> str:
        if year not in self.books:
            self.books[year] = CalendarBook([year])
        return self.books[year].label(year, code, region_id)


def attach_labels(objects, book: CalendarBook | None = None) -> None:
    """Give values or self-assessments (with `year`, `stage` and a municipality or a school) their stage's name in
    their territory's calendar as `stage_label`, in four queries for the whole list."""
    from schools.models import Municipality, School

    objects = list(objects)
    if not objects:
        return
    book = book or CalendarBook({o.year for o in objects})
    municipality_ids = {o.municipality_id for o in objects if getattr(o, "municipality_id", None)}
    school_ids = {o.school_id for o in objects if not getattr(o, "municipality_id", None)}
    regions = dict(Municipality.objects.filter(pk__in=municipality_ids).values_list("pk", "region_id"))
    school_regions = dict(School.objects.filter(pk__in=school_ids).values_list("pk", "municipality__region_id"))
    for obj in objects:
        municipality_id = getattr(obj, "municipality_id", None)
        region_id = regions.get(municipality_id) if municipality_id else school_regions.get(obj.school_id)
        obj.stage_label = book.label(obj.year, obj.stage, region_id)
