"""xlsx exports of the registry: one renderer with formula escaping, and the rows of each export.

Row generators yield the header row first, then one row per object; the renderer streams them
into an openpyxl write-only workbook, so memory stays flat however many schools there are.
"""

import datetime
import decimal
from collections.abc import Iterable, Iterator
from io import BytesIO
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from .models import School, Status

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell starting with one of these is read by spreadsheet programs as a formula (CSV/DDE injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = list[object]


def escape_cell(value):
    """A value safe to put in a cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str):
        if value.startswith(_FORMULA_STARTS):
            return "'" + value
        return value
    if value is None or isinstance(value, bool | int | float | decimal.Decimal | datetime.date):
        return value
    return str(value)


def xlsx_bytes(
    sheets: Iterable[tuple[str, Iterable[Row]]], *, column_widths: dict[str, list[int]] | None = None
) -> bytes:
    """An xlsx workbook with one sheet per (title, rows); the first row of each sheet is its bold header."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    wrap = Alignment(wrap_text=True, vertical="top")
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        widths = (column_widths or {}).get(title)
        if widths:
            for index, width in enumerate(widths, start=1):
                sheet.column_dimensions[_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        for number, row in enumerate(rows):
            if number == 0:
                cells = []
                for value in row:
                    cell = WriteOnlyCell(sheet, value=escape_cell(value))
                    cell.font, cell.fill, cell.alignment = bold, header_fill, wrap
                    cells.append(cell)
                sheet.append(cells)
            else:
                sheet.append([escape_cell(value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, *, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"{file_name}\"; filename*=UTF-8''{quote(file_name)}"
    return response


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# The registry list ------------------------------------------------------------------------------------------------

REGISTRY_COLUMNS = [
    ("Муниципалитет", 30),
    ("Краткое наименование", 30),
    ("Полное наименование", 60),
    ("Тип", 14),
    ("Местность", 12),
    ("Малокомплектная", 16),
    ("Кластер", 30),
    ("Статус в перечне", 16),
    ("Профилактика", 14),
    ("Кандидат в кураторы", 14),
    ("Адрес", 40),
    ("Директор", 30),
    ("Телефон", 18),
    ("Эл. почта", 26),
    ("ИНН", 14),
    ("ОГРН", 16),
]

_STATUS_LABELS = dict(Status.choices)


def registry_rows(schools: QuerySet[School], *, year: int) -> Iterator[Row]:
    """The header, then one row per school of the filtered registry (annotated by `filters.with_year_status`)."""
    header = [title for title, _width in REGISTRY_COLUMNS]
    header[7] = f"Статус в перечне {year - 1}/{str(year)[-2:]}"
    yield header
    for school in schools.iterator(chunk_size=2000):
        yield [
            school.municipality.name,
            school.short_name,
            school.name,
            school.get_kind_display(),
            school.get_locality_display(),
            "да" if school.is_small else "нет",
            school.cluster.name if school.cluster_id else "",
            _STATUS_LABELS.get(school.year_status, "не входит") if school.year_status else "нет в перечне",
            "да" if school.year_preventive else "",
            "да" if school.year_curator else "",
            school.address,
            school.director,
            school.phone,
            school.email,
            school.inn,
            school.ogrn,
        ]


def registry_xlsx(schools: QuerySet[School], *, year: int) -> bytes:
    title = "Реестр школ"
    return xlsx_bytes(
        [(title, registry_rows(schools, year=year))],
        column_widths={title: [width for _title, width in REGISTRY_COLUMNS]},
    )


# An identification run ---------------------------------------------------------------------------------------------

VERDICT_COLUMNS = [
    ("Муниципалитет", 30),
    ("Школа", 34),
    ("Кластер", 30),
    ("Решение", 16),
    ("ОИП", 8),
    ("Индекс социального благополучия", 14),
    ("Профилактика", 12),
    ("Кандидат в кураторы", 12),
    ("Пояснение", 90),
    ("Низкие критерии", 90),
]


def verdict_rows(verdicts) -> Iterator[Row]:
    """The header, then one row per verdict of a run (select_related school__municipality)."""
    yield [title for title, _width in VERDICT_COLUMNS]
    for verdict in verdicts.iterator(chunk_size=2000):
        criteria = verdict.explanation.get("criteria", [])
        yield [
            verdict.school.municipality.name,
            verdict.school.short_name,
            verdict.cluster_name,
            _STATUS_LABELS.get(verdict.status, verdict.status),
            verdict.oip,
            verdict.social_index,
            "да" if verdict.preventive else "",
            "да" if verdict.curator_candidate else "",
            verdict.explanation.get("text", ""),
            "; ".join(
                f"{c.get('year')}: {c.get('name')} — {c.get('value')} {c.get('unit', '')} ({c.get('rule_text', '')})"
                for c in criteria
            ),
        ]


def run_xlsx(verdicts, *, title: str) -> bytes:
    return xlsx_bytes(
        [(title, verdict_rows(verdicts))], column_widths={title: [width for _title, width in VERDICT_COLUMNS]}
    )
