"""The portal's long-format template of results: one value per row, for ОГЭ, ВПР, ЕГЭ and anything else.

Columns «Муниципалитет», «Школа», «Год», «Код результата» (процедура-предмет-показатель, e.g.
«oge-russian-mean_score») and «Значение»; `long_format_template` is the workbook the upload page offers.
"""

import io
import re

import openpyxl
from openpyxl.styles import Font

from shnor_portal.spreadsheets import print_setup
from shnor_portal.uploads import CellError, Sheet, UploadRefused, is_blank, read_number, read_year, shown

from .measures import EGE_SUBJECTS
from .models import Measure
from .results_file import (
    FORMAT_LONG,
    KIND_LONG,
    LONG_COLUMNS,
    ParsedRow,
    ParsedSheet,
    ParsedWorkbook,
    at,
    detect,
    find_long_header,
    is_empty,
    is_long_header,
    load_sheets,
    low,
    refused,
    row_cell,
    row_text,
    unknown_layout,
)

Metric = Measure.Metric

LONG_EXAMS = ("oge", "ege", "vpr", "other")
LONG_CODE_RE = re.compile(r"^(?P<exam>oge|ege|vpr|other)-(?:(?P<subject>[a-z0-9_]+)-)?(?P<metric>[a-z0-9_]+)$")
YEAR_RANGE = (2000, 2100)
# Metrics that count people: whole, non-negative numbers.
PEOPLE_METRICS = {
    Metric.PARTICIPANTS, Metric.BELOW_MIN, Metric.HIGH_80_99, Metric.SCORE_100, Metric.APPLICANTS, Metric.GRADUATES
}


def parse_long_format(file, *, known_codes: set[str] | None = None) -> ParsedWorkbook:
    """Parse the long-format template. `known_codes`: codes accepted as they are besides the `<exam>-…` form;
    by default the codes of the measures already in the registry."""
    try:
        sheets = load_sheets(file)
    except UploadRefused as refusal:
        return refused(str(refusal))
    if detect(sheets) != FORMAT_LONG:
        return refused(unknown_layout(sheets, expected=FORMAT_LONG))
    return parse_long_sheets(sheets, known_codes=known_codes)


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


def parse_long_sheets(sheets: list[Sheet], *, known_codes: set[str] | None) -> ParsedWorkbook:
    if known_codes is None:
        known_codes = set(Measure.objects.values_list("code", flat=True))
    parsed = ParsedWorkbook(format=FORMAT_LONG)
    sheet = next((candidate for candidate in sheets if is_long_header(candidate.rows)), None)
    if sheet is None:
        parsed.errors.append(unknown_layout(sheets, expected=FORMAT_LONG))
        return parsed
    header, columns = find_long_header(sheet.rows)
    result = ParsedSheet(title=sheet.title, year=None, kind=KIND_LONG, header_rows=[header + 1])
    parsed.sheets.append(result)
    seen: dict[tuple[str, str, int, str], int] = {}
    for index in range(header + 1, len(sheet.rows)):
        row = sheet.rows[index]
        if is_empty(row):
            continue
        parsed_row = _read_long_row(sheet, index, row, columns, known_codes, parsed)
        if parsed_row is None:
            continue
        (code, value), = parsed_row.values.items()
        key = (low(parsed_row.municipality_name), low(parsed_row.school_name), parsed_row.year, code)
        if key in seen:
            parsed.errors.add(
                f"результат «{code}» школы «{parsed_row.school_name}» за {parsed_row.year} год уже указан в строке "
                f"{seen[key]}",
                **at(sheet, index),
            )
            continue
        seen[key] = index + 1
        result.school_rows += 1
        parsed.rows.append(parsed_row)
    if not parsed.rows and not parsed.errors:
        parsed.errors.add("под заголовком нет ни одной заполненной строки", sheet=sheet.title)
    return parsed


def _read_long_row(sheet, index, row, columns, known_codes, parsed) -> ParsedRow | None:
    problems = []
    municipality = row_text(row, columns["municipality"])
    school = row_text(row, columns["school"])
    if not municipality:
        problems.append((columns["municipality"], "не указан муниципалитет"))
    if not school:
        problems.append((columns["school"], "не указана школа"))

    year = None
    try:
        year = read_year(row_cell(row, columns["year"]), minimum=YEAR_RANGE[0], maximum=YEAR_RANGE[1])
        if year is None:
            problems.append((columns["year"], "не указан год"))
    except CellError as bad:
        problems.append((columns["year"], str(bad)))

    raw_code = row_cell(row, columns["code"])
    code = low(raw_code) if not is_blank(raw_code) else ""
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
        value = read_number(row_cell(row, columns["value"]), **_value_limits(metric))
        if value is None:
            problems.append((columns["value"], "не указано значение"))
        elif metric == Metric.MEAN_SCORE and not 0 <= value <= 100:
            problems.append((columns["value"], f"средний балл {shown(value)} вне пределов от 0 до 100"))
    except CellError as bad:
        problems.append((columns["value"], str(bad)))

    for col, message in problems:
        parsed.errors.add(message, **at(sheet, index, col, row))
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


def _value_limits(metric: str | None) -> dict:
    """A number of people is whole and not negative."""
    return {"minimum": 0, "whole": True} if metric in PEOPLE_METRICS else {}


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
    print_setup(data, title="Шаблон загрузки результатов", widths=(36, 48, 8, 34, 12))

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
    print_setup(help_sheet, title="Шаблон загрузки результатов: инструкция", widths=(110,), header_rows=(0, 0))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
