"""Reading result workbooks, without writing anything to the database.

Two layouts are understood:

* the regional ЕГЭ return as the department receives it (`parse_ege_workbook`): a title with the year above a header
  row holding «Образовательная организация», subject blocks of five columns on the results sheets (приняло участие,
  не преодолен min порог, 80–99, 100 баллов, средний балл) or one column on the registrations sheet, then the schools,
  with region totals, municipality subtotals and a row of column numbers mixed in;
* the portal's own long-format template (`parse_long_format`): one value per row, for ОГЭ, ВПР and anything else.

`parse_results_file` tells the two apart. A bad file never raises: every problem becomes a Russian message naming
the sheet, row and column, in `ParsedWorkbook.errors` (nothing may be stored) or `.warnings` (stored without it).
"""

import io
import re
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from shnor_portal.spreadsheets import Sheet, SpreadsheetRefused, read_xlsx_sheets

from .measures import EGE_SUBJECTS, measure_code, subject_code_for_header, subject_name
from .models import Measure

Metric = Measure.Metric

FORMAT_EGE = "ege"
FORMAT_LONG = "long"
KIND_RESULTS = "results"
KIND_APPLICATIONS = "applications"
KIND_LONG = "long"

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS_PER_SHEET = 100_000
MAX_COLUMNS = 400
HEADER_SCAN_ROWS = 30
MAX_MESSAGES = 500

COUNT_METRICS = (Metric.BELOW_MIN, Metric.HIGH_80_99, Metric.SCORE_100)
METRIC_LABELS = {
    Metric.PARTICIPANTS: "приняло участие",
    Metric.BELOW_MIN: "не преодолен min порог",
    Metric.HIGH_80_99: "высокобалльники (80-99 баллов)",
    Metric.SCORE_100: "получили 100 баллов",
    Metric.MEAN_SCORE: "средний балл",
}
# Metrics that count people: whole, non-negative numbers.
PEOPLE_METRICS = {
    Metric.PARTICIPANTS, Metric.BELOW_MIN, Metric.HIGH_80_99, Metric.SCORE_100, Metric.APPLICANTS, Metric.GRADUATES
}

LONG_COLUMNS = {
    "municipality": "Муниципалитет",
    "school": "Школа",
    "year": "Год",
    "code": "Код результата",
    "value": "Значение",
}
LONG_EXAMS = ("oge", "ege", "vpr", "other")
LONG_CODE_RE = re.compile(r"^(?P<exam>oge|ege|vpr|other)-(?:(?P<subject>[a-z0-9_]+)-)?(?P<metric>[a-z0-9_]+)$")
YEAR_RANGE = (2000, 2100)


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


@dataclass
class ParsedWorkbook:
    format: str = ""
    region_name: str = ""
    sheets: list[ParsedSheet] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    omitted_errors: int = 0
    omitted_warnings: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def years(self) -> list[int]:
        return sorted({row.year for row in self.rows})

    def error(self, text: str) -> None:
        if len(self.errors) < MAX_MESSAGES:
            self.errors.append(text)
        else:
            self.omitted_errors += 1

    def warn(self, text: str) -> None:
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(text)
        else:
            self.omitted_warnings += 1


# --- public entry points -------------------------------------------------------------------------------------------


def parse_results_file(file) -> ParsedWorkbook:
    """Parse an uploaded file in whichever of the two layouts it has. `file`: a path, bytes or an uploaded file."""
    try:
        sheets = _load_sheets(file)
    except SpreadsheetRefused as refused:
        return _refused(str(refused))
    found = _detect(sheets)
    if found == FORMAT_LONG:
        return _parse_long(sheets, known_codes=None)
    if found == FORMAT_EGE:
        return _parse_ege(sheets)
    return _refused(_unknown_layout_message(sheets))


def parse_ege_workbook(file) -> ParsedWorkbook:
    """Parse the regional ЕГЭ return (results sheets and the registrations sheet)."""
    try:
        sheets = _load_sheets(file)
    except SpreadsheetRefused as refused:
        return _refused(str(refused))
    if _detect(sheets) != FORMAT_EGE:
        return _refused(_unknown_layout_message(sheets, expected=FORMAT_EGE))
    return _parse_ege(sheets)


