"""A roadmap to and from xlsx, laid out like the seed 002 table.

Columns: № п/п · Наименование задачи/мероприятия · Результат: наименование · Плановое значение · one column per year
(«2025 г.») · Исполнители; optionally Единица измерения, Срок, Статус, Фактор риска, Факт по годам, Примечание.
A deadline is written as the documents write it and read back the same (programs/deadlines.py): «15.05.2025»,
«май 2025», «сентябрь, октябрь, ноябрь 2025», «в течение 2025 года».
The header may take one row (as the portal exports it) or two (as in the seed document: «Результат выполнения
мероприятия» over «наименование | плановое значение», «Срок реализации, годы» over the years), and a row of column
numbers «1 2 3 …» under it is skipped.

A row whose № is a whole number («1.», «2. Реализация мер…») with no values is a task (section); «1.1», «4.10» is a
measure. Numbers are given by order on the portal, so a gap in the file (4.6 → 4.8) is closed and reported.

Reading reports every problem with its sheet, row and column, in Russian (cells are read by the upload pipeline's
readers, `shnor_portal.uploads`); nothing is written until the file is clean.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from shnor_portal.spreadsheets import xlsx_bytes
from shnor_portal.uploads import (
    CellError,
    CheckedFile,
    UploadRefused,
    cell_text,
    choice_reader,
    normalized,
    read_decimal,
    read_text,
    read_workbook,
    report_formulas,
    report_unread,
)

from .deadlines import Deadline, read_deadline
from .models import MeasureStatus, Programme, RiskFactor, plan_value_parse
from .region_lists import risk_factors_of
from .services import MeasureData

MAX_MEASURES = 3_000
HEADER_SCAN_ROWS = 25
MAX_PROBLEMS = 200

_SECTION_WITH_TITLE = re.compile(r"^(\d+)\.?\s+(\S.*)$", re.S)
_SECTION_NUMBER = re.compile(r"^(\d+)\.?$")
_MEASURE_NUMBER = re.compile(r"^\d+(?:\.\d+)+\.?$")
_HEADING_WORDS = re.compile(r"^(?:приоритет|задача|направление)\s*(\d+)?\s*[.:]?\s*(.*)$", re.I | re.S)
_YEAR = re.compile(r"^(20\d\d|19\d\d)\s*(?:г\.?|год|гг\.?)?$", re.I)
_ACTUAL_YEAR = re.compile(r"факт\D*(\d{4})", re.I)
_text = cell_text
read_status = choice_reader(
    {label: value for value, label in MeasureStatus.choices} | {value: value for value in MeasureStatus.values},
    allowed=MeasureStatus.labels,
)


@dataclass
class Columns:
    sheet: str = ""  # the sheet's title, for the places of problems
    number: int | None = None
    name: int | None = None
    result: int | None = None
    unit: int | None = None
    planned: int | None = None
    executors: int | None = None
    deadline: int | None = None
    status: int | None = None
    risk: int | None = None
    note: int | None = None
    years: dict[int, int] = field(default_factory=dict)  # year → column
    actual: dict[int, int] = field(default_factory=dict)  # year → column
    labels: dict[int, str] = field(default_factory=dict)  # column → header as written


@dataclass(kw_only=True)
class ParsedRoadmap(CheckedFile):
    sections: list[dict] = field(default_factory=list)  # {"title", "row", "measures": [MeasureData]}
    notes: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.measure_count > 0

    @property
    def measure_count(self) -> int:
        return sum(len(s["measures"]) for s in self.sections)


class _TooManyProblems(Exception):
    pass


def _find_header(rows: list[tuple]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = [_text(c).lower() for c in row]
        has_number = any("№" in t or t in ("n", "no", "номер", "n п/п") for t in texts)
        has_name = any("наименование" in t or "мероприяти" in t for t in texts)
        if has_number and has_name:
            return index
    return None


def _is_subheader(row: tuple) -> bool:
    texts = [_text(c).lower() for c in row]
    return any(t == "наименование" or "планов" in t or _YEAR.match(t) or _ACTUAL_YEAR.search(t) for t in texts if t)


def _is_column_numbers(row: tuple) -> bool:
    values = [_text(c) for c in row]
    filled = [(i, v) for i, v in enumerate(values) if v]
    return len(filled) >= 3 and all(v.isdigit() and int(v) == i + 1 for i, v in filled)


def _columns(top: tuple, sub: tuple | None) -> Columns:
    width = max(len(top), len(sub or ()))
    top_texts = [_text(top[i]) if i < len(top) else "" for i in range(width)]
    sub_texts = [_text(sub[i]) if sub and i < len(sub) else "" for i in range(width)]
    # A merged top cell is read only in its first column: carry it over the columns under it.
    if sub:
        carried = ""
        for i in range(width):
            if top_texts[i]:
                carried = top_texts[i]
            elif sub_texts[i]:
                top_texts[i] = carried
    columns = Columns()
    for i in range(width):
        top_text, sub_text = top_texts[i], sub_texts[i]
        label = " ".join(t for t in (top_text, sub_text) if t)
        low = label.lower()
        if not low:
            continue
        columns.labels[i] = label
        specific = (sub_text or top_text).lower()
        if columns.number is None and ("№" in low or low in ("n", "no", "номер")):
            columns.number = i
        elif match := _ACTUAL_YEAR.search(low):
            columns.actual[int(match.group(1))] = i
        elif match := _YEAR.match(specific):
            columns.years[int(match.group(1))] = i
        elif "планов" in low and columns.planned is None:
            columns.planned = i
        elif "исполнител" in low and columns.executors is None:
            columns.executors = i
        elif "единиц" in low and columns.unit is None:
            columns.unit = i
        elif "срок" in low and columns.deadline is None:
            columns.deadline = i
        elif "статус" in low and columns.status is None:
            columns.status = i
        elif "фактор" in low and columns.risk is None:
            columns.risk = i
        elif "примечан" in low and columns.note is None:
            columns.note = i
        elif "результат" in low and columns.result is None:
            columns.result = i
        elif ("наименование" in low or "мероприят" in low or "задач" in low) and columns.name is None:
            columns.name = i
    return columns


def _where(row: int, columns: Columns, column: int | None, sheet: str = "") -> dict:
    """A cell's place for `Problems.add`: the sheet, the row, the column and its header as written."""
    if column is None:
        return {"sheet": sheet or columns.sheet, "row": row}
    return {"sheet": sheet or columns.sheet, "row": row, "column": column + 1, "header": columns.labels.get(column, "")}




