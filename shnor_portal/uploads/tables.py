"""A sheet read as a table: its columns found by their headers (in any order, under their aliases too), every
cell read by its column's reader, every problem named by sheet, row and column.

The registry, the social passports and the back office's resources read their templates this way.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from .cells import CellError, normalized, shown
from .problems import Problems
from .skipped import report_beside_table, report_formulas
from .workbook import Sheet

HEADER_SCAN_ROWS = 10


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    read: Callable  # a reader of `shnor_portal.uploads.cells`: value → what the column holds, or CellError
    required: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """What the header may say: as in the template, without the part in brackets, or an alias."""
        base = normalized(self.header)
        return {base, normalized(re.sub(r"\(.*?\)", "", self.header)), *(normalized(a) for a in self.aliases)}


@dataclass
class TableRow:
    sheet: str
    number: int  # the row of the sheet, as Excel counts
    values: dict  # field → value read from its cell
    raw: dict  # field → the cell's value as written
    present: set  # fields whose column is in the sheet
    positions: dict  # field → (column number, header as the template names it)
    bad: bool = False  # some cell of the row could not be read

    def place(self, name: str, *, header: str = "") -> dict:
        """Where the row's cell of field `name` is, for `Problems.add`; a field without a column in the sheet is
        named by `header`."""
        column, column_header = self.positions.get(name, (None, header))
        return {"sheet": self.sheet, "row": self.number, "column": column, "header": column_header,
                "value": self.raw.get(name)}  # fmt: skip


def _filled(values) -> bool:
    return any(value is not None and str(value).strip() for value in values)


def find_columns(header: tuple, columns: list[Column]) -> tuple[dict[int, Column], list[tuple[int | None, str, str]]]:
    """The columns of a header row by position, and what is wrong with the header: (column number or None, header,
    message) for an unknown, a repeated or a missing required column."""
    by_name = {}
    for column in columns:
        for name in column.names():
            by_name.setdefault(name, column)
    positions: dict[int, Column] = {}
    seen: dict[str, int] = {}
    wrong = []
    for index, value in enumerate(header):
        name = normalized(value)
        if not name:
            continue
        column = by_name.get(name)
        if column is None:
            wrong.append((index + 1, "", f"столбец {shown(value)} не распознан. Названия столбцов — как в шаблоне"))
        elif column.field in seen:
            wrong.append((index + 1, column.header, f"столбец повторяется (он уже есть в столбце "
                                                    f"{get_column_letter(seen[column.field] + 1)})"))  # fmt: skip
        else:
            seen[column.field] = index
            positions[index] = column
    for column in columns:
        if column.required and column.field not in seen:
            wrong.append((None, column.header, "нет обязательного столбца"))
    return positions, wrong


def read_table(
    sheet: Sheet, columns: list[Column], problems: Problems, *, warnings: Problems | None = None
) -> list[TableRow] | None:
    """The filled rows of a sheet, each cell read by its column; None when the header is unusable (reported).
    `warnings`, when given, gets a warning for each filled cell beside the table (`report_beside_table`): text
    outside the template's columns, which is not read."""
    header_number, header = 0, None
    for number, values in enumerate(sheet.rows[:HEADER_SCAN_ROWS], start=1):
        if _filled(values):
            header_number, header = number, values
            break
    if header is None:
        problems.add("лист пустой: нет строки заголовков", sheet=sheet.title)
        return None
    positions, wrong = find_columns(header, columns)
    for column, header_text, message in wrong:
        problems.add(message, sheet=sheet.title, row=header_number, column=column, header=header_text)
    if wrong:
        return None
    report_formulas(sheet, problems, read=lambda row, column: row > header_number and column - 1 in positions,
                    headers={index + 1: column.header for index, column in positions.items()})  # fmt: skip
    if warnings is not None:
        report_beside_table(sheet, warnings, header_row=header_number, columns=[index + 1 for index in positions])
    present = {column.field for column in positions.values()}
    places = {column.field: (index + 1, column.header) for index, column in positions.items()}
    rows = []
    for number, values in enumerate(sheet.rows[header_number:], start=header_number + 1):
        if not _filled(values[index] for index in positions if index < len(values)):
            continue  # an empty row of the table, or only a note beside it (`warnings`)
        row = TableRow(sheet.title, number, {}, {}, present, places)
        for index, column in positions.items():
            value = values[index] if index < len(values) else None
            row.raw[column.field] = value
            try:
                row.values[column.field] = column.read(value)
            except CellError as error:
                problems.add(str(error), **row.place(column.field))
                row.values[column.field] = None
                row.bad = True
                continue
            if column.required and row.values[column.field] in (None, ""):
                problems.add("ячейка обязательна, а она пустая", **row.place(column.field))
                row.bad = True
        rows.append(row)
    return rows
