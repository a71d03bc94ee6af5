"""Reading the regional ЕГЭ return as the department receives it, and telling a results file's layout.

The return has a title with the year above a header row holding «Образовательная организация», subject blocks of five
columns on the results sheets (приняло участие, не преодолен min порог, 80–99, 100 баллов, средний балл) or one column
on the registrations sheet, then the schools, with region totals, municipality subtotals and a row of column numbers
mixed in. `parse_results_file` tells it from the portal's long-format template (`schools.results_long_format`).

Nothing is written to the database; a bad file never raises: every problem names its sheet, row and column.
"""

import re
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from shnor_portal.uploads import CellError, Sheet, UploadRefused, is_blank, read_number, report_formulas, shown

from .measures import measure_code, subject_code_for_header, subject_name
from .models import Measure
from .results_file import (
    FORMAT_EGE,
    FORMAT_LONG,
    KIND_APPLICATIONS,
    KIND_RESULTS,
    MAX_COLUMNS,
    ParsedRow,
    ParsedSheet,
    ParsedWorkbook,
    at,
    detect,
    find_ege_header,
    is_empty,
    load_sheets,
    low,
    refused,
    row_cell,
    row_text,
    unknown_layout,
)
from .results_long_format import parse_long_sheets

Metric = Measure.Metric

COUNT_METRICS = (Metric.BELOW_MIN, Metric.HIGH_80_99, Metric.SCORE_100)
METRIC_LABELS = {
    Metric.PARTICIPANTS: "приняло участие",
    Metric.BELOW_MIN: "не преодолен min порог",
    Metric.HIGH_80_99: "высокобалльники (80-99 баллов)",
    Metric.SCORE_100: "получили 100 баллов",
    Metric.MEAN_SCORE: "средний балл",
}


# --- public entry points -------------------------------------------------------------------------------------------


def parse_results_file(file) -> ParsedWorkbook:
    """Parse an uploaded file in whichever of the two layouts it has. `file`: a path, bytes or an uploaded file."""
    try:
        sheets = load_sheets(file)
    except UploadRefused as refusal:
        return refused(str(refusal))
    found = detect(sheets)
    if found == FORMAT_LONG:
        return _with_formulas(parse_long_sheets(sheets, known_codes=None), sheets)
    if found == FORMAT_EGE:
        return _with_formulas(_parse_ege(sheets), sheets)
    return refused(unknown_layout(sheets))


def parse_ege_workbook(file) -> ParsedWorkbook:
    """Parse the regional ЕГЭ return (results sheets and the registrations sheet)."""
    try:
        sheets = load_sheets(file)
    except UploadRefused as refusal:
        return refused(str(refusal))
    if detect(sheets) != FORMAT_EGE:
        return refused(unknown_layout(sheets, expected=FORMAT_EGE))
    return _with_formulas(_parse_ege(sheets), sheets)


def _with_formulas(parsed: ParsedWorkbook, sheets: list[Sheet]) -> ParsedWorkbook:
    """A formula without a computed value reads as an empty cell — a result skipped without a word: name each."""
    for sheet in sheets:
        report_formulas(sheet, parsed.errors)
    return parsed


def detect_format(file) -> str | None:
    """FORMAT_EGE, FORMAT_LONG, or None when the file is neither (or not a readable workbook)."""
    try:
        return detect(load_sheets(file))
    except UploadRefused:
        return None


# --- rows ----------------------------------------------------------------------------------------------------------


def _is_numbers_row(row: tuple) -> bool:
    """The row of column numbers (1, 2, 3, …) some templates put under the header."""
    values = [value for value in row if not is_blank(value)]
    if len(values) < 3 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return False
    if not all(float(v).is_integer() for v in values):
        return False
    first = [int(v) for v in values[:3]]
    return first[1] == first[0] + 1 and first[2] == first[1] + 1


def _is_total(text: str) -> bool:
    return bool(re.match(r"^(всего|итого)\b", low(text)))


def _number_or_none(value) -> float | None:
    """A number of a totals row, None for anything else: totals are only compared, never stored."""
    try:
        return read_number(value)
    except CellError:
        return None


# --- the header ----------------------------------------------------------------------------------------------------


