"""What is wrong in an uploaded file, said one way by every import.

A `Problem` names the sheet, the row, the column (its letter and, where the file has one, its header), the value
found there and what is wrong with it. `str(problem)` is the one sentence that the pages, the commands and the back
office all show: «Лист «Профили», строка 3, столбец D («Обучающихся»): ожидается число, а указано «много».»
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

# A broken file can hold thousands of problems; the first ones are enough to fix it, the rest are only counted.
MAX_PROBLEMS = 500


@dataclass(frozen=True)
class Problem:
    message: str
    sheet: str = ""
    row: int | None = None
    column: int | None = None  # as Excel counts: 1 is column A
    header: str = ""  # the column's header in the file or the template
    value: object = None  # the cell's value, as read

    @property
    def column_letter(self) -> str:
        return get_column_letter(self.column) if self.column else ""

    @property
    def place(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"лист «{self.sheet}»")
        if self.row:
            parts.append(f"строка {self.row}")
        if self.column and self.header:
            parts.append(f"столбец {self.column_letter} («{self.header}»)")
        elif self.column:
            parts.append(f"столбец {self.column_letter}")
        elif self.header:
            parts.append(f"столбец «{self.header}»")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.place}: {self.message}" if self.place else self.message
        text = text[:1].upper() + text[1:]
        return text if text.endswith((".", "!", "?", "…")) else text + "."


class Problems:
    """The problems of one file in the order found: the first `limit` are kept, all are counted."""

    def __init__(self, limit: int = MAX_PROBLEMS):
        self.items: list[Problem] = []
        self.count = 0
        self.limit = limit

    def add(self, message: str, **place) -> None:
        """`place`: sheet, row, column, header, value — as many as are known."""
        self.append(Problem(message, **place))

    def append(self, problem: Problem) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)
        if isinstance(problems, Problems):
            self.count += problems.omitted  # counted there, not kept: still counted here

    @property
    def omitted(self) -> int:
        return self.count - len(self.items)

    def in_file_order(self, sheets: list[str] | None = None) -> None:
        """Sort sheet by sheet (in the order of `sheets`, then as first met), row by row: problems are found in
        several passes (cells first, then rows against the registry), but read best in the order of the file."""
        order = {title: index for index, title in enumerate(sheets or [])}
        for problem in self.items:
            order.setdefault(problem.sheet, len(order))
        self.items.sort(key=lambda p: (order[p.sheet], p.row or 0, p.column or 0))

    def messages(self) -> list[str]:
        return [str(problem) for problem in self.items]

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return self.count > 0

    def __getitem__(self, index):
        return self.items[index]

    def __repr__(self) -> str:
        return f"Problems({self.messages()!r})"


@dataclass(kw_only=True)
class CheckedFile:
    """What checking an uploaded file found, the base of every import's preview: errors (then nothing may be saved)
    and warnings (the values they name are left out, the rest may be saved)."""

    errors: Problems = field(default_factory=Problems)
    warnings: Problems = field(default_factory=Problems)

    @property
    def ok(self) -> bool:
        return not self.errors
