"""Importing results into the registry: match the rows of a parsed file to schools, preview, then save.

A row is matched by name within its municipality, both sides reduced to a comparable key first
(`schools.school_names`); what still does not match is shown for review, and each decision is remembered as a `SchoolNameAlias` so that the
next year's file matches by itself.

`results_import_preview` reads the registry with a constant number of queries and says what would happen;
`results_import_save` writes everything in one transaction, or nothing.
"""

import hashlib
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from shnor_portal.pg_copy import copy_from
from shnor_portal.uploads import CheckedFile, Problem, Problems

from .clusters import clusters_assign
from .measures import EXAM_NAMES, measure_code, measures_by_code, subject_name
from .models import (
    Measure,
    Municipality,
    Region,
    ResultImport,
    School,
    SchoolNameAlias,
    SchoolResult,
    SchoolYearProfile,
)
from .results_file import ParsedRow, ParsedWorkbook
from .school_names import (
    SchoolIndex,
    core_key,
    guess_locality,
    guess_school_kind,
    municipality_key,
    municipality_kind,
    normalize_name,
    proposed_municipality_name,
    school_name_key,
    short_school_name,
)
from .signals import rows_changed_in

CREATE = "create"
MAP = "map"
SKIP = "skip"

RESULTS_BATCH_SIZE = 2000


class ResultsImportError(Exception):
    """The import cannot be saved; `messages` say why, in Russian."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def _subject_label(code: str) -> str:
    parts = code.split("-")
    exam, subject = parts[0], "-".join(parts[1:-1])
    exam_name = EXAM_NAMES.get(exam, exam)
    return f"{exam_name}, {subject_name(subject)}" if subject else f"{exam_name}, всего"


# --- the preview ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameDecision:
    """What to do with a name that matched no school: create a school (in `municipality_id`, or in the matched
    municipality, or in a new one named after the file), map it to `school_id`, or skip its rows."""

    action: str
    school_id: int | None = None
    municipality_id: int | None = None


@dataclass
class FileMunicipality:
    name: str  # as written in the file
    normalized: str
    municipality: Municipality | None
    proposed_name: str


@dataclass
class UnmatchedName:
    key: str  # stable across parses of the same file: the decision's name in forms and in `mapping`
    municipality_name: str
    school_name: str
    school_key: str
    file_municipality: FileMunicipality
    candidates: list[School] = field(default_factory=list)
    suggestion: School | None = None
    ambiguous: bool = False
    rows: list[ParsedRow] = field(default_factory=list)

    @property
    def municipality(self) -> Municipality | None:
        return self.file_municipality.municipality

    @property
    def years(self) -> list[int]:
        return sorted({row.year for row in self.rows})

    @property
    def value_count(self) -> int:
        return sum(len(row.values) for row in self.rows)

    @property
    def places(self) -> str:
        shown = ", ".join(f"лист {row.sheet}, строка {row.excel_row}" for row in self.rows[:3])
        return shown + (f" и ещё {len(self.rows) - 3}" if len(self.rows) > 3 else "")


@dataclass
class SheetSummary:
    year: int
    sheet: str
    kind: str
    schools: int
    values: int
    subjects: list[tuple[str, int]]  # subject label, schools with a value


@dataclass(kw_only=True)
class ImportPreview(CheckedFile):
    parsed: ParsedWorkbook
    year: int | None
    rows: list[ParsedRow]
    matched: list[tuple[ParsedRow, School]]
    unmatched: list[UnmatchedName]
    municipalities: list[FileMunicipality]
    summaries: list[SheetSummary]
    values_to_create: int = 0
    values_to_update: int = 0
    # The importer's territory (issue 20): its municipalities and regions; None — every one (the command line).
    territory: "ImportTerritory | None" = None

    @property
    def years(self) -> list[int]:
        return sorted({row.year for row in self.rows})

    @property
    def matched_schools(self) -> int:
        return len({school.pk for _row, school in self.matched})

    @property
    def unmatched_values(self) -> int:
        return sum(name.value_count for name in self.unmatched)

    @property
    def unmatched_municipalities(self) -> list[FileMunicipality]:
        return [m for m in self.municipalities if m.municipality is None]


@dataclass(frozen=True)
class ImportTerritory:
    """Where a department's file may write: the municipalities it is the department of and their regions. A row of
    another territory's municipality finds no match, and no school or municipality is created outside it."""

    municipality_ids: frozenset[int]
    region_ids: frozenset[int]

    def municipalities(self):
        return Municipality.objects.filter(pk__in=self.municipality_ids)


