"""The self-assessment workbook: the template the portal offers a school, and the reading of the filled file.

The template has three sheets:

- «Самооценка»: the school, year and stage on top, then one row per active risk factor (code, name, a rating
  from 1 to 3 to fill, a comment), then a cell for the conclusions;
- «Показатели»: the school's indicators with the plan for the year, a value to report and a comment; computed
  indicators are shown with the portal's value and are not read back;
- «Служебный» (very hidden, so a user cannot unhide it from Excel's menu): the marker of the portal's template,
  the school's id, the year, the stage and the codes of the factors and indicators the file was made with.

Reading collects every problem, each naming the sheet, row and column (the upload pipeline's `Problem`), so that the
school fixes them all at once.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from programs.models import RiskFactor
from programs.region_lists import risk_factors_of
from schools.models import School
from schools.school_year import school_year_label
from shnor_portal.spreadsheets import cell_value, print_setup, quote_text
from shnor_portal.uploads import (
    CellError,
    CheckedFile,
    Sheet,
    UploadRefused,
    cell_text,
    read_decimal,
    read_integer,
    read_workbook,
    report_formulas,
    report_unread,
    shown,
)

from .calendar import stages_of
from .computed import compute
from .models import (
    Indicator,
    IndicatorPlan,
    IndicatorValue,
    RiskLevelChoice,
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
MAX_ROWS = 2_000


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
    stage_names: dict[str, str] = field(default_factory=dict)  # code → name, the school's calendar of the year

    @property
    def stage_label(self) -> str:
        return self.stage_names.get(self.stage, self.stage)

    @property
    def file_name(self) -> str:
        return f"samoocenka-{self.school.pk}-{self.year}-{self.stage}.xlsx"


def template_content(*, school: School, year: int, stage: str) -> TemplateContent:
    """The risk factors to rate and the school's indicators, with the plan of the year and the values known now."""
    factors = list(risk_factors_of(school.municipality.region_id).order_by("position", "name", "pk"))
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
    names = {s.code: s.name for s in stages_of(year, municipality=school.municipality)}
    return TemplateContent(school=school, year=year, stage=stage, factors=factors, indicators=rows, stage_names=names)


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
    _write_main(main, content)
    _write_indicators(workbook.create_sheet(SHEET_INDICATORS), content)
    _write_service(workbook.create_sheet(SHEET_SERVICE), content)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_main(main, content: TemplateContent) -> None:
    """The sheet «Самооценка»: the school on top, a row per risk factor to rate, a cell for the conclusions."""
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
        quote_text(main.cell(row=row, column=2, value=cell_value(value)))
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
        quote_text(main.cell(row=row, column=1, value=factor.code)).border = _BOX
        name = quote_text(main.cell(row=row, column=2, value=factor.name))
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
    _write_conclusion(main, FACTOR_FIRST_ROW + len(content.factors) + 1)
    for column, width in zip("ABCDE", (22, 60, 14, 50, 34), strict=True):
        main.column_dimensions[column].width = width
    print_setup(main, title=f"Самооценка: {school.short_name}", widths=(22, 60, 14, 50),
                header_rows=(FACTOR_HEADER_ROW, FACTOR_HEADER_ROW), territory=str(school.municipality))


def conclusion_hint(row: int) -> str:
    """The heading beside the conclusions: where to type them (the merged yellow cells of the row)."""
    return f"Выводы школы — впишите в жёлтые ячейки B{row}:D{row}"


