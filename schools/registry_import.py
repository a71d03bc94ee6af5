"""Import of school cards and yearly profiles from the portal's xlsx template.

The department downloads the template (`registry_template_xlsx`), fills the sheets «Школы» and
«Профили» and uploads it. `registry_import` reads every row first and names each problem by
sheet, row and column in Russian; only a file without a single error is saved, all rows in one
transaction: a school is matched by municipality and short name, a profile by school and year,
and what is not found is created. New schools (and schools whose kind, locality or size changed)
are then put into their cluster by rule.

An empty optional cell keeps the value the portal already has (for a new record it stays empty),
so a file may carry only the columns that change.
"""

import datetime
import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from shnor_portal.spreadsheets import SpreadsheetRefused, read_xlsx_sheets, xlsx_bytes

from .access import require_department, visible_municipalities, visible_schools
from .clusters import clusters_assign
from .forms import COUNT_FIELDS, SHARE_FIELDS, profile_consistency_errors, registry_import_max_bytes
from .models import School, SchoolYearProfile

SCHOOL_SHEET = "Школы"
PROFILE_SHEET = "Профили"
REFERENCE_SHEET = "Справочник"
MAX_ERRORS = 300
YEAR_RANGE = (2000, 2100)


class CellError(ValueError):
    """A cell value that cannot be read; the message is Russian and says what was expected."""


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"лист «{self.sheet}»"] if self.sheet else []
        if self.row:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец {self.column}")
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]}: {self.message}" if prefix else self.message


@dataclass
class RegistryImportResult:
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    schools_created: int = 0
    schools_updated: int = 0
    schools_unchanged: int = 0
    profiles_created: int = 0
    profiles_updated: int = 0
    profiles_unchanged: int = 0
    clusters_assigned: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def summary(self) -> str:
        return (
            f"Загрузка завершена. Школы: добавлено {self.schools_created}, обновлено {self.schools_updated}, "
            f"без изменений {self.schools_unchanged}. Профили по годам: добавлено {self.profiles_created}, "
            f"обновлено {self.profiles_updated}, без изменений {self.profiles_unchanged}."
        )


# Reading cells -----------------------------------------------------------------------------------------------------


def _norm(text) -> str:
    """A header or name as compared: lower case, ё as е, single spaces, no surrounding punctuation."""
    text = str(text or "").replace("\xa0", " ").replace("ё", "е").replace("Ё", "Е").lower()
    return re.sub(r"\s+", " ", text).strip(" .,:;*")