def roadmap_parse(file, *, programme: Programme) -> ParsedRoadmap:
    """Read an uploaded roadmap; every problem is named with its sheet, row and column. Nothing is written here."""
    result = ParsedRoadmap(years=programme.years)
    errors = result.errors
    try:
        sheets = read_workbook(file)
    except UploadRefused as exc:
        errors.add(str(exc))
        return result
    sheet = header_index = None
    for candidate in sheets:
        index = _find_header(candidate.rows)
        if index is not None:
            sheet, header_index = candidate, index
            break
    if sheet is None:
        errors.add(
            "Не найдена строка заголовков таблицы. Ожидаются столбцы «№ п/п», «Наименование задачи/мероприятия», "
            "«Результат», «Плановое значение», годы («2025 г.») и «Исполнители» — как в выгрузке дорожной карты "
            "с портала (кнопка «Скачать xlsx»)."
        )
        return result
    rows = sheet.rows
    sub = rows[header_index + 1] if header_index + 1 < len(rows) and _is_subheader(rows[header_index + 1]) else None
    columns = _columns(rows[header_index], sub)
    columns.sheet = sheet.title
    start = header_index + (2 if sub else 1)
    if start < len(rows) and _is_column_numbers(rows[start]):
        start += 1
    missing = [label for label, col in (("№ п/п", columns.number), ("Наименование", columns.name)) if col is None]
    if missing:
        errors.add("нет столбцов " + ", ".join(f"«{m}»" for m in missing), sheet=sheet.title, row=header_index + 1)
        return result
    header_row = header_index + (2 if sub else 1)  # where the years are written
    for year, column in sorted({**columns.years, **columns.actual}.items()):
        if year not in programme.years:
            errors.add(
                f"год {year} вне срока программы ({programme.period_label}). Исправьте заголовок столбца или срок "
                "программы в паспорте",
                **_where(header_row, columns, column),
            )
    if errors:
        return result
    _read_rows(rows, start, columns, programme, result)
    _report_skipped(sheet, start, columns, result)
    if not errors and result.measure_count == 0:
        errors.add("В таблице не найдено ни одного мероприятия: строки с номерами вида «1.1» под задачами.")
    return result