def _column_with(row: tuple, *words: str) -> int | None:
    for col, value in enumerate(row):
        if isinstance(value, str) and any(word in low(value) for word in words):
            return col
    return None


def _metric_for_label(text: str) -> str | None:
    label = low(text)
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


@dataclass
class _HeaderLabels:
    """What the header rows say above the value columns: a subject row and a metric row."""

    subject_row: int  # row index
    subjects: list[tuple[int, str | None]]  # (col, subject code; None for text that names no subject), by column
    metric_row: int
    metrics: dict[int, str]  # col → metric


def _read_layout(sheet: Sheet, header: int, parsed: ParsedWorkbook) -> _Layout | None:
    head = sheet.rows[header]
    school_col = _column_with(head, "образовательная организация")
    municipality_col = _column_with(head, "муниципальн")
    if municipality_col == school_col or municipality_col is None:
        municipality_col = school_col - 1 if school_col > 0 else None
    graduates_col = _column_with(head, "всего выпускник", "выпускник")
    profile_col = _column_with(head, "профиль")
    first_value_col = max(c for c in (school_col, graduates_col, profile_col) if c is not None) + 1
    header_rows, data_start = _header_rows(sheet.rows, header, school_col, municipality_col)
    labels = _header_labels(sheet.rows, header_rows, first_value_col)
    if not any(code for _col, code in labels.subjects):
        parsed.errors.add(
            "под заголовком не найдено ни одного предмета ЕГЭ («Русский язык», «Математика профильная», …)",
            sheet=sheet.title, row=header + 1,
        )  # fmt: skip
        return None
    kind = KIND_RESULTS if Metric.PARTICIPANTS in labels.metrics.values() else KIND_APPLICATIONS
    return _Layout(
        header_rows=header_rows,
        data_start=data_start,
        school_col=school_col,
        municipality_col=municipality_col,
        graduates_col=graduates_col,
        kind=kind,
        blocks=_subject_blocks(sheet, labels, kind, parsed),
    )


def _header_rows(rows: list[tuple], header: int, school_col: int, municipality_col: int | None) -> tuple[list, int]:
    """The rows of the header (the one found, then subject and metric rows, a row of column numbers) and the first
    row of data."""
    header_rows = [header]
    data_start = len(rows)
    for index in range(header + 1, min(header + 10, len(rows))):
        row = rows[index]
        if _is_numbers_row(row) or is_empty(row):
            header_rows.append(index)
            continue
        if row_text(row, school_col) or row_text(row, municipality_col):
            data_start = index
            break
        header_rows.append(index)
    # Trailing blank rows right above the data are not part of the header.
    while len(header_rows) > 1 and is_empty(rows[header_rows[-1]]):
        header_rows.pop()
    return header_rows, data_start


def _header_labels(rows: list[tuple], header_rows: list[int], first_value_col: int) -> _HeaderLabels:
    """The header row naming the most subjects and the one naming the most metrics."""
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
            elif low(value) not in {"из них", "в том числе"}:
                subjects[col] = None
        subject_rows[index] = subjects
        metric_rows[index] = metrics
    subject_row = max(header_rows, key=lambda i: sum(1 for code in subject_rows[i].values() if code))
    metric_row = max(header_rows, key=lambda i: len(metric_rows[i]))
    return _HeaderLabels(subject_row, sorted(subject_rows[subject_row].items()), metric_row, metric_rows[metric_row])


