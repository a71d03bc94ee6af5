"""Importing indicator values from xlsx: the template, and the check of a filled file row by row.

One row per value: school (or municipality), indicator, year, stage, value, comment. The template comes pre-filled
with the rows the user may import for a year and stage (and the values already known), so that filling it means
typing numbers in column «Значение». Rows with an empty value are skipped. Every error names its row and column.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from shnor_portal.spreadsheets import SpreadsheetRefused, read_xlsx_sheets, xlsx_bytes

from .access import importable_municipalities, importable_schools, visible_indicators
from .cells import cell_at, cell_text, parse_number, shown
from .models import (
    YEAR_MAX,
    YEAR_MIN,
    Indicator,
    IndicatorValue,
    Stage,
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
STAGE_BY_LABEL = {label: value for value, label in Stage.choices}
MAX_ROWS = 50_000


def max_upload_bytes() -> int:
    from django.conf import settings

    return getattr(settings, "VALUES_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


def _column_label(key: str) -> str:
    from openpyxl.utils import get_column_letter

    return f"столбец {get_column_letter(COLUMN[key])} («{HEADERS[COLUMN[key] - 1]}»)"


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
    stage_label = Stage(stage).label

    def rows():
        yield HEADERS
        for municipality in municipalities:
            for indicator in indicators:
                if indicator.applies_to_municipality(municipality):
                    value = known.get((indicator.pk, None, municipality.pk))
                    yield [
                        None, None, municipality.pk, municipality.name, indicator.code, indicator.name,
                        indicator.unit_label, year, stage_label, value.value if value else None,
                        value.comment if value else None,
                    ]
        for school in schools:
            for indicator in indicators:
                if indicator.applies_to_school(school):
                    value = known.get((indicator.pk, school.pk, school.municipality_id))
                    yield [
                        school.pk, school.short_name, school.municipality_id, school.municipality.name,
                        indicator.code, indicator.name, indicator.unit_label, year, stage_label,
                        value.value if value else None, value.comment if value else None,
                    ]

    return xlsx_bytes([(SHEET_TITLE, rows())], column_widths={SHEET_TITLE: [w for _k, _h, w in COLUMNS]})


# --- reading --------------------------------------------------------------------------------------------------------


@dataclass
class ValuesImportPreview:
    errors: list[str] = field(default_factory=list)
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


def values_import_preview(file, *, user) -> ValuesImportPreview:
    """Check every row of an uploaded file against the user's scope; nothing is written here."""
    preview = ValuesImportPreview()
    try:
        sheets = read_xlsx_sheets(file, max_bytes=max_upload_bytes(), max_rows=MAX_ROWS, max_columns=len(COLUMNS) + 2)
    except SpreadsheetRefused as refused:
        preview.errors.append(str(refused))
        return preview
    sheet = sheets[0]
    header = [cell_text(cell_at(sheet.rows, 1, column)) for column in range(1, len(HEADERS) + 1)]
    if header != HEADERS:
        for column, (found, expected) in enumerate(zip(header, HEADERS, strict=True), start=1):
            if found != expected:
                from openpyxl.utils import get_column_letter

                preview.errors.append(
                    f"Строка 1, столбец {get_column_letter(column)}: ожидался заголовок «{expected}», а "
                    f"{'ячейка пуста' if not found else 'указано ' + shown(found)}. Скачайте шаблон на портале."
                )
        return preview

    schools = {s.pk: s for s in importable_schools(user).select_related("municipality")}
    municipalities = {m.pk: m for m in importable_municipalities(user)}
    indicators: dict[str, list[Indicator]] = {}
    for indicator in visible_indicators(user).filter(is_active=True).select_related("programme"):
        indicators.setdefault(indicator.code, []).append(indicator)
    parsed: list[tuple[int, ImportRow]] = []
    seen: dict[tuple, int] = {}

    for number in range(2, len(sheet.rows) + 1):
        get = lambda key, n=number: cell_at(sheet.rows, n, COLUMN[key])  # noqa: E731
        if not any(cell_text(v) for v in sheet.rows[number - 1][: len(COLUMNS)]):
            continue
        where = f"Строка {number}"
        errors = []
        raw_value = get("value")
        value, value_error = parse_number(raw_value)
        if value is None and value_error is None:
            preview.skipped += 1  # no value typed: nothing to import from this row
            continue
        school = municipality = None
        school_id = _int_cell(get("school_id"))
        if cell_text(get("school_id")):
            school = schools.get(school_id) if school_id else None
            if school is None:
                errors.append(
                    f"{where}, {_column_label('school_id')}: школы с кодом {shown(get('school_id'))} нет среди "
                    "школ, значения которых вы загружаете."
                )
            else:
                municipality = school.municipality
        else:
            municipality_id = _int_cell(get("municipality_id"))
            municipality = municipalities.get(municipality_id) if municipality_id else None
            if municipality is None:
                errors.append(
                    f"{where}, {_column_label('municipality_id')}: укажите код школы или код муниципалитета, "
                    "значения которого вы загружаете"
                    + (f" (указано {shown(get('municipality_id'))})." if cell_text(get("municipality_id")) else ".")
                )
        code = cell_text(get("code"))
        indicator = None
        if not code:
            errors.append(f"{where}, {_column_label('code')}: не указан код показателя.")
        elif code not in indicators:
            errors.append(f"{where}, {_column_label('code')}: показателя с кодом «{code}» нет.")
        elif school or municipality:
            fits = [
                i for i in indicators[code]
                if (i.applies_to_school(school) if school else i.applies_to_municipality(municipality))
            ]
            if not fits:
                errors.append(
                    f"{where}, {_column_label('code')}: показатель «{code}» не относится к "
                    f"{'школе' if school else 'муниципалитету'} «{school or municipality}»."
                )
            else:
                indicator = fits[0]
                if indicator.is_computed:
                    errors.append(
                        f"{where}, {_column_label('value')}: показатель «{indicator.name}» вычисляется порталом — "
                        "его значение не загружают."
                    )
                    indicator = None
        year = _int_cell(get("year"))
        if year is None or not YEAR_MIN <= year <= YEAR_MAX:
            errors.append(
                f"{where}, {_column_label('year')}: учебный год указывается годом его окончания (например, 2027 "
                f"для 2026/27), а указано {shown(get('year')) if cell_text(get('year')) else 'пусто'}."
            )
        stage_text = cell_text(get("stage")).lower()
        stage = STAGE_BY_LABEL.get(stage_text) or (stage_text if stage_text in Stage.values else None)
        if stage is None:
            errors.append(
                f"{where}, {_column_label('stage')}: этап мониторинга — «входной», «промежуточный» или «итоговый», "
                f"а указано {shown(get('stage')) if stage_text else 'пусто'}."
            )
        if value_error:
            errors.append(f"{where}, {_column_label('value')}: {value_error}.")
        elif indicator is not None:
            range_error = indicator.value_error(value)
            if range_error:
                errors.append(f"{where}, {_column_label('value')}: {range_error}.")
        comment = cell_text(get("comment"))
        if len(comment) > 1000:
            errors.append(f"{where}, {_column_label('comment')}: комментарий длиннее 1000 знаков.")
        if errors:
            preview.errors.extend(errors)
            continue
        key = (indicator.pk, year, stage, school.pk if school else None, municipality.pk)
        if key in seen:
            preview.errors.append(
                f"{where}: то же значение (показатель «{code}», {year}, этап «{Stage(stage).label}», "
                f"«{school or municipality}») уже есть в строке {seen[key]}."
            )
            continue
        seen[key] = number
        parsed.append(
            (number, ImportRow(indicator=indicator, year=year, stage=stage, municipality=municipality, school=school,
                               value=value, comment=comment))
        )

    if not preview.errors and not parsed:
        preview.errors.append("В файле нет ни одного значения: заполните столбец «Значение».")
    if preview.errors:
        return preview
    _attach_existing([row for _n, row in parsed])
    preview.rows = [row for _n, row in parsed]
    return preview


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
