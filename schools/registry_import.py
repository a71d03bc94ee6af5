"""Import of school cards and yearly profiles from the portal's xlsx template.

The department downloads the template (`registry_template_xlsx`), fills the sheets «Школы» and «Профили» and
uploads it. `registry_import_preview` reads every row first — each cell by the upload pipeline's readers, each
problem named by sheet, row and column in Russian — and says what saving would do; `registry_import_save` stores
it all in one transaction, and only a file without a single error: a school is matched by municipality and short
name, a profile by school and year, and what is not found is created. New schools (and schools whose kind, locality
or size changed) are then put into their cluster by rule.

An empty optional cell keeps the value the portal already has (for a new record it stays empty), so a file may carry
only the columns that change.
"""

from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from shnor_portal.spreadsheets import xlsx_bytes
from shnor_portal.uploads import (
    CheckedFile,
    Column,
    Problems,
    TableRow,
    UploadRefused,
    choice_reader,
    normalized,
    read_count,
    read_digits,
    read_email,
    read_percent,
    read_table,
    read_workbook,
    read_year,
    read_yes_no,
    sheet_named,
    shown,
    text_reader,
)

from .access import require_department, visible_municipalities, visible_schools
from .clusters import clusters_assign
from .forms import COUNT_FIELDS, SHARE_FIELDS, profile_consistency_errors
from .models import School, SchoolYearProfile
from .signals import rows_changed_in

SCHOOL_SHEET = "Школы"
PROFILE_SHEET = "Профили"
REFERENCE_SHEET = "Справочник"
REASON = "загрузка реестра"


# Reading cells -----------------------------------------------------------------------------------------------------

read_kind = choice_reader(
    {label: code for code, label in School.Kind.choices}
    | {code: code for code in School.Kind.values}
    | {"интернат": School.Kind.BOARDING, "школа интернат": School.Kind.BOARDING},
    allowed=School.Kind.labels,
)
read_locality = choice_reader(
    {
        "городская": School.Locality.URBAN, "город": School.Locality.URBAN,
        "городская местность": School.Locality.URBAN, "urban": School.Locality.URBAN,
        "сельская": School.Locality.RURAL, "село": School.Locality.RURAL,
        "сельская местность": School.Locality.RURAL, "rural": School.Locality.RURAL,
    },
    allowed=["городская", "сельская"],
)  # fmt: skip


def read_small(value) -> bool | None:
    return read_yes_no(value, yes=["малокомплектная"], no=["не малокомплектная"])


def read_inn(value) -> str:
    return read_digits(value, lengths=(10, 12), name="ИНН")


def read_ogrn(value) -> str:
    return read_digits(value, lengths=(13,), name="ОГРН")


def unknown_municipality_message(name) -> str:
    """Said by the portal's import and by the back office's alike."""
    return f"муниципалитет {shown(name)} не найден в реестре. Названия — как на листе «{REFERENCE_SHEET}» шаблона"


def unknown_school_message(name, municipality_name: str) -> str:
    return (
        f"школа {shown(name)} не найдена в муниципалитете «{municipality_name}». Проверьте краткое наименование "
        f"или добавьте школу на лист «{SCHOOL_SHEET}»"
    )


# The template's columns --------------------------------------------------------------------------------------------

SCHOOL_COLUMNS = [
    Column("Муниципалитет", "municipality", text_reader(200), required=True),
    Column("Краткое наименование", "short_name", text_reader(200), required=True),
    Column("Полное наименование", "name", text_reader(500), required=True),
    Column("Тип", "kind", read_kind, required=True),
    Column("Местность", "locality", read_locality, required=True),
    Column("Малокомплектная (да/нет)", "is_small", read_small),
    Column("Адрес", "address", text_reader(500)),
    Column("Директор", "director", text_reader(200)),
    Column("Телефон", "phone", text_reader(64)),
    Column("Эл. почта", "email", read_email, aliases=("электронная почта", "e-mail", "email")),
    Column("ИНН", "inn", read_inn),
    Column("ОГРН", "ogrn", read_ogrn),
]
SCHOOL_CARD_FIELDS = [c.field for c in SCHOOL_COLUMNS if c.field != "municipality"]
SCHOOL_OPTIONAL_TEXT = {"address", "director", "phone", "email", "inn", "ogrn"}


def profile_label(name: str) -> str:
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
    Column("Муниципалитет", "municipality", text_reader(200), required=True),
    Column("Школа (краткое наименование)", "school", text_reader(200), required=True, aliases=("краткое наименование",)),
    Column("Год", "year", read_year, required=True, aliases=("учебный год",)),
] + [Column(profile_label(name), name, read_percent if name in SHARE_FIELDS else read_count) for name in PROFILE_FIELDS]


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


