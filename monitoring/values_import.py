"""Importing indicator values from xlsx: the template, and the check of a filled file row by row.

One row per value: school (or municipality), indicator, year, stage, value, comment. The template comes pre-filled
with the rows the user may import for a year and stage (and the values already known), so that filling it means
typing numbers in column «Значение». Rows with an empty value are skipped. Cells are read by the upload pipeline's
readers (`shnor_portal.uploads`); every problem names its sheet, row and column.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from shnor_portal.spreadsheets import xlsx_bytes
from shnor_portal.uploads import (
    CellError,
    CheckedFile,
    Problems,
    Sheet,
    UploadRefused,
    cell_text,
    read_decimal,
    read_text,
    read_workbook,
    read_year,
    report_beside_table,
    report_formulas,
    shown,
)

from .access import importable_municipalities, importable_schools, visible_indicators
from .calendar import CalendarBook, unknown_stage_message
from .models import (
    YEAR_MAX,
    YEAR_MIN,
    Indicator,
    IndicatorValue,
)
from .services import ImportRow

SHEET_TITLE = "Значения показателей"
COLUMNS = [
    ("school_id", "Код школы", 12),
    ("school", "Школа", 40),
    ("municipality_id", "Код муниципалитета", 14),
    ("municipality", "Муниципалитет", 32),
    ("code", "Код показателя", 24),
    ("indicator", "Показатель", 60),
    ("unit", "Единица", 10),
    ("year", "Учебный год (год окончания)", 14),
    ("stage", "Этап мониторинга", 16),
    ("value", "Значение", 12),
    ("comment", "Комментарий", 40),
]
HEADERS = [header for _key, header, _width in COLUMNS]
COLUMN = {key: index for index, (key, _header, _width) in enumerate(COLUMNS, start=1)}
MAX_ROWS = 50_000
# Columns read from the file: the template's and as many beside them, where a note typed next to a value is found
# and named in the preview (`report_beside_table`); a row is read this wide whatever it holds.
READ_COLUMNS = len(COLUMNS) + 15


# --- the template ---------------------------------------------------------------------------------------------------


def values_template_xlsx(*, user, year: int, stage: str) -> bytes:
    """Rows for every school and municipality the user imports for, with their entered (non-computed) indicators."""
    indicators = list(
        visible_indicators(user).filter(is_active=True, computed_by="").select_related("programme").order_by(
            "position", "code", "pk"
        )
    )
    schools = list(importable_schools(user).select_related("municipality").order_by("municipality__name", "short_name"))
    municipalities = list(importable_municipalities(user).order_by("name"))
    known = {
        (v.indicator_id, v.school_id, v.municipality_id): v
        for v in IndicatorValue.objects.filter(indicator__in=indicators, year=year, stage=stage).filter(
            Q(school__in=schools) | Q(school__isnull=True, municipality__in=municipalities)
        )
    }
    book = CalendarBook([year])

    def label(municipality) -> str:
        return book.label(year, stage, municipality.region_id)

    def rows():
        yield HEADERS
        for municipality in municipalities:
            for indicator in indicators:
                if indicator.applies_to_municipality(municipality):
                    value = known.get((indicator.pk, None, municipality.pk))
                    yield [
                        None,
                        None,
                        municipality.pk,
                        municipality.name,
                        indicator.code,
                        indicator.name,
                        indicator.unit_label,
                        year,
                        label(municipality),
                        value.value if value else None,
                        value.comment if value else None,
                    ]
        for school in schools:
            for indicator in indicators:
                if indicator.applies_to_school(school):
                    value = known.get((indicator.pk, school.pk, school.municipality_id))
                    yield [
                        school.pk,
                        school.short_name,
                        school.municipality_id,
                        school.municipality.name,
                        indicator.code,
                        indicator.name,
                        indicator.unit_label,
                        year,
                        label(school.municipality),
                        value.value if value else None,
                        value.comment if value else None,
                    ]

    return xlsx_bytes([(SHEET_TITLE, rows())], column_widths={SHEET_TITLE: [w for _k, _h, w in COLUMNS]})


# --- reading --------------------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class ValuesImportPreview(CheckedFile):
    rows: list[ImportRow] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def to_create(self) -> int:
        return sum(1 for r in self.rows if r.existing is None)

    @property
    def to_update(self) -> int:
        return sum(1 for r in self.rows if r.existing is not None and r.existing.value != r.value)

    @property
    def unchanged(self) -> int:
        return len(self.rows) - self.to_create - self.to_update


def _int_cell(value) -> int | None:
    text = cell_text(value)
    return int(text) if text.isdigit() else None


class _Line:
    """One row of the sheet: its cells by column key, and where each is, for the problems it has."""

    def __init__(self, sheet: Sheet, number: int, errors: Problems):
        self.sheet, self.number, self.errors = sheet, number, errors
        self.found = 0  # problems of this row

    def __getitem__(self, key: str):
        return self.sheet.cell(self.number, COLUMN[key])

    def problem(self, key: str | None, message: str) -> None:
        self.found += 1
        place = {"sheet": self.sheet.title, "row": self.number}
        if key is not None:
            place |= {"column": COLUMN[key], "header": HEADERS[COLUMN[key] - 1], "value": self[key]}
        self.errors.add(message, **place)

    def read(self, key: str, reader, *, required: bool = False):
        try:
            value = reader(self[key])
        except CellError as error:
            self.problem(key, str(error))
            return None
        if required and value in (None, ""):
            self.problem(key, "ячейка обязательна, а она пустая")
        return value


class _Scope:
    """What the user imports for, read once: their schools, municipalities and indicators by code."""

    def __init__(self, user):
        self.schools = {s.pk: s for s in importable_schools(user).select_related("municipality")}
        self.municipalities = {m.pk: m for m in importable_municipalities(user)}
        self.indicators: dict[str, list[Indicator]] = {}
        for indicator in visible_indicators(user).filter(is_active=True).select_related("programme"):
            self.indicators.setdefault(indicator.code, []).append(indicator)
        self.books: dict[int, CalendarBook] = {}

    def stages(self, year: int, municipality) -> list:
        """The stages of the municipality's calendar of the year (`monitoring.calendar`), read once per year."""
        if year not in self.books:
            self.books[year] = CalendarBook([year])
        return self.books[year].of_municipality(municipality, year)


