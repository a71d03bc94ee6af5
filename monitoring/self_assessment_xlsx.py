"""The self-assessment workbook: the template the portal offers a school, and the reading of the filled file.

The template has three sheets:

- «Самооценка»: the school, year and stage on top, then one row per active risk factor (code, name, a rating
  from 1 to 3 to fill, a comment), then a cell for the conclusions;
- «Показатели»: the school's indicators with the plan for the year, a value to report and a comment; computed
  indicators are shown with the portal's value and are not read back;
- «Служебный» (very hidden, so a user cannot unhide it from Excel's menu): the marker of the portal's template,
  the school's id, the year, the stage and the codes of the factors and indicators the file was made with.

Reading collects every problem, each naming the sheet and the cell, so that the school fixes them all at once.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from programs.models import RiskFactor
from schools.models import School
from schools.school_year import school_year_label
from shnor_portal.spreadsheets import Sheet, SpreadsheetRefused, escape_cell, read_xlsx_sheets

from .cells import address, cell_at, cell_text, parse_number, shown
from .computed import compute
from .models import (
    Indicator,
    IndicatorPlan,
    IndicatorValue,
    RiskLevelChoice,
    Stage,
    applicable_to_school_q,
    number_label,
)

SHEET_MAIN = "Самооценка"
SHEET_INDICATORS = "Показатели"
SHEET_SERVICE = "Служебный"
MARKER = "shnor-self-assessment"
VERSION = 1

FACTOR_HEADER_ROW = 8
FACTOR_FIRST_ROW = FACTOR_HEADER_ROW + 1
FACTOR_HEADERS = ["Код фактора", "Фактор риска", "Оценка (1–3)", "Комментарий"]
CONCLUSION_LABEL = "Выводы самооценки"
RATING_COLUMN, COMMENT_COLUMN = 3, 4

INDICATOR_HEADER_ROW = 4
INDICATOR_FIRST_ROW = INDICATOR_HEADER_ROW + 1
INDICATOR_HEADERS = ["Код показателя", "Показатель", "Единица", "План на год", "Значение", "Комментарий"]
VALUE_COLUMN, INDICATOR_COMMENT_COLUMN = 5, 6
COMPUTED_NOTE = "вычисляется порталом — не заполняйте"

# Service sheet: (row, label); the value is in column B.
SERVICE_ROWS = {
    "marker": (2, "Шаблон"),
    "version": (3, "Версия"),
    "school": (4, "Школа (код на портале)"),
    "year": (5, "Учебный год"),
    "stage": (6, "Этап мониторинга"),
    "factors": (7, "Факторы риска"),
    "indicators": (8, "Показатели"),
}

MAX_COMMENT = 1000
MAX_CONCLUSION = 5000
MAX_COLUMNS = 12


def max_upload_bytes() -> int:
    from django.conf import settings

    return getattr(settings, "SELF_ASSESSMENT_MAX_BYTES", 5 * 1024 * 1024)


# --- what a template holds ------------------------------------------------------------------------------------------


@dataclass
class TemplateIndicator:
    indicator: Indicator
    planned: Decimal | None
    value: Decimal | None
    computed: bool


@dataclass
class TemplateContent:
    school: School
    year: int
    stage: str
    factors: list[RiskFactor]
    indicators: list[TemplateIndicator]

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def file_name(self) -> str:
        return f"samoocenka-{self.school.pk}-{self.year}-{self.stage}.xlsx"


def template_content(*, school: School, year: int, stage: str) -> TemplateContent:
    """The risk factors to rate and the school's indicators, with the plan of the year and the values known now."""
    factors = list(RiskFactor.objects.filter(is_active=True).order_by("position", "name", "pk"))
    indicators = list(
        Indicator.objects.filter(applicable_to_school_q(school)).select_related("programme").order_by("position", "code", "pk")
    )
    plans = dict(
        IndicatorPlan.objects.filter(indicator__in=indicators, year=year).values_list("indicator_id", "planned_value")
    )
    values = dict(
        IndicatorValue.objects.filter(indicator__in=indicators, year=year, stage=stage, school=school).values_list(
            "indicator_id", "value"
        )
    )
    rows = []
    for indicator in indicators:
        value = values.get(indicator.pk)
        if indicator.is_computed:
            computed = compute(indicator.computed_by, year=year, school=school)
            value = Decimal(str(computed)).quantize(Decimal("0.01")) if computed is not None else value
        rows.append(TemplateIndicator(indicator, plans.get(indicator.pk), value, indicator.is_computed))
    return TemplateContent(school=school, year=year, stage=stage, factors=factors, indicators=rows)