class _Registry:
    """What the matching needs from the database, read once."""

    def __init__(self, territory: ImportTerritory | None = None):
        municipalities = territory.municipalities() if territory else Municipality.objects.all()
        self.municipalities = list(municipalities.select_related("region"))
        self.aliases = list(SchoolNameAlias.objects.select_related("school").order_by("created_at", "pk"))
        self.by_name: dict[str, list[Municipality]] = defaultdict(list)
        self.by_key: dict[str, list[Municipality]] = defaultdict(list)
        for municipality in self.municipalities:
            self.by_name[normalize_name(municipality.name)].append(municipality)
            self.by_key[municipality_key(municipality.name)].append(municipality)
        # Later decisions win over earlier ones for the same name.
        self.alias_school: dict[tuple[str, str], School] = {}
        self.alias_municipalities: dict[str, set[int]] = defaultdict(set)
        for alias in self.aliases:
            file_municipality = normalize_name(alias.municipality_name)
            self.alias_school[file_municipality, alias.normalized] = alias.school
            self.alias_municipalities[file_municipality].add(alias.school.municipality_id)
        self.by_id = {m.pk: m for m in self.municipalities}
        self.schools = SchoolIndex([])

    def municipality_for(self, file_name: str, region_name: str) -> Municipality | None:
        normalized = normalize_name(file_name)
        found = self.by_name.get(normalized, [])
        if len(found) == 1:
            return found[0]
        remembered = self.alias_municipalities.get(normalized, set())
        if len(remembered) == 1:
            return self.by_id.get(next(iter(remembered)))
        key = municipality_key(file_name)
        found = self.by_key.get(key, [])
        if len(found) > 1 and region_name:
            found = [m for m in found if normalize_name(m.region.name) == normalize_name(region_name)]
        if len(found) == 1:
            return found[0]
        if not found and key.startswith(":"):
            # The file gives no kind («Биробиджан»): take the only municipality with these words, of any kind.
            words = key.split(":", 1)[1]
            found = [m for k, ms in self.by_key.items() if k.split(":", 1)[1] == words for m in ms]
            if len(found) == 1:
                return found[0]
        return None

    def load_schools(self, municipality_ids: set[int]) -> None:
        self.schools = SchoolIndex(School.objects.filter(municipality_id__in=municipality_ids))


def _decision_key(municipality_normalized: str, school_key: str) -> str:
    return hashlib.sha1(f"{municipality_normalized}|{school_key}".encode()).hexdigest()[:12]