def parse_long_format(file, *, known_codes: set[str] | None = None) -> ParsedWorkbook:
    """Parse the long-format template. `known_codes`: codes accepted as they are besides the `<exam>-…` form;
    by default the codes of the measures already in the registry."""
    try:
        sheets = _load_sheets(file)
    except SpreadsheetRefused as refused:
        return _refused(str(refused))
    if _detect(sheets) != FORMAT_LONG:
        return _refused(_unknown_layout_message(sheets, expected=FORMAT_LONG))
    return _parse_long(sheets, known_codes=known_codes)


def detect_format(file) -> str | None:
    """FORMAT_EGE, FORMAT_LONG, or None when the file is neither (or not a readable workbook)."""
    try:
        return _detect(_load_sheets(file))
    except SpreadsheetRefused:
        return None


def max_upload_bytes() -> int:
    return getattr(settings, "RESULTS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_unpacked_bytes() -> int:
    # An xlsx is a zip of XML that packs about tenfold; far beyond that it is a zip bomb, not a return.
    return getattr(settings, "RESULTS_IMPORT_MAX_UNPACKED_BYTES", 10 * max_upload_bytes())


# --- reading the file ----------------------------------------------------------------------------------------------


def _refused(message: str) -> ParsedWorkbook:
    parsed = ParsedWorkbook()
    parsed.error(message)
    return parsed


def _load_sheets(file) -> list[Sheet]:
    return read_xlsx_sheets(
        file,
        max_bytes=max_upload_bytes(),
        max_unpacked_bytes=max_unpacked_bytes(),
        max_rows=MAX_ROWS_PER_SHEET,
        max_columns=MAX_COLUMNS,
    )


def _detect(sheets: list[Sheet]) -> str | None:
    for sheet in sheets:
        if _is_long_header(sheet.rows):
            return FORMAT_LONG
    for sheet in sheets:
        if _find_ege_header(sheet.rows) is not None:
            return FORMAT_EGE
    return None


def _unknown_layout_message(sheets: list[Sheet], expected: str | None = None) -> str:
    if not sheets or all(_is_empty(row) for sheet in sheets for row in sheet.rows):
        names = ", ".join(f"«{sheet.title}»" for sheet in sheets) or "—"
        return f"В книге нет данных: лист {names} пуст. Загрузите заполненную книгу."
    ege = (
        "отчёт о результатах ЕГЭ (не найдена строка заголовка со словами «Образовательная организация» "
        f"в первых {HEADER_SCAN_ROWS} строках ни одного листа)"
    )
    long = "универсальный шаблон портала (нет строки заголовка со столбцами " + ", ".join(
        f"«{name}»" for name in LONG_COLUMNS.values()
    ) + ")"
    for sheet in sheets:
        index, found = _find_long_header(sheet.rows)
        if found and expected != FORMAT_EGE:
            missing = ", ".join(f"«{name}»" for key, name in LONG_COLUMNS.items() if key not in found)
            return (
                f"Лист {sheet.title}, строка {index + 1}: похоже на универсальный шаблон, но не хватает столбцов "
                f"{missing}. Скачайте шаблон на странице загрузки и заполните его."
            )
    if expected == FORMAT_EGE:
        return f"Файл не похож на {ege}."
    if expected == FORMAT_LONG:
        return f"Файл не похож на {long}."
    return f"Файл не похож ни на {ege}, ни на {long}. Проверьте, что загружен нужный файл."


# --- cells ---------------------------------------------------------------------------------------------------------


def _low(value) -> str:
    return re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip().lower().replace("ё", "е")


def _cell(row: tuple, col: int | None):
    if col is None or col >= len(row):
        return None
    return row[col]


def _text(row: tuple, col: int | None) -> str:
    value = _cell(row, col)
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value.replace("\xa0", " ")).strip()
    return ""


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_empty(row: tuple) -> bool:
    return all(_is_blank(value) for value in row)


def _where(sheet: str, row: int, col: int | None = None) -> str:
    where = f"Лист {sheet}, строка {row}"
    return f"{where}, столбец {get_column_letter(col + 1)}" if col is not None else where


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}".replace(".", ",")