# The check ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewProfile:
    key: tuple  # (municipality id, normalized short name), as `RegistryPreview.existing_schools`
    school_name: str
    municipality_name: str
    year: int
    values: dict


@dataclass(frozen=True)
class PreviewLine:
    """One school or profile that saving creates or changes, as the preview lists it."""

    action: str
    created: bool
    school: str
    municipality: str
    year: int | None
    changes: list[str]


@dataclass(kw_only=True)
class RegistryPreview(CheckedFile):
    """What saving the file would do; nothing is written while it is built."""

    new_schools: list[dict] = field(default_factory=list)  # the values of each school to create
    school_changes: list[tuple[School, dict]] = field(default_factory=list)  # a school and its changed values
    schools_unchanged: int = 0
    new_profiles: list[NewProfile] = field(default_factory=list)
    profile_changes: list[tuple[SchoolYearProfile, dict]] = field(default_factory=list)
    profiles_unchanged: int = 0
    existing_schools: dict = field(default_factory=dict)  # (municipality id, normalized short name) → School

    @property
    def has_changes(self) -> bool:
        return bool(self.new_schools or self.school_changes or self.new_profiles or self.profile_changes)

    def lines(self) -> list[PreviewLine]:
        return [
            PreviewLine("новая школа", True, values["short_name"], values["municipality"].name, None,
                        [_change(School, name, _CREATED, value) for name, value in values.items()
                         if name not in ("municipality", "short_name") and value not in (None, "")])
            for values in self.new_schools
        ] + [
            PreviewLine("изменится школа", False, school.short_name, school.municipality.name, None,
                        [_change(School, name, getattr(school, name), value) for name, value in changes.items()])
            for school, changes in self.school_changes
        ] + [
            PreviewLine("новый профиль", True, new.school_name, new.municipality_name, new.year,
                        [_change(SchoolYearProfile, name, _CREATED, value) for name, value in new.values.items()])
            for new in self.new_profiles
        ] + [
            PreviewLine("изменится профиль", False, profile.school.short_name, profile.school.municipality.name, profile.year,
                        [_change(SchoolYearProfile, name, getattr(profile, name), value)
                         for name, value in changes.items()])
            for profile, changes in self.profile_changes
        ]  # fmt: skip


_CREATED = object()  # the «old value» of a record that saving creates


def _change(model, name: str, old, new) -> str:
    """«Тип: СОШ» for a new record, «Тип: ООШ → СОШ» for a changed one."""
    model_field = model._meta.get_field(name)
    label = str(model_field.verbose_name)
    label = label[:1].upper() + label[1:]

    def shown_value(value) -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, bool):
            return "да" if value else "нет"
        if model_field.choices:
            return str(dict(model_field.choices).get(value, value))
        return shown(value).strip("«»")

    if old is _CREATED:
        return f"{label}: {shown_value(new)}"
    return f"{label}: {shown_value(old)} → {shown_value(new)}"


@dataclass
class RegistryImportResult:
    schools_created: int = 0
    schools_updated: int = 0
    schools_unchanged: int = 0
    profiles_created: int = 0
    profiles_updated: int = 0
    profiles_unchanged: int = 0
    clusters_assigned: int = 0

    @property
    def summary(self) -> str:
        return (
            f"Загрузка завершена. Школы: добавлено {self.schools_created}, обновлено {self.schools_updated}, "
            f"без изменений {self.schools_unchanged}. Профили по годам: добавлено {self.profiles_created}, "
            f"обновлено {self.profiles_updated}, без изменений {self.profiles_unchanged}."
        )


class RegistryImportError(Exception):
    """The file cannot be saved; `messages` say why, in Russian."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def registry_import_preview(file, *, actor) -> RegistryPreview:
    """Check every row of the uploaded template against the actor's registry; nothing is written here."""
    require_department(actor)
    preview = RegistryPreview()
    errors = preview.errors
    try:
        sheets = read_workbook(file)
    except UploadRefused as refused:
        errors.add(str(refused))
        return preview
    school_sheet, profile_sheet = sheet_named(sheets, SCHOOL_SHEET), sheet_named(sheets, PROFILE_SHEET)
    if school_sheet is None and profile_sheet is None:
        errors.add(f"в файле нет листов «{SCHOOL_SHEET}» и «{PROFILE_SHEET}». Возьмите шаблон на этой странице")
        return preview
    warnings = preview.warnings
    school_rows = (
        read_table(_titled(school_sheet, SCHOOL_SHEET), SCHOOL_COLUMNS, errors, warnings=warnings)
        if school_sheet else None
    )  # fmt: skip
    profile_rows = (
        read_table(_titled(profile_sheet, PROFILE_SHEET), PROFILE_COLUMNS, errors, warnings=warnings)
        if profile_sheet else None
    )  # fmt: skip
    if not errors and not (school_rows or profile_rows):
        errors.add("в файле нет ни одной заполненной строки")
        return preview
    _plan(preview, actor, school_rows or [], profile_rows or [])
    # In the order of the file: sheet by sheet, row by row (cells are read first, then rows are matched).
    errors.in_file_order(["", SCHOOL_SHEET, PROFILE_SHEET])
    return preview