def results_import_preview(
    *, parsed: ParsedWorkbook, year: int | None = None, territory: ImportTerritory | None = None
) -> ImportPreview:
    """Match the parsed rows to the registry (of the importer's territory) and count what saving would create and
    update."""
    errors = Problems()
    errors.extend(parsed.errors)
    rows = [row for row in parsed.rows if year is None or row.year == year]
    if year is not None and not rows and parsed.ok:
        present = ", ".join(str(y) for y in parsed.years) or "нет ни одного"
        errors.add(f"В файле нет данных за {year} год (годы в файле: {present}).")

    registry = _Registry(territory)
    file_municipalities: dict[str, FileMunicipality] = {}
    for row in rows:
        normalized = normalize_name(row.municipality_name)
        if normalized not in file_municipalities:
            file_municipalities[normalized] = FileMunicipality(
                name=row.municipality_name,
                normalized=normalized,
                municipality=registry.municipality_for(row.municipality_name, parsed.region_name),
                proposed_name=proposed_municipality_name(row.municipality_name),
            )
    _propose_municipality_names([m for m in file_municipalities.values() if m.municipality is None])
    registry.load_schools({m.municipality.pk for m in file_municipalities.values() if m.municipality})

    matched: list[tuple[ParsedRow, School]] = []
    unmatched: dict[str, UnmatchedName] = {}
    for row in rows:
        file_municipality = file_municipalities[normalize_name(row.municipality_name)]
        key = school_name_key(row.school_name)
        school = registry.alias_school.get((file_municipality.normalized, key))
        ambiguous: list[School] = []
        if school is None and file_municipality.municipality:
            school, ambiguous = registry.schools.find(file_municipality.municipality.pk, key)
        if school is not None:
            matched.append((row, school))
            continue
        decision_key = _decision_key(file_municipality.normalized, key)
        if decision_key not in unmatched:
            municipality_id = file_municipality.municipality.pk if file_municipality.municipality else None
            unmatched[decision_key] = UnmatchedName(
                key=decision_key,
                municipality_name=row.municipality_name,
                school_name=row.school_name,
                school_key=key,
                file_municipality=file_municipality,
                candidates=sorted(registry.schools.by_municipality.get(municipality_id, []), key=lambda s: s.short_name),
                suggestion=ambiguous[0] if ambiguous else registry.schools.suggest(municipality_id, key),
                ambiguous=bool(ambiguous),
            )
        unmatched[decision_key].rows.append(row)

    errors.extend(
        _conflicts(
            [(row, school.pk, school.short_name) for row, school in matched]
            + [(row, name.key, name.school_name) for name in unmatched.values() for row in name.rows]
        )
    )
    existing = _existing_results(matched, rows)
    to_update = sum(
        1 for row, school in matched for code in row.values if (school.pk, row.year, code) in existing
    )
    total_matched = sum(len(row.values) for row, _school in matched)
    return ImportPreview(
        parsed=parsed,
        year=year,
        rows=rows,
        matched=matched,
        unmatched=sorted(unmatched.values(), key=lambda n: (n.municipality_name.lower(), n.school_name.lower())),
        municipalities=sorted(file_municipalities.values(), key=lambda m: m.name.lower()),
        errors=errors,
        warnings=parsed.warnings,
        summaries=_summaries(parsed, rows),
        values_to_create=total_matched - to_update,
        values_to_update=to_update,
        territory=territory,
    )


def _propose_municipality_names(file_municipalities: list[FileMunicipality]) -> None:
    """Spellings of one municipality (one municipality key) become one new municipality: give them one name,
    preferably one taken from quotes («…района "Акшинский район"»), which reads best."""
    groups: dict[str, list[FileMunicipality]] = defaultdict(list)
    for file_municipality in file_municipalities:
        groups[municipality_key(file_municipality.name)].append(file_municipality)
    for group in groups.values():
        quoted = [m.proposed_name for m in group if normalize_name(m.proposed_name) != normalize_name(m.name)]
        name = (quoted or [group[0].proposed_name])[0]
        for file_municipality in group:
            file_municipality.proposed_name = name


def _existing_results(matched: list[tuple[ParsedRow, School]], rows: list[ParsedRow]) -> set[tuple[int, int, str]]:
    if not matched:
        return set()
    codes = {code for row in rows for code in row.values}
    years = {row.year for row in rows}
    school_ids = {school.pk for _row, school in matched}
    return {
        key
        for key in _results_of_municipalities(matched_schools=[school for _row, school in matched], years=years)
        .filter(measure__code__in=codes)
        .values_list("school_id", "year", "measure__code")
        if key[0] in school_ids
    }


def _results_of_municipalities(*, matched_schools, years):
    """The stored results of the years in the municipalities of the file's schools. Filtering by municipality, not
    by a list of schools, keeps the query small for any file size; not filtering by place at all read the whole
    country's results of the year for each regional file (an import slowed down as the country filled up)."""
    municipality_ids = {school.municipality_id for school in matched_schools}
    return SchoolResult.objects.filter(year__in=years, school__municipality_id__in=municipality_ids)