def _write_conclusion(main, row: int) -> None:
    """The conclusions' row: the label the reader checks in A, the yellow merged cells B:D to type in, a heading
    beside them in E and an input message on B, so that a school sees where its conclusions go (issue 19, item 8).
    The row above stays empty: the reader refuses added rows there."""
    main.cell(row=row, column=1, value=CONCLUSION_LABEL).font = _BOLD
    main.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
    conclusion = main.cell(row=row, column=2)
    conclusion.fill, conclusion.alignment = _INPUT_FILL, _WRAP
    hint = main.cell(row=row, column=5, value=f"← {conclusion_hint(row)}")
    hint.font, hint.alignment = _BOLD, _WRAP
    prompt = DataValidation(
        type=None, allow_blank=True, showInputMessage=True, promptTitle="Выводы школы",
        prompt="Впишите выводы самооценки сюда, в жёлтое поле B:D этой строки (до нескольких абзацев).",
    )
    prompt.add(f"B{row}:D{row}")
    main.add_data_validation(prompt)
    main.row_dimensions[row].height = 90


def _write_indicators(sheet, content: TemplateContent) -> None:
    """The sheet «Показатели»: the school's indicators with the plan, a value and a comment to fill."""
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
            indicator.code,
            indicator.name,
            indicator.unit_label,
            _decimal_cell(item.planned),
            _decimal_cell(item.value),
            COMPUTED_NOTE if item.computed else None,
        ]
        for column, value in enumerate(cells, start=1):
            cell = quote_text(sheet.cell(row=row, column=column, value=value))
            cell.border, cell.alignment = _BOX, _WRAP
            if column in (VALUE_COLUMN, INDICATOR_COMMENT_COLUMN):
                cell.fill = _GREY_FILL if item.computed else _INPUT_FILL
    for column, width in zip("ABCDEF", (22, 60, 10, 12, 12, 40), strict=True):
        sheet.column_dimensions[column].width = width
    print_setup(sheet, title=f"Показатели: {content.school.short_name}", widths=(22, 60, 10, 12, 12, 40),
                header_rows=(INDICATOR_HEADER_ROW, INDICATOR_HEADER_ROW), territory=str(content.school.municipality))


def _write_service(service, content: TemplateContent) -> None:
    """The very hidden sheet the reading checks the file against: the template's marker and what it was made for."""
    service["A1"] = "Служебный лист портала поддержки ШНОР: не изменяйте его."
    values = {
        "marker": MARKER,
        "version": VERSION,
        "school": content.school.pk,
        "year": content.year,
        "stage": content.stage,
        "factors": ";".join(f.code for f in content.factors),
        "indicators": ";".join(i.indicator.code for i in content.indicators),
    }
    for key, (row, label) in SERVICE_ROWS.items():
        service.cell(row=row, column=1, value=label)
        quote_text(service.cell(row=row, column=2, value=cell_value(values[key])))
    service.sheet_state = "veryHidden"
    service.protection.sheet = True


# --- reading a filled file ------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class ParsedSelfAssessment(CheckedFile):
    ratings: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    conclusion: str = ""

    def data(self) -> dict:
        return {"ratings": self.ratings, "indicators": self.indicators, "conclusion": self.conclusion}


def _sheet(sheets: list[Sheet], title: str) -> Sheet | None:
    return next((s for s in sheets if s.title == title), None)


def _at(sheet: Sheet, row: int, column: int | None = None, headers: list[str] | None = None) -> dict:
    """A cell's place for `Problems.add`, with its value and, under a header row, the column's header."""
    place = {"sheet": sheet.title, "row": row}
    if column is not None:
        place |= {"column": column, "value": sheet.cell(row, column)}
        if headers and column <= len(headers):
            place["header"] = headers[column - 1]
    return place


def _int(value) -> int | None:
    text = cell_text(value)
    return int(text) if text.isdigit() else None