def _titled(sheet, title: str):
    """The sheet under the template's title, so that messages name it as the template does."""
    sheet.title = title
    return sheet


class _Municipalities:
    """The actor's municipalities by name; a row naming another one is reported."""

    def __init__(self, actor, errors: Problems):
        self.by_name = {normalized(m.name): m for m in visible_municipalities(actor)}
        self.errors = errors

    def keyed(self, rows: list[TableRow], name_field: str) -> list[tuple[tuple, object, TableRow]]:
        """(key, municipality, row) of the rows whose municipality is known: the key is (municipality id, name)."""
        keyed = []
        for row in rows:
            name = row.values.get("municipality")
            if not name:
                continue
            municipality = self.by_name.get(normalized(name))
            if municipality is None:
                self.errors.add(unknown_municipality_message(name), **row.place("municipality"))
            elif row.values.get(name_field):
                keyed.append(((municipality.pk, normalized(row.values[name_field])), municipality, row))
        return keyed


def _plan(preview: RegistryPreview, actor, school_rows: list[TableRow], profile_rows: list[TableRow]) -> None:
    """Match rows to municipalities, schools and profiles; report unknown and repeated ones."""
    municipalities = _Municipalities(actor, preview.errors)
    keyed_schools = municipalities.keyed(school_rows, "short_name")
    keyed_profiles = municipalities.keyed(profile_rows, "school")
    municipality_ids = {key[0] for key, _m, _r in keyed_schools + keyed_profiles}
    preview.existing_schools = {
        (s.municipality_id, normalized(s.short_name)): s
        for s in visible_schools(actor).filter(municipality_id__in=municipality_ids).select_related("municipality")
    }
    in_file = _plan_schools(preview, keyed_schools)
    _plan_profiles(preview, keyed_profiles, in_file)


def _school_changes(school: School, values: dict) -> dict:
    """The values that change the school; an empty cell keeps what the portal has."""
    return {
        name: value
        for name, value in values.items()
        if name != "municipality"
        and value is not None
        and not (value == "" and name in SCHOOL_OPTIONAL_TEXT)
        and getattr(school, name) != value
    }


def _plan_schools(preview: RegistryPreview, keyed_rows) -> set[tuple]:
    """New and changed schools of the sheet «Школы»; returns the keys of the schools the sheet names."""
    seen: dict[tuple, int] = {}
    for key, municipality, row in keyed_rows:
        if key in seen:
            preview.errors.add(
                f"школа {shown(row.values['short_name'])} ({municipality.name}) уже есть в строке {seen[key]}: "
                "одна школа — одна строка",
                **row.place("short_name"),
            )
            continue
        seen[key] = row.number
        if row.bad:
            continue
        values = {name: row.values[name] for name in SCHOOL_CARD_FIELDS if name in row.present}
        values["municipality"] = municipality
        school = preview.existing_schools.get(key)
        if school is None:
            preview.new_schools.append(values)
        elif changes := _school_changes(school, values):
            preview.school_changes.append((school, changes))
        else:
            preview.schools_unchanged += 1
    return set(seen)


def _plan_profiles(preview: RegistryPreview, keyed_rows, schools_in_file: set[tuple]) -> None:
    existing = preview.existing_schools
    school_ids = {existing[key].pk for key, _m, _r in keyed_rows if key in existing}
    years = {row.values["year"] for _k, _m, row in keyed_rows if row.values.get("year")}
    current_profiles = {
        (p.school_id, p.year): p
        for p in SchoolYearProfile.objects.filter(school_id__in=school_ids, year__in=years).select_related(
            "school__municipality"
        )
    } if school_ids else {}  # fmt: skip
    seen: dict[tuple, int] = {}
    for key, municipality, row in keyed_rows:
        if key not in existing and key not in schools_in_file:
            preview.errors.add(unknown_school_message(row.values["school"], municipality.name), **row.place("school"))
            continue
        year = row.values.get("year")
        if year is None:
            continue
        if (key, year) in seen:
            preview.errors.add(
                f"профиль школы {shown(row.values['school'])} за {year} год уже есть в строке {seen[key, year]}: "
                "одна школа и год — одна строка",
                **row.place("year"),
            )
            continue
        seen[key, year] = row.number
        if row.bad:
            continue
        values = {name: row.values[name] for name in PROFILE_FIELDS if name in row.present and row.values[name] is not None}
        current = current_profiles.get((existing[key].pk, year)) if key in existing else None
        _check_profile(preview.errors, row, values, current)
        if current is None:
            preview.new_profiles.append(NewProfile(key, row.values["school"], municipality.name, year, values))
        elif changes := {name: value for name, value in values.items() if getattr(current, name) != value}:
            preview.profile_changes.append((current, changes))
        else:
            preview.profiles_unchanged += 1