def _conflicts(targets: list[tuple[ParsedRow, object, str]]) -> list[Problem]:
    """Two rows giving one school different values of one result in one year."""
    seen: dict[tuple[object, int, str], tuple[ParsedRow, float]] = {}
    problems: list[Problem] = []
    reported: set[tuple[int, int]] = set()
    for row, target, label in targets:
        for code, value in row.values.items():
            first = seen.setdefault((target, row.year, code), (row, value))
            if first[0] is row or first[1] == value:
                continue
            pair = (id(first[0]), id(row))
            if pair in reported:
                continue
            reported.add(pair)
            problems.append(
                Problem(
                    f"результаты школы «{label}» за {row.year} год уже даны в строке {first[0].excel_row} листа "
                    f"«{first[0].sheet}», и значения расходятся (например, «{code}»: {first[1]:g} и {value:g})",
                    sheet=row.sheet,
                    row=row.excel_row,
                )
            )
    return problems


def _summaries(parsed: ParsedWorkbook, rows: list[ParsedRow]) -> list[SheetSummary]:
    by_sheet: dict[tuple[str, int], list[ParsedRow]] = defaultdict(list)
    for row in rows:
        by_sheet[row.sheet, row.year].append(row)
    kinds = {sheet.title: sheet.kind_label for sheet in parsed.sheets}
    summaries = []
    for (sheet, year), sheet_rows in sorted(by_sheet.items(), key=lambda item: (item[0][1], item[0][0])):
        subjects: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for row in sheet_rows:
            for code in row.values:
                if code.endswith(("-participants", "-applicants")) or parsed.format == "long":
                    subjects[_subject_label(code)].add((row.municipality_name.lower(), row.school_name.lower()))
        summaries.append(
            SheetSummary(
                year=year,
                sheet=sheet,
                kind=kinds.get(sheet, ""),
                schools=len({(r.municipality_name.lower(), r.school_name.lower()) for r in sheet_rows}),
                values=sum(len(r.values) for r in sheet_rows),
                subjects=sorted(((label, len(schools)) for label, schools in subjects.items()), key=lambda s: s[0]),
            )
        )
    return summaries


# --- saving --------------------------------------------------------------------------------------------------------


def results_import_save(
    *,
    preview: ImportPreview,
    mapping: dict[str, NameDecision] | None = None,
    create_missing: bool = False,
    actor=None,
    file_name: str = "",
) -> ResultImport:
    """Store the previewed import in one transaction and return its `ResultImport`.

    `mapping` holds the decisions for unmatched names by `UnmatchedName.key`; names without a decision get a new
    school when `create_missing`, otherwise nothing is stored. Raises ResultsImportError, having stored nothing,
    when the file has errors or a name is left without a decision.
    """
    if preview.errors:
        raise ResultsImportError(preview.errors.messages())
    mapping = mapping or {}
    decisions: dict[str, NameDecision] = {}
    undecided = []
    for name in preview.unmatched:
        decision = mapping.get(name.key) or (NameDecision(CREATE) if create_missing else None)
        if decision is None:
            undecided.append(f"«{name.school_name}» ({name.municipality_name})")
        else:
            decisions[name.key] = decision
    if undecided:
        raise ResultsImportError(
            [f"Не решено, что делать со школами, которых нет в реестре ({len(undecided)}): " + "; ".join(undecided)]
        )
    if not preview.rows:
        raise ResultsImportError(["В файле нет ни одного значения для загрузки."])

    with transaction.atomic():
        targets = _targets(preview=preview, decisions=decisions, actor=actor)
        conflicts = _conflicts([(row, school.pk, school.short_name) for row, school in targets.pairs])
        if conflicts:
            raise ResultsImportError([str(conflict) for conflict in conflicts])
        _remember_names(preview=preview, schools=targets.school_of_name)
        skipped = sum(name.value_count for name in preview.unmatched if decisions[name.key].action == SKIP)
        result_import = _store_values(
            preview=preview, targets=targets, actor=actor, file_name=file_name, skipped=skipped
        )
        if targets.created:
            _profile_graduates(targets=targets, actor=actor)
            clusters_assign(schools=targets.created)
            result_import.summary += " " + _created_schools_note(targets.created)
            result_import.save(update_fields=["summary"])
        return result_import


