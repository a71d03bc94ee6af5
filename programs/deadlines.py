"""The deadline of a roadmap measure as the documents write it: a date, a month, several months, or the whole year.

The seeds write «15.05.2023», «Май», «Декабрь 2021», «Май - июнь 2022», «Сентябрь, октябрь, ноябрь», «В течение
года». A `Deadline` holds one of these kinds; the portal writes it back as «15.05.2025», «май 2025», «сентябрь,
октябрь, ноябрь 2025» or «в течение 2025 года», and `read_deadline` reads each of these (and the seeds' spellings)
back, so an exported roadmap imports as it was.

«В течение года» is a calendar year of the programme (a programme's period is counted in calendar years, 1 January
to 31 December), so «в течение 2025 года» ends on 31.12.2025.

A measure stores its deadline in three columns: `deadline`, the last day of the term (a date deadline's own date) —
the one column overdue queries, reminders and sorting read, so they stay set-based and use the index; `deadline_kind`;
and `deadline_months`, the months as a bit mask (January = 1, February = 2, March = 4 …; 0 for a date or a year).
A measure is overdue from the day after the last day: «май 2026» from 1 June 2026, «в течение 2026 года» from
1 January 2027.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

from shnor_portal.uploads import CellError, cell_text, is_blank, read_date, shown


class DeadlineKind(models.TextChoices):
    DATE = "date", "дата"
    MONTH = "month", "месяц"
    MONTHS = "months", "несколько месяцев"
    YEAR = "year", "в течение года"


MONTH_NAMES = (
    "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
ALL_MONTHS = (1 << 12) - 1

EXPECTED = (
    "ожидается срок: дата («15.05.2025»), месяц («май 2025»), несколько месяцев («сентябрь, октябрь, ноябрь 2025») "
    "или «в течение 2025 года»"
)


@dataclass(frozen=True)
class Deadline:
    """One deadline; make it with `on`, `in_months` or `during` (they check it)."""

    kind: str
    year: int
    months: tuple[int, ...] = ()
    day: datetime.date | None = None

    @classmethod
    def on(cls, day: datetime.date) -> "Deadline":
        return cls(DeadlineKind.DATE, day.year, (), day)

    @classmethod
    def in_months(cls, year: int, months) -> "Deadline":
        months = tuple(sorted(set(months)))
        if not months or not all(1 <= m <= 12 for m in months):
            raise ValidationError("Укажите хотя бы один месяц.")
        return cls(DeadlineKind.MONTH if len(months) == 1 else DeadlineKind.MONTHS, year, months)

    @classmethod
    def during(cls, year: int) -> "Deadline":
        return cls(DeadlineKind.YEAR, year)

    # --- what it means ---

    @property
    def first_day(self) -> datetime.date:
        if self.kind == DeadlineKind.DATE:
            return self.day
        if self.kind == DeadlineKind.YEAR:
            return datetime.date(self.year, 1, 1)
        return datetime.date(self.year, self.months[0], 1)

    @property
    def last_day(self) -> datetime.date:
        """The day the measure is due by: overdue from the next day on."""
        if self.kind == DeadlineKind.DATE:
            return self.day
        if self.kind == DeadlineKind.YEAR:
            return datetime.date(self.year, 12, 31)
        month = self.months[-1]
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def is_overdue(self, today: datetime.date) -> bool:
        return self.last_day < today

    @property
    def label(self) -> str:
        """As the portal shows and exports it: «15.05.2025», «май 2025», «сентябрь, октябрь, ноябрь 2025»,
        «в течение 2025 года»."""
        if self.kind == DeadlineKind.DATE:
            return f"{self.day:%d.%m.%Y}"
        if self.kind == DeadlineKind.YEAR:
            return f"в течение {self.year} года"
        return f"{', '.join(MONTH_NAMES[m - 1] for m in self.months)} {self.year}"

    def __str__(self):
        return self.label

    # --- how a measure stores it ---

    def fields(self) -> dict:
        return {"deadline": self.last_day, "deadline_kind": self.kind, "deadline_months": months_mask(self.months)}

    @classmethod
    def from_fields(cls, deadline: datetime.date | None, kind: str, mask: int) -> "Deadline | None":
        if deadline is None:
            return None
        if kind == DeadlineKind.YEAR:
            return cls.during(deadline.year)
        if kind in (DeadlineKind.MONTH, DeadlineKind.MONTHS) and mask:
            return cls.in_months(deadline.year, months_of(mask))
        return cls.on(deadline)


NO_DEADLINE_FIELDS = {"deadline": None, "deadline_kind": DeadlineKind.DATE, "deadline_months": 0}


def deadline_fields(deadline: Deadline | None) -> dict:
    return deadline.fields() if deadline is not None else dict(NO_DEADLINE_FIELDS)


def deadline_label(deadline: Deadline | None) -> str:
    return deadline.label if deadline is not None else ""


def months_mask(months) -> int:
    return sum(1 << (m - 1) for m in set(months))


def months_of(mask: int) -> tuple[int, ...]:
    return tuple(m for m in range(1, 13) if mask & (1 << (m - 1)))


# --- reading it as people write it --------------------------------------------------------------------------------

_MONTH = "|".join(MONTH_NAMES)
_YEAR_WORDS = r"(?:\s*(?:г\.?|гг\.?|года?|году))?"
_DATE_LIKE = re.compile(r"^\d{1,4}[.-]\d{1,2}[.-]\d{1,4}$")
_BARE_YEAR = re.compile(rf"^(\d{{4}}){_YEAR_WORDS}$")
_DURING = re.compile(rf"^(?:в\s+)?течени[еи]\s+(?:(\d{{4}}){_YEAR_WORDS}|года)$")
_MONTHS = re.compile(rf"^((?:{_MONTH})(?:\s*(?:,|-|–|—|\s+и\s+|\s+по\s+)\s*(?:{_MONTH}))*)(?:\s+(\d{{4}}){_YEAR_WORDS})?$")
_MONTH_SPLIT = re.compile(rf"({_MONTH})|(-|–|—|\s+по\s+)")


def read_deadline(value, *, default_year: int | None = None) -> Deadline | None:
    """A deadline cell or a typed deadline → Deadline (None when empty), or CellError with a Russian message.

    Reads «15.05.2025» (or a date cell, or 2025-05-15), «май 2025», «Декабрь 2021», «сентябрь, октябрь, ноябрь
    2025», «Май - июнь 2022», «в течение 2025 года» and a bare year «2025» (the whole year). Without a year
    («Май», «В течение года») the deadline takes `default_year` — the programme's year when it covers one — and is
    refused when there is none.
    """
    if is_blank(value):
        return None
    if isinstance(value, datetime.date | datetime.datetime):
        return Deadline.on(read_date(value))
    text = cell_text(value).lower().replace("ё", "е").strip(" .")
    if _DATE_LIKE.match(text):
        try:
            return Deadline.on(read_date(text))
        except CellError:
            raise CellError(f"{EXPECTED}, а указано {shown(value)}") from None
    if match := _BARE_YEAR.match(text):
        return Deadline.during(_year(match.group(1), value))
    if match := _DURING.match(text):
        return Deadline.during(_year(match.group(1), value, default_year))
    if match := _MONTHS.match(text):
        year = _year(match.group(2), value, default_year)
        return Deadline.in_months(year, _months(match.group(1), value))
    raise CellError(f"{EXPECTED}, а указано {shown(value)}")


def _year(text: str | None, value, default_year: int | None = None) -> int:
    if text is None:
        if default_year is None:
            raise CellError(
                f"укажите год: например, «май 2025» или «в течение 2025 года», а указано {shown(value)}"
            )
        return default_year
    year = int(text)
    if not 2000 <= year <= 2100:
        raise CellError(f"год {year} вне допустимых (2000–2100), а указано {shown(value)}")
    return year


def _months(text: str, value) -> list[int]:
    """«сентябрь, октябрь, ноябрь» → [9, 10, 11]; «май - июнь» and «октябрь по декабрь» are ranges."""
    months: list[int] = []
    range_open = False
    for month, dash in _MONTH_SPLIT.findall(text):
        if dash:
            range_open = True
            continue
        number = MONTH_NAMES.index(month) + 1
        if range_open:
            if number <= months[-1]:
                raise CellError(f"месяцы срока идут по порядку в пределах одного года, а указано {shown(value)}")
            months.extend(range(months[-1] + 1, number + 1))
            range_open = False
        else:
            if months and number <= months[-1]:
                raise CellError(f"месяцы срока идут по порядку в пределах одного года, а указано {shown(value)}")
            months.append(number)
    return months
