"""xlsx out, safely, for every export of the portal: one renderer that escapes cells a spreadsheet would run as
formulas. Reading an upload is the upload pipeline's (`shnor_portal.uploads`).
"""

import datetime
import decimal
import io
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import quote

import openpyxl
from django.http import HttpResponse
from django.utils import timezone
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


def cell_value(value):
    """A value a cell can hold: numbers, dates, booleans and text as they are, anything else as its text."""
    if value is None or isinstance(value, str | bool | int | float | decimal.Decimal | datetime.date):
        return value
    return str(value)


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS)


def quote_text(cell):
    """The cell, holding text a spreadsheet would run (`=HYPERLINK(…)`, `-2+3`), made a text cell with Excel's
    quote-prefix style: Excel and Calc show it as typed, never run it, and a re-import reads exactly that text.
    Works for the cells of ordinary and of write-only workbooks; other cells are returned untouched."""
    if is_formula_like(cell.value):
        cell.data_type = "s"  # openpyxl took the leading "=" for a formula
        cell.quotePrefix = True
    return cell


def text_cell(sheet, value):
    """A write-only cell holding `value`, safe (see `quote_text`); style it further as needed."""
    return quote_text(WriteOnlyCell(sheet, value=cell_value(value)))


def safe_row(sheet, row: Iterable) -> list:
    """A row for a write-only sheet's `append`: plain values as they are, formula-like text as quoted text cells."""
    return [text_cell(sheet, value) if is_formula_like(value) else cell_value(value) for value in row]


# --- printing --------------------------------------------------------------------------------------------------------

# Wider than this (in characters of the columns' widths) or with more columns, a sheet prints in landscape.
LANDSCAPE_COLUMNS, LANDSCAPE_WIDTH = 8, 110


def _header_text(text: str) -> str:
    return str(text).replace("&", "&&")[:80]  # "&" starts a code of Excel's header language


# --- the territory in the running header ------------------------------------------------------------------------------
# Every export prints the territory it covers — a department's region, a coordinator's municipality — without each
# export passing it: the schools app, which knows territories, registers how a person's territory is named
# (`register_territory`), and `ExportingUserMiddleware` names the person of the request. An export written outside a
# request (a job) passes its own `territory`, as one covering a narrower territory (a municipality's report) does.

def _no_territory(user) -> str:
    return ""


_territory_of: Callable[[object], str] = _no_territory  # replaced by the schools app
# The request, not its user: the user is a lazy object, and asgiref compares the context's values when it carries them
# into an async view (`!=`), which would read the user from the database in the event loop's thread.
_exporting_request: ContextVar = ContextVar("exporting_request", default=None)


def register_territory(territory_of: Callable[[object], str]) -> None:
    """`territory_of(user or None)`: the territory a person's exports cover, named for a running header."""
    global _territory_of
    _territory_of = territory_of


def export_territory() -> str:
    """The territory of the person exporting (of the deployment outside a request)."""
    return _territory_of(getattr(_exporting_request.get(), "user", None))


