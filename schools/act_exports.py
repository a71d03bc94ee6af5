"""The register of acts in xlsx, and its sheet of the yearly report.

The register's workbook prints as a register: a heading, landscape A4 fitted to the page width, the table's header
repeated on every printed page; formula-like text written as quoted text as in every export (`shnor_portal.spreadsheets.text_cell`).
"""

import io
from itertools import islice

import openpyxl
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from shnor_portal.spreadsheets import Column, TypedSheet, printable_sheet, text_cell

from .act_selectors import acts_of_period, with_things

COLUMNS = [("№", 6), ("Вид", 14), ("Номер", 12), ("Дата", 12), ("Название", 48), ("Орган, издавший акт", 34),
           ("Муниципалитет", 24), ("Что утверждает", 48), ("Примечание", 30), ("Файл", 10)]  # fmt: skip
CHUNK = 500


def _things(row) -> str:
    text = "; ".join(f"{thing.label}: {thing.name}" for thing in row.things)
    if row.hidden:
        text += ("; " if text else "") + f"ещё {row.hidden} вне вашего доступа"
    return text


def _cells(number, row) -> list:
    act = row.act
    return [
        number, act.get_kind_display(), act.number, act.date, act.title, act.issuer,
        act.municipality.name if act.municipality_id else "регион", _things(row), act.note,
        "PDF" if act.file else "нет",
    ]  # fmt: skip


def _rows(user, queryset, *, numbered=True):
    iterator = queryset.iterator(chunk_size=CHUNK)
    number = 0
    while chunk := list(islice(iterator, CHUNK)):
        for row in with_things(user, chunk):
            number += 1
            cells = _cells(number, row)
            yield cells if numbered else cells[1:]


def register_xlsx(user, queryset, *, heading: str) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    lines = ["Реестр актов", heading, f"Сформирован {timezone.localtime():%d.%m.%Y %H:%M}"]
    sheet = printable_sheet(workbook, "Реестр актов", [width for _, width in COLUMNS], lines)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor="DDE7F3")
    header = []
    for title, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        header.append(cell)
    sheet.append(header)
    for values in _rows(user, queryset):
        cells = []
        for value in values:
            cell = text_cell(sheet, value)
            cell.alignment = wrap
            if hasattr(value, "year") and not isinstance(value, str):
                cell.number_format = "DD.MM.YYYY"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def acts_sheet(*, user, start, end, municipality_ids) -> TypedSheet:
    """The acts dated within a school year, of the report's municipalities and of the region (the yearly report)."""
    columns = [Column("Вид", 14), Column("Номер", 12), Column("Дата", 12, "date"),
               Column("Название", 48), Column("Орган, издавший акт", 34), Column("Муниципалитет", 24),
               Column("Что утверждает", 48), Column("Примечание", 30), Column("Файл", 10)]  # fmt: skip
    rows = _rows(user, acts_of_period(user, start, end, municipality_ids), numbered=False)
    return TypedSheet("Акты за год", columns, rows)