def _check_service(service: Sheet | None, content: TemplateContent, parsed: ParsedSelfAssessment) -> None:
    """The file's marker against the school, year and stage it is uploaded for; any mismatch stops the reading."""
    errors = parsed.errors
    if service is None:
        errors.add(
            f"В книге нет служебного листа «{SHEET_SERVICE}»: это не шаблон самооценки портала или шаблон изменён "
            "(например, данные перенесены в другую книгу). Скачайте шаблон на портале и заполните его."
        )
        return
    value = lambda key: service.cell(SERVICE_ROWS[key][0], 2)  # noqa: E731
    where = lambda key: _at(service, SERVICE_ROWS[key][0], 2)  # noqa: E731
    if cell_text(value("marker")) != MARKER:
        errors.add("нет отметки шаблона самооценки портала — шаблон изменён. Скачайте его заново", **where("marker"))
        return
    if _int(value("version")) != VERSION:
        errors.add("файл составлен по другой версии шаблона. Скачайте шаблон заново", **where("version"))
        return
    if _int(value("school")) != content.school.pk:
        errors.add(
            f"файл составлен для другой школы, а загружается самооценка школы «{content.school.short_name}». "
            "Скачайте шаблон своей школы на портале",
            **where("school"),
        )
    file_year = _int(value("year"))
    if file_year != content.year:
        made_for = f"на {school_year_label(file_year)} учебный год" if file_year else "на другой учебный год"
        errors.add(
            f"файл составлен {made_for}, а загружается самооценка за {school_year_label(content.year)} учебный год",
            **where("year"),
        )
    file_stage = cell_text(value("stage"))
    if file_stage != content.stage:
        named = content.stage_names.get(file_stage)
        made_for = f"для этапа «{named}»" if named else "для другого этапа"
        errors.add(
            f"файл составлен {made_for}, а загружается самооценка этапа «{content.stage_label}»", **where("stage")
        )
    if errors:
        return
    if cell_text(value("factors")) != ";".join(f.code for f in content.factors):
        errors.add(
            "после того как шаблон был скачан, управление образования изменило список факторов риска. Скачайте "
            "шаблон заново и перенесите в него оценки",
            **where("factors"),
        )
    if cell_text(value("indicators")) != ";".join(i.indicator.code for i in content.indicators):
        errors.add(
            "после того как шаблон был скачан, изменился список показателей школы. Скачайте шаблон заново и "
            "перенесите в него значения",
            **where("indicators"),
        )


def _check_headers(sheet: Sheet, row: int, headers: list[str], parsed: ParsedSelfAssessment) -> None:
    for column, header in enumerate(headers, start=1):
        found = cell_text(sheet.cell(row, column))
        if found != header:
            parsed.errors.add(
                f"ожидался заголовок «{header}», а {'ячейка пуста' if not found else 'указано ' + shown(found)} — "
                "шаблон изменён",
                **_at(sheet, row, column),
            )


def _rating(value) -> int | None:
    """A rating from 1 to 3; None for an empty cell, CellError for anything else."""
    return read_integer(value, minimum=1, maximum=3)


def _comment(sheet: Sheet, row: int, column: int, headers: list[str], parsed: ParsedSelfAssessment) -> str:
    comment = cell_text(sheet.cell(row, column))
    if len(comment) > MAX_COMMENT:
        parsed.errors.add(
            f"комментарий длиннее {MAX_COMMENT} знаков ({len(comment)}) — сократите его",
            **_at(sheet, row, column, headers),
        )
    return comment[:MAX_COMMENT]


def _read_factors(sheet: Sheet, content: TemplateContent, parsed: ParsedSelfAssessment) -> None:
    _check_headers(sheet, FACTOR_HEADER_ROW, FACTOR_HEADERS, parsed)
    for offset, factor in enumerate(content.factors):
        row = FACTOR_FIRST_ROW + offset
        code = cell_text(sheet.cell(row, 1))
        if code != factor.code:
            parsed.errors.add(
                f"ожидался код фактора «{factor.code}» ({factor.name}), а "
                f"{'ячейка пуста' if not code else 'указано ' + shown(code)} — строки с факторами нельзя менять, "
                "удалять или переставлять",
                **_at(sheet, row, 1, FACTOR_HEADERS),
            )
            continue
        level = None
        try:
            level = _rating(sheet.cell(row, RATING_COLUMN))
            if level is None:
                parsed.errors.add(
                    f"не указана оценка фактора «{factor.name}» — поставьте от 1 до 3",
                    **_at(sheet, row, RATING_COLUMN, FACTOR_HEADERS),
                )
        except CellError as error:
            parsed.errors.add(str(error), **_at(sheet, row, RATING_COLUMN, FACTOR_HEADERS))
        parsed.ratings.append(
            {
                "code": factor.code,
                "name": factor.name,
                "factor_id": factor.pk,
                "level": level,
                "level_label": RiskLevelChoice(level).label if level else "",
                "comment": _comment(sheet, row, COMMENT_COLUMN, FACTOR_HEADERS, parsed),
                "cell": f"C{row}",
            }
        )
    _read_conclusion(sheet, FACTOR_FIRST_ROW + len(content.factors), parsed)