def _report_skipped(sheet, start: int, columns: Columns, result: ParsedRoadmap) -> None:
    """Name what would not be saved: a formula without a computed value in a column the import reads (it would be
    stored as empty: an error), and a filled cell of the table in a column it does not read (a warning)."""
    read = {columns.number, columns.name, columns.result, columns.unit, columns.planned, columns.executors,
            columns.deadline, columns.status, columns.risk, columns.note, *columns.years.values(),
            *columns.actual.values()} - {None}  # fmt: skip
    headers = {column + 1: label for column, label in columns.labels.items()}
    if report_formulas(sheet, result.errors, read=lambda row, column: row > start and column - 1 in read,
                       headers=headers):  # fmt: skip
        result.errors.in_file_order([sheet.title])
    report_unread(sheet, result.warnings, read=lambda row, column: row <= start or column - 1 in read)


class _Reading:
    """What reading the rows needs besides the row: the columns, the choices and where problems go."""

    def __init__(self, columns: Columns, programme: Programme, result: ParsedRoadmap):
        self.columns, self.programme, self.result = columns, programme, result
        self.factors = {normalized(f.name): f for f in risk_factors_of(programme.territory_region_id)}

    def read_deadline(self, value) -> Deadline | None:
        """«15.05.2025», «май 2025», «сентябрь, октябрь, ноябрь 2025», «в течение 2025 года»; a month or «в течение
        года» without a year is the programme's year when it covers one."""
        programme = self.programme
        return read_deadline(value, default_year=programme.period_start if len(programme.years) == 1 else None)

    def read_factor(self, value) -> RiskFactor | None:
        text = _text(value)
        if not text:
            return None
        if normalized(text) not in self.factors:
            raise CellError(f"фактора риска «{text}» нет в перечне управления")
        return self.factors[normalized(text)]

    def problem(self, message: str, row: int, column: int | None, value=None) -> None:
        self.result.errors.add(message, **_where(row, self.columns, column), value=value)
        if self.result.errors.count >= MAX_PROBLEMS:
            raise _TooManyProblems

    def cell(self, row: tuple, column: int | None):
        return row[column] if column is not None and column < len(row) else None

    def read(self, reader, row: tuple, excel_row: int, column: int | None):
        """A cell read by `reader`; a CellError is reported and raised on."""
        value = self.cell(row, column)
        try:
            return reader(value)
        except CellError as error:
            self.problem(str(error), excel_row, column, value)
            raise