def _subject_blocks(sheet: Sheet, labels: _HeaderLabels, kind: str, parsed: ParsedWorkbook) -> dict:
    """The columns of each subject: its metrics' columns between its own and the next subject's."""
    blocks: dict[str, dict[str, int]] = {}
    starts = [col for col, _code in labels.subjects]
    subject_row = sheet.rows[labels.subject_row]
    for position, (col, code) in enumerate(labels.subjects):
        end = starts[position + 1] if position + 1 < len(starts) else MAX_COLUMNS
        if code is None:
            if kind == KIND_APPLICATIONS or any(col <= c < end for c in labels.metrics):
                parsed.warnings.add(
                    f"заголовок «{row_text(subject_row, col)}» не распознан как предмет ЕГЭ — его столбцы пропущены",
                    **at(sheet, labels.subject_row, col),
                )
            continue
        if code in blocks:
            first = min(blocks[code].values())
            parsed.errors.add(
                f"предмет «{subject_name(code)}» встречается второй раз (первый раз — в столбце "
                f"{get_column_letter(first + 1)})",
                **at(sheet, labels.subject_row, col),
            )
            continue
        if kind == KIND_APPLICATIONS:
            blocks[code] = {Metric.APPLICANTS: col}
            continue
        block: dict[str, int] = {}
        for metric_col in sorted(c for c in labels.metrics if col <= c < end):
            metric = labels.metrics[metric_col]
            if metric in block:
                parsed.errors.add(
                    f"у предмета «{subject_name(code)}» второй столбец «{METRIC_LABELS[metric]}»",
                    **at(sheet, labels.metric_row, metric_col),
                )
                continue
            block[metric] = metric_col
        if Metric.PARTICIPANTS not in block:
            parsed.errors.add(
                f"у предмета «{subject_row[col]}» нет столбца «приняло участие»", **at(sheet, labels.subject_row, col)
            )
            continue
        blocks[code] = block
    return blocks


def _sheet_year(sheet: Sheet, header: int, parsed: ParsedWorkbook) -> int | None:
    heading = " ".join(low(value) for row in sheet.rows[:header] for value in row if isinstance(value, str))
    from_heading = _year_in(heading)
    from_title = _year_in(low(sheet.title))
    if from_heading and from_title and from_heading != from_title:
        parsed.warnings.add(
            f"в заголовке над таблицей указан {from_heading} год, а в названии листа — {from_title}; взят год из "
            f"заголовка ({from_heading})",
            sheet=sheet.title,
        )
    year = from_heading or from_title
    if year is None:
        parsed.errors.add(
            "не удалось определить год — его нет ни в заголовке над таблицей («…в 2023 году»), ни в названии листа",
            sheet=sheet.title,
        )
    return year


# --- the sheets ----------------------------------------------------------------------------------------------------


