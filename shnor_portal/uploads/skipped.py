"""What an import would not save, said cell by cell instead of dropped without a word.

- `report_formulas`: a formula without a computed value (a file written by a program and never opened in Excel or
  Calc) reads as an empty cell; storing it as empty would lose what the person meant, so it is an error naming the
  cell and the formula, and nothing is saved until the file is recalculated.
- `report_unread`: text typed where the template has no field for it (under the conclusions heading, beside the
  table) is not read; the preview warns about each such cell, so the person can move the text before saving.
  `report_beside_table` says the same of a table's sheet (`read_table`, the values of indicators): every filled
  cell from the header row down outside the table's columns.
"""

from collections.abc import Callable, Iterable

from .cells import cell_text, shown
from .problems import Problems
from .workbook import Sheet

FORMULA_MESSAGE = (
    "ячейка содержит формулу без вычисленного значения: {formula}. Откройте файл в Excel или LibreOffice Calc и "
    "сохраните его (формула будет вычислена) или впишите значение вместо формулы"
)
UNREAD_MESSAGE = "текст {value} вне полей шаблона — он не будет сохранён. Перенесите его в поле шаблона, если он нужен"


def report_formulas(
    sheet: Sheet, problems: Problems, *, read: Callable[[int, int], bool] | None = None, headers: dict | None = None
) -> int:
    """Add a problem for each formula without a value in the cells the import reads (`read(row, column)`, every
    cell by default); the number added."""
    added = 0
    for (row, column), formula in sorted(sheet.formulas.items()):
        if read is None or read(row, column):
            header = (headers or {}).get(column, "")
            problems.add(FORMULA_MESSAGE.format(formula=formula), sheet=sheet.title, row=row, column=column,
                         header=header, value=formula)  # fmt: skip
            added += 1
    return added


def report_unread(sheet: Sheet, problems: Problems, *, read: Callable[[int, int], bool]) -> None:
    """Warn about each filled cell of the sheet that the import does not read (`read(row, column)` is False)."""
    for number, values in enumerate(sheet.rows, start=1):
        for column, value in enumerate(values, start=1):
            if cell_text(value) and not read(number, column):
                problems.add(UNREAD_MESSAGE.format(value=shown(value)), sheet=sheet.title, row=number, column=column,
                             value=value)  # fmt: skip


def report_beside_table(sheet: Sheet, problems: Problems, *, header_row: int, columns: Iterable[int]) -> None:
    """Warn about each filled cell from `header_row` down that is not in one of the table's `columns` (counted from
    1, as Excel counts): a column without a header, a note beside the table. Fast on wide sheets (rows are read
    as wide as the widest, up to 400 columns): the cells after the table's last column are skipped in one step
    when they are all empty."""
    read = set(columns)
    last = max(read, default=0)
    gaps = [column for column in range(1, last) if column not in read]
    for number, values in enumerate(sheet.rows[header_row - 1 :], start=header_row):
        found = [column for column in gaps if column <= len(values) and values[column - 1] is not None]
        tail = values[last:]
        if tail.count(None) != len(tail):
            found += [last + 1 + index for index, value in enumerate(tail) if value is not None]
        for column in found:
            value = values[column - 1]
            if cell_text(value):
                problems.add(UNREAD_MESSAGE.format(value=shown(value)), sheet=sheet.title, row=number, column=column,
                             value=value)  # fmt: skip
