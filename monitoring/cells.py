"""Reading cells of uploaded workbooks: numbers as people type them, texts, and addresses for messages."""

import datetime
from decimal import Decimal, InvalidOperation

from openpyxl.utils import get_column_letter


def cell_at(rows: list[tuple], row: int, column: int):
    """The value at a 1-based (row, column) of a sheet read by `read_xlsx_sheets`; None outside the data."""
    if row < 1 or row > len(rows):
        return None
    values = rows[row - 1]
    return values[column - 1] if 0 < column <= len(values) else None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def address(sheet: str, column: int, row: int) -> str:
    return f"Лист «{sheet}», ячейка {get_column_letter(column)}{row}"


def shown(value) -> str:
    """A cell's value as quoted back in a message: numbers as numbers, texts in «»."""
    if isinstance(value, bool):
        return "«да»" if value else "«нет»"
    if isinstance(value, int | float | Decimal):
        text = f"{Decimal(str(value)).normalize():f}"
        return text.replace(".", ",")
    if isinstance(value, datetime.date | datetime.datetime):
        return f"дата {value:%d.%m.%Y}"
    text = cell_text(value)
    return f"«{text[:60]}{'…' if len(text) > 60 else ''}»"


def parse_number(value) -> tuple[Decimal | None, str | None]:
    """A number typed in a cell → (value, None), an empty cell → (None, None), anything else → (None, error).

    Accepts 12, 12.5, «12,5», «12,5 %», «1 200».
    """
    if value is None:
        return None, None
    if isinstance(value, bool) or isinstance(value, datetime.date | datetime.datetime):
        return None, f"значение должно быть числом, а указано {shown(value)}"
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).replace("\xa0", "").replace(" ", "").strip()
        if not text:
            return None, None
        if text.endswith("%"):
            text = text[:-1]
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None, f"значение должно быть числом, а указано {shown(value)}"
    if not number.is_finite():
        return None, f"значение должно быть числом, а указано {shown(value)}"
    if abs(number) >= Decimal("10000000000"):
        return None, "слишком большое число"
    return number.quantize(Decimal("0.01")), None