@dataclass
class _Targets:
    pairs: list[tuple[ParsedRow, School]]  # every row to store with its school
    school_of_name: dict[str, School]  # by UnmatchedName.key, for the names created or mapped
    created_municipalities: int
    created: list[School]  # the schools created for names of the file

    @property
    def created_schools(self) -> int:
        return len(self.created)


def _targets(*, preview: ImportPreview, decisions: dict[str, NameDecision], actor) -> _Targets:
    """The school of every row to store, creating municipalities and schools as decided."""
    mapped_ids = {d.school_id for d in decisions.values() if d.action == MAP}
    schools, municipalities = School.objects.all(), Municipality.objects.all()
    if preview.territory is not None:  # a choice outside the importer's territory is «not found»
        municipalities = preview.territory.municipalities()
        schools = schools.filter(municipality__in=municipalities)
    mapped = schools.in_bulk(mapped_ids) if mapped_ids else {}
    chosen_ids = {d.municipality_id for d in decisions.values() if d.action == CREATE and d.municipality_id}
    chosen = municipalities.in_bulk(chosen_ids) if chosen_ids else {}
    problems = [
        f"Школа № {school_id} для сопоставления не найдена в реестре." for school_id in mapped_ids - mapped.keys()
    ] + [f"Муниципалитет № {pk} не найден в реестре." for pk in chosen_ids - chosen.keys()]
    if problems:
        raise ResultsImportError(problems)

    # Newest first: when one school stands under two names in different years, it takes the newer one.
    to_create = sorted(
        (name for name in preview.unmatched if decisions[name.key].action == CREATE), key=lambda n: -max(n.years)
    )
    new_municipalities = _create_municipalities(
        preview=preview,
        names=[n for n in to_create if not decisions[n.key].municipality_id and n.municipality is None],
    )

    def home_of(name: UnmatchedName) -> Municipality:
        decision = decisions[name.key]
        if decision.municipality_id:
            return chosen[decision.municipality_id]
        return name.municipality or new_municipalities[municipality_key(name.municipality_name)]

    school_of_name: dict[str, School] = {}
    new: dict[tuple[int, str], School] = {}
    if to_create:
        homes = {name.key: home_of(name) for name in to_create}
        existing = SchoolIndex(School.objects.filter(municipality__in={m.pk for m in homes.values()}))
        taken: dict[int, set[str]] = defaultdict(set)
        for municipality_id, schools in existing.by_municipality.items():
            taken[municipality_id] = {school.short_name.lower() for school in schools}
        years_of_new: dict[tuple[int, str], set[int]] = {}
        for name in to_create:
            home = homes[name.key]
            # One school, not two, when the chosen municipality holds it already, when it stands under two
            # spellings of its municipality, or when only its legal form changed between years (МБОУ → МАОУ):
            # the same legal-form-free name in different years of one file is one school.
            core = (home.pk, core_key(name.school_key))
            found = new.get((home.pk, name.school_key)) or existing.find(home.pk, name.school_key)[0]
            if found is None and core in new and not years_of_new[core] & set(name.years):
                found = new[core]
            if found is None:
                found = School(
                    municipality=home,
                    name=name.school_name[:500],
                    short_name=_unique_short_name(short_school_name(name.school_name), taken[home.pk]),
                    kind=guess_school_kind(name.school_name),
                    locality=guess_locality(name.school_name, home),
                )
                new[home.pk, name.school_key] = found
                new.setdefault(core, found)
            years_of_new.setdefault(core, set()).update(name.years)
            school_of_name[name.key] = found
        bulk_create_with_history(
            _unique(new.values()), School,
            default_user=actor, default_change_reason="создана при загрузке результатов",
        )
    for name in preview.unmatched:
        if decisions[name.key].action == MAP:
            school_of_name[name.key] = mapped[decisions[name.key].school_id]

    pairs = list(preview.matched)
    for name in preview.unmatched:
        if name.key in school_of_name:
            pairs.extend((row, school_of_name[name.key]) for row in name.rows)
    return _Targets(
        pairs=pairs,
        school_of_name=school_of_name,
        created_municipalities=len({m.pk for m in new_municipalities.values()}),
        created=_unique(new.values()),
    )