class ExportingUserMiddleware:
    """Names the request's user for the running headers of the exports it writes (read only when one is written)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _exporting_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _exporting_request.reset(token)


def print_setup(
    sheet, *, title: str, widths: Iterable[float], header_rows: tuple[int, int] = (1, 1), territory: str = ""
) -> None:
    """Make `sheet` print as a document: A4, landscape when wide, fitted to one page across (as many down as it
    takes), the table's header rows repeated on every page; a running header with the title left, the territory
    in the centre (the exporting person's, `export_territory`, unless one is given) and the date right, and
    «стр. N из M» in the footer. Works on write-only sheets too."""
    widths = list(widths)
    wide = len(widths) > LANDSCAPE_COLUMNS or sum(widths) > LANDSCAPE_WIDTH
    setup = sheet.page_setup
    setup.orientation = "landscape" if wide else "portrait"
    setup.paperSize = "9"  # A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    first, last = header_rows
    if first:
        sheet.print_title_rows = f"{first}:{last}"
    header, footer = sheet.HeaderFooter.oddHeader, sheet.HeaderFooter.oddFooter
    header.left.text = _header_text(title)
    header.center.text = _header_text(territory or export_territory())
    header.right.text = timezone.localdate().strftime("%d.%m.%Y")
    footer.right.text = "стр. &P из &N"
    for part in (header.left, header.center, header.right, footer.right):
        part.size = 8


def header_height(titles: Iterable, widths: list[float]) -> float | None:
    """The height (points) of a header row whose wrapped titles must show whole: LibreOffice does not grow a row of
    a written file to fit its text, and a cut header prints cut. None when one line is enough."""
    lines = 1
    for title, width in zip(titles, widths, strict=False):
        text, per_line = str(title or ""), max(width * 0.9 - 1, 4)  # bold letters are wider than the width's unit
        lines = max(lines, -(-len(text) // int(per_line)) + (1 if len(text) > per_line else 0))
    return None if lines == 1 else min(15.0 * lines, 409)


def _header_width(title) -> float:
    """A column's width from its header: its longest word on one line (bold), the whole in at most two or so."""
    text = str(title or "")
    longest = max((len(word) for word in text.split()), default=0)
    return min(30, max(12, longest * 1.2 + 2, len(text) // 2 + 4))


def xlsx_bytes(
    sheets: Iterable[tuple[str, Iterable[Row]]],
    *,
    column_widths: dict[str, list[int]] | None = None,
    territory: str = "",
) -> bytes:
    """An xlsx workbook with one sheet per (title, rows); the first row of each sheet is its bold header, repeated
    on every printed page (`print_setup`; `territory` in the running header).

    Rows are streamed into a write-only workbook, so memory stays flat however many rows there are.
    """
    workbook = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    wrap = Alignment(wrap_text=True, vertical="top")
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        widths = (column_widths or {}).get(title) or []
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        for number, row in enumerate(rows):
            if number == 0:
                if not widths:  # a width from the header's length: Calc's default cuts words of a wrapped header
                    widths = [_header_width(value) for value in row]
                    for index, width in enumerate(widths, start=1):
                        sheet.column_dimensions[get_column_letter(index)].width = width
                print_setup(sheet, title=title, widths=widths, territory=territory)
                sheet.row_dimensions[1].height = header_height(row, widths)
                cells = []
                for value in row:
                    cell = text_cell(sheet, value)
                    cell.font, cell.fill, cell.alignment = bold, header_fill, wrap
                    cells.append(cell)
                sheet.append(cells)
            else:
                sheet.append(safe_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def printable_sheet(workbook, title: str, widths: Iterable[float], heading: Iterable[str], *, territory: str = ""):
    """A sheet of a write-only workbook that prints as a document: the columns' widths, the `heading` lines in bold
    above the table, `print_setup` with the table's header row (the row right after the heading, which the caller
    appends next) frozen and repeated on every printed page."""
    sheet = workbook.create_sheet(title=title)
    widths = list(widths)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    heading = list(heading)
    header_row = len(heading) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    print_setup(
        sheet,
        title=heading[0] if heading else title,
        widths=widths,
        header_rows=(header_row, header_row),
        territory=territory,
    )
    bold = Font(bold=True)
    for line in heading:
        cell = text_cell(sheet, line)
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
    hidden: bool = False  # kept in the file for programs that read it, neither shown nor printed


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
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if kind == "date" and isinstance(value, datetime.datetime):
        return value.date()
    return cell_value(value)


def _typed_header(workbook, spec: TypedSheet, *, territory: str):
    """A sheet of `spec` with its widths, hidden columns, print setup and bold frozen header row."""
    sheet = workbook.create_sheet(title=spec.title[:31])
    for number, column in enumerate(spec.columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(number)]
        dimension.width = column.width
        dimension.hidden = column.hidden
    sheet.freeze_panes = "A2"
    shown_widths = [column.width for column in spec.columns if not column.hidden]
    print_setup(sheet, title=spec.title, widths=shown_widths, territory=territory)
    sheet.row_dimensions[1].height = header_height([c.title for c in spec.columns], [c.width for c in spec.columns])
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    wrap = Alignment(wrap_text=True, vertical="top")
    header = []
    for column in spec.columns:
        cell = text_cell(sheet, column.title)
        cell.font, cell.fill, cell.alignment = bold, header_fill, wrap
        header.append(cell)
    sheet.append(header)
    return sheet


def xlsx_write_typed(target, sheets: Iterable[TypedSheet], *, on_sheet=None, territory: str = "") -> None:
    """Write sheets of typed columns to `target` (a path or a binary file): bold frozen header row, column widths,
    numbers as numbers, shares as percentages, dates as dates, text that nothing runs as a formula, each sheet set
    up to print (`print_setup`, with `territory` in the running header).

    The workbook is write-only and rows are consumed one by one from each sheet's iterable, so memory stays flat
    however many rows there are. `on_sheet(index, title)` is called before each sheet is written (for progress).
    """
    workbook = openpyxl.Workbook(write_only=True)
    for index, spec in enumerate(sheets):
        if on_sheet is not None:
            on_sheet(index, spec.title)
        sheet = _typed_header(workbook, spec, territory=territory)
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
                    cells.append(text_cell(sheet, value) if value.startswith(_FORMULA_STARTS) else value)
                    continue
                if value.__class__ is Link:
                    link = text_cell(sheet, value.text)
                    link.hyperlink, link.font = value.url, LINK_FONT
                    cells.append(link)
                    continue
                if value.__class__ is Formatted:
                    value, kind = value.value, value.kind
                value = _typed_value(value, kind)
                if isinstance(value, str):
                    cells.append(text_cell(sheet, value) if value.startswith(_FORMULA_STARTS) else value)
                    continue
                if value is None or kind not in NUMBER_FORMATS:
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
