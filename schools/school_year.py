"""The school year: stored by the calendar year it ends in (2024 is 2023/24), starting in September.

The portal's one calendar (docs/MONITORING.md, «Цели и календарь»): work is counted by school year — every count
«за год» on a page, in an export, a notification or a report means 1 September – 31 August of one school year; the
list (перечень) is named by the year it is approved and says which school year it holds for (`list_label`).
Every app names years this way; when a territory keeps its own calendar (issue 18), this is where it is read.
"""

import datetime

from django.utils import timezone


def current_school_year() -> int:
    """The school year under way, by the year it ends in (from September on, the next calendar year)."""
    return school_year_of(timezone.localdate())


def school_year_label(year: int) -> str:
    """2024 → «2023/24»: years are stored by the calendar year the school year ends in."""
    return f"{year - 1}/{str(year)[-2:]}"


def school_year_period(year: int) -> tuple[datetime.date, datetime.date]:
    """1 September of the year before – 31 August of the year: the school year 2027 is 2026/27. Every count «за год»
    of the portal (summary, dashboards, yearly report, lists filtered by year) counts within this period."""
    return datetime.date(year - 1, 9, 1), datetime.date(year, 8, 31)


def school_year_of(day: datetime.date) -> int:
    """The school year a day falls in (by the year it ends in)."""
    return day.year + 1 if day.month >= 9 else day.year


def school_year_choices(extra: set[int] | None = None, *, back: int = 4, ahead: int = 1) -> list[tuple[int, str]]:
    """(year, «2026/27») of the one year chooser (`templates/monitoring/_year_chooser.html`), newest first."""
    now = current_school_year()
    years = set(range(now - back, now + ahead + 1)) | (extra or set())
    return [(year, school_year_label(year)) for year in sorted(years, reverse=True)]


def school_year_param(value, *, default: int | None = None) -> int:
    """A school year from a query parameter («2027»), else `default` (the current school year)."""
    text = str(value or "").strip()
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return default if default is not None else current_school_year()


def list_label(year: int, approved_on: datetime.date | None = None) -> str:
    """How a list is named: by the year it was approved, saying which school year it holds for —
    «перечень 2026 года на 2026/27 учебный год»; before approval «перечень на 2026/27 учебный год»."""
    if approved_on is None:
        return f"перечень на {school_year_label(year)} учебный год"
    return f"перечень {approved_on.year} года на {school_year_label(year)} учебный год"