def values_import_preview(file, *, user) -> ValuesImportPreview:
    """Check every row of an uploaded file against the user's scope; nothing is written here."""
    preview = ValuesImportPreview()
    try:
        sheet = read_workbook(file, max_rows=MAX_ROWS, max_columns=READ_COLUMNS)[0]
    except UploadRefused as refused:
        preview.errors.add(str(refused))
        return preview
    if not _header_ok(sheet, preview.errors):
        return preview
    headers = {index: header for index, (_key, header, _width) in enumerate(COLUMNS, start=1)}
    if report_formulas(sheet, preview.errors, read=lambda row, column: row >= 2 and column in headers, headers=headers):
        return preview  # a value that reads as empty would be skipped without a word
    report_beside_table(sheet, preview.warnings, header_row=1, columns=headers)  # a note beside the table
    scope = _Scope(user)
    parsed: list[ImportRow] = []
    seen: dict[tuple, int] = {}
    for number in range(2, len(sheet.rows) + 1):
        line = _Line(sheet, number, preview.errors)
        if not any(cell_text(v) for v in sheet.rows[number - 1][: len(COLUMNS)]):
            continue
        value = line.read("value", read_decimal)
        if value is None and not line.found:
            preview.skipped += 1  # no value typed: nothing to import from this row
            continue
        row = _read_line(line, scope, value)
        if row is None:
            continue
        if (key := _key(row)) in seen:
            line.problem(
                None,
                f"то же значение (показатель «{row.indicator.code}», {row.year}, этап «{row.stage_name}», "
                f"«{row.school or row.municipality}») уже есть в строке {seen[key]}",
            )
            continue
        seen[key] = number
        parsed.append(row)
    if not preview.errors and not parsed:
        preview.errors.add("В файле нет ни одного значения: заполните столбец «Значение».")
    if not preview.errors:
        _attach_existing(parsed)
        preview.rows = parsed
    return preview


def _header_ok(sheet: Sheet, errors: Problems) -> bool:
    for column, expected in enumerate(HEADERS, start=1):
        found = cell_text(sheet.cell(1, column))
        if found != expected:
            errors.add(
                f"ожидался заголовок «{expected}», а {'ячейка пуста' if not found else 'указано ' + shown(found)}. "
                "Скачайте шаблон на портале",
                sheet=sheet.title, row=1, column=column,
            )  # fmt: skip
    return not errors