class _BadNumber(Exception):
    pass


def _number(value) -> float | None:
    """The number in a cell, None for a blank (or a lone dash), _BadNumber for anything else."""
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise _BadNumber(f"в числовой ячейке логическое значение «{value}»")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise _BadNumber("в числовой ячейке не число")
        return float(value)
    if isinstance(value, str):
        text = value.replace("\xa0", "").replace(" ", "").strip()
        if text in {"-", "–", "—"}:
            return None
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise _BadNumber(f"в числовой ячейке текст «{value.strip()}»") from None
    raise _BadNumber(f"в числовой ячейке значение «{value}» (ожидалось число)")


def _is_numbers_row(row: tuple) -> bool:
    """The row of column numbers (1, 2, 3, …) some templates put under the header."""
    values = [value for value in row if not _is_blank(value)]
    if len(values) < 3 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return False
    if not all(float(v).is_integer() for v in values):
        return False
    first = [int(v) for v in values[:3]]
    return first[1] == first[0] + 1 and first[2] == first[1] + 1


def _is_total(text: str) -> bool:
    return bool(re.match(r"^(всего|итого)\b", _low(text)))


# --- the ЕГЭ return ------------------------------------------------------------------------------------------------


def _find_ege_header(rows: list[tuple]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if any(isinstance(value, str) and "образовательная организация" in _low(value) for value in row):
            return index
    return None


def _column_with(row: tuple, *words: str) -> int | None:
    for col, value in enumerate(row):
        if isinstance(value, str) and any(word in _low(value) for word in words):
            return col
    return None


def _metric_for_label(text: str) -> str | None:
    label = _low(text)
    if "участ" in label:
        return Metric.PARTICIPANTS
    if "преодол" in label or "min" in label or "миним" in label:
        return Metric.BELOW_MIN
    if "80" in label or "высокобалл" in label:
        return Metric.HIGH_80_99
    if "100" in label:
        return Metric.SCORE_100
    if "средн" in label:
        return Metric.MEAN_SCORE
    return None


_YEAR_PATTERNS = (
    re.compile(r"(?<!\d)20\d{2}\s*[/-]\s*(20\d{2})(?!\d)"),  # «2022/2023 учебный год»: the exams were in 2023
    re.compile(r"в\s+(20\d{2})\s+году"),
    re.compile(r"(?<!\d)(20\d{2})\s+год"),
    re.compile(r"(?<!\d)(20\d{2})(?!\d)"),
)


def _year_in(text: str) -> int | None:
    for pattern in _YEAR_PATTERNS:
        found = pattern.search(text)
        if found:
            return int(found.group(1))
    return None


def _region_in(texts: list[str]) -> str:
    for text in texts:
        candidate = re.sub(r"(?i)субъект российской федерации", " ", text.replace("_", " "))
        candidate = re.sub(r"\s+", " ", candidate).strip(" :,.")
        if candidate and not re.search(r"(?i)информац|егэ|огэ|20\d\d", candidate):
            return candidate
    return ""


@dataclass
class _Layout:
    header_rows: list[int]  # row indexes
    data_start: int
    school_col: int
    municipality_col: int | None
    graduates_col: int | None
    kind: str
    # results: subject code -> {metric: col}; applications: subject code -> {APPLICANTS: col}
    blocks: dict[str, dict[str, int]]


def _read_layout(sheet: Sheet, header: int, parsed: ParsedWorkbook) -> _Layout | None:
    rows = sheet.rows
    head = rows[header]
    school_col = _column_with(head, "образовательная организация")
    municipality_col = _column_with(head, "муниципальн")
    if municipality_col == school_col or municipality_col is None:
        municipality_col = school_col - 1 if school_col > 0 else None
    graduates_col = _column_with(head, "всего выпускник", "выпускник")
    profile_col = _column_with(head, "профиль")
    first_value_col = max(c for c in (school_col, graduates_col, profile_col) if c is not None) + 1

    header_rows = [header]
    data_start = len(rows)
    for index in range(header + 1, min(header + 10, len(rows))):
        row = rows[index]
        if _is_numbers_row(row) or _is_empty(row):
            header_rows.append(index)
            continue
        if _text(row, school_col) or _text(row, municipality_col):
            data_start = index
            break
        header_rows.append(index)
    # Trailing blank rows right above the data are not part of the header.
    while len(header_rows) > 1 and _is_empty(rows[header_rows[-1]]):
        header_rows.pop()

    # Per header row: the subject of each column (None: text that is no subject) and the metric labels.
    subject_rows: dict[int, dict[int, str | None]] = {}
    metric_rows: dict[int, dict[int, str]] = {}
    for index in header_rows:
        subjects, metrics = {}, {}
        for col, value in enumerate(rows[index]):
            if col < first_value_col or not isinstance(value, str) or not value.strip():
                continue
            code = subject_code_for_header(value)
            if code:
                subjects[col] = code
            elif metric := _metric_for_label(value):
                metrics[col] = metric
            elif _low(value) not in {"из них", "в том числе"}:
                subjects[col] = None
        subject_rows[index] = subjects
        metric_rows[index] = metrics
    subject_row = max(header_rows, key=lambda i: sum(1 for code in subject_rows[i].values() if code))
    subject_cells = sorted(subject_rows[subject_row].items())
    if not any(code for _col, code in subject_cells):
        parsed.error(
            f"Лист {sheet.title}, строка {header + 1}: под заголовком не найдено ни одного предмета ЕГЭ "
            "(«Русский язык», «Математика профильная», …)."
        )
        return None
    metric_row = max(header_rows, key=lambda i: len(metric_rows[i]))
    metric_cells = metric_rows[metric_row]
    kind = KIND_RESULTS if Metric.PARTICIPANTS in metric_cells.values() else KIND_APPLICATIONS

    blocks: dict[str, dict[str, int]] = {}
    starts = [col for col, _code in subject_cells]
    for position, (col, code) in enumerate(subject_cells):
        end = starts[position + 1] if position + 1 < len(starts) else MAX_COLUMNS
        label = rows[subject_row][col]
        if code is None:
            if kind == KIND_APPLICATIONS or any(col <= c < end for c in metric_cells):
                parsed.warn(
                    f"{_where(sheet.title, subject_row + 1, col)}: заголовок «{_text(rows[subject_row], col)}» "
                    "не распознан как предмет ЕГЭ — его столбцы пропущены."
                )
            continue
        if code in blocks:
            first = min(blocks[code].values())
            parsed.error(
                f"{_where(sheet.title, subject_row + 1, col)}: предмет «{subject_name(code)}» встречается второй раз "
                f"(первый раз — в столбце {get_column_letter(first + 1)})."
            )
            continue
        if kind == KIND_APPLICATIONS:
            blocks[code] = {Metric.APPLICANTS: col}
            continue
        block: dict[str, int] = {}
        for metric_col in sorted(c for c in metric_cells if col <= c < end):
            metric = metric_cells[metric_col]
            if metric in block:
                parsed.error(
                    f"{_where(sheet.title, metric_row + 1, metric_col)}: у предмета «{subject_name(code)}» второй "
                    f"столбец «{METRIC_LABELS[metric]}»."
                )
                continue
            block[metric] = metric_col
        if Metric.PARTICIPANTS not in block:
            parsed.error(
                f"{_where(sheet.title, subject_row + 1, col)}: у предмета «{label}» нет столбца «приняло участие»."
            )
            continue
        blocks[code] = block
    return _Layout(
        header_rows=header_rows,
        data_start=data_start,
        school_col=school_col,
        municipality_col=municipality_col,
        graduates_col=graduates_col,
        kind=kind,
        blocks=blocks,
    )


def _sheet_year(sheet: Sheet, header: int, parsed: ParsedWorkbook) -> int | None:
    heading = " ".join(_low(value) for row in sheet.rows[:header] for value in row if isinstance(value, str))
    from_heading = _year_in(heading)
    from_title = _year_in(_low(sheet.title))
    if from_heading and from_title and from_heading != from_title:
        parsed.warn(
            f"Лист {sheet.title}: в заголовке над таблицей указан {from_heading} год, а в названии листа — "
            f"{from_title}; взят год из заголовка ({from_heading})."
        )
    year = from_heading or from_title
    if year is None:
        parsed.error(
            f"Лист {sheet.title}: не удалось определить год — его нет ни в заголовке над таблицей "
            "(«…в 2023 году»), ни в названии листа."
        )
    return year


def _parse_ege(sheets: list[Sheet]) -> ParsedWorkbook:
    parsed = ParsedWorkbook(format=FORMAT_EGE)
    seen: dict[tuple[int, str], str] = {}
    for sheet in sheets:
        header = _find_ege_header(sheet.rows)
        if header is None:
            if not all(_is_empty(row) for row in sheet.rows):
                parsed.warn(f"Лист {sheet.title} пропущен: на нём нет строки заголовка «Образовательная организация».")
            continue
        if not parsed.region_name:
            parsed.region_name = _region_in(
                [value for row in sheet.rows[:header] for value in row if isinstance(value, str)]
            )
        year = _sheet_year(sheet, header, parsed)
        layout = _read_layout(sheet, header, parsed)
        if layout is None or year is None:
            continue
        if (year, layout.kind) in seen:
            parsed.error(
                f"Лист {sheet.title}: {year} год уже прочитан с листа {seen[year, layout.kind]} — "
                "в книге должен быть один лист на год."
            )
            continue
        seen[year, layout.kind] = sheet.title
        result = ParsedSheet(
            title=sheet.title,
            year=year,
            kind=layout.kind,
            header_rows=[index + 1 for index in layout.header_rows],
            subjects=list(layout.blocks),
        )
        parsed.sheets.append(result)
        if not _read_school_rows(sheet, layout, year, result, parsed):
            parsed.error(f"Лист {sheet.title}: под заголовком нет ни одной строки со школой.")
    if not parsed.sheets and not parsed.errors:
        parsed.error(_unknown_layout_message(sheets, expected=FORMAT_EGE))
    return parsed


def _corrupt_columns(sheet: Sheet, layout: _Layout, totals: list[int], parsed: ParsedWorkbook) -> set[int]:
    """Count columns whose own total exceeds the participants: the source column is broken as a whole."""
    corrupt: set[int] = set()
    for index in totals:
        row = sheet.rows[index]
        for code, block in layout.blocks.items():
            try:
                participants = _number(_cell(row, block[Metric.PARTICIPANTS]))
            except _BadNumber:
                continue
            for metric in COUNT_METRICS:
                col = block.get(metric)
                if col is None or col in corrupt:
                    continue
                try:
                    value = _number(_cell(row, col))
                except _BadNumber:
                    continue
                if participants is not None and value is not None and value > participants:
                    corrupt.add(col)
                    parsed.warn(
                        f"{_where(sheet.title, index + 1, col)}: в итоговой строке «{METRIC_LABELS[metric]}» по "
                        f"предмету «{subject_name(code)}» ({_fmt(value)}) больше числа участников "
                        f"({_fmt(participants)}) — столбец испорчен в источнике, его значения не загружаются."
                    )
    return corrupt


def _read_school_rows(sheet: Sheet, layout: _Layout, year: int, result: ParsedSheet, parsed: ParsedWorkbook) -> int:
    """Read the schools of a sheet into `parsed`; returns how many rows named a school (read or not)."""
    rows = sheet.rows
    named = 0
    header_rows = set(layout.header_rows)
    schools: list[tuple[int, str, str]] = []
    totals: list[int] = []
    municipality = ""
    for index in range(layout.data_start, len(rows)):
        row = rows[index]
        if index in header_rows or _is_empty(row) or _is_numbers_row(row):
            continue
        municipality_text = _text(row, layout.municipality_col)
        school_value = _cell(row, layout.school_col)
        school_text = _text(row, layout.school_col)
        if _is_total(municipality_text) or _is_total(school_text):
            totals.append(index)
            continue
        if not school_text and not _is_blank(school_value):
            parsed.error(
                f"{_where(sheet.title, index + 1, layout.school_col)}: вместо наименования школы "
                f"стоит «{school_value}»."
            )
            continue
        if not school_text:
            if municipality_text:
                municipality = municipality_text  # a municipality subtotal row; its schools follow below
            else:
                parsed.warn(f"{_where(sheet.title, index + 1)}: строка с числами без наименования школы пропущена.")
            continue
        named += 1
        if municipality_text:
            municipality = municipality_text
        if not municipality:
            parsed.error(
                f"{_where(sheet.title, index + 1, layout.municipality_col)}: у школы «{school_text}» не указан "
                "муниципалитет (ни в этой строке, ни в строке муниципалитета выше)."
            )
            continue
        schools.append((index, municipality, school_text))

    corrupt = _corrupt_columns(sheet, layout, totals, parsed) if layout.kind == KIND_RESULTS else set()
    total_code = measure_code("ege", "", Metric.GRADUATES if layout.kind == KIND_RESULTS else Metric.APPLICANTS)
    for index, municipality, school in schools:
        row = rows[index]
        values: dict[str, float] = {}
        if layout.graduates_col is not None:
            value = _read_count(sheet, index, layout.graduates_col, row, parsed)
            if value is not None:
                values[total_code] = value
        for code, block in layout.blocks.items():
            if layout.kind == KIND_RESULTS:
                values.update(_read_results_block(sheet, index, row, code, block, corrupt, parsed))
            else:
                value = _read_count(sheet, index, block[Metric.APPLICANTS], row, parsed)
                if value:
                    values[measure_code("ege", code, Metric.APPLICANTS)] = value
        if values.keys() == {total_code}:
            parsed.warn(
                f"{_where(sheet.title, index + 1, layout.graduates_col)}: у школы «{school}» указано выпускников "
                f"{_fmt(values[total_code])}, но нет ни одного предмета — строка пропущена."
            )
            values = {}
        if values:
            result.school_rows += 1
            parsed.rows.append(
                ParsedRow(
                    sheet=sheet.title,
                    excel_row=index + 1,
                    municipality_name=municipality,
                    school_name=school,
                    values=values,
                    year=year,
                )
            )
        else:
            result.empty_school_rows += 1
    return named


def _read_value(
    sheet: Sheet, index: int, col: int, row: tuple, parsed: ParsedWorkbook, *, people: bool
) -> tuple[bool, float | None]:
    """(True, number) for a non-negative number (whole if it counts people), (True, None) for a blank cell,
    (False, None) for anything else, reported in `parsed`."""
    try:
        value = _number(_cell(row, col))
    except _BadNumber as bad:
        parsed.error(f"{_where(sheet.title, index + 1, col)}: {bad}.")
        return False, None
    if value is None:
        return True, None
    if value < 0:
        parsed.error(f"{_where(sheet.title, index + 1, col)}: отрицательное число {_fmt(value)}.")
        return False, None
    if people and not value.is_integer():
        parsed.error(f"{_where(sheet.title, index + 1, col)}: число человек должно быть целым, а указано {_fmt(value)}.")
        return False, None
    return True, value


def _read_count(sheet, index, col, row, parsed) -> float | None:
    _ok, value = _read_value(sheet, index, col, row, parsed, people=True)
    return value


def _read_results_block(sheet, index, row, code, block, corrupt, parsed) -> dict[str, float]:
    ok, participants = _read_value(sheet, index, block[Metric.PARTICIPANTS], row, parsed, people=True)
    if not ok or not participants:
        return {}  # the school did not take the subject (or the cell is wrong, already reported)
    values = {measure_code("ege", code, Metric.PARTICIPANTS): participants}
    for metric in COUNT_METRICS:
        col = block.get(metric)
        if col is None:
            continue
        ok, value = _read_value(sheet, index, col, row, parsed, people=True)
        if not ok:
            continue
        value = value or 0.0  # inside a subject the school took, a blank count means nobody
        if value > participants:
            message = (
                f"{_where(sheet.title, index + 1, col)}: «{METRIC_LABELS[metric]}» по предмету «{subject_name(code)}» "
                f"({_fmt(value)}) больше числа участников ({_fmt(participants)})"
            )
            if col in corrupt:
                parsed.warn(message + " — столбец испорчен в источнике, значение не загружено.")
            else:
                parsed.error(message + ".")
            continue
        if col not in corrupt:
            values[measure_code("ege", code, metric)] = value
    col = block.get(Metric.MEAN_SCORE)
    if col is not None:
        ok, mean = _read_value(sheet, index, col, row, parsed, people=False)
        if ok and mean is not None:
            if mean > 100:
                parsed.error(
                    f"{_where(sheet.title, index + 1, col)}: средний балл {_fmt(mean)} по предмету "
                    f"«{subject_name(code)}» больше 100."
                )
            else:
                values[measure_code("ege", code, Metric.MEAN_SCORE)] = mean
    return values


# --- the long-format template --------------------------------------------------------------------------------------


def _find_long_header(rows: list[tuple]) -> tuple[int | None, dict[str, int]]:
    """The header row of the long format and the columns found in it: all of them, or the best partial match
    (three or more) so that a message can name the missing ones; (None, {}) when there is nothing like it."""
    wanted = {_low(name): key for key, name in LONG_COLUMNS.items()}
    best_index, best_columns = None, {}
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            if isinstance(value, str):
                key = wanted.get(_low(value).strip(" *:"))
                if key and key not in columns:
                    columns[key] = col
        if len(columns) == len(LONG_COLUMNS):
            return index, columns
        if len(columns) >= 3 and len(columns) > len(best_columns):
            best_index, best_columns = index, columns
    return best_index, best_columns


def _is_long_header(rows: list[tuple]) -> bool:
    return len(_find_long_header(rows)[1]) == len(LONG_COLUMNS)


def long_code_problem(code: str, known_codes: set[str]) -> str | None:
    """Why a result code of the long format is not accepted, or None if it is."""
    if code in known_codes:
        return None
    metrics = ", ".join(Metric.values)
    found = LONG_CODE_RE.match(code)
    if not found or len(code) > 80:
        return (
            f"код результата «{code}» не по образцу «процедура-предмет-показатель», например "
            f"«oge-russian-mean_score» (процедура: {', '.join(LONG_EXAMS)}; показатель: {metrics})"
        )
    if found["metric"] not in Metric.values:
        return f"в коде «{code}» неизвестный показатель «{found['metric']}» (допустимы: {metrics})"
    return None


def _parse_long(sheets: list[Sheet], *, known_codes: set[str] | None) -> ParsedWorkbook:
    if known_codes is None:
        known_codes = set(Measure.objects.values_list("code", flat=True))
    parsed = ParsedWorkbook(format=FORMAT_LONG)
    sheet = next((candidate for candidate in sheets if _is_long_header(candidate.rows)), None)
    if sheet is None:
        parsed.error(_unknown_layout_message(sheets, expected=FORMAT_LONG))
        return parsed
    header, columns = _find_long_header(sheet.rows)
    result = ParsedSheet(title=sheet.title, year=None, kind=KIND_LONG, header_rows=[header + 1])
    parsed.sheets.append(result)
    seen: dict[tuple[str, str, int, str], int] = {}
    for index in range(header + 1, len(sheet.rows)):
        row = sheet.rows[index]
        if _is_empty(row):
            continue
        parsed_row = _read_long_row(sheet, index, row, columns, known_codes, parsed)
        if parsed_row is None:
            continue
        (code, value), = parsed_row.values.items()
        key = (_low(parsed_row.municipality_name), _low(parsed_row.school_name), parsed_row.year, code)
        if key in seen:
            parsed.error(
                f"{_where(sheet.title, index + 1)}: результат «{code}» школы «{parsed_row.school_name}» за "
                f"{parsed_row.year} год уже указан в строке {seen[key]}."
            )
            continue
        seen[key] = index + 1
        result.school_rows += 1
        parsed.rows.append(parsed_row)
    if not parsed.rows and not parsed.errors:
        parsed.error(f"Лист {sheet.title}: под заголовком нет ни одной заполненной строки.")
    return parsed


def _read_long_row(sheet, index, row, columns, known_codes, parsed) -> ParsedRow | None:
    problems = []
    municipality = _text(row, columns["municipality"])
    school = _text(row, columns["school"])
    if not municipality:
        problems.append((columns["municipality"], "не указан муниципалитет"))
    if not school:
        problems.append((columns["school"], "не указана школа"))

    year = None
    raw_year = _cell(row, columns["year"])
    try:
        number = _number(raw_year)
    except _BadNumber:
        number = None
    if number is None or not number.is_integer() or not YEAR_RANGE[0] <= number <= YEAR_RANGE[1]:
        shown = "" if _is_blank(raw_year) else f" «{raw_year}»"
        problems.append((columns["year"], f"год{shown} должен быть четырёхзначным числом, например 2024"))
    else:
        year = int(number)

    raw_code = _cell(row, columns["code"])
    code = _low(raw_code) if not _is_blank(raw_code) else ""
    metric = None
    if not code:
        problems.append((columns["code"], "не указан код результата"))
    elif problem := long_code_problem(code, known_codes):
        problems.append((columns["code"], problem))
    else:
        found = LONG_CODE_RE.match(code)
        metric = found["metric"] if found else None

    value = None
    try:
        value = _number(_cell(row, columns["value"]))
        if value is None:
            problems.append((columns["value"], "не указано значение"))
        elif metric in PEOPLE_METRICS and (value < 0 or not value.is_integer()):
            problems.append((columns["value"], f"число человек должно быть целым и неотрицательным, а указано {_fmt(value)}"))
        elif metric == Metric.MEAN_SCORE and not 0 <= value <= 100:
            problems.append((columns["value"], f"средний балл {_fmt(value)} вне пределов от 0 до 100"))
    except _BadNumber as bad:
        problems.append((columns["value"], str(bad)))

    for col, text in problems:
        parsed.error(f"{_where(sheet.title, index + 1, col)}: {text}.")
    if problems:
        return None
    return ParsedRow(
        sheet=sheet.title,
        excel_row=index + 1,
        municipality_name=municipality,
        school_name=school,
        values={code: value},
        year=year,
    )


def long_format_template() -> bytes:
    """The long-format template the portal offers for download: the data sheet with one example row, and an
    instruction sheet."""
    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = "Результаты"
    headers = list(LONG_COLUMNS.values())
    data.append(headers)
    data.append(["Заречный муниципальный район", "Заречная СОШ № 1", 2024, "oge-russian-participants", 25])
    bold, example = Font(bold=True), Font(italic=True, color="808080")
    for cell in data[1]:
        cell.font = bold
    for cell in data[2]:
        cell.font = example
    for col, width in zip("ABCDE", (36, 48, 8, 34, 12), strict=True):
        data.column_dimensions[col].width = width
    data.freeze_panes = "A2"

    help_sheet = workbook.create_sheet("Инструкция")
    lines = [
        ("Универсальный шаблон загрузки результатов (ОГЭ, ВПР, ЕГЭ и другие)", True),
        ("", False),
        ("Заполните лист «Результаты»: одна строка — одно значение одной школы за один год.", False),
        ("Строка 2 — пример: удалите её перед загрузкой.", False),
        ("", False),
        ("Столбцы", True),
        ("Муниципалитет — как в реестре портала (например, «Заречный муниципальный район»).", False),
        ("Школа — полное или краткое наименование; незнакомые названия портал покажет для сопоставления.", False),
        ("Год — год проведения процедуры (2024 — это 2023/24 учебный год).", False),
        ("Код результата — процедура-предмет-показатель латиницей, например oge-russian-mean_score.", False),
        ("Значение — число; дробная часть через запятую или точку.", False),
        ("", False),
        ("Процедуры", True),
        *[(f"{code} — {label}", False) for code, label in Measure.Exam.choices],
        ("", False),
        ("Показатели", True),
        *[(f"{code} — {label}", False) for code, label in Metric.choices],
        ("", False),
        ("Предметы (коды, принятые в портале; можно указать и свой код латиницей)", True),
        *[(f"{code} — {name}", False) for code, name, _words in EGE_SUBJECTS],
        ("", False),
        ("Числа человек — целые и неотрицательные; средний балл — от 0 до 100 (ОГЭ и базовая математика — по "
         "пятибалльной шкале).", False),
    ]
    for text, is_title in lines:
        help_sheet.append([text])
        if is_title:
            help_sheet.cell(row=help_sheet.max_row, column=1).font = bold
    help_sheet.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