def _read_rows(rows, start: int, columns: Columns, programme: Programme, result: ParsedRoadmap) -> None:
    reading = _Reading(columns, programme, result)
    renumbered: list[str] = []
    current = None
    try:
        for offset, row in enumerate(rows[start:]):
            excel_row = start + offset + 1
            number = _text(reading.cell(row, columns.number))
            name = _text(reading.cell(row, columns.name))
            value_columns = [columns.result, columns.planned, columns.executors, columns.unit, columns.deadline,
                             *columns.years.values(), *columns.actual.values()]  # fmt: skip
            has_values = any(_text(reading.cell(row, c)) for c in value_columns if c is not None)
            if not number and not name and not has_values:
                continue
            section_title = _section_title(number, name, has_values)
            if section_title is None and number and not _MEASURE_NUMBER.match(number) and not _SECTION_NUMBER.match(number):
                reading.problem(
                    f"«{number}» — не номер задачи («1.») и не номер мероприятия («1.1»)", excel_row, columns.number
                )
                continue
            if section_title is not None:
                if not section_title:
                    reading.problem(f"у задачи {number} нет названия", excel_row, columns.name)
                elif len(section_title) > 1000:
                    reading.problem("название задачи длиннее 1000 знаков", excel_row, columns.name)
                else:
                    current = {"title": section_title, "row": excel_row, "measures": []}
                    result.sections.append(current)
                continue
            if current is None:  # a measure before the first task
                current = {"title": "Мероприятия", "row": excel_row, "measures": []}
                result.sections.append(current)
                result.notes.append(
                    f"Мероприятия до первой задачи (с строки {excel_row}) собраны в задачу «Мероприятия»."
                )
            data = _measure(row, excel_row, name, reading)
            if data is None:
                continue
            current["measures"].append(data)
            expected = f"{len(result.sections)}.{len(current['measures'])}"
            if number and number.rstrip(".") != expected:
                renumbered.append(f"{number.rstrip('.')} → {expected}")
            if result.measure_count > MAX_MEASURES:
                reading.problem(
                    f"в таблице больше {MAX_MEASURES} мероприятий: это не похоже на одну дорожную карту", excel_row, None
                )
                break
    except _TooManyProblems:
        result.errors.add("Остальные строки не проверены: слишком много ошибок. Исправьте перечисленные.")
    if renumbered:
        shown = ", ".join(renumbered[:10]) + ("…" if len(renumbered) > 10 else "")
        result.notes.append(f"Мероприятия нумеруются по порядку: номера изменятся ({shown}).")


def _section_title(number: str, name: str, has_values: bool) -> str | None:
    """The title of a task (section) when the row is one, else None."""
    if (match := _SECTION_WITH_TITLE.match(number)) and not _MEASURE_NUMBER.match(number.split()[0]):
        return (match.group(2) + (" " + name if name else "")).strip()
    if _SECTION_NUMBER.match(number) and not has_values:
        return name
    if not number and name and not has_values:
        heading = _HEADING_WORDS.match(name)
        return heading.group(2).strip() if heading and heading.group(2).strip() else name
    return None


def _measure(row, excel_row: int, name: str, reading: _Reading) -> MeasureData | None:
    """A measure's row as MeasureData, or None when a cell of it is wrong (reported)."""
    columns = reading.columns
    if not name:
        reading.problem("не указано наименование мероприятия", excel_row, columns.name)
        return None
    data = MeasureData(name=name)
    found = reading.result.errors.count
    try:
        read_text(name, max_length=1000)
    except CellError as error:
        reading.problem(str(error), excel_row, columns.name, name)
    for attr, column, limit in (
        ("result_name", columns.result, 1000),
        ("unit", columns.unit, 60),
        ("executors", columns.executors, 500),
    ):
        try:
            setattr(data, attr, reading.read(lambda v, limit=limit: read_text(v, max_length=limit), row, excel_row, column))
        except CellError:
            pass
    data.note = _text(reading.cell(row, columns.note))
    _read_plans(row, excel_row, data, reading)
    if columns.deadline is not None:
        try:
            data.due = reading.read(reading.read_deadline, row, excel_row, columns.deadline)
        except CellError:
            pass
        else:
            if error := reading.programme.deadline_error(data.due):
                reading.problem(error, excel_row, columns.deadline)
    if columns.status is not None:
        try:
            data.status = reading.read(read_status, row, excel_row, columns.status) or data.status
        except CellError:
            pass
    if columns.risk is not None:
        try:
            data.risk_factor = reading.read(reading.read_factor, row, excel_row, columns.risk)
        except CellError:
            pass
    return data if reading.result.errors.count == found else None