def _parse_ege(sheets: list[Sheet]) -> ParsedWorkbook:
    parsed = ParsedWorkbook(format=FORMAT_EGE)
    seen: dict[tuple[int, str], str] = {}
    for sheet in sheets:
        header = find_ege_header(sheet.rows)
        if header is None:
            if not all(is_empty(row) for row in sheet.rows):
                parsed.warnings.add(
                    "лист пропущен: на нём нет строки заголовка «Образовательная организация»", sheet=sheet.title
                )
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
            parsed.errors.add(
                f"{year} год уже прочитан с листа «{seen[year, layout.kind]}» — в книге должен быть один лист на год",
                sheet=sheet.title,
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
            parsed.errors.add("под заголовком нет ни одной строки со школой", sheet=sheet.title)
    if not parsed.sheets and not parsed.errors:
        parsed.errors.append(unknown_layout(sheets, expected=FORMAT_EGE))
    return parsed


def _corrupt_columns(sheet: Sheet, layout: _Layout, totals: list[int], parsed: ParsedWorkbook) -> set[int]:
    """Count columns whose own total exceeds the participants: the source column is broken as a whole."""
    corrupt: set[int] = set()
    for index in totals:
        row = sheet.rows[index]
        for code, block in layout.blocks.items():
            participants = _number_or_none(row_cell(row, block[Metric.PARTICIPANTS]))
            for metric in COUNT_METRICS:
                col = block.get(metric)
                if col is None or col in corrupt:
                    continue
                value = _number_or_none(row_cell(row, col))
                if participants is not None and value is not None and value > participants:
                    corrupt.add(col)
                    parsed.warnings.add(
                        f"в итоговой строке «{METRIC_LABELS[metric]}» по предмету «{subject_name(code)}» "
                        f"({shown(value)}) больше числа участников ({shown(participants)}) — столбец испорчен в "
                        "источнике, его значения не загружаются",
                        **at(sheet, index, col, row),
                    )
    return corrupt


def _school_lines(sheet: Sheet, layout: _Layout, parsed: ParsedWorkbook) -> tuple[list, list[int], int]:
    """The rows naming a school, with its municipality (a subtotal row above gives it when the row does not); the
    rows of totals; how many rows named a school (read or not)."""
    rows = sheet.rows
    named = 0
    header_rows = set(layout.header_rows)
    schools: list[tuple[int, str, str]] = []
    totals: list[int] = []
    municipality = ""
    for index in range(layout.data_start, len(rows)):
        row = rows[index]
        if index in header_rows or is_empty(row) or _is_numbers_row(row):
            continue
        municipality_text = row_text(row, layout.municipality_col)
        school_value = row_cell(row, layout.school_col)
        school_text = row_text(row, layout.school_col)
        if _is_total(municipality_text) or _is_total(school_text):
            totals.append(index)
            continue
        if not school_text and not is_blank(school_value):
            parsed.errors.add(
                f"вместо наименования школы стоит {shown(school_value)}", **at(sheet, index, layout.school_col, row)
            )
            continue
        if not school_text:
            if municipality_text:
                municipality = municipality_text  # a municipality subtotal row; its schools follow below
            else:
                parsed.warnings.add("строка с числами без наименования школы пропущена", **at(sheet, index))
            continue
        named += 1
        if municipality_text:
            municipality = municipality_text
        if not municipality:
            parsed.errors.add(
                f"у школы «{school_text}» не указан муниципалитет (ни в этой строке, ни в строке муниципалитета выше)",
                **at(sheet, index, layout.municipality_col),
            )
            continue
        schools.append((index, municipality, school_text))
    return schools, totals, named


def _read_school_rows(sheet: Sheet, layout: _Layout, year: int, result: ParsedSheet, parsed: ParsedWorkbook) -> int:
    """Read the schools of a sheet into `parsed`; returns how many rows named a school (read or not)."""
    schools, totals, named = _school_lines(sheet, layout, parsed)
    corrupt = _corrupt_columns(sheet, layout, totals, parsed) if layout.kind == KIND_RESULTS else set()
    total_code = measure_code("ege", "", Metric.GRADUATES if layout.kind == KIND_RESULTS else Metric.APPLICANTS)
    for index, municipality, school in schools:
        row = sheet.rows[index]
        values: dict[str, float] = {}
        if layout.graduates_col is not None:
            _ok, value = _read_value(sheet, index, layout.graduates_col, row, parsed, people=True)
            if value is not None:
                values[total_code] = value
        for code, block in layout.blocks.items():
            if layout.kind == KIND_RESULTS:
                values.update(_read_results_block(sheet, index, row, code, block, corrupt, parsed))
            else:
                _ok, value = _read_value(sheet, index, block[Metric.APPLICANTS], row, parsed, people=True)
                if value:
                    values[measure_code("ege", code, Metric.APPLICANTS)] = value
        if values.keys() == {total_code}:
            parsed.warnings.add(
                f"у школы «{school}» указано выпускников {shown(values[total_code])}, но нет ни одного предмета — "
                "строка пропущена",
                **at(sheet, index, layout.graduates_col, row),
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
        return True, read_number(row_cell(row, col), minimum=0, whole=people)
    except CellError as bad:
        parsed.errors.add(str(bad), **at(sheet, index, col, row))
        return False, None


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
                f"«{METRIC_LABELS[metric]}» по предмету «{subject_name(code)}» ({shown(value)}) больше числа "
                f"участников ({shown(participants)})"
            )
            if col in corrupt:
                parsed.warnings.add(
                    message + " — столбец испорчен в источнике, значение не загружено", **at(sheet, index, col, row)
                )
            else:
                parsed.errors.add(message, **at(sheet, index, col, row))
            continue
        if col not in corrupt:
            values[measure_code("ege", code, metric)] = value
    col = block.get(Metric.MEAN_SCORE)
    if col is not None:
        ok, mean = _read_value(sheet, index, col, row, parsed, people=False)
        if ok and mean is not None:
            if mean > 100:
                parsed.errors.add(
                    f"средний балл {shown(mean)} по предмету «{subject_name(code)}» больше 100",
                    **at(sheet, index, col, row),
                )
            else:
                values[measure_code("ege", code, Metric.MEAN_SCORE)] = mean
    return values