def _show(value) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def read_text(value, *, max_length: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.strftime("%d.%m.%Y")
    text = re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip()
    if len(text) > max_length:
        raise CellError(f"слишком длинное значение: {len(text)} символов, допустимо не больше {max_length}.")
    return text


def _number_text(value) -> str:
    return str(value).replace("\xa0", "").replace(" ", "").replace(",", ".").strip()


def read_count(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(f"ожидается целое число, а указано «{_show(value)}».")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"ожидается целое число, а указано {_show(value)}.")
        number = int(value)
    else:
        text = _number_text(value)
        try:
            as_float = float(text)
        except ValueError:
            raise CellError(f"ожидается число, а указано «{_show(value)}».") from None
        if not as_float.is_integer():
            raise CellError(f"ожидается целое число, а указано «{_show(value)}».")
        number = int(as_float)
    if number < 0:
        raise CellError(f"количество не может быть отрицательным, а указано {number}.")
    return number


def read_share(value) -> decimal.Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(f"ожидается доля в процентах, а указано «{_show(value)}».")
    try:
        number = decimal.Decimal(_number_text(value).rstrip("%") if isinstance(value, str) else str(value))
    except decimal.InvalidOperation:
        raise CellError(f"ожидается число (доля в процентах), а указано «{_show(value)}».") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise CellError(f"доля указывается в процентах от 0 до 100, а указано {_show(value)}.")
    return number.quantize(decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP)


def read_year(value) -> int | None:
    year = read_count(value)
    if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise CellError(
            f"год указывается четырьмя цифрами (год окончания учебного года, например 2024), а указано {year}."
        )
    return year


_YES = {"да", "д", "yes", "y", "1", "true", "истина", "+", "x", "х", "малокомплектная"}
_NO = {"нет", "н", "no", "n", "0", "false", "ложь", "-", "не малокомплектная"}


def read_yes_no(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = _norm(value)
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"ожидается «да» или «нет», а указано «{_show(value)}».")


_KINDS = (
    {_norm(label): code for code, label in School.Kind.choices}
    | {_norm(code): code for code in School.Kind.values}
    | {"интернат": School.Kind.BOARDING, "школа интернат": School.Kind.BOARDING}
)
_KIND_HINT = ", ".join(label for _code, label in School.Kind.choices)


def read_kind(value) -> str | None:
    text = _norm(value)
    if not text:
        return None
    if text not in _KINDS:
        raise CellError(f"неизвестный тип школы «{_show(value)}». Допустимо: {_KIND_HINT}.")
    return _KINDS[text]


_LOCALITIES = {
    "городская": School.Locality.URBAN,
    "город": School.Locality.URBAN,
    "городская местность": School.Locality.URBAN,
    "urban": School.Locality.URBAN,
    "сельская": School.Locality.RURAL,
    "село": School.Locality.RURAL,
    "сельская местность": School.Locality.RURAL,
    "rural": School.Locality.RURAL,
}


def read_locality(value) -> str | None:
    text = _norm(value)
    if not text:
        return None
    if text not in _LOCALITIES:
        raise CellError(f"местность указывается словом «городская» или «сельская», а указано «{_show(value)}».")
    return _LOCALITIES[text]


def read_email(value) -> str:
    text = read_text(value, max_length=254)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(f"«{_show(text)}» не похоже на адрес электронной почты.") from None
    return text


def _digits(value, *, lengths: tuple[int, ...], name: str) -> str:
    text = read_text(value, max_length=32).replace(" ", "")
    if text and not (text.isdigit() and len(text) in lengths):
        allowed = " или ".join(str(n) for n in lengths)
        raise CellError(f"{name} состоит из {allowed} цифр, а указано «{_show(text)}».")
    return text


def read_inn(value) -> str:
    return _digits(value, lengths=(10, 12), name="ИНН")


def read_ogrn(value) -> str:
    return _digits(value, lengths=(13,), name="ОГРН")


# The template's columns --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    read: Callable
    required: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        base = _norm(self.header)
        return {base, _norm(re.sub(r"\(.*?\)", "", self.header)), *(_norm(a) for a in self.aliases)}


def _text(max_length: int) -> Callable:
    return lambda value: read_text(value, max_length=max_length)


SCHOOL_COLUMNS = [
    Column("Муниципалитет", "municipality", _text(200), required=True),
    Column("Краткое наименование", "short_name", _text(200), required=True),
    Column("Полное наименование", "name", _text(500), required=True),
    Column("Тип", "kind", read_kind, required=True),
    Column("Местность", "locality", read_locality, required=True),
    Column("Малокомплектная (да/нет)", "is_small", read_yes_no),
    Column("Адрес", "address", _text(500)),
    Column("Директор", "director", _text(200)),
    Column("Телефон", "phone", _text(64)),
    Column("Эл. почта", "email", read_email, aliases=("электронная почта", "e-mail", "email")),
    Column("ИНН", "inn", read_inn),
    Column("ОГРН", "ogrn", read_ogrn),
]
SCHOOL_CARD_FIELDS = [c.field for c in SCHOOL_COLUMNS if c.field != "municipality"]
SCHOOL_OPTIONAL_TEXT = {"address", "director", "phone", "email", "inn", "ogrn"}


def _profile_label(name: str) -> str:
    label = str(SchoolYearProfile._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


PROFILE_FIELDS = [
    "pupils",
    "graduates_9",
    "graduates_11",
    "teachers",
    "vacancies",
    "share_low_income",
    "share_single_parent",
    "pupils_on_register",
    "share_special_needs",
    "share_parents_higher_education",
    "teachers_under_35",
    "teachers_over_55",
    "teachers_highest_category",
    "teachers_first_category",
]
assert set(PROFILE_FIELDS) == set(COUNT_FIELDS) | set(SHARE_FIELDS)

PROFILE_COLUMNS = [
    Column("Муниципалитет", "municipality", _text(200), required=True),
    Column("Школа (краткое наименование)", "school", _text(200), required=True, aliases=("краткое наименование",)),
    Column("Год", "year", read_year, required=True, aliases=("учебный год",)),
] + [Column(_profile_label(name), name, read_share if name in SHARE_FIELDS else read_count) for name in PROFILE_FIELDS]


# The template ------------------------------------------------------------------------------------------------------


def registry_template_xlsx(*, actor) -> bytes:
    """The empty template with its two sheets, and a reference sheet of allowed values."""
    municipalities = list(visible_municipalities(actor).order_by("name").values_list("name", flat=True))
    kinds = [label for _code, label in School.Kind.choices]
    localities = [label for _code, label in School.Locality.choices]
    reference = [["Муниципалитеты", "Типы школ", "Местность", "Малокомплектная"]]
    for index in range(max(len(municipalities), len(kinds), len(localities), 2)):
        reference.append(
            [
                municipalities[index] if index < len(municipalities) else None,
                kinds[index] if index < len(kinds) else None,
                localities[index] if index < len(localities) else None,
                ["да", "нет"][index] if index < 2 else None,
            ]
        )
    note = [
        ["Как заполнить"],
        [
            "Лист «Школы»: одна строка — одна школа. Школа ищется по муниципалитету и краткому наименованию: найденная "
            "обновляется, не найденная добавляется."
        ],
        [
            "Лист «Профили»: одна строка — профиль одной школы за один год (год окончания учебного года: 2024 — это "
            "2023/24). Школа — из реестра или с листа «Школы» этого же файла."
        ],
        ["Пустая ячейка оставляет прежнее значение. Доли — в процентах от 0 до 100, количества — целые числа."],
        [
            "Обязательны столбцы и значения: муниципалитет, краткое и полное наименование, тип, "
            "местность; для профиля — муниципалитет, школа и год."
        ],
    ]
    return xlsx_bytes(
        [
            (SCHOOL_SHEET, [[c.header for c in SCHOOL_COLUMNS]]),
            (PROFILE_SHEET, [[c.header for c in PROFILE_COLUMNS]]),
            (REFERENCE_SHEET, reference),
            ("Как заполнить", note),
        ],
        column_widths={
            SCHOOL_SHEET: [30, 28, 50, 14, 12, 14, 40, 28, 18, 26, 14, 16],
            PROFILE_SHEET: [30, 28, 8] + [18] * len(PROFILE_FIELDS),
            REFERENCE_SHEET: [40, 18, 14, 16],
            "Как заполнить": [120],
        },
    )


# Parsing -----------------------------------------------------------------------------------------------------------


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class _Errors:
    def __init__(self):
        self.items: list[RowError] = []
        self.count = 0

    def add(self, sheet, row, column, message):
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(RowError(sheet, row, column, message))


@dataclass
class _Row:
    number: int
    values: dict  # field → value read from its cell
    present: set  # fields whose column is in the sheet
    columns: dict  # field → how its column is named in messages: «Тип» (D)
    bad: bool = False  # some cell of the row could not be read


def _read_sheet(sheet, title: str, columns: list[Column], errors: _Errors) -> list[_Row] | None:
    """The rows of one sheet as dicts of read values; None when its header is unusable."""
    rows = iter(sheet.rows)  # the header is read first, the data rows continue after it
    header_number, header = 0, None
    for number, values in enumerate(rows, start=1):
        if any(v is not None and str(v).strip() for v in values):
            header_number, header = number, values
            break
        if number >= 10:
            break
    if header is None:
        errors.add(title, None, None, "лист пустой: нет строки заголовков.")
        return None
    by_name = {}
    for column in columns:
        for name in column.names():
            by_name.setdefault(name, column)
    positions: dict[int, Column] = {}
    seen: dict[str, int] = {}
    usable = True
    for index, value in enumerate(header):
        name = _norm(value)
        if not name:
            continue
        column = by_name.get(name)
        if column is None:
            errors.add(
                title,
                header_number,
                f"{_letter(index)}",
                f"столбец «{_show(value)}» не распознан. Названия столбцов — как в шаблоне.",
            )
            usable = False
            continue
        if column.field in seen:
            errors.add(
                title,
                header_number,
                f"«{column.header}» ({_letter(index)})",
                f"столбец повторяется (он уже есть в столбце {_letter(seen[column.field])}).",
            )
            usable = False
            continue
        seen[column.field] = index
        positions[index] = column
    for column in columns:
        if column.required and column.field not in seen:
            errors.add(title, header_number, f"«{column.header}»", "нет обязательного столбца.")
            usable = False
    if not usable:
        return None
    present = {column.field for column in positions.values()}
    column_names = {column.field: f"«{column.header}» ({_letter(index)})" for index, column in positions.items()}
    result = []
    for number, values in enumerate(rows, start=header_number + 1):
        if not any(v is not None and str(v).strip() for v in values):
            continue
        row = _Row(number=number, values={}, present=present, columns=column_names)
        for index, column in positions.items():
            value = values[index] if index < len(values) else None
            try:
                row.values[column.field] = column.read(value)
            except CellError as error:
                errors.add(title, number, f"«{column.header}» ({_letter(index)})", str(error))
                row.values[column.field] = None
                row.bad = True
                continue
            if column.required and row.values[column.field] in (None, ""):
                errors.add(title, number, column_names[column.field], "ячейка обязательна, а она пустая.")
                row.bad = True
        result.append(row)
    return result


# The service -------------------------------------------------------------------------------------------------------


def registry_import(*, file, actor) -> RegistryImportResult:
    """Validate every row of the uploaded template; save all of it in one transaction only if no row is wrong."""
    require_department(actor)
    result = RegistryImportResult()
    errors = _Errors()

    try:
        workbook = {sheet.title: sheet for sheet in read_xlsx_sheets(file, max_bytes=registry_import_max_bytes())}
    except SpreadsheetRefused as error:
        errors.add("", None, None, str(error))
        return _finish(result, errors)

    sheets = {_norm(name): name for name in workbook}
    school_rows = profile_rows = None
    if _norm(SCHOOL_SHEET) in sheets:
        school_rows = _read_sheet(workbook[sheets[_norm(SCHOOL_SHEET)]], SCHOOL_SHEET, SCHOOL_COLUMNS, errors)
    if _norm(PROFILE_SHEET) in sheets:
        profile_rows = _read_sheet(workbook[sheets[_norm(PROFILE_SHEET)]], PROFILE_SHEET, PROFILE_COLUMNS, errors)
    if _norm(SCHOOL_SHEET) not in sheets and _norm(PROFILE_SHEET) not in sheets:
        errors.add(
            "",
            None,
            None,
            f"в файле нет листов «{SCHOOL_SHEET}» и «{PROFILE_SHEET}». Возьмите шаблон на этой странице.",
        )
        return _finish(result, errors)
    if not errors.count and not (school_rows or profile_rows):
        errors.add("", None, None, "в файле нет ни одной заполненной строки.")
        return _finish(result, errors)

    plan = _plan(actor, school_rows or [], profile_rows or [], errors)
    if errors.count:
        return _finish(result, errors)
    _save(plan, result, actor=actor)
    return result


_SHEET_ORDER = {"": 0, SCHOOL_SHEET: 1, PROFILE_SHEET: 2}


def _finish(result: RegistryImportResult, errors: _Errors) -> RegistryImportResult:
    # In the order of the file: sheet by sheet, row by row (cells first are read, then rows are matched).
    result.errors = sorted(errors.items, key=lambda e: (_SHEET_ORDER.get(e.sheet, 3), e.row or 0))
    result.error_count = errors.count
    return result


@dataclass
class _Plan:
    new_schools: list = field(default_factory=list)  # (key, values)
    school_updates: list = field(default_factory=list)  # (school, values)
    profile_rows: list = field(default_factory=list)  # (school key, year, values)
    existing_schools: dict = field(default_factory=dict)


def _plan(actor, school_rows: list[_Row], profile_rows: list[_Row], errors: _Errors) -> _Plan:
    """Match rows to municipalities, schools and profiles; report unknown and repeated ones."""
    municipalities = {_norm(m.name): m for m in visible_municipalities(actor)}
    plan = _Plan()

    def municipality_of(row: _Row, sheet: str):
        name = row.values.get("municipality")
        if not name:
            return None
        municipality = municipalities.get(_norm(name))
        if municipality is None:
            errors.add(
                sheet,
                row.number,
                row.columns["municipality"],
                f"муниципалитет «{_show(name)}» не найден в реестре. Названия — как на листе «{REFERENCE_SHEET}» шаблона.",
            )
        return municipality

    keyed_school_rows = []
    for row in school_rows:
        municipality = municipality_of(row, SCHOOL_SHEET)
        if municipality and row.values.get("short_name"):
            keyed_school_rows.append(((municipality.pk, _norm(row.values["short_name"])), municipality, row))
    keyed_profile_rows = []
    for row in profile_rows:
        municipality = municipality_of(row, PROFILE_SHEET)
        if municipality and row.values.get("school"):
            keyed_profile_rows.append(((municipality.pk, _norm(row.values["school"])), municipality, row))

    municipality_ids = {key[0] for key, _m, _r in keyed_school_rows + keyed_profile_rows}
    existing = {
        (s.municipality_id, _norm(s.short_name)): s
        for s in visible_schools(actor).filter(municipality_id__in=municipality_ids)
    }
    plan.existing_schools = existing

    seen_schools: dict[tuple, int] = {}
    for key, municipality, row in keyed_school_rows:
        if key in seen_schools:
            errors.add(
                SCHOOL_SHEET,
                row.number,
                row.columns["short_name"],
                f"школа «{_show(row.values['short_name'])}» ({municipality.name}) уже есть в строке "
                f"{seen_schools[key]}: одна школа — одна строка.",
            )
            continue
        seen_schools[key] = row.number
        if row.bad:
            continue
        values = {name: row.values[name] for name in SCHOOL_CARD_FIELDS if name in row.present}
        values["municipality"] = municipality
        if key in existing:
            plan.school_updates.append((existing[key], values))
        else:
            plan.new_schools.append((key, values))

    seen_profiles: dict[tuple, int] = {}
    existing_profiles = {}
    profile_school_ids = {existing[key].pk for key, _m, _r in keyed_profile_rows if key in existing}
    if profile_school_ids:
        years = {row.values.get("year") for _k, _m, row in keyed_profile_rows if row.values.get("year")}
        existing_profiles = {
            (p.school_id, p.year): p
            for p in SchoolYearProfile.objects.filter(school_id__in=profile_school_ids, year__in=years)
        }
    for key, municipality, row in keyed_profile_rows:
        columns = row.columns
        if key not in existing and key not in seen_schools:
            errors.add(
                PROFILE_SHEET,
                row.number,
                columns["school"],
                f"школа «{_show(row.values['school'])}» не найдена в муниципалитете «{municipality.name}». "
                f"Проверьте краткое наименование или добавьте школу на лист «{SCHOOL_SHEET}».",
            )
            continue
        year = row.values.get("year")
        if year is None:
            continue
        if (key, year) in seen_profiles:
            errors.add(
                PROFILE_SHEET,
                row.number,
                columns["year"],
                f"профиль школы «{_show(row.values['school'])}» за {year} год уже есть в строке "
                f"{seen_profiles[(key, year)]}: одна школа и год — одна строка.",
            )
            continue
        seen_profiles[(key, year)] = row.number
        if row.bad:
            continue
        values = {
            name: row.values[name] for name in PROFILE_FIELDS if name in row.present and row.values[name] is not None
        }
        current = existing_profiles.get((existing[key].pk, year)) if key in existing else None
        merged = {name: getattr(current, name) for name in PROFILE_FIELDS} if current else {}
        merged.update(values)
        for name, message in profile_consistency_errors(merged).items():
            errors.add(
                PROFILE_SHEET,
                row.number,
                columns.get(name, f"«{_profile_label(name)}»"),
                message[:1].lower() + message[1:],
            )
        plan.profile_rows.append((key, year, values, current))
    return plan


REASON = "загрузка реестра"


@transaction.atomic
def _save(plan: _Plan, result: RegistryImportResult, *, actor) -> None:
    rule_fields = {"kind", "locality", "is_small"}

    new_schools = []
    for _key, values in plan.new_schools:
        school = School(
            **{
                name: ("" if value is None and name in SCHOOL_OPTIONAL_TEXT else value)
                for name, value in values.items()
                if value is not None or name in SCHOOL_OPTIONAL_TEXT
            }
        )
        new_schools.append(school)
    if new_schools:
        bulk_create_with_history(new_schools, School, batch_size=500, default_user=actor, default_change_reason=REASON)
    result.schools_created = len(new_schools)

    changed_schools, recluster = [], []
    update_fields = set()
    for school, values in plan.school_updates:
        changed = []
        for name, value in values.items():
            if name == "municipality" or value is None or (value == "" and name in SCHOOL_OPTIONAL_TEXT):
                continue  # an empty cell keeps what the portal has
            if getattr(school, name) != value:
                setattr(school, name, value)
                changed.append(name)
        if changed:
            changed_schools.append(school)
            update_fields.update(changed)
            if rule_fields.intersection(changed):
                recluster.append(school)
        else:
            result.schools_unchanged += 1
    if changed_schools:
        bulk_update_with_history(
            changed_schools, School, sorted(update_fields), batch_size=500, default_user=actor,
            default_change_reason=REASON,
        )
    result.schools_updated = len(changed_schools)

    # Schools by key, now with the primary keys of the new ones (re-read: not every database returns them).
    schools = dict(plan.existing_schools)
    if new_schools:
        for school in School.objects.filter(
            municipality_id__in={s.municipality_id for s in new_schools},
            short_name__in=[s.short_name for s in new_schools],
        ):
            schools[(school.municipality_id, _norm(school.short_name))] = school

    created_profiles, changed_profiles, profile_fields = [], [], set()
    for key, year, values, current in plan.profile_rows:
        if current is None:
            created_profiles.append(SchoolYearProfile(school=schools[key], year=year, **values))
            continue
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        for name in changed:
            setattr(current, name, values[name])
        if changed:
            changed_profiles.append(current)
            profile_fields.update(changed)
        else:
            result.profiles_unchanged += 1
    if created_profiles:
        bulk_create_with_history(
            created_profiles, SchoolYearProfile, batch_size=500, default_user=actor, default_change_reason=REASON
        )
    if changed_profiles:
        bulk_update_with_history(
            changed_profiles, SchoolYearProfile, sorted(profile_fields), batch_size=500, default_user=actor,
            default_change_reason=REASON,
        )
    result.profiles_created, result.profiles_updated = len(created_profiles), len(changed_profiles)

    fresh = [schools[(s.municipality_id, _norm(s.short_name))] for s in new_schools]
    result.clusters_assigned = clusters_assign(schools=fresh + recluster)