def _read_line(line: _Line, scope: _Scope, value) -> ImportRow | None:
    """The row's value to import, or None when the row has problems (reported)."""
    school, municipality = _target(line, scope)
    indicator = _indicator(line, scope, school, municipality)
    year = line.read("year", lambda v: read_year(v, minimum=YEAR_MIN, maximum=YEAR_MAX), required=True)
    stage = _stage(line, scope, year, municipality)
    if indicator is not None and value is not None and (range_error := indicator.value_error(value)):
        line.problem("value", range_error)
    comment = line.read("comment", lambda v: read_text(v, max_length=1000))
    if line.found:
        return None
    return ImportRow(indicator=indicator, year=year, stage=stage.code, municipality=municipality, school=school,
                     value=value, comment=comment, stage_name=stage.name)  # fmt: skip


def _stage(line: _Line, scope: _Scope, year, municipality):
    """The stage the row names — by its name or its code — in the calendar of the municipality and year."""
    given = line.read("stage", lambda v: read_text(v, max_length=200), required=True)
    if not given or year is None or municipality is None:
        return None
    stages = scope.stages(year, municipality)
    wanted = given.strip().casefold()
    for stage in stages:
        if wanted in (stage.code.casefold(), stage.name.casefold()):
            return stage
    # «итоговый» for «Итоговый мониторинг», as files written before the calendar was data say
    by_first_word = [s for s in stages if len(wanted) >= 4 and s.name.casefold().split()[0] == wanted]
    if len(by_first_word) == 1:
        return by_first_word[0]
    message = unknown_stage_message(year, given, stages)
    line.problem("stage", message[0].lower() + message[1:])
    return None


def _target(line: _Line, scope: _Scope) -> tuple:
    """(school, municipality) the row's value is of: a school by its code, else a municipality by its code."""
    if cell_text(line["school_id"]):
        school_id = _int_cell(line["school_id"])
        school = scope.schools.get(school_id) if school_id else None
        if school is None:
            line.problem(
                "school_id",
                f"школы с кодом {shown(line['school_id'])} нет среди школ, значения которых вы загружаете",
            )
            return None, None
        return school, school.municipality
    municipality_id = _int_cell(line["municipality_id"])
    municipality = scope.municipalities.get(municipality_id) if municipality_id else None
    if municipality is None:
        given = cell_text(line["municipality_id"])
        line.problem(
            "municipality_id",
            "укажите код школы или код муниципалитета, значения которого вы загружаете"
            + (f" (указано {shown(line['municipality_id'])})" if given else ""),
        )
    return None, municipality


def _indicator(line: _Line, scope: _Scope, school, municipality) -> Indicator | None:
    code = cell_text(line["code"])
    if not code:
        line.problem("code", "не указан код показателя")
        return None
    if code not in scope.indicators:
        line.problem("code", f"показателя с кодом «{code}» нет")
        return None
    if not (school or municipality):
        return None
    fits = [
        i for i in scope.indicators[code]
        if (i.applies_to_school(school) if school else i.applies_to_municipality(municipality))
    ]  # fmt: skip
    if not fits:
        line.problem(
            "code",
            f"показатель «{code}» не относится к {'школе' if school else 'муниципалитету'} «{school or municipality}»",
        )
        return None
    if fits[0].is_computed:
        line.problem("value", f"показатель «{fits[0].name}» вычисляется порталом — его значение не загружают")
        return None
    return fits[0]


def _key(row: ImportRow) -> tuple:
    return (row.indicator.pk, row.year, row.stage, row.school.pk if row.school else None, row.municipality.pk)


def _attach_existing(rows: list[ImportRow]) -> None:
    """Find the values the rows will update, in one query."""
    keys = {_key(row) for row in rows}
    found = {}
    for value in IndicatorValue.objects.filter(
        indicator__in={r.indicator.pk for r in rows}, year__in={r.year for r in rows}
    ):
        key = (value.indicator_id, value.year, value.stage, value.school_id, value.municipality_id)
        if key in keys:
            found[key] = value
    for row in rows:
        row.existing = found.get(_key(row))