def _read_conclusion(sheet: Sheet, gap_row: int, parsed: ParsedSelfAssessment) -> None:
    """The row under the factors stays empty; the conclusions are in the row after it."""
    if any(cell_text(sheet.cell(gap_row, column)) for column in range(1, 5)):
        parsed.errors.add(
            "лишняя строка под списком факторов — строки в шаблон добавлять нельзя", sheet=sheet.title, row=gap_row
        )
    conclusion_row = gap_row + 1
    label = cell_text(sheet.cell(conclusion_row, 1))
    if label != CONCLUSION_LABEL:
        parsed.errors.add(
            f"ожидалась подпись «{CONCLUSION_LABEL}», а {'ячейка пуста' if not label else 'указано ' + shown(label)} "
            "— строки шаблона нельзя добавлять и удалять",
            **_at(sheet, conclusion_row, 1),
        )
        return
    conclusion = str(sheet.cell(conclusion_row, 2) or "").strip()
    if len(conclusion) > MAX_CONCLUSION:
        parsed.errors.add(
            f"выводы длиннее {MAX_CONCLUSION} знаков — сократите их", sheet=sheet.title, row=conclusion_row, column=2
        )
    parsed.conclusion = conclusion[:MAX_CONCLUSION]


def _indicator_value(sheet: Sheet, row: int, item: TemplateIndicator, parsed: ParsedSelfAssessment) -> Decimal | None:
    """The value typed for an indicator (None when empty or wrong; a wrong one is reported)."""
    place = _at(sheet, row, VALUE_COLUMN, INDICATOR_HEADERS)
    try:
        number = read_decimal(sheet.cell(row, VALUE_COLUMN))
    except CellError as error:
        if not item.computed:
            parsed.errors.add(str(error), **place)
        return None
    if item.computed:
        if number is not None and number != item.value:
            parsed.warnings.add(
                f"показатель «{item.indicator.name}» вычисляется порталом — значение из файла не используется",
                **place,
            )
        return None
    if number is not None and (error := item.indicator.value_error(number)):
        parsed.errors.add(error, **place)
        return None
    return number


def _read_indicators(sheet: Sheet, content: TemplateContent, parsed: ParsedSelfAssessment) -> None:
    _check_headers(sheet, INDICATOR_HEADER_ROW, INDICATOR_HEADERS, parsed)
    for offset, item in enumerate(content.indicators):
        row = INDICATOR_FIRST_ROW + offset
        indicator = item.indicator
        code = cell_text(sheet.cell(row, 1))
        if code != indicator.code:
            parsed.errors.add(
                f"ожидался код показателя «{indicator.code}», а "
                f"{'ячейка пуста' if not code else 'указано ' + shown(code)} — строки с показателями нельзя "
                "менять, удалять или переставлять",
                **_at(sheet, row, 1, INDICATOR_HEADERS),
            )
            continue
        number = _indicator_value(sheet, row, item, parsed)
        if item.computed:
            number, comment = item.value, ""
        else:
            comment = _comment(sheet, row, INDICATOR_COMMENT_COLUMN, INDICATOR_HEADERS, parsed)
            comment = "" if comment == COMPUTED_NOTE else comment
        parsed.indicators.append(
            {"indicator_id": indicator.pk, "code": indicator.code, "name": indicator.name,
             "unit": indicator.unit_label, "value": None if number is None else str(number),
             "comment": comment, "computed": item.computed,
             "planned": None if item.planned is None else str(item.planned)}
        )  # fmt: skip
    extra_row = INDICATOR_FIRST_ROW + len(content.indicators)
    for row in range(extra_row, len(sheet.rows) + 1):
        if any(cell_text(sheet.cell(row, column)) for column in range(1, 7)):
            parsed.errors.add(
                "лишняя строка под списком показателей — строки в шаблон добавлять нельзя", sheet=sheet.title, row=row
            )
            break


