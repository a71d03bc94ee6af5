"""A roadmap to and from xlsx, laid out like the seed 002 table.

Columns: № п/п · Наименование задачи/мероприятия · Результат: наименование · Плановое значение · one column per year
(«2025 г.») · Исполнители; optionally Единица измерения, Срок, Статус, Фактор риска, Факт по годам, Примечание.
The header may take one row (as the portal exports it) or two (as in the seed document: «Результат выполнения
мероприятия» over «наименование | плановое значение», «Срок реализации, годы» over the years), and a row of column
numbers «1 2 3 …» under it is skipped.

A row whose № is a whole number («1.», «2. Реализация мер…») with no values is a task (section); «1.1», «4.10» is a
measure. Numbers are given by order on the portal, so a gap in the file (4.6 → 4.8) is closed and reported.

Reading reports every problem with its row and column, in Russian; nothing is written until the file is clean.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from openpyxl.utils import get_column_letter

from shnor_portal.spreadsheets import SpreadsheetRefused, read_xlsx_sheets, xlsx_bytes

from .models import MeasureStatus, Programme, RiskFactor, plan_value_parse
from .services import MeasureData

DEFAULT_IMPORT_MAX_BYTES = 10 * 1024 * 1024
MAX_MEASURES = 3_000
HEADER_SCAN_ROWS = 25
MAX_PROBLEMS = 200

_SECTION_WITH_TITLE = re.compile(r"^(\d+)\.?\s+(\S.*)$", re.S)
_SECTION_NUMBER = re.compile(r"^(\d+)\.?$")
_MEASURE_NUMBER = re.compile(r"^\d+(?:\.\d+)+\.?$")
_HEADING_WORDS = re.compile(r"^(?:приоритет|задача|направление)\s*(\d+)?\s*[.:]?\s*(.*)$", re.I | re.S)
_YEAR = re.compile(r"^(20\d\d|19\d\d)\s*(?:г\.?|год|гг\.?)?$", re.I)
_ACTUAL_YEAR = re.compile(r"факт\D*(\d{4})", re.I)
_DATE_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def import_max_bytes() -> int:
    from django.conf import settings

    return getattr(settings, "ROADMAP_IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


@dataclass
class Columns:
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


@dataclass
class ParsedRoadmap:
    sections: list[dict] = field(default_factory=list)  # {"title", "row", "measures": [MeasureData]}
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.measure_count > 0

    @property
    def measure_count(self) -> int:
        return sum(len(s["measures"]) for s in self.sections)


class _Problems(Exception):
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


def _where(row: int, columns: Columns, column: int) -> str:
    header = columns.labels.get(column, "")
    return f"Строка {row}, столбец {get_column_letter(column + 1)}" + (f" («{header}»)" if header else "")


def _decimal(value) -> Decimal | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        try:
            number = Decimal(_text(value).replace(",", ".").replace(" ", ""))
        except InvalidOperation as exc:
            raise ValueError from exc
    return number


def _date(value) -> datetime.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if match := _DATE_DMY.match(text):
        day, month, year = map(int, match.groups())
        return datetime.date(year, month, day)
    if match := _DATE_ISO.match(text):
        year, month, day = map(int, match.groups())
        return datetime.date(year, month, day)
    if re.fullmatch(r"\d{4}", text):
        return datetime.date(int(text), 12, 31)
    raise ValueError


def roadmap_parse(file, *, programme: Programme) -> ParsedRoadmap:
    """Read an uploaded roadmap; every problem is named with its row and column. Nothing is written here."""
    result = ParsedRoadmap(years=programme.years)
    try:
        sheets = read_xlsx_sheets(file, max_bytes=import_max_bytes())
    except SpreadsheetRefused as exc:
        result.problems.append(str(exc))
        return result
    sheet = header_index = None
    for candidate in sheets:
        index = _find_header(candidate.rows)
        if index is not None:
            sheet, header_index = candidate, index
            break
    if sheet is None:
        result.problems.append(
            "Не найдена строка заголовков таблицы. Ожидаются столбцы «№ п/п», «Наименование задачи/мероприятия», "
            "«Результат», «Плановое значение», годы («2025 г.») и «Исполнители» — как в выгрузке дорожной карты "
            "с портала (кнопка «Скачать xlsx»)."
        )
        return result
    rows = sheet.rows
    sub = rows[header_index + 1] if header_index + 1 < len(rows) and _is_subheader(rows[header_index + 1]) else None
    columns = _columns(rows[header_index], sub)
    start = header_index + (2 if sub else 1)
    if start < len(rows) and _is_column_numbers(rows[start]):
        start += 1
    missing = [label for label, col in (("№ п/п", columns.number), ("Наименование", columns.name)) if col is None]
    if missing:
        result.problems.append(
            f"Лист «{sheet.title}», строка {header_index + 1}: нет столбцов " + ", ".join(f"«{m}»" for m in missing) + "."
        )
        return result
    header_row = header_index + (2 if sub else 1)  # where the years are written
    for year, column in sorted({**columns.years, **columns.actual}.items()):
        if year not in programme.years:
            result.problems.append(
                f"Строка {header_row}, столбец {get_column_letter(column + 1)} («{columns.labels.get(column, year)}»): "
                f"год {year} вне срока программы ({programme.period_label}). Исправьте заголовок столбца или срок "
                "программы в паспорте."
            )
    if result.problems:
        return result
    _read_rows(rows, start, columns, programme, result)
    if not result.problems and result.measure_count == 0:
        result.problems.append("В таблице не найдено ни одного мероприятия: строки с номерами вида «1.1» под задачами.")
    return result


def _read_rows(rows, start: int, columns: Columns, programme: Programme, result: ParsedRoadmap) -> None:
    statuses = {label.lower(): value for value, label in MeasureStatus.choices}
    statuses.update({value: value for value in MeasureStatus.values})
    factors = {f.name.lower(): f for f in RiskFactor.objects.filter(is_active=True)}
    renumbered: list[str] = []
    current = None

    def cell(row, column):
        return row[column] if column is not None and column < len(row) else None

    def problem(message: str):
        result.problems.append(message)
        if len(result.problems) >= MAX_PROBLEMS:
            raise _Problems

    try:
        for offset, row in enumerate(rows[start:]):
            excel_row = start + offset + 1
            number = _text(cell(row, columns.number))
            name = _text(cell(row, columns.name))
            value_columns = [columns.result, columns.planned, columns.executors, columns.unit, columns.deadline,
                             *columns.years.values(), *columns.actual.values()]
            has_values = any(_text(cell(row, c)) for c in value_columns if c is not None)
            if not number and not name and not has_values:
                continue
            section_title = None
            if (match := _SECTION_WITH_TITLE.match(number)) and not _MEASURE_NUMBER.match(number.split()[0]):
                section_title = (match.group(2) + (" " + name if name else "")).strip()
            elif _SECTION_NUMBER.match(number) and not has_values:
                section_title = name
            elif not number and name and not has_values:
                heading = _HEADING_WORDS.match(name)
                section_title = heading.group(2).strip() if heading and heading.group(2).strip() else name
            elif number and not _MEASURE_NUMBER.match(number) and not _SECTION_NUMBER.match(number):
                problem(
                    f"{_where(excel_row, columns, columns.number)}: «{number}» — не номер задачи («1.») "
                    "и не номер мероприятия («1.1»)."
                )
                continue
            if section_title is not None:
                if not section_title:
                    problem(f"{_where(excel_row, columns, columns.name)}: у задачи {number} нет названия.")
                    continue
                if len(section_title) > 1000:
                    problem(f"{_where(excel_row, columns, columns.name)}: название задачи длиннее 1000 знаков.")
                    continue
                current = {"title": section_title, "row": excel_row, "measures": []}
                result.sections.append(current)
                continue
            # A measure.
            if current is None:
                current = {"title": "Мероприятия", "row": excel_row, "measures": []}
                result.sections.append(current)
                result.notes.append(
                    f"Мероприятия до первой задачи (с строки {excel_row}) собраны в задачу «Мероприятия»."
                )
            data = _measure(row, excel_row, name, columns, programme, statuses, factors, problem, cell)
            if data is None:
                continue
            current["measures"].append(data)
            expected = f"{len(result.sections)}.{len(current['measures'])}"
            if number and number.rstrip(".") != expected:
                renumbered.append(f"{number.rstrip('.')} → {expected}")
            if result.measure_count > MAX_MEASURES:
                problem(f"В таблице больше {MAX_MEASURES} мероприятий: это не похоже на одну дорожную карту.")
                break
    except _Problems:
        result.problems.append("Остальные строки не проверены: слишком много ошибок. Исправьте перечисленные.")
    if renumbered:
        shown = ", ".join(renumbered[:10]) + ("…" if len(renumbered) > 10 else "")
        result.notes.append(f"Мероприятия нумеруются по порядку: номера изменятся ({shown}).")


def _measure(row, excel_row, name, columns, programme, statuses, factors, problem, cell) -> MeasureData | None:
    ok = True
    if not name:
        problem(f"{_where(excel_row, columns, columns.name)}: не указано наименование мероприятия.")
        return None
    if len(name) > 1000:
        problem(f"{_where(excel_row, columns, columns.name)}: наименование длиннее 1000 знаков.")
        ok = False
    data = MeasureData(name=name)
    for attr, column, limit in (
        ("result_name", columns.result, 1000),
        ("unit", columns.unit, 60),
        ("executors", columns.executors, 500),
    ):
        text = _text(cell(row, column))
        if len(text) > limit:
            problem(f"{_where(excel_row, columns, column)}: длиннее {limit} знаков.")
            ok = False
        setattr(data, attr, text)
    data.note = _text(cell(row, columns.note))
    if columns.planned is not None:
        raw = cell(row, columns.planned)
        try:
            data.planned_value, data.planned_text = plan_value_parse(raw)
        except ValidationError as exc:
            problem(f"{_where(excel_row, columns, columns.planned)}: значение «{_text(raw)}» — {exc.messages[0]}")
            ok = False
    for year, column in columns.years.items():
        raw = cell(row, column)
        try:
            value, text = plan_value_parse(raw)
        except ValidationError as exc:
            problem(f"{_where(excel_row, columns, column)}: значение «{_text(raw)}» — {exc.messages[0]}")
            ok = False
            continue
        if value is not None or text:
            data.years.setdefault(year, {}).update(planned_value=value, planned_text=text)
    for year, column in columns.actual.items():
        raw = cell(row, column)
        try:
            value = _decimal(raw)
        except ValueError:
            problem(f"{_where(excel_row, columns, column)}: «{_text(raw)}» — не число.")
            ok = False
            continue
        if value is not None and value < 0:
            problem(f"{_where(excel_row, columns, column)}: фактическое значение не может быть отрицательным.")
            ok = False
            continue
        if value is not None:
            data.years.setdefault(year, {})["actual_value"] = value.quantize(Decimal("0.01"))
    if columns.deadline is not None:
        raw = cell(row, columns.deadline)
        try:
            data.deadline = _date(raw)
        except (ValueError, OverflowError):
            problem(
                f"{_where(excel_row, columns, columns.deadline)}: «{_text(raw)}» — не дата. Пишите дату как 31.12.2025."
            )
            ok = False
        else:
            if error := programme.deadline_error(data.deadline):
                problem(f"{_where(excel_row, columns, columns.deadline)}: {error}")
                ok = False
    if columns.status is not None and (raw := _text(cell(row, columns.status))):
        status = statuses.get(raw.lower())
        if status is None:
            allowed = ", ".join(f"«{label}»" for _v, label in MeasureStatus.choices)
            problem(f"{_where(excel_row, columns, columns.status)}: статус «{raw}» неизвестен; допустимо: {allowed}.")
            ok = False
        else:
            data.status = status
    if columns.risk is not None and (raw := _text(cell(row, columns.risk))):
        factor = factors.get(raw.lower())
        if factor is None:
            problem(f"{_where(excel_row, columns, columns.risk)}: фактора риска «{raw}» нет в перечне управления.")
            ok = False
        else:
            data.risk_factor = factor
    return data if ok else None


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
        ("Срок", 12),
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
                    m.deadline,
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
    )