GRADUATES_CODE = measure_code("ege", "", Measure.Metric.GRADUATES)


def _profile_graduates(*, targets: _Targets, actor) -> None:
    """The graduates of grade 11 that the file gives for a created school become its yearly profile's, so that
    the cluster rule can size it; a value already in a profile is kept."""
    created_ids = {school.pk for school in targets.created}
    graduates: dict[tuple[int, int], int] = {}
    for row, school in targets.pairs:
        if school.pk in created_ids and row.values.get(GRADUATES_CODE) is not None:
            graduates[school.pk, row.year] = round(row.values[GRADUATES_CODE])
    if not graduates:
        return
    existing = {
        (profile.school_id, profile.year): profile
        for profile in SchoolYearProfile.objects.filter(
            school_id__in=created_ids, year__in={year for _school, year in graduates}
        )
    }
    new, filled = [], []
    for (school_id, year), value in graduates.items():
        profile = existing.get((school_id, year))
        if profile is None:
            new.append(SchoolYearProfile(school_id=school_id, year=year, graduates_11=value))
        elif profile.graduates_11 is None:
            profile.graduates_11 = value
            filled.append(profile)
    reason = "выпускники из загрузки результатов"
    if new:
        bulk_create_with_history(new, SchoolYearProfile, default_user=actor, default_change_reason=reason)
    if filled:
        bulk_update_with_history(
            filled, SchoolYearProfile, ["graduates_11"], default_user=actor, default_change_reason=reason
        )


def _created_schools_note(created: list[School]) -> str:
    localities = Counter(school.locality for school in created)
    shown = ", ".join(
        f"{label} — {localities[value]}" for value, label in School.Locality.choices if localities[value]
    )
    with_cluster = sum(1 for school in created if school.cluster_id)
    return f"Местность новых школ по названию: {shown}; кластер назначен {with_cluster} из {len(created)}."


def _unique(schools) -> list[School]:
    """Each school once (one school can stand under several names of the file)."""
    return list({id(school): school for school in schools}.values())


