"""Bringing people in from an xlsx (issue 21 item 1): template → upload → preview → accounts, roles and invitations.

A row is one person: ФИО, e-mail, role, and where (a municipality, or a school by «ID школы» or by name). The file
is checked whole first — an unknown school, a duplicate e-mail, a role the uploader may not give are named by sheet,
row and column — and nothing is written until the uploader confirms; then every account, role and invitation is
created in one transaction, or none. A person the portal already knows by e-mail gets the new role added, not a
second account; a role they already hold is left as it is.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history

from schools.access import Role, reach_of
from schools.models import Municipality, Region, RoleAssignment, School
from schools.school_matching import SchoolMatcher
from schools.services import user_sync_back_office_access
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
    read_email,
    read_table,
    read_workbook,
    text_reader,
)

from .access import SCHOOL_ROLES, grant_refusal, grantable_roles
from .invitations import invitations_create

SHEET_TITLE = "Люди"
NOTES_TITLE = "Как заполнить"
MAX_ROWS = 5_000
REASON = "загрузка списка людей"

ROLE_WORDS = {
    Role.COORDINATOR: ("муниципальный координатор", "координатор"),
    Role.TUTOR: ("тьютор",),
    Role.SCHOOL_TEAM: ("управленческая команда школы", "управленческая команда", "команда школы", "школа"),
    Role.CURATOR: ("школа-куратор", "куратор"),
    Role.DEPARTMENT: ("управление образования района", "управление образования"),
    Role.INSTITUTE: ("институт / методический центр", "методический центр", "институт"),
}
_read_role = choice_reader(
    {word: role for role, words in ROLE_WORDS.items() for word in words},
    allowed=[words[0] for words in ROLE_WORDS.values()],
)

COLUMNS = [
    Column("ФИО", "full_name", text_reader(300), required=True, aliases=("фамилия имя отчество", "фамилия, имя, отчество")),
    Column("Электронная почта", "email", read_email, required=True, aliases=("e-mail", "email", "почта", "адрес электронной почты")),
    Column("Роль", "role", _read_role, required=True),
    Column("Муниципалитет", "municipality", text_reader(200), aliases=("муниципальное образование", "район")),
    Column("ID школы", "school_id", read_count, aliases=("id", "код школы")),
    Column("Школа", "school", text_reader(500), aliases=("наименование школы", "образовательная организация", "оо")),
]  # fmt: skip
HEADER = [column.header for column in COLUMNS]


def people_template_xlsx(*, user) -> bytes:
    roles = [ROLE_WORDS[role][0] for role in grantable_roles(user)]
    example_role = roles[0] if roles else ROLE_WORDS[Role.SCHOOL_TEAM][0]
    notes = [
        [NOTES_TITLE],
        [f"Лист «{SHEET_TITLE}»: одна строка — один человек и одна роль. Обязательны ФИО, электронная почта и роль."],
        ["Роль — одно из: " + ", ".join(f"«{role}»" for role in roles) + "."],
        ["Для координатора и тьютора укажите муниципалитет; для команды школы и школы-куратора — школу: её ID (из "
         "реестра портала) или муниципалитет и наименование."],
        ["Каждому новому человеку придёт письмо со ссылкой, по которой он сам задаст пароль. Тот, кто уже есть на "
         "портале с этой почтой, получит новую роль без второй учётной записи."],
        ["Перед сохранением портал покажет, кого добавит; если в файле есть хотя бы одна ошибка, не сохраняется ничего."],
    ]  # fmt: skip
    example = ["Иванова Мария Петровна", "ivanova@school.example", example_role, "", "", ""]
    return xlsx_bytes(
        [(SHEET_TITLE, [HEADER, example]), (NOTES_TITLE, notes)],
        column_widths={SHEET_TITLE: [34, 30, 30, 28, 10, 40], NOTES_TITLE: [120]},
    )


# --- the check -----------------------------------------------------------------------------------------------------

NEW, ADDED, HELD = "new", "added", "held"
ACTION_LABELS = {NEW: "новый человек", ADDED: "новая роль", HELD: "роль уже есть"}


@dataclass
class PersonRow:
    number: int
    full_name: str
    email: str
    role: str
    municipality: Municipality | None
    school: School | None
    user: object | None  # the account the portal already has with this e-mail
    holds_role: bool = False

    @property
    def action(self) -> str:
        if self.user is None:
            return NEW
        return HELD if self.holds_role else ADDED

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def place(self) -> str:
        return str(self.school or self.municipality or "регион")


@dataclass(kw_only=True)
class PeoplePreview(CheckedFile):
    sheet: str = ""
    rows: list[PersonRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.action == NEW)

    @property
    def added_count(self) -> int:
        return sum(1 for row in self.rows if row.action == ADDED)


def people_import_preview(file, *, user) -> PeoplePreview:
    """Read and check every row against what the uploader may give; nothing is written here."""
    preview = PeoplePreview()
    try:
        sheets = read_workbook(file, max_rows=MAX_ROWS, max_columns=20)
    except UploadRefused as refused:
        preview.errors.add(str(refused))
        return preview
    by_title = {normalized(sheet.title): sheet for sheet in sheets}
    sheet = by_title.get(normalized(SHEET_TITLE)) or next(
        (s for s in sheets if normalized(s.title) != normalized(NOTES_TITLE)), sheets[0]
    )
    preview.sheet = sheet.title
    rows = read_table(sheet, COLUMNS, preview.errors, warnings=preview.warnings)
    if rows is None:
        return preview
    if not rows:
        preview.errors.add("на листе нет ни одной заполненной строки", sheet=sheet.title)
        return preview
    _check_rows(preview, rows, user)
    preview.errors.in_file_order()
    return preview


def _check_rows(preview: PeoplePreview, rows: list[TableRow], user) -> None:
    errors = preview.errors
    matcher = SchoolMatcher(
        user, rows, whose="людей которых вы приглашаете", only="вы приглашаете людей только школ муниципалитета"
    )
    emails = {row.values["email"].lower() for row in rows if row.values.get("email")}
    known = {u.email.lower(): u for u in get_user_model().objects.annotate(e=Lower("email")).filter(e__in=emails)}
    held = set(
        RoleAssignment.objects.filter(user__in=known.values()).values_list(
            "user_id", "role", "region_id", "municipality_id", "school_id"
        )
    )
    own_region = _own_region(user)
    seen: dict[str, int] = {}
    for row in rows:
        email = (row.values.get("email") or "").lower()
        if email in seen:
            errors.add(
                f"адрес {email} уже есть в строке {seen[email]}: одна строка — один человек; вторую роль дайте "
                "следующим файлом",
                **row.place("email"),
            )
            continue
        if email:
            seen[email] = row.number
        place = _place_of(row, matcher, errors)
        if row.bad or place is None or not email:
            continue
        municipality, school = place
        if refusal := grant_refusal(user, row.values["role"], municipality=municipality, school=school):
            errors.add(refusal, **row.place("role"))
            continue
        person = PersonRow(row.number, row.values["full_name"], email, row.values["role"], municipality, school,
                           known.get(email))  # fmt: skip
        if person.user is not None:
            scope = _scope(person, own_region)
            person.holds_role = (person.user.pk, person.role, scope["region"] and scope["region"].pk,
                                 municipality and municipality.pk, school and school.pk) in held  # fmt: skip
        preview.rows.append(person)


def _place_of(row: TableRow, matcher: SchoolMatcher, errors: Problems):
    """(municipality, school) the row names, or None with the problem added."""
    role = row.values.get("role")
    if role in SCHOOL_ROLES or row.values.get("school_id") or row.values.get("school"):
        school = matcher.school(row, errors)
        if school is None:
            if role in SCHOOL_ROLES and not (row.values.get("school_id") or row.values.get("school")):
                errors.add("укажите школу: её ID или муниципалитет и наименование", **row.place("school"))
            return None
        return (school.municipality if role not in SCHOOL_ROLES else None), school
    name = row.values.get("municipality")
    if not name:
        return None, None
    municipality = matcher.municipality(name)
    if municipality is None:
        matcher.unknown_municipality(row, errors)
        return None
    return municipality, None


def _scope(person: PersonRow, own_region: Region | None) -> dict:
    """The role's scope as RoleAssignment keeps it (a region's institute: the uploader's one region)."""
    if person.role in SCHOOL_ROLES:
        return {"region": None, "municipality": None, "school": person.school}
    if person.municipality is None:
        return {"region": own_region, "municipality": None, "school": None}
    return {"region": None, "municipality": person.municipality, "school": None}


