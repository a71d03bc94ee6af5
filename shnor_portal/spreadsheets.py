"""xlsx in and out, safely, for every import and export of the portal.

Reading: an upload is refused with a Russian message when it is too large, empty, not an xlsx by its content
(a renamed PDF, an old .xls, a Word file), a zip bomb, or unreadable; otherwise its sheets come back as plain
rows of cell values. Writing: one renderer that escapes cells a spreadsheet would run as formulas.
"""

import datetime
import decimal
import io
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import openpyxl
from django.http import HttpResponse
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ZIP_MEMBERS = 2_000
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_COLUMNS = 400


class SpreadsheetRefused(Exception):
    """The file cannot be read as a workbook at all; the message says why, in Russian."""


@dataclass
class Sheet:
    title: str
    rows: list[tuple]


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} МБ"
    if size >= 1024:
        return f"{size / 1024:.0f} КБ"
    return f"{size} байт"


def read_upload(file, *, max_bytes: int) -> bytes:
    """The bytes of an upload, a path or bytes, refusing empty files and files over `max_bytes`."""
    too_big = f"Файл больше допустимого размера ({size_label(max_bytes)}). Загрузите файл меньшего размера."
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, str | Path):
        path = Path(file)
        try:
            if path.stat().st_size > max_bytes:
                raise SpreadsheetRefused(too_big)
            data = path.read_bytes()
        except OSError as exc:
            raise SpreadsheetRefused(f"Не удалось открыть файл {path.name}: {exc.strerror or exc}.") from exc
    else:
        size = getattr(file, "size", None)
        if size is not None and size > max_bytes:
            raise SpreadsheetRefused(too_big)
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetRefused(too_big)
    if not data:
        raise SpreadsheetRefused("Файл пуст: в нём нет ни одного байта. Загрузите книгу Excel (.xlsx).")
    return data


def check_xlsx(data: bytes, *, max_unpacked_bytes: int) -> None:
    """Refuse what is not an xlsx by its content, and archives that would unpack to more than the limit."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetRefused(
            "Файл сохранён в старом формате Excel 97–2003 (.xls). Откройте его в Excel и сохраните как "
            "«Книга Excel (.xlsx)», затем загрузите снова."
        )
    not_xlsx = (
        "Файл не является книгой Excel (.xlsx): его содержимое не похоже на книгу Excel "
        "(возможно, это PDF, документ Word или файл с изменённым расширением)."
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SpreadsheetRefused(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetRefused(not_xlsx) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetRefused(f"В книге слишком много частей ({len(members)}): файл повреждён или это не книга Excel.")
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise SpreadsheetRefused(not_xlsx)
    # The declared sizes bound what zipfile will unpack, so checking them is enough to refuse a zip bomb.
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_unpacked_bytes:
        raise SpreadsheetRefused(
            f"Книга в распакованном виде занимает {size_label(unpacked)} — больше допустимых "
            f"{size_label(max_unpacked_bytes)}. Похоже, файл повреждён или собран намеренно."
        )


def read_xlsx_sheets(
    file,
    *,
    max_bytes: int,
    max_unpacked_bytes: int | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_columns: int = DEFAULT_MAX_COLUMNS,
) -> list[Sheet]:
    """Every sheet of an uploaded xlsx as rows of cached cell values; raises SpreadsheetRefused."""
    data = read_upload(file, max_bytes=max_bytes)
    # An xlsx is a zip of XML that packs about tenfold; far beyond that it is a zip bomb, not a table.
    check_xlsx(data, max_unpacked_bytes=max_unpacked_bytes or 10 * max_bytes)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about print areas and data validation it does not keep; they do not matter here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheets = []
            for worksheet in workbook.worksheets:
                rows = []
                for row in worksheet.iter_rows(values_only=True, max_col=max_columns):
                    if len(rows) >= max_rows:
                        limit = f"{max_rows:,}".replace(",", " ")
                        raise SpreadsheetRefused(
                            f"Лист {worksheet.title}: больше {limit} строк. Проверьте, тот ли это файл."
                        )
                    rows.append(tuple(row))
                sheets.append(Sheet(title=str(worksheet.title), rows=rows))
            workbook.close()
    except SpreadsheetRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on a broken file; all mean the same here.
        raise SpreadsheetRefused(
            "Не удалось прочитать книгу Excel: файл повреждён или сохранён не в формате .xlsx."
        ) from exc
    return sheets


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
