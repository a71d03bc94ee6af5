"""xlsx out, safely, for every export of the portal: one renderer that escapes cells a spreadsheet would run as
formulas. Reading an upload is the upload pipeline's (`shnor_portal.uploads`).
"""

import datetime
import decimal
import io
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

import openpyxl
from django.http import HttpResponse
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} МБ"
    if size >= 1024:
        return f"{size / 1024:.0f} КБ"
    return f"{size} байт"


# --- writing ---------------------------------------------------------------------------------------------------------

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
    """An xlsx workbook with one sheet per (title, rows); the first row of each sheet is its bold header.

    Rows are streamed into a write-only workbook, so memory stays flat however many rows there are.
    """
    workbook = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    wrap = Alignment(wrap_text=True, vertical="top")
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        widths = (column_widths or {}).get(title)
        if widths:
            for index, width in enumerate(widths, start=1):
                sheet.column_dimensions[get_column_letter(index)].width = width
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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def printable_sheet(workbook, title: str, widths: Iterable[float], heading: Iterable[str]):
    """A sheet of a write-only workbook that prints as a document: the columns' widths, the `heading` lines in bold
    above the table, landscape A4 fitted to the page width, and the table's header row (the row right after the
    heading, which the caller appends next) frozen and repeated on every printed page."""
    sheet = workbook.create_sheet(title=title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    heading = list(heading)
    header_row = len(heading) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    bold = Font(bold=True)
    for line in heading:
        cell = WriteOnlyCell(sheet, value=escape_cell(line))
        cell.font = bold
        sheet.append([cell])
    return sheet


def xlsx_response(content: bytes, *, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"{file_name}\"; filename*=UTF-8''{quote(file_name)}"
    return response


# --- typed reports, streamed to a file -------------------------------------------------------------------------------

# Number formats of typed columns (the cell keeps a number or a date; only its display is formatted).
NUMBER_FORMATS = {
    # "int" is written in the General format, which shows a whole number as it is: a styled cell costs openpyxl
    # several times a plain one, and counts are half a million cells of a 40,000-school report.
    "number": "0.##",
    "percent": "0.0%",
    "date": "DD.MM.YYYY",
    "datetime": "DD.MM.YYYY HH:MM",
}


@dataclass
class Column:
    """One column of a typed sheet: its header, width (in characters) and kind.

    Kinds: "text"; "int" and "number"; "percent" — the value is a share in per cent (0–100) and is written as a
    fraction shown as «62,5 %»; "date" and "datetime" (aware datetimes are shown in the local time zone).
    """

    title: str
    width: int = 14
    kind: str = "text"


@dataclass(frozen=True)
class Formatted:
    """A value with its own kind, for a cell of a column of mixed kinds (a summary's «value» column)."""

    value: object
    kind: str


@dataclass(frozen=True)
class Link:
    """A cell that opens an address: its text, and the absolute URL it links to (a hyperlink, shown underlined)."""

    text: str
    url: str


LINK_FONT = Font(color="0563C1", underline="single")


@dataclass
class TypedSheet:
    title: str
    columns: list[Column]
    rows: Iterable[Row]


def _typed_value(value, kind: str):
    if value is None or value == "":
        return None
    if kind == "percent":
        return float(value) / 100
    if kind in ("int", "number") and isinstance(value, decimal.Decimal):
        return float(value)
    if kind == "datetime" and isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if kind == "date" and isinstance(value, datetime.datetime):
        return value.date()
    return escape_cell(value)


def xlsx_write_typed(target, sheets: Iterable[TypedSheet], *, on_sheet=None) -> None:
    """Write sheets of typed columns to `target` (a path or a binary file): bold frozen header row, column widths,
    numbers as numbers, shares as percentages, dates as dates, text escaped so that nothing runs as a formula.

    The workbook is write-only and rows are consumed one by one from each sheet's iterable, so memory stays flat
    however many rows there are. `on_sheet(index, title)` is called before each sheet is written (for progress).
    """
    workbook = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, spec in enumerate(sheets):
        if on_sheet is not None:
            on_sheet(index, spec.title)
        sheet = workbook.create_sheet(title=spec.title[:31])
        for number, column in enumerate(spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(sheet, value=escape_cell(column.title))
            cell.font, cell.fill, cell.alignment = bold, header_fill, wrap
            header.append(cell)
        sheet.append(header)
        # One styled cell per formatted column (and kind), reused row after row: the write-only sheet serialises
        # each cell as soon as it is appended, so the same object can carry the next row's value.
        templates: dict[tuple[int, str], WriteOnlyCell] = {}
        kinds = [column.kind for column in spec.columns]
        # Plain text and counts are most of a 40,000-school report's 1.5 million cells: they take the short path.
        plain = [kind == "text" for kind in kinds]
        counts = [kind == "int" for kind in kinds]
        for row in spec.rows:
            cells = []
            for number, (value, kind, is_text, is_count) in enumerate(zip(row, kinds, plain, counts, strict=False)):
                if value is None or value.__class__ is bool or (is_count and value.__class__ is int):
                    cells.append(value)
                    continue
                if is_text and value.__class__ is str:
                    cells.append("'" + value if value.startswith(_FORMULA_STARTS) else value)
                    continue
                if value.__class__ is Link:
                    link = WriteOnlyCell(sheet, value=escape_cell(value.text))
                    link.hyperlink, link.font = value.url, LINK_FONT
                    cells.append(link)
                    continue
                if value.__class__ is Formatted:
                    value, kind = value.value, value.kind
                value = _typed_value(value, kind)
                if value is None or kind not in NUMBER_FORMATS or isinstance(value, str):
                    cells.append(value)
                    continue
                template = templates.get((number, kind))
                if template is None:
                    template = templates[(number, kind)] = WriteOnlyCell(sheet)
                    template.number_format = NUMBER_FORMATS[kind]
                template.value = value
                cells.append(template)
            sheet.append(cells)
    workbook.save(target)