# --- writing the template -------------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
_INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")
_GREY_FILL = PatternFill("solid", fgColor="EEEEEE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin", color="BBBBBB")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _decimal_cell(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def template_xlsx(content: TemplateContent) -> bytes:
    workbook = openpyxl.Workbook()
    main = workbook.active
    main.title = SHEET_MAIN
    school = content.school
    main["A1"] = "Самооценка школы по факторам риска"
    main["A1"].font = _TITLE
    for row, (label, value) in enumerate(
        [
            ("Школа", school.name or school.short_name),
            ("Муниципалитет", str(school.municipality)),
            ("Учебный год", school_year_label(content.year)),
            ("Этап мониторинга", content.stage_label),
        ],
        start=2,
    ):
        main.cell(row=row, column=1, value=label).font = _BOLD
        main.cell(row=row, column=2, value=escape_cell(value))
    main["A6"] = (
        "Оцените каждый фактор риска в столбце C: 1 — риск низкий, 2 — средний, 3 — высокий. "
        "Комментарий — по желанию. Не меняйте, не удаляйте и не переставляйте строки и столбцы A–B: "
        "портал сверяет файл с шаблоном."
    )
    main.merge_cells("A6:D6")
    main["A6"].alignment = _WRAP
    main.row_dimensions[6].height = 48
    for column, header in enumerate(FACTOR_HEADERS, start=1):
        cell = main.cell(row=FACTOR_HEADER_ROW, column=column, value=header)
        cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEADER_FILL, _WRAP, _BOX
    for offset, factor in enumerate(content.factors):
        row = FACTOR_FIRST_ROW + offset
        main.cell(row=row, column=1, value=escape_cell(factor.code)).border = _BOX
        name = main.cell(row=row, column=2, value=escape_cell(factor.name))
        name.alignment, name.border = _WRAP, _BOX
        for column in (RATING_COLUMN, COMMENT_COLUMN):
            cell = main.cell(row=row, column=column)
            cell.fill, cell.border, cell.alignment = _INPUT_FILL, _BOX, _WRAP
    if content.factors:
        last = FACTOR_FIRST_ROW + len(content.factors) - 1
        rating_rule = DataValidation(
            type="whole", operator="between", formula1="1", formula2="3", allow_blank=True,
            errorTitle="Оценка от 1 до 3", error="Поставьте 1 (риск низкий), 2 (средний) или 3 (высокий).",
            showErrorMessage=True,
        )
        rating_rule.add(f"C{FACTOR_FIRST_ROW}:C{last}")
        main.add_data_validation(rating_rule)
    conclusion_row = FACTOR_FIRST_ROW + len(content.factors) + 1
    main.cell(row=conclusion_row, column=1, value=CONCLUSION_LABEL).font = _BOLD
    main.merge_cells(start_row=conclusion_row, start_column=2, end_row=conclusion_row, end_column=4)
    conclusion = main.cell(row=conclusion_row, column=2)
    conclusion.fill, conclusion.alignment = _INPUT_FILL, _WRAP
    main.row_dimensions[conclusion_row].height = 90
    for column, width in zip("ABCD", (22, 60, 14, 50), strict=True):
        main.column_dimensions[column].width = width

    sheet = workbook.create_sheet(SHEET_INDICATORS)
    sheet["A1"] = "Целевые показатели школы"
    sheet["A1"].font = _TITLE
    sheet["A2"] = (
        "Укажите значения показателей на этот этап в столбце E (число; доли — в процентах от 0 до 100). "
        "Показатели, которые вычисляет портал, заполнены им и из файла не берутся."
    )
    sheet.merge_cells("A2:F2")
    sheet["A2"].alignment = _WRAP
    sheet.row_dimensions[2].height = 36
    for column, header in enumerate(INDICATOR_HEADERS, start=1):
        cell = sheet.cell(row=INDICATOR_HEADER_ROW, column=column, value=header)
        cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEADER_FILL, _WRAP, _BOX
    for offset, item in enumerate(content.indicators):
        row = INDICATOR_FIRST_ROW + offset
        indicator = item.indicator
        cells = [
            escape_cell(indicator.code),
            escape_cell(indicator.name),
            indicator.unit_label,
            _decimal_cell(item.planned),
            _decimal_cell(item.value),
            COMPUTED_NOTE if item.computed else None,
        ]
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border, cell.alignment = _BOX, _WRAP
            if column in (VALUE_COLUMN, INDICATOR_COMMENT_COLUMN):
                cell.fill = _GREY_FILL if item.computed else _INPUT_FILL
    for column, width in zip("ABCDEF", (22, 60, 10, 12, 12, 40), strict=True):
        sheet.column_dimensions[column].width = width

    service = workbook.create_sheet(SHEET_SERVICE)
    service["A1"] = "Служебный лист портала поддержки ШНОР: не изменяйте его."
    values = {
        "marker": MARKER,
        "version": VERSION,
        "school": school.pk,
        "year": content.year,
        "stage": content.stage,
        "factors": ";".join(f.code for f in content.factors),
        "indicators": ";".join(i.indicator.code for i in content.indicators),
    }
    for key, (row, label) in SERVICE_ROWS.items():
        service.cell(row=row, column=1, value=label)
        service.cell(row=row, column=2, value=escape_cell(values[key]))
    service.sheet_state = "veryHidden"
    service.protection.sheet = True

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading a filled file ------------------------------------------------------------------------------------------


@dataclass
class ParsedSelfAssessment:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ratings: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    conclusion: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def data(self) -> dict:
        return {"ratings": self.ratings, "indicators": self.indicators, "conclusion": self.conclusion}


def _sheet(sheets: list[Sheet], title: str) -> Sheet | None:
    return next((s for s in sheets if s.title == title), None)


def _service_value(service: Sheet, key: str):
    return cell_at(service.rows, SERVICE_ROWS[key][0], 2)


def _int(value) -> int | None:
    text = cell_text(value)
    return int(text) if text.isdigit() else None


def _check_service(service: Sheet | None, content: TemplateContent) -> list[str]:
    """The file's marker against the school, year and stage it is uploaded for; any mismatch stops the reading."""
    if service is None:
        return [
            f"В книге нет служебного листа «{SHEET_SERVICE}»: это не шаблон самооценки портала или шаблон изменён "
            "(например, данные перенесены в другую книгу). Скачайте шаблон на портале и заполните его."
        ]
    where = lambda key: address(SHEET_SERVICE, 2, SERVICE_ROWS[key][0])  # noqa: E731
    if cell_text(_service_value(service, "marker")) != MARKER:
        return [f"{where('marker')}: нет отметки шаблона самооценки портала — шаблон изменён. Скачайте его заново."]
    if _int(_service_value(service, "version")) != VERSION:
        return [f"{where('version')}: файл составлен по другой версии шаблона. Скачайте шаблон заново."]
    errors = []
    if _int(_service_value(service, "school")) != content.school.pk:
        errors.append(
            f"{where('school')}: файл составлен для другой школы, а загружается самооценка школы "
            f"«{content.school.short_name}». Скачайте шаблон своей школы на портале."
        )
    file_year = _int(_service_value(service, "year"))
    if file_year != content.year:
        made_for = f"на {school_year_label(file_year)} учебный год" if file_year else "на другой учебный год"
        errors.append(
            f"{where('year')}: файл составлен {made_for}, а загружается самооценка за "
            f"{school_year_label(content.year)} учебный год."
        )
    file_stage = cell_text(_service_value(service, "stage"))
    if file_stage != content.stage:
        made_for = (
            f"для этапа «{Stage(file_stage).label}»" if file_stage in Stage.values else "для другого этапа"
        )
        errors.append(
            f"{where('stage')}: файл составлен {made_for}, а загружается самооценка этапа «{content.stage_label}»."
        )
    if errors:
        return errors
    if cell_text(_service_value(service, "factors")) != ";".join(f.code for f in content.factors):
        errors.append(
            f"{where('factors')}: после того как шаблон был скачан, управление образования изменило список "
            "факторов риска. Скачайте шаблон заново и перенесите в него оценки."
        )
    if cell_text(_service_value(service, "indicators")) != ";".join(i.indicator.code for i in content.indicators):
        errors.append(
            f"{where('indicators')}: после того как шаблон был скачан, изменился список показателей школы. "
            "Скачайте шаблон заново и перенесите в него значения."
        )
    return errors


def _check_headers(sheet: Sheet, row: int, headers: list[str]) -> list[str]:
    errors = []
    for column, header in enumerate(headers, start=1):
        found = cell_text(cell_at(sheet.rows, row, column))
        if found != header:
            errors.append(
                f"{address(sheet.title, column, row)}: ожидался заголовок «{header}», а "
                f"{'ячейка пуста' if not found else 'указано ' + shown(found)} — шаблон изменён."
            )
    return errors


def _rating(value) -> tuple[int | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "missing"
    number, error = parse_number(value)
    if error:
        return None, f"оценка должна быть числом от 1 до 3, а указано {shown(value)}"
    if number != number.to_integral_value():
        return None, f"оценка должна быть целым числом от 1 до 3, а указано {shown(value)}"
    if not 1 <= number <= 3:
        return None, f"оценка должна быть от 1 до 3, а указано {shown(value)}"
    return int(number), None


def _read_factors(sheet: Sheet, content: TemplateContent, parsed: ParsedSelfAssessment) -> None:
    title = sheet.title
    parsed.errors.extend(_check_headers(sheet, FACTOR_HEADER_ROW, FACTOR_HEADERS))
    for offset, factor in enumerate(content.factors):
        row = FACTOR_FIRST_ROW + offset
        code = cell_text(cell_at(sheet.rows, row, 1))
        if code != factor.code:
            parsed.errors.append(
                f"{address(title, 1, row)}: ожидался код фактора «{factor.code}» ({factor.name}), а "
                f"{'ячейка пуста' if not code else 'указано ' + shown(code)} — строки с факторами нельзя менять, "
                "удалять или переставлять."
            )
            continue
        level, error = _rating(cell_at(sheet.rows, row, RATING_COLUMN))
        if error == "missing":
            parsed.errors.append(
                f"{address(title, RATING_COLUMN, row)}: не указана оценка фактора «{factor.name}» — "
                "поставьте от 1 до 3."
            )
        elif error:
            parsed.errors.append(f"{address(title, RATING_COLUMN, row)}: {error}.")
        comment = cell_text(cell_at(sheet.rows, row, COMMENT_COLUMN))
        if len(comment) > MAX_COMMENT:
            parsed.errors.append(
                f"{address(title, COMMENT_COLUMN, row)}: комментарий длиннее {MAX_COMMENT} знаков "
                f"({len(comment)}) — сократите его."
            )
        parsed.ratings.append(
            {
                "code": factor.code,
                "name": factor.name,
                "factor_id": factor.pk,
                "level": level,
                "level_label": RiskLevelChoice(level).label if level else "",
                "comment": comment[:MAX_COMMENT],
                "cell": f"C{row}",
            }
        )
    gap_row = FACTOR_FIRST_ROW + len(content.factors)
    if any(cell_text(cell_at(sheet.rows, gap_row, column)) for column in range(1, 5)):
        parsed.errors.append(
            f"Лист «{title}», строка {gap_row}: лишняя строка под списком факторов — строки в шаблон "
            "добавлять нельзя."
        )
    conclusion_row = gap_row + 1
    label = cell_text(cell_at(sheet.rows, conclusion_row, 1))
    if label != CONCLUSION_LABEL:
        parsed.errors.append(
            f"{address(title, 1, conclusion_row)}: ожидалась подпись «{CONCLUSION_LABEL}», а "
            f"{'ячейка пуста' if not label else 'указано ' + shown(label)} — строки шаблона нельзя добавлять "
            "и удалять."
        )
        return
    conclusion = str(cell_at(sheet.rows, conclusion_row, 2) or "").strip()
    if len(conclusion) > MAX_CONCLUSION:
        parsed.errors.append(
            f"{address(title, 2, conclusion_row)}: выводы длиннее {MAX_CONCLUSION} знаков — сократите их."
        )
    parsed.conclusion = conclusion[:MAX_CONCLUSION]


def _read_indicators(sheet: Sheet, content: TemplateContent, parsed: ParsedSelfAssessment) -> None:
    title = sheet.title
    parsed.errors.extend(_check_headers(sheet, INDICATOR_HEADER_ROW, INDICATOR_HEADERS))
    for offset, item in enumerate(content.indicators):
        row = INDICATOR_FIRST_ROW + offset
        indicator = item.indicator
        code = cell_text(cell_at(sheet.rows, row, 1))
        if code != indicator.code:
            parsed.errors.append(
                f"{address(title, 1, row)}: ожидался код показателя «{indicator.code}», а "
                f"{'ячейка пуста' if not code else 'указано ' + shown(code)} — строки с показателями нельзя "
                "менять, удалять или переставлять."
            )
            continue
        raw = cell_at(sheet.rows, row, VALUE_COLUMN)
        comment = cell_text(cell_at(sheet.rows, row, INDICATOR_COMMENT_COLUMN))
        if item.computed:
            number, _error = parse_number(raw)
            if number is not None and number != item.value:
                parsed.warnings.append(
                    f"{address(title, VALUE_COLUMN, row)}: показатель «{indicator.name}» вычисляется порталом — "
                    "значение из файла не используется."
                )
            parsed.indicators.append(
                {"indicator_id": indicator.pk, "code": indicator.code, "name": indicator.name,
                 "unit": indicator.unit_label, "value": None if item.value is None else str(item.value),
                 "comment": "", "computed": True,
                 "planned": None if item.planned is None else str(item.planned)}
            )
            continue
        number, error = parse_number(raw)
        if error is None and number is not None:
            error = indicator.value_error(number)
        if error:
            parsed.errors.append(f"{address(title, VALUE_COLUMN, row)}: {error}.")
            number = None
        if comment == COMPUTED_NOTE:
            comment = ""
        if len(comment) > MAX_COMMENT:
            parsed.errors.append(
                f"{address(title, INDICATOR_COMMENT_COLUMN, row)}: комментарий длиннее {MAX_COMMENT} знаков — "
                "сократите его."
            )
        parsed.indicators.append(
            {"indicator_id": indicator.pk, "code": indicator.code, "name": indicator.name,
             "unit": indicator.unit_label, "value": None if number is None else str(number),
             "comment": comment[:MAX_COMMENT], "computed": False,
             "planned": None if item.planned is None else str(item.planned)}
        )
    extra_row = INDICATOR_FIRST_ROW + len(content.indicators)
    for row in range(extra_row, len(sheet.rows) + 1):
        if any(cell_text(cell_at(sheet.rows, row, column)) for column in range(1, 7)):
            parsed.errors.append(
                f"Лист «{title}», строка {row}: лишняя строка под списком показателей — строки в шаблон "
                "добавлять нельзя."
            )
            break


def self_assessment_parse(file, *, content: TemplateContent) -> ParsedSelfAssessment:
    """Read a filled template for the school, year and stage of `content`; every problem names its cell."""
    parsed = ParsedSelfAssessment()
    try:
        sheets = read_xlsx_sheets(file, max_bytes=max_upload_bytes(), max_rows=2_000, max_columns=MAX_COLUMNS)
    except SpreadsheetRefused as refused:
        parsed.errors.append(str(refused))
        return parsed
    parsed.errors.extend(_check_service(_sheet(sheets, SHEET_SERVICE), content))
    if parsed.errors:
        return parsed
    main = _sheet(sheets, SHEET_MAIN)
    if main is None:
        parsed.errors.append(f"В книге нет листа «{SHEET_MAIN}»: лист удалён или переименован — шаблон изменён.")
    else:
        _read_factors(main, content, parsed)
    indicators = _sheet(sheets, SHEET_INDICATORS)
    if indicators is None:
        parsed.errors.append(
            f"В книге нет листа «{SHEET_INDICATORS}»: лист удалён или переименован — шаблон изменён."
        )
    else:
        _read_indicators(indicators, content, parsed)
    return parsed


def value_label(raw: str | None) -> str:
    return number_label(Decimal(raw)) if raw not in (None, "") else ""
