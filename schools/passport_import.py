"""Social passports (seed 002) of all schools of a region or a municipality for a school year, from xlsx.

The department loads every school; a municipal coordinator only the schools of their municipality. The template
(`passport_template_xlsx`) lists those schools with the values the portal has for the year. An uploaded file is
checked row by row (`passport_import_preview`) — each problem named by sheet, row and column in Russian — and
nothing is written until the user confirms; `passport_import_save` then stores every row in one transaction, or
nothing. A row is one school and one year; an empty cell keeps the value the portal already has.

Schools are found by «ID школы» when the file has it, else by name within the municipality, the way the results
import matches names (`school_names.SchoolIndex`, `school_name_key`).
"""

import decimal
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from shnor_portal.spreadsheets import xlsx_bytes
from shnor_portal.uploads import (
    CheckedFile,
    Column,
    TableRow,
    UploadRefused,
    normalized,
    read_count,
    read_percent,
    read_table,
    read_workbook,
    read_year,
    read_yes_no,
    text_reader,
)

from .access import passport_schools
from .clusters import clusters_assign, rule_lines
from .forms import PASSPORT_COUNT_FIELDS, PASSPORT_SHARE_FIELDS, YES_NO_FIELDS, profile_consistency_errors
from .forms import SHARE_FIELDS as REGISTRY_SHARE_FIELDS
from .models import School, SchoolYearProfile
from .registry_import import profile_label
from .school_matching import SchoolMatcher

SHEET_TITLE = "Социальные паспорта"
NOTES_TITLE = "Как заполнить"
MAX_ROWS = 20_000
REASON = "загрузка социальных паспортов"

COUNT_FIELDS = ["pupils", "pupils_on_register", *PASSPORT_COUNT_FIELDS]
SHARE_FIELDS = [*REGISTRY_SHARE_FIELDS, *PASSPORT_SHARE_FIELDS]
# In the order of seed 002's social passport.
PASSPORT_FIELDS = [
    "pupils",
    "share_low_income",
    "share_single_parent",
    "pupils_on_register",
    "share_special_needs",
    "share_zpr",
    "share_parents_higher_education",
    "share_parents_educated",
    "share_difficult_situation",
    "pupils_left",
    "remote_small_rural",
]
assert set(PASSPORT_FIELDS) == set(COUNT_FIELDS) | set(SHARE_FIELDS) | set(YES_NO_FIELDS)


def _passport_column(name: str) -> Column:
    if name in SHARE_FIELDS:
        return Column(profile_label(name), name, read_percent)
    if name in YES_NO_FIELDS:
        return Column(f"{profile_label(name)} (да/нет)", name, read_yes_no)
    return Column(profile_label(name), name, read_count)


SCHOOL_ALIASES = (
    "краткое наименование", "полное наименование", "наименование школы", "наименование", "школа (краткое наименование)",
    "образовательная организация", "общеобразовательная организация", "оо",
)  # fmt: skip
COLUMNS = [
    Column("ID школы", "school_id", read_count, aliases=("id", "код школы")),
    Column("Муниципалитет", "municipality", text_reader(200), required=True, aliases=("муниципальное образование",)),
    Column("Школа", "school", text_reader(500), required=True, aliases=SCHOOL_ALIASES),
    Column("Год", "year", read_year, required=True, aliases=("учебный год", "год окончания учебного года")),
] + [_passport_column(name) for name in PASSPORT_FIELDS]
HEADER = [column.header for column in COLUMNS]


# --- values as shown -----------------------------------------------------------------------------------------------


def shown_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, decimal.Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    return str(value)


def _cell_value(value):
    """A value as the template writes it: yes/no in words, the rest as numbers."""
    if isinstance(value, bool):
        return "да" if value else "нет"
    return value


# --- the template --------------------------------------------------------------------------------------------------