def _report_skipped(sheet: Sheet, parsed: ParsedSelfAssessment, *, template, fields) -> None:
    """Name what the reading would not take: a formula without a value in a field (an error), and text outside the
    template's cells — under the conclusions, beside the table (a warning: it is not saved)."""
    report_formulas(sheet, parsed.errors, read=fields)
    report_unread(sheet, parsed.warnings, read=lambda row, column: template(row, column) or fields(row, column))


def _report_skipped_main(sheet: Sheet, content: TemplateContent, parsed: ParsedSelfAssessment) -> None:
    conclusion_row = FACTOR_FIRST_ROW + len(content.factors) + 1
    factor_rows = range(FACTOR_FIRST_ROW, conclusion_row - 1)
    _report_skipped(
        sheet,
        parsed,
        # the portal's own cells: the school on top, the headers, the factors' codes and names, the conclusions'
        # label and the hint beside them (not the empty row above the headers); the row under the factors is
        # reported by the reading itself
        template=lambda row, column: (column <= 4 and row < conclusion_row and row != FACTOR_HEADER_ROW - 1)
        or (row, column) in ((conclusion_row, 1), (conclusion_row, 5)),
        fields=lambda row, column: (row in factor_rows and column in (RATING_COLUMN, COMMENT_COLUMN))
        or (row, column) == (conclusion_row, 2),
    )


def _report_skipped_indicators(sheet: Sheet, content: TemplateContent, parsed: ParsedSelfAssessment) -> None:
    indicator_rows = range(INDICATOR_FIRST_ROW, INDICATOR_FIRST_ROW + len(content.indicators))
    columns = len(INDICATOR_HEADERS)
    _report_skipped(
        sheet,
        parsed,
        # the title and the note, the headers, the indicators; rows added under them are reported by the reading
        template=lambda row, column: column <= columns and row != INDICATOR_HEADER_ROW - 1,
        fields=lambda row, column: row in indicator_rows and column in (VALUE_COLUMN, INDICATOR_COMMENT_COLUMN),
    )


def self_assessment_parse(file, *, content: TemplateContent) -> ParsedSelfAssessment:
    """Read a filled template for the school, year and stage of `content`; every problem names its cell."""
    parsed = ParsedSelfAssessment()
    try:
        sheets = read_workbook(file, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    except UploadRefused as refused:
        parsed.errors.add(str(refused))
        return parsed
    _check_service(_sheet(sheets, SHEET_SERVICE), content, parsed)
    if parsed.errors:
        return parsed
    main = _sheet(sheets, SHEET_MAIN)
    if main is None:
        parsed.errors.add(f"В книге нет листа «{SHEET_MAIN}»: лист удалён или переименован — шаблон изменён.")
    else:
        _read_factors(main, content, parsed)
        _report_skipped_main(main, content, parsed)
    indicators = _sheet(sheets, SHEET_INDICATORS)
    if indicators is None:
        parsed.errors.add(f"В книге нет листа «{SHEET_INDICATORS}»: лист удалён или переименован — шаблон изменён.")
    else:
        _read_indicators(indicators, content, parsed)
        _report_skipped_indicators(indicators, content, parsed)
    parsed.warnings.in_file_order([SHEET_MAIN, SHEET_INDICATORS])
    return parsed


def value_label(raw: str | None) -> str:
    return number_label(Decimal(raw)) if raw not in (None, "") else ""
