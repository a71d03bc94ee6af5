"""Finding the schools and municipalities an uploaded table names, within what the uploader oversees.

One matcher for every import that names schools by «ID школы» or by municipality and name (social passports, the
people file): the same lookups, the same Russian messages naming the row and the column. A coordinator is told only
that a municipality is not theirs — whether it exists elsewhere is not theirs to learn.
"""

from django.db.models import Q

from shnor_portal.uploads import Problems, TableRow, shown

from .access import is_department, passport_municipalities, passport_schools
from .models import Municipality, School, SchoolNameAlias
from .school_names import SchoolIndex, municipality_key, normalize_name, school_name_key


class SchoolMatcher:
    """The user's municipalities and the schools a file names, read with a fixed number of queries.

    `whose` ends the message about an unknown ID («… среди школ …, социальные паспорта которых вы загружаете») and
    `only` the coordinator's message about a municipality not theirs («вы загружаете социальные паспорта только школ
    муниципалитета …»)."""

    def __init__(self, user, rows: list[TableRow], *, whose: str, only: str):
        self.whose, self.only = whose, only
        self.is_department = is_department(user)
        self.municipalities = list(passport_municipalities(user))
        self.by_name = {normalize_name(m.name): m for m in self.municipalities}
        by_key: dict[str, list[Municipality]] = {}
        for municipality in self.municipalities:
            by_key.setdefault(municipality_key(municipality.name), []).append(municipality)
        self.by_key = {key: found[0] for key, found in by_key.items() if len(found) == 1}
        named = {m.pk for m in (self.municipality(row.values.get("municipality")) for row in rows) if m}
        ids = {row.values["school_id"] for row in rows if row.values.get("school_id")}
        schools = list(
            passport_schools(user).filter(Q(municipality_id__in=named) | Q(pk__in=ids)).select_related("municipality")
        )
        self.by_id = {school.pk: school for school in schools}
        self.index = SchoolIndex([school for school in schools if school.municipality_id in named])
        keys = {school_name_key(row.values["school"]) for row in rows if row.values.get("school")}
        self.aliases = {
            (alias.school.municipality_id, alias.normalized): alias.school
            for alias in SchoolNameAlias.objects.filter(
                normalized__in=keys, school__municipality_id__in=named
            ).select_related("school__municipality")
        }

    def municipality(self, name) -> Municipality | None:
        if not name:
            return None
        return self.by_name.get(normalize_name(name)) or self.by_key.get(municipality_key(name))

    def own_municipalities(self) -> str:
        return ", ".join(f"«{m.name}»" for m in sorted(self.municipalities, key=lambda m: m.name))

    def school(self, row: TableRow, errors: Problems) -> School | None:
        """The row's school by its ID, else by municipality and name; None with the problem added."""
        school_id = row.values.get("school_id")
        municipality_name = row.values.get("municipality")
        if school_id:
            return self._school_by_id(row, school_id, municipality_name, errors)
        if not municipality_name or not row.values.get("school"):
            return None  # the empty required cell is reported already
        municipality = self.municipality(municipality_name)
        if municipality is None:
            self.unknown_municipality(row, errors)
            return None
        key = school_name_key(row.values["school"])
        school = self.aliases.get((municipality.pk, key))
        if school is not None:
            return school
        school, ambiguous = self.index.find(municipality.pk, key)
        if school is not None:
            return school
        if ambiguous:
            names = ", ".join(f"«{s.short_name}» (ID {s.pk})" for s in ambiguous)
            errors.add(
                f"в муниципалитете «{municipality.name}» этому наименованию отвечают несколько школ: {names}. Укажите "
                "ID школы в столбце «ID школы»",
                **row.place("school"),
            )
        else:
            errors.add(
                f"школа {shown(row.values['school'])} не найдена в муниципалитете «{municipality.name}». Проверьте "
                "наименование или возьмите строку из шаблона этой страницы (в нём есть ID школы)",
                **row.place("school"),
            )
        return None

    def _school_by_id(self, row, school_id, municipality_name, errors) -> School | None:
        school = self.by_id.get(school_id)
        if school is None:
            whose = "всех муниципалитетов" if self.is_department else f"муниципалитета {self.own_municipalities()}"
            errors.add(f"школы с ID {school_id} нет среди школ {whose}, {self.whose}", **row.place("school_id"))
            return None
        found = self.municipality(municipality_name)
        if municipality_name and found is not None and found.pk != school.municipality_id:
            errors.add(
                f"школа с ID {school_id} («{school.short_name}») относится к муниципалитету "
                f"«{school.municipality.name}», а в строке указан {shown(municipality_name)}",
                **row.place("municipality"),
            )
            return None
        if municipality_name and found is None:
            self.unknown_municipality(row, errors)
            return None
        return school

    def unknown_municipality(self, row: TableRow, errors: Problems) -> None:
        name = shown(row.values["municipality"])
        if self.is_department:
            message = f"муниципалитет {name} не найден в реестре. Названия — как в шаблоне этой страницы"
        else:
            message = f"муниципалитет {name} — не ваш: {self.only} {self.own_municipalities()}"
        errors.add(message, **row.place("municipality"))