def passport_template_xlsx(*, user, year: int) -> bytes:
    """One row per school the user loads (schools in service), with the values the portal has for the year."""
    schools = passport_schools(user).filter(archived_on__isnull=True)
    profiles = {p.school_id: p for p in SchoolYearProfile.objects.filter(year=year, school__in=schools)}

    def rows():
        yield HEADER
        for school in schools.select_related("municipality").order_by("municipality__name", "short_name"):
            profile = profiles.get(school.pk)
            yield [school.pk, school.municipality.name, school.short_name, year] + [
                _cell_value(getattr(profile, name)) if profile else None for name in PASSPORT_FIELDS
            ]

    notes = [
        [NOTES_TITLE],
        [
            f"Лист «{SHEET_TITLE}»: одна строка — социальный паспорт одной школы за один учебный год. Год — год "
            "окончания учебного года: 2025 — это 2024/25."
        ],
        [
            "Школа находится по столбцу «ID школы»; если его нет — по муниципалитету и наименованию (краткому или "
            "полному). Не меняйте ID и не добавляйте своих столбцов."
        ],
        [
            "Доли — в процентах от 0 до 100 (например, 12,5), количества — целые числа, малокомплектная удалённая "
            "сельская школа — «да» или «нет»."
        ],
        ["Пустая ячейка оставляет значение, которое уже есть на портале. Строки без единого значения пропускаются."],
        [
            "Перед сохранением портал покажет, что изменится; если в файле есть хотя бы одна ошибка, не сохраняется "
            "ничего."
        ],
    ]
    return xlsx_bytes(
        [(SHEET_TITLE, rows()), (NOTES_TITLE, notes)],
        column_widths={SHEET_TITLE: [10, 30, 36, 8] + [18] * len(PASSPORT_FIELDS), NOTES_TITLE: [120]},
    )


# --- the check -----------------------------------------------------------------------------------------------------

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_LABELS = {CREATE: "новый паспорт", UPDATE: "обновится", UNCHANGED: "без изменений"}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class PassportRow:
    number: int  # the row of the sheet
    school: School
    year: int
    values: dict  # field → value read from the file (empty cells left out)
    current: SchoolYearProfile | None
    changes: list[Change] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.current is None:
            return CREATE
        return UPDATE if self.changes else UNCHANGED

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass(kw_only=True)
class PassportPreview(CheckedFile):
    sheet: str = ""
    rows: list[PassportRow] = field(default_factory=list)
    empty_rows: int = 0  # rows of a school without a single value: nothing to load

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def to_create(self) -> list[PassportRow]:
        return [row for row in self.rows if row.action == CREATE]

    @property
    def to_update(self) -> list[PassportRow]:
        return [row for row in self.rows if row.action == UPDATE]

    @property
    def unchanged(self) -> int:
        return sum(1 for row in self.rows if row.action == UNCHANGED)

    @property
    def changed_rows(self) -> list[PassportRow]:
        return [row for row in self.rows if row.action != UNCHANGED]

    @property
    def years(self) -> list[int]:
        return sorted({row.year for row in self.rows})


def passport_import_preview(file, *, user) -> PassportPreview:
    """Read and check every row of an uploaded file against the user's schools; nothing is written here."""
    preview = PassportPreview()
    errors = preview.errors
    try:
        sheets = read_workbook(file, max_rows=MAX_ROWS, max_columns=60)
    except UploadRefused as refused:
        errors.add(str(refused))
        return preview
    by_title = {normalized(sheet.title): sheet for sheet in sheets}
    sheet = by_title.get(normalized(SHEET_TITLE)) or next(
        (s for s in sheets if normalized(s.title) != normalized(NOTES_TITLE)), sheets[0]
    )
    preview.sheet = sheet.title
    rows = read_table(sheet, COLUMNS, errors, warnings=preview.warnings)
    if rows is None:
        return preview
    if not rows:
        errors.add("на листе нет ни одной заполненной строки", sheet=sheet.title)
        return preview
    _match_rows(preview, rows, user)
    if not errors and not preview.rows:
        errors.add(
            "в файле нет ни одного значения социального паспорта: заполните хотя бы один столбец после «Год»",
            sheet=sheet.title,
        )
    errors.in_file_order()
    return preview