def _unique_short_name(short_name: str, taken: set[str]) -> str:
    candidate, number = short_name, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = short_name[: 200 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def _create_municipalities(*, preview: ImportPreview, names: list[UnmatchedName]) -> dict[str, Municipality]:
    """New municipalities for file municipalities that matched none, one per municipality key."""
    if not names:
        return {}
    region = _region_for_new_municipalities(preview=preview, example=names[0].municipality_name)
    existing = {normalize_name(m.name): m for m in Municipality.objects.filter(region=region)}
    groups: dict[str, list[UnmatchedName]] = {}
    for name in names:
        groups.setdefault(municipality_key(name.municipality_name), []).append(name)
    by_key: dict[str, Municipality] = {}
    new = []
    for key, group in groups.items():
        proposed = group[0].file_municipality.proposed_name
        municipality = existing.get(normalize_name(proposed))
        if municipality is None:
            municipality = Municipality(region=region, name=proposed, kind=municipality_kind(group[0].municipality_name))
            existing[normalize_name(proposed)] = municipality
            new.append(municipality)
        by_key[key] = municipality
    Municipality.objects.bulk_create(new)
    return by_key


def _region_for_new_municipalities(*, preview: ImportPreview, example: str) -> Region:
    region_name = preview.parsed.region_name
    territory = preview.territory
    regions = list(Region.objects.filter(pk__in=territory.region_ids) if territory else Region.objects.all())
    if region_name:
        for region in regions:
            if normalize_name(region.name) == normalize_name(region_name):
                return region
        if territory is not None:
            raise ResultsImportError([
                f"Файл — результаты региона «{region_name}»: новые муниципалитеты и школы в нём заводит управление "
                "образования этого региона, не вы."
            ])
        return Region.objects.create(name=region_name[:200])
    if len(regions) == 1:
        return regions[0]
    raise ResultsImportError(
        [
            f"Муниципалитет «{example}» не найден в реестре, а регион в файле не указан — выберите муниципалитет "
            "из реестра при сопоставлении."
        ]
    )


def _remember_names(*, preview: ImportPreview, schools: dict[str, School]) -> None:
    aliases = [
        SchoolNameAlias(
            municipality_name=name.municipality_name[:500],
            name=name.school_name[:1000],
            normalized=name.school_key[:1000],
            school=schools[name.key],
        )
        for name in preview.unmatched
        if name.key in schools
    ]
    SchoolNameAlias.objects.bulk_create(
        aliases,
        update_conflicts=True,
        unique_fields=["municipality_name", "normalized"],
        update_fields=["name", "school"],
    )


def _store_values(*, preview: ImportPreview, targets: _Targets, actor, file_name: str, skipped: int) -> ResultImport:
    codes = {code for row, _school in targets.pairs for code in row.values}
    measures = measures_by_code(codes)
    years = sorted({row.year for row, _school in targets.pairs})
    values: dict[tuple[int, int, int], float] = {}
    for row, school in targets.pairs:
        for code, value in row.values.items():
            values[school.pk, row.year, measures[code].pk] = value
    school_ids = {school_id for school_id, _year, _measure in values}
    existing = {
        key
        for key in _results_of_municipalities(matched_schools=[school for _row, school in targets.pairs], years=years)
        .filter(measure__in=[m.pk for m in measures.values()])
        .values_list("school_id", "year", "measure_id")
        if key[0] in school_ids
    }
    updated = len(values.keys() & existing)
    summary = (
        f"Годы: {', '.join(map(str, years))}. Школ: {len(school_ids)}, значений: {len(values)} "
        f"(новых: {len(values) - updated}, обновлено: {updated})."
    )
    if targets.created_schools or targets.created_municipalities:
        summary += f" Создано школ: {targets.created_schools}, муниципалитетов: {targets.created_municipalities}."
    if skipped:
        summary += f" Пропущено значений несопоставленных школ: {skipped}."
    if preview.warnings:
        summary += f" Предупреждений: {preview.warnings.count}."
    result_import = ResultImport.objects.create(
        file_name=file_name[:300],
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        years=", ".join(map(str, years)),
        value_count=len(values),
        school_count=len(school_ids),
        summary=summary,
    )
    rows_changed_in(school_ids=school_ids)
    if connection.vendor == "postgresql":
        _upsert_by_copy(values, result_import)
        return result_import
    SchoolResult.objects.bulk_create(
        [
            SchoolResult(school_id=school_id, year=year, measure_id=measure_id, value=value, source=result_import)
            for (school_id, year, measure_id), value in values.items()
        ],
        batch_size=RESULTS_BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["school", "year", "measure"],
        update_fields=["value", "source"],
    )
    return result_import


def _upsert_by_copy(values: dict[tuple[int, int, int], float], result_import: ResultImport) -> None:
    """The same upsert as the bulk insert above, for a million values: COPY into a temporary table, then one
    INSERT … ON CONFLICT: the ORM's batched upsert spent most of a large import building model instances and
    compiling INSERTs (docs/PERFORMANCE.md)."""
    buffer = io.StringIO()
    for (school_id, year, measure_id), value in values.items():
        buffer.write(f"{school_id}\t{year}\t{measure_id}\t{float(value)!r}\n")
    buffer.seek(0)
    table = SchoolResult._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE result_import_values "
            "(school_id bigint, year smallint, measure_id bigint, value double precision) ON COMMIT DROP"
        )
        copy_from(cursor, "COPY result_import_values (school_id, year, measure_id, value) FROM STDIN", buffer.getvalue())
        cursor.execute(
            f"INSERT INTO {table} (school_id, year, measure_id, value, source_id) "
            "SELECT school_id, year, measure_id, value, %s FROM result_import_values "
            "ON CONFLICT (school_id, year, measure_id) DO UPDATE SET value = EXCLUDED.value, source_id = EXCLUDED.source_id",
            [result_import.pk],
        )
        cursor.execute("DROP TABLE result_import_values")