def _check_profile(errors: Problems, row: TableRow, values: dict, current: SchoolYearProfile | None) -> None:
    """The profile as it would be after saving: parts may not exceed their whole."""
    merged = {name: getattr(current, name) for name in PROFILE_FIELDS} if current else {}
    merged.update(values)
    for name, message in profile_consistency_errors(merged).items():
        errors.add(message[:1].lower() + message[1:], **row.place(name, header=profile_label(name)))


# Saving ------------------------------------------------------------------------------------------------------------


def registry_import_save(*, preview: RegistryPreview, actor) -> RegistryImportResult:
    """Store a checked file in one transaction, each change with its history; nothing when the file has errors."""
    require_department(actor)
    if preview.errors:
        raise RegistryImportError(preview.errors.messages())
    with transaction.atomic():
        return _save(preview, actor)


def _save(preview: RegistryPreview, actor) -> RegistryImportResult:
    result = RegistryImportResult(
        schools_unchanged=preview.schools_unchanged, profiles_unchanged=preview.profiles_unchanged
    )
    new_schools = [
        School(
            **{
                name: ("" if value is None and name in SCHOOL_OPTIONAL_TEXT else value)
                for name, value in values.items()
                if value is not None or name in SCHOOL_OPTIONAL_TEXT
            }
        )
        for values in preview.new_schools
    ]
    if new_schools:
        bulk_create_with_history(new_schools, School, batch_size=500, default_user=actor, default_change_reason=REASON)
    result.schools_created = len(new_schools)

    recluster, update_fields = [], set()
    for school, changes in preview.school_changes:
        for name, value in changes.items():
            setattr(school, name, value)
        update_fields.update(changes)
        if {"kind", "locality", "is_small"} & changes.keys():
            recluster.append(school)
    if preview.school_changes:
        bulk_update_with_history(
            [school for school, _changes in preview.school_changes], School, sorted(update_fields), batch_size=500,
            default_user=actor, default_change_reason=REASON,
        )  # fmt: skip
    result.schools_updated = len(preview.school_changes)
    touched = [*new_schools, *(school for school, _changes in preview.school_changes)]
    rows_changed_in(municipality_ids={school.municipality_id for school in touched})

    schools = _schools_by_key(preview, new_schools)
    _save_profiles(preview, schools, result, actor=actor)
    fresh = [schools[(s.municipality_id, normalized(s.short_name))] for s in new_schools]
    result.clusters_assigned = clusters_assign(schools=fresh + recluster)
    return result


def _schools_by_key(preview: RegistryPreview, new_schools: list[School]) -> dict:
    """Schools by key, with the primary keys of the new ones (re-read: not every database returns them)."""
    schools = dict(preview.existing_schools)
    if new_schools:
        for school in School.objects.filter(
            municipality_id__in={s.municipality_id for s in new_schools},
            short_name__in=[s.short_name for s in new_schools],
        ):
            schools[(school.municipality_id, normalized(school.short_name))] = school
    return schools


def _save_profiles(preview: RegistryPreview, schools: dict, result: RegistryImportResult, *, actor) -> None:
    created = [SchoolYearProfile(school=schools[new.key], year=new.year, **new.values) for new in preview.new_profiles]
    if created:
        bulk_create_with_history(
            created, SchoolYearProfile, batch_size=500, default_user=actor, default_change_reason=REASON
        )
    fields = set()
    for profile, changes in preview.profile_changes:
        for name, value in changes.items():
            setattr(profile, name, value)
        fields.update(changes)
    if preview.profile_changes:
        bulk_update_with_history(
            [profile for profile, _changes in preview.profile_changes], SchoolYearProfile, sorted(fields),
            batch_size=500, default_user=actor, default_change_reason=REASON,
        )  # fmt: skip
    result.profiles_created, result.profiles_updated = len(created), len(preview.profile_changes)