def _match_rows(preview: PassportPreview, rows: list[TableRow], user) -> None:
    errors = preview.errors
    scope = SchoolMatcher(
        user, rows, whose="социальные паспорта которых вы загружаете",
        only="вы загружаете социальные паспорта только школ муниципалитета",
    )
    matched: list[tuple] = []
    seen: dict[tuple[int, int], int] = {}
    for row in rows:
        school = scope.school(row, errors)
        year = row.values.get("year")
        if school is None or year is None:
            continue
        if (school.pk, year) in seen:
            errors.add(
                f"школа «{school.short_name}» за {year} год уже есть в строке {seen[school.pk, year]}: одна школа "
                "и год — одна строка",
                **row.place("school"),
            )
            continue
        seen[school.pk, year] = row.number
        if row.bad:
            continue
        values = {name: row.values[name] for name in PASSPORT_FIELDS if row.values.get(name) is not None}
        if not values:
            preview.empty_rows += 1
            continue
        matched.append((row, school, year, values))

    existing = {
        (profile.school_id, profile.year): profile
        for profile in SchoolYearProfile.objects.filter(
            school_id__in={school.pk for _r, school, _y, _v in matched}, year__in={year for _r, _s, year, _v in matched}
        )
    }
    for row, school, year, values in matched:
        current = existing.get((school.pk, year))
        merged = {name: getattr(current, name) for name in ("pupils", "graduates_9", "graduates_11")} if current else {}
        merged.update(values)
        for name, message in profile_consistency_errors(merged).items():
            if name in values:
                errors.add(message[:1].lower() + message[1:], **row.place(name))
            elif "pupils" in values:  # the part is the portal's, the whole comes from the file
                errors.add(
                    f"обучающихся {values['pupils']} — меньше, чем {profile_label(name).lower()} на портале "
                    f"за {year} год ({merged[name]})",
                    **row.place("pupils"),
                )
        changes = [
            Change(name, profile_label(name), shown_value(getattr(current, name) if current else None),
                   shown_value(value))
            for name, value in values.items()
            if current is None or getattr(current, name) != value
        ]  # fmt: skip
        preview.rows.append(PassportRow(row.number, school, year, values, current, changes))


# --- saving --------------------------------------------------------------------------------------------------------


class PassportImportError(Exception):
    """The file cannot be saved; `messages` say why, in Russian."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class PassportImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def summary(self) -> str:
        return (
            f"Социальные паспорта загружены: новых {self.created}, обновлено {self.updated}, "
            f"без изменений {self.unchanged}."
        )


def passport_import_save(*, preview: PassportPreview, actor) -> PassportImportResult:
    """Store every checked row in one transaction (each change with its history), or nothing."""
    if not preview.ok:
        raise PassportImportError(preview.errors.messages() or ["В файле нет значений для загрузки."])
    try:
        with transaction.atomic():
            return _save(preview, actor)
    except IntegrityError:
        raise PassportImportError(
            [
                "Пока вы проверяли файл, паспорт одной из школ сохранил другой пользователь. Ничего не сохранено: "
                "загрузите файл ещё раз, чтобы увидеть, что изменится теперь."
            ]
        ) from None


def _rule_reads_pupils() -> bool:
    """Whether the cluster rule has size bands: only then does a school's number of pupils move it."""
    return any(line.min_pupils is not None or line.max_pupils is not None for line in rule_lines())


def _save(preview: PassportPreview, actor) -> PassportImportResult:
    result = PassportImportResult()
    # Read again under a lock: what the preview showed may have changed since.
    locked = {
        (profile.school_id, profile.year): profile
        for profile in SchoolYearProfile.objects.select_for_update().filter(
            school_id__in={row.school.pk for row in preview.rows}, year__in={row.year for row in preview.rows}
        )
    }
    new, changed, fields, resized = [], [], set(), []
    for row in preview.rows:
        current = locked.get((row.school.pk, row.year))
        if current is None:
            new.append(SchoolYearProfile(school=row.school, year=row.year, **row.values))
            resized.append(row.school)
            continue
        names = [name for name, value in row.values.items() if getattr(current, name) != value]
        if not names:
            result.unchanged += 1
            continue
        for name in names:
            setattr(current, name, row.values[name])
        changed.append(current)
        fields.update(names)
        if "pupils" in names:
            resized.append(row.school)
    if new:
        bulk_create_with_history(
            new, SchoolYearProfile, batch_size=500, default_user=actor, default_change_reason=REASON
        )
    if changed:
        bulk_update_with_history(
            changed, SchoolYearProfile, sorted(fields), batch_size=500, default_user=actor,
            default_change_reason=REASON,
        )  # fmt: skip
    if resized and _rule_reads_pupils():
        clusters_assign(schools={school.pk: school for school in resized}.values())
    result.created, result.updated = len(new), len(changed)
    return result
