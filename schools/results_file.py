"""What a file of results is read into, and how its layout is told, whichever of the two layouts it has.

Two layouts are understood: the regional ЕГЭ return as the department receives it (`schools.ege_workbook`) and the
portal's own long-format template (`schools.results_long_format`). Reading never writes to the database and never
raises on a bad file: every problem becomes a `Problem` naming the sheet, row and column, in `ParsedWorkbook.errors`
(nothing may be stored) or `.warnings` (stored without it).
"""

import re
from dataclasses import dataclass, field

from shnor_portal.uploads import CheckedFile, Problem, Sheet, is_blank, read_workbook

from .models import Measure

Metric = Measure.Metric

FORMAT_EGE = "ege"
FORMAT_LONG = "long"
KIND_RESULTS = "results"
KIND_APPLICATIONS = "applications"
KIND_LONG = "long"

MAX_ROWS_PER_SHEET = 100_000
MAX_COLUMNS = 400
HEADER_SCAN_ROWS = 30

LONG_COLUMNS = {
    "municipality": "Муниципалитет",
    "school": "Школа",
    "year": "Год",
    "code": "Код результата",
    "value": "Значение",
}


@dataclass
class ParsedSheet:
    title: str
    year: int | None
    kind: str  # KIND_RESULTS, KIND_APPLICATIONS or KIND_LONG
    header_rows: list[int]  # Excel row numbers of the header, column-number row included
    subjects: list[str] = field(default_factory=list)
    school_rows: int = 0  # rows of schools that carry at least one value
    empty_school_rows: int = 0  # rows of schools with nothing filled in (no graduates, no subject taken)

    @property
    def kind_label(self) -> str:
        return {
            KIND_RESULTS: "результаты ЕГЭ",
            KIND_APPLICATIONS: "заявления на ЕГЭ",
            KIND_LONG: "универсальный шаблон",
        }[self.kind]


@dataclass
class ParsedRow:
    sheet: str
    excel_row: int
    municipality_name: str
    school_name: str
    values: dict[str, float]
    year: int


@dataclass(kw_only=True)
class ParsedWorkbook(CheckedFile):
    format: str = ""
    region_name: str = ""
    sheets: list[ParsedSheet] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return sorted({row.year for row in self.rows})


def refused(problem: Problem | str) -> ParsedWorkbook:
    parsed = ParsedWorkbook()
    parsed.errors.append(problem if isinstance(problem, Problem) else Problem(problem))
    return parsed


def load_sheets(file) -> list[Sheet]:
    return read_workbook(file, max_rows=MAX_ROWS_PER_SHEET, max_columns=MAX_COLUMNS)


# --- cells ---------------------------------------------------------------------------------------------------------


def low(value) -> str:
    return re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip().lower().replace("ё", "е")


def row_cell(row: tuple, col: int | None):
    if col is None or col >= len(row):
        return None
    return row[col]


def row_text(row: tuple, col: int | None) -> str:
    value = row_cell(row, col)
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value.replace("\xa0", " ")).strip()
    return ""


def is_empty(row: tuple) -> bool:
    return all(is_blank(value) for value in row)


def at(sheet: Sheet, index: int, col: int | None = None, row: tuple | None = None) -> dict:
    """The place of a cell (a row index and a column index from 0) for `Problems.add`, with its value."""
    place = {"sheet": sheet.title, "row": index + 1, "column": col + 1 if col is not None else None}
    if row is not None and col is not None:
        place["value"] = row_cell(row, col)
    return place


# --- telling the layouts apart -------------------------------------------------------------------------------------


def find_ege_header(rows: list[tuple]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if any(isinstance(value, str) and "образовательная организация" in low(value) for value in row):
            return index
    return None


def find_long_header(rows: list[tuple]) -> tuple[int | None, dict[str, int]]:
    """The header row of the long format and the columns found in it: all of them, or the best partial match
    (three or more) so that a message can name the missing ones; (None, {}) when there is nothing like it."""
    wanted = {low(name): key for key, name in LONG_COLUMNS.items()}
    best_index, best_columns = None, {}
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            if isinstance(value, str):
                key = wanted.get(low(value).strip(" *:"))
                if key and key not in columns:
                    columns[key] = col
        if len(columns) == len(LONG_COLUMNS):
            return index, columns
        if len(columns) >= 3 and len(columns) > len(best_columns):
            best_index, best_columns = index, columns
    return best_index, best_columns


def is_long_header(rows: list[tuple]) -> bool:
    return len(find_long_header(rows)[1]) == len(LONG_COLUMNS)


def detect(sheets: list[Sheet]) -> str | None:
    for sheet in sheets:
        if is_long_header(sheet.rows):
            return FORMAT_LONG
    for sheet in sheets:
        if find_ege_header(sheet.rows) is not None:
            return FORMAT_EGE
    return None


def unknown_layout(sheets: list[Sheet], expected: str | None = None) -> Problem:
    """Why a file is neither layout (or not the `expected` one)."""
    if not sheets or all(is_empty(row) for sheet in sheets for row in sheet.rows):
        names = ", ".join(f"«{sheet.title}»" for sheet in sheets) or "—"
        return Problem(f"В книге нет данных: лист {names} пуст. Загрузите заполненную книгу.")
    ege = (
        "отчёт о результатах ЕГЭ (не найдена строка заголовка со словами «Образовательная организация» "
        f"в первых {HEADER_SCAN_ROWS} строках ни одного листа)"
    )
    long = "универсальный шаблон портала (нет строки заголовка со столбцами " + ", ".join(
        f"«{name}»" for name in LONG_COLUMNS.values()
    ) + ")"
    for sheet in sheets:
        index, found = find_long_header(sheet.rows)
        if found and expected != FORMAT_EGE:
            missing = ", ".join(f"«{name}»" for key, name in LONG_COLUMNS.items() if key not in found)
            return Problem(
                f"похоже на универсальный шаблон, но не хватает столбцов {missing}. Скачайте шаблон на странице "
                "загрузки и заполните его",
                sheet=sheet.title,
                row=index + 1,
            )
    if expected == FORMAT_EGE:
        return Problem(f"Файл не похож на {ege}.")
    if expected == FORMAT_LONG:
        return Problem(f"Файл не похож на {long}.")
    return Problem(f"Файл не похож ни на {ege}, ни на {long}. Проверьте, что загружен нужный файл.")