def _own_region(user) -> Region | None:
    ids = reach_of(user).department_region_ids
    return Region.objects.get(pk=next(iter(ids))) if len(ids) == 1 else None


# --- saving --------------------------------------------------------------------------------------------------------


class PeopleImportError(Exception):
    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class PeopleImportResult:
    created: int = 0
    roles_added: int = 0
    unchanged: int = 0

    @property
    def summary(self) -> str:
        return (
            f"Новых людей {self.created} (им отправляются приглашения), добавлено ролей уже известным "
            f"{self.roles_added}, без изменений {self.unchanged}."
        )


def people_import_save(*, preview: PeoplePreview, actor) -> PeopleImportResult:
    """Create every account, role and invitation in one transaction, or nothing."""
    if not preview.ok:
        raise PeopleImportError(preview.errors.messages() or ["В файле нет людей для загрузки."])
    try:
        with transaction.atomic():
            return _save(preview, actor)
    except IntegrityError:
        raise PeopleImportError(
            [
                "Пока вы проверяли файл, часть этих людей добавил другой пользователь (или имя для входа уже занято). "
                "Ничего не сохранено: загрузите файл ещё раз, чтобы увидеть, что изменится теперь."
            ]
        ) from None


def _save(preview: PeoplePreview, actor) -> PeopleImportResult:
    User = get_user_model()
    result = PeopleImportResult()
    own_region = _own_region(actor)
    emails = [row.email for row in preview.rows]
    known_now = set(User.objects.annotate(e=Lower("email")).filter(e__in=emails).values_list("e", flat=True))
    if any(row.user is None and row.email in known_now for row in preview.rows):
        raise IntegrityError("a person of the file was added meanwhile")
    new_rows = [row for row in preview.rows if row.user is None]
    accounts = []
    for row in new_rows:
        last, _, first = row.full_name.partition(" ")
        account = User(username=row.email, email=row.email, last_name=last[:150], first_name=first[:150])
        account.set_unusable_password()
        accounts.append(account)
    User.objects.bulk_create(accounts)
    created = {account.email: account for account in User.objects.filter(email__in=[row.email for row in new_rows])}
    assignments, invited = [], []
    for row in preview.rows:
        if row.holds_role:
            result.unchanged += 1
            continue
        user = row.user or created[row.email]
        scope = _scope(row, own_region)
        assignments.append(RoleAssignment(user=user, role=row.role, **scope))
        if row.user is None:
            municipality = row.school.municipality if row.school else row.municipality
            region = municipality.region if municipality else own_region
            invited.append((user, region, municipality))
    bulk_create_with_history(assignments, RoleAssignment, batch_size=500, default_user=actor,
                             default_change_reason=REASON)  # fmt: skip
    for user in {a.user for a in assignments if a.role == Role.DEPARTMENT}:
        user_sync_back_office_access(user=user)
    invitations_create(invited, actor=actor)
    result.created = len(new_rows)
    result.roles_added = len(assignments) - len(new_rows)
    return result
