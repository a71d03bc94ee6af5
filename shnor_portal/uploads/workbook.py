"""The one check of an uploaded file and the reading of its sheets.

An upload is refused with a Russian message when it is empty, larger than `UPLOAD_MAX_BYTES` (the one limit of every
import), not an xlsx by its content (a renamed PDF, an old .xls, a Word file), a zip bomb, or unreadable; otherwise
its sheets come back as plain rows of cell values.
"""

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.conf import settings

from shnor_portal.spreadsheets import size_label

from .cells import normalized

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 2_000
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_COLUMNS = 400
# An xlsx is a zip of XML that packs about tenfold; far beyond that it is a zip bomb, not a table.
UNPACKED_RATIO = 10


class UploadRefused(Exception):
    """The file cannot be taken as a workbook at all; the message says why, in Russian."""


def upload_max_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


@dataclass
class Sheet:
    title: str
    rows: list[tuple]
    # (row, column) → the formula of a cell that has one but no computed value (a file written by a program, not
    # saved by Excel or Calc): its value reads as None, and `uploads.skipped.report_formulas` says so.
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    def cell(self, row: int, column: int):
        """The value at a (row, column) counted as Excel counts them, from 1; None outside the data."""
        if row < 1 or row > len(self.rows):
            return None
        values = self.rows[row - 1]
        return values[column - 1] if 0 < column <= len(values) else None


def sheet_named(sheets: list[Sheet], title: str) -> Sheet | None:
    """The sheet of this title, compared as people retype titles (case, ё, spaces)."""
    wanted = normalized(title)
    return next((sheet for sheet in sheets if normalized(sheet.title) == wanted), None)


def upload_bytes(file) -> bytes:
    """The bytes of an upload, a path or bytes, refusing empty files and files over the limit."""
    limit = upload_max_bytes()
    too_big = f"Файл больше допустимого размера ({size_label(limit)}). Загрузите файл меньшего размера."
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, str | Path):
        path = Path(file)
        try:
            if path.stat().st_size > limit:
                raise UploadRefused(too_big)
            data = path.read_bytes()
        except OSError as exc:
            raise UploadRefused(f"Не удалось открыть файл {path.name}: {exc.strerror or exc}.") from exc
    else:
        size = getattr(file, "size", None)
        if size is not None and size > limit:
            raise UploadRefused(too_big)
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
        if hasattr(file, "seek"):
            file.seek(0)
    if len(data) > limit:
        raise UploadRefused(too_big)
    if not data:
        raise UploadRefused("Файл пуст: в нём нет ни одного байта. Загрузите книгу Excel (.xlsx).")
    return data


def check_xlsx(data: bytes) -> None:
    """Refuse what is not an xlsx by its content, and archives that would unpack to more than the limit allows."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadRefused(
            "Файл сохранён в старом формате Excel 97–2003 (.xls). Откройте его в Excel и сохраните как "
            "«Книга Excel (.xlsx)», затем загрузите снова."
        )
    not_xlsx = (
        "Файл не является книгой Excel (.xlsx): его содержимое не похоже на книгу Excel "
        "(возможно, это PDF, документ Word или файл с изменённым расширением)."
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UploadRefused(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadRefused(not_xlsx) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadRefused(f"В книге слишком много частей ({len(members)}): файл повреждён или это не книга Excel.")
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise UploadRefused(not_xlsx)
    # The declared sizes bound what zipfile will unpack, so checking them is enough to refuse a zip bomb.
    unpacked = sum(member.file_size for member in members)
    limit = UNPACKED_RATIO * upload_max_bytes()
    if unpacked > limit:
        raise UploadRefused(
            f"Книга в распакованном виде занимает {size_label(unpacked)} — больше допустимых "
            f"{size_label(limit)}. Похоже, файл повреждён или собран намеренно."
        )


def check_upload(file) -> bytes:
    """The bytes of an upload that may be read as a workbook; raises UploadRefused."""
    data = upload_bytes(file)
    check_xlsx(data)
    return data


# A formula without a computed value in the sheet's XML: a formula element (`<f>…</f>`, `<f t="shared" …/>`, with any
# namespace prefix) that ends its cell with no value or an empty one. Excel and Calc store the value they computed
# after the formula (`<f>…</f><v>2</v>`), so the books people save never match and are read once.
_UNCOMPUTED = re.compile(
    rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)


def _sheet_may_have_uncomputed_formulas(xml: bytes) -> bool:
    # A plain substring test first (C speed): a sheet without any formula element skips the slower expression,
    # which costs about a second per two million cells.
    if b"f>" not in xml and b"<f " not in xml and b":f " not in xml:
        return False
    return _UNCOMPUTED.search(xml) is not None


_CHUNK, _OVERLAP = 8 * 1024 * 1024, 4096  # a sheet's XML is read in pieces; a match is far shorter than the overlap


def _may_have_uncomputed_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if not (member.startswith("xl/worksheets/") and member.endswith(".xml")):
                continue
            with archive.open(member) as xml:
                tail = b""
                while chunk := xml.read(_CHUNK):
                    if _sheet_may_have_uncomputed_formulas(tail + chunk):
                        return True
                    tail = chunk[-_OVERLAP:]
    return False


def _find_uncomputed_formulas(data: bytes, sheets: list[Sheet], max_columns: int) -> None:
    """Note in each sheet the formulas without a computed value: a second reading of the book, made only when its
    XML shows such a formula — a table of values, or a book saved by Excel, is read once."""
    if not _may_have_uncomputed_formulas(data):
        return
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    for worksheet, sheet in zip(workbook.worksheets, sheets, strict=True):
        rows = worksheet.iter_rows(values_only=True, max_col=max_columns, max_row=max(len(sheet.rows), 1))
        for number, values in enumerate(rows, start=1):
            for column, value in enumerate(values, start=1):
                if value is not None and sheet.cell(number, column) is None:
                    sheet.formulas[(number, column)] = str(getattr(value, "text", value))
    workbook.close()


def read_workbook(file, *, max_rows: int = DEFAULT_MAX_ROWS, max_columns: int = DEFAULT_MAX_COLUMNS) -> list[Sheet]:
    """Every sheet of an uploaded xlsx as rows of cached cell values; raises UploadRefused."""
    data = check_upload(file)
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
                        raise UploadRefused(
                            f"Лист «{worksheet.title}»: больше {limit} строк. Проверьте, тот ли это файл."
                        )
                    rows.append(tuple(row))
                sheets.append(Sheet(title=str(worksheet.title), rows=rows))
            workbook.close()
            _find_uncomputed_formulas(data, sheets, max_columns)
    except UploadRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on a broken file; all mean the same here.
        raise UploadRefused(
            "Не удалось прочитать книгу Excel: файл повреждён или сохранён не в формате .xlsx."
        ) from exc
    return sheets