def _read_plans(row, excel_row: int, data: MeasureData, reading: _Reading) -> None:
    """The planned value (a number or words like «не менее 2»), the plan and the actual value of each year."""
    columns = reading.columns
    plan_columns = [(None, columns.planned)] if columns.planned is not None else []
    for year, column in [*plan_columns, *columns.years.items()]:
        raw = reading.cell(row, column)
        try:
            value, text = plan_value_parse(raw)
        except ValidationError as exc:
            reading.problem(f"значение «{_text(raw)}» — {exc.messages[0]}", excel_row, column, raw)
            continue
        if year is None:
            data.planned_value, data.planned_text = value, text
        elif value is not None or text:
            data.years.setdefault(year, {}).update(planned_value=value, planned_text=text)
    for year, column in columns.actual.items():
        try:
            value = reading.read(lambda v: read_decimal(v, places=None), row, excel_row, column)
        except CellError:
            continue
        if value is not None and value < 0:
            reading.problem("фактическое значение не может быть отрицательным", excel_row, column, value)
        elif value is not None:
            data.years.setdefault(year, {})["actual_value"] = value.quantize(Decimal("0.01"))


# --- export -------------------------------------------------------------------------------------------------------


def export_columns(programme: Programme) -> list[tuple[str, int]]:
    return [
        ("№ п/п", 8),
        ("Наименование задачи/мероприятия", 60),
        ("Результат: наименование", 40),
        ("Единица измерения", 12),
        ("Плановое значение", 14),
        *[(f"{year} г.", 10) for year in programme.years],
        ("Исполнители", 24),
        ("Срок", 22),
        ("Статус", 14),
        ("Фактор риска", 30),
        *[(f"Факт {year} г.", 10) for year in programme.years],
        ("Примечание", 40),
    ]


def _plan_cell(value, text):
    """A plan as a number when it is one, so that the spreadsheet can sum it; as written otherwise."""
    if text:
        return text
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def roadmap_rows(programme: Programme, sections) -> list[list]:
    blank_years = [None] * len(programme.years)
    rows: list[list] = [[title for title, _w in export_columns(programme)]]
    for section in sections:
        rows.append([f"{section.number}.", section.title, None, None, None, *blank_years, None, None, None, None,
                     *blank_years, None])
        for m in section.rows:
            rows.append(
                [
                    m.number,
                    m.name,
                    m.result_name,
                    m.unit,
                    _plan_cell(m.planned_value, m.planned_text),
                    *[_plan_cell(c.planned_value, c.planned_text) if c else None for c in m.year_cells],
                    m.executors,
                    m.deadline_label or None,
                    m.get_status_display(),
                    m.risk_factor.name if m.risk_factor_id else None,
                    *[_plan_cell(c.actual_value, "") if c else None for c in m.year_cells],
                    m.note,
                ]
            )
    return rows


def passport_rows(programme: Programme) -> list[list]:
    return [
        ["Раздел паспорта", "Содержание"],
        ["Наименование", programme.title],
        ["Вид", programme.get_kind_display()],
        ["Владелец", programme.owner_label],
        ["Срок действия", programme.period_label],
        ["Фактор риска", programme.risk_factor.name if programme.risk_factor_id else ""],
        ["Цель", programme.goal],
        ["Задачи", programme.tasks],
        ["Куратор программы", programme.curator],
        ["Ответственный исполнитель", programme.responsible_executor],
        ["Исполнители", programme.executors],
        ["Адрес размещения в интернете", programme.web_address],
        ["Состояние", programme.get_state_display()],
    ]


def roadmap_xlsx(programme: Programme, sections) -> bytes:
    roadmap_title, passport_title = "Дорожная карта", "Паспорт"
    return xlsx_bytes(
        [(roadmap_title, roadmap_rows(programme, sections)), (passport_title, passport_rows(programme))],
        column_widths={
            roadmap_title: [width for _t, width in export_columns(programme)],
            passport_title: [32, 100],
        },
        # the programme's municipality, and its school for a school's programme; the region of its plan-schedule
        territory=", ".join(str(owner) for owner in (programme.municipality, programme.school, programme.region) if owner),
    )
