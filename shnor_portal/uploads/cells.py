"""Typed readers of spreadsheet cells, one family for every import and for the back office.

A reader takes a cell's value as openpyxl gives it (None, text, a number, a date, True/False) and returns what the
column holds — or raises `CellError`, whose Russian message says what was expected and what was found («ожидается
число, а указано «много»»). An empty cell reads as None (or "" for text); in number cells a lone dash counts as empty,
since «—» is how people write «no data».
"""

import datetime
import math
import re
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

DASHES = {"-", "–", "—"}
MAX_NUMBER = Decimal("10000000000")


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; the message is Russian and names what was expected."""


# --- what a cell shows --------------------------------------------------------------------------------------------


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Text the portal's older exports wrote with a leading apostrophe so that it would not run: '=…, '+…, '-…, '@…
_OLD_ESCAPED = ("'=", "'+", "'-", "'@")


def cell_text(value) -> str:
    """A cell as text: whole numbers without «.0», dates as 31.12.2025, spaces (non-breaking too) collapsed.

    A quote-prefixed text cell (how the portal writes `=HYPERLINK(…)` or `-2+3`) arrives as the text shown; an older
    export's `'=…` is read as `=…` (one apostrophe dropped, only before = + - @)."""
    if value is None:
        return ""
    if value.__class__ is str and value.startswith(_OLD_ESCAPED):
        value = value[1:]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.strftime("%d.%m.%Y")
    return " ".join(str(value).replace("\xa0", " ").split())


def shown(value) -> str:
    """A cell's value as a message quotes it back: numbers as numbers (with a decimal comma), text in «»."""
    if isinstance(value, bool):
        return "«да»" if value else "«нет»"
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return f"«{value}»"
        return f"{Decimal(str(value)).normalize():f}".replace(".", ",")
    if isinstance(value, datetime.date | datetime.datetime):
        return f"дата {value:%d.%m.%Y}"
    text = cell_text(value)
    return f"«{text[:60]}{'…' if len(text) > 60 else ''}»"


def normalized(text) -> str:
    """A header, a name or a choice as compared: lower case, ё as е, single spaces, no surrounding punctuation."""
    text = str(text or "").replace("\xa0", " ").replace("ё", "е").replace("Ё", "Е").lower()
    return re.sub(r"\s+", " ", text).strip(" .,:;*")


def _number_text(value) -> str:
    """Text typed as a number, ready for Decimal: spaces between thousands dropped, a decimal comma made a point,
    a trailing per cent sign dropped; "" when the cell is empty or a lone dash."""
    text = str(value).replace("\xa0", "").replace(" ", "").strip()
    if text in DASHES:
        return ""
    return text.removesuffix("%").replace(",", ".")


# --- numbers ------------------------------------------------------------------------------------------------------


def read_number(value, *, minimum: float | None = None, whole: bool = False) -> float | None:
    """A measurement as a float (the results of exams): the fast path of a file with a million cells. `minimum=0`
    refuses negative numbers, `whole` fractions (a number of people)."""
    if value is None:
        return None
    kind = value.__class__
    if kind is int or kind is float:
        number = float(value)
    elif isinstance(value, str):
        text = _number_text(value)
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise CellError(f"ожидается число, а указано {shown(value)}") from None
    elif isinstance(value, Decimal):
        number = float(value)
    else:
        raise CellError(f"ожидается число, а указано {shown(value)}")
    if not math.isfinite(number):
        raise CellError(f"ожидается число, а указано {shown(value)}")
    if minimum == 0 and number < 0:
        raise CellError(f"число не может быть отрицательным, а указано {shown(number)}")
    if minimum is not None and number < minimum:
        raise CellError(f"ожидается число не меньше {shown(minimum)}, а указано {shown(number)}")
    if whole and not number.is_integer():
        raise CellError(f"ожидается целое число, а указано {shown(number)}")
    return number


def read_decimal(value, *, places: int | None = 2) -> Decimal | None:
    """A number typed as people type it: 12, 12.5, «12,5», «12,5 %», «1 200»; rounded to `places` decimals."""
    if value is None:
        return None
    if isinstance(value, bool | datetime.date | datetime.datetime):
        raise CellError(f"ожидается число, а указано {shown(value)}")
    if isinstance(value, int | float | Decimal):
        text = str(value)
    else:
        text = _number_text(value)
        if not text:
            return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"ожидается число, а указано {shown(value)}") from None
    if not number.is_finite():
        raise CellError(f"ожидается число, а указано {shown(value)}")
    if abs(number) >= MAX_NUMBER:
        raise CellError(f"число {shown(value)} слишком большое")
    if places is None:
        return number
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def read_integer(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool | datetime.date | datetime.datetime):
        raise CellError(f"ожидается целое число, а указано {shown(value)}")
    number = read_decimal(value, places=None)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(f"ожидается целое число, а указано {shown(value)}")
    number = int(number)
    if minimum == 0 and number < 0:
        raise CellError(f"число не может быть отрицательным, а указано {number}")
    if minimum is not None and maximum is not None and not minimum <= number <= maximum:
        raise CellError(f"ожидается число от {minimum} до {maximum}, а указано {number}")
    if minimum is not None and number < minimum:
        raise CellError(f"ожидается число не меньше {minimum}, а указано {number}")
    if maximum is not None and number > maximum:
        raise CellError(f"ожидается число не больше {maximum}, а указано {number}")
    return number


def read_count(value) -> int | None:
    """How many people or things: a whole number, not negative."""
    return read_integer(value, minimum=0)


def read_percent(value, *, places: int = 1) -> Decimal | None:
    """A share in per cent, from 0 to 100 («12,5», «12,5 %», 12.5)."""
    number = read_decimal(value, places=None)
    if number is None:
        return None
    if not 0 <= number <= 100:
        raise CellError(f"доля указывается в процентах от 0 до 100, а указано {shown(value)}")
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def read_year(value, *, minimum: int = 2000, maximum: int = 2100) -> int | None:
    """A year in four digits (for a school year, the year it ends: 2024 is 2023/24)."""
    try:
        year = read_integer(value)
    except CellError:
        raise CellError(f"ожидается год четырьмя цифрами, например 2024, а указано {shown(value)}") from None
    if year is not None and not minimum <= year <= maximum:
        raise CellError(f"ожидается год от {minimum} до {maximum}, а указано {year}")
    return year


# --- dates, choices, words ----------------------------------------------------------------------------------------

_DATE_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def read_date(value) -> datetime.date | None:
    """A date cell, or a date typed as 31.12.2025 or 2025-12-31."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    found = _DATE_DMY.match(text)
    parts = (found.group(3), found.group(2), found.group(1)) if found else None
    if parts is None and (found := _DATE_ISO.match(text)):
        parts = found.groups()
    try:
        if parts is None:
            raise ValueError
        return datetime.date(*map(int, parts))
    except (ValueError, OverflowError):
        raise CellError(f"ожидается дата вида 31.12.2025, а указано {shown(value)}") from None


def choice_reader(options: dict[str, object], *, allowed: Iterable[str] | None = None) -> Callable:
    """A reader of one value from a list: `options` maps what may be typed (compared as `normalized`) to the value;
    `allowed` is what the message lists (by default the options as written)."""
    by_text = {normalized(text): choice for text, choice in options.items()}
    listed = ", ".join(f"«{text}»" for text in (allowed if allowed is not None else options))

    def read_choice(value):
        text = normalized(cell_text(value))
        if not text:
            return None
        if text not in by_text:
            raise CellError(f"ожидается одно из значений: {listed}, а указано {shown(value)}")
        return by_text[text]

    return read_choice


_YES = {"да", "д", "yes", "y", "1", "true", "истина", "+", "x", "х"}
_NO = {"нет", "н", "no", "n", "0", "false", "ложь", "-"}


def read_yes_no(value, *, yes: Iterable[str] = (), no: Iterable[str] = ()) -> bool | None:
    """«да» or «нет» (and the ways people write them); `yes` and `no` add words a column accepts too."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = normalized(cell_text(value))
    if not text:
        return None
    if text in _YES or text in {normalized(word) for word in yes}:
        return True
    if text in _NO or text in {normalized(word) for word in no}:
        return False
    raise CellError(f"ожидается «да» или «нет», а указано {shown(value)}")


def read_text(value, *, max_length: int | None = None) -> str:
    text = cell_text(value)
    if max_length is not None and len(text) > max_length:
        raise CellError(f"слишком длинное значение: {len(text)} символов, допустимо не больше {max_length}")
    return text


def text_reader(max_length: int) -> Callable:
    return lambda value: read_text(value, max_length=max_length)


def read_email(value) -> str:
    text = read_text(value, max_length=254)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(f"ожидается адрес электронной почты, а указано {shown(text)}") from None
    return text


def read_digits(value, *, lengths: tuple[int, ...], name: str) -> str:
    """A code of digits only (ИНН, ОГРН), of one of the given lengths."""
    text = read_text(value, max_length=32).replace(" ", "")
    if text and not (text.isdigit() and len(text) in lengths):
        allowed = " или ".join(str(n) for n in lengths)
        raise CellError(f"{name} состоит из {allowed} цифр, а указано {shown(text)}")
    return text
