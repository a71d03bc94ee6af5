"""Social passports from xlsx: the template, upload → preview → confirm, every bad input named by sheet, row and
column with nothing stored, the coordinator's reach, and the preview's cost in queries."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from schools.demo import MUNICIPALITY_A, MUNICIPALITY_B
from schools.models import School, SchoolNameAlias, SchoolYearProfile
from schools.passport_import import HEADER, PASSPORT_FIELDS, SHEET_TITLE
from schools.passport_views import UPLOAD_KIND
from schools.school_names import school_name_key
from shnor_portal.uploads.holding import HOLD_DIR, SESSION_KEY
from tests.schools.test_ege_workbook import workbook_bytes

pytestmark = pytest.mark.django_db

UPLOAD = reverse("schools:passport_import")
PREVIEW = reverse("schools:passport_preview")
TEMPLATE = reverse("schools:passport_template")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEMO_YEAR = 2026  # the demo has profiles for 2022–2026
NEW_YEAR = 2027
WHERE = f"Лист «{SHEET_TITLE}»"
# Columns by header as the template writes them: «Доля обучающихся с ЗПР, %» and so on.
SHARE_ZPR = "Доля обучающихся с ЗПР, %"
PUPILS = "Обучающихся"
ON_REGISTER = "На учёте в КДН/ПДН, чел."
REMOTE = "Малокомплектная удалённая сельская школа (да/нет)"
SHORT_HEADER = ["Муниципалитет", "Школа", "Год", PUPILS, SHARE_ZPR, "Доля детей из семей в трудной жизненной ситуации, %",
                ON_REGISTER, REMOTE]  # fmt: skip


@pytest.fixture
def as_user(client, demo):
    def login(username):
        client.force_login(demo[username])
        return client

    return login


def xlsx(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def passports(*rows, header=SHORT_HEADER, title=SHEET_TITLE) -> bytes:
    return workbook_bytes({title: [header, *rows]})


def check(client, data: bytes, name: str = "паспорта.xlsx"):
    """Upload a file and open its preview: (the preview, the page's text)."""
    response = client.post(UPLOAD, {"file": xlsx(name, data)})
    assert response.status_code == 302 and response.url == PREVIEW, response.content.decode()[:2000]
    response = client.get(PREVIEW)
    assert response.status_code == 200
    return response.context["preview"], response.content.decode()


def confirm(client):
    return client.post(PREVIEW, follow=True)


def profiles_state():
    return (
        list(SchoolYearProfile.objects.order_by("pk").values()),
        SchoolYearProfile.history.count(),
    )


def pending_files() -> list[Path]:
    return sorted(path for path in (Path(django_settings.MEDIA_ROOT) / HOLD_DIR).rglob("*") if path.is_file())


def nothing_held(client) -> bool:
    return UPLOAD_KIND not in client.session.get(SESSION_KEY, {})


def template_rows(client, year: int) -> list[list]:
    response = client.get(TEMPLATE, {"year": year})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content))[SHEET_TITLE]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def rows_to_bytes(rows: list[list]) -> bytes:
    return workbook_bytes({SHEET_TITLE: rows})


# --- access --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["school", "curator", "tutor"])
@pytest.mark.parametrize("url", [UPLOAD, PREVIEW, TEMPLATE])
def test_school_curator_and_tutor_may_not_load_passports(as_user, username, url):
    client = as_user(username)
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": xlsx("p.xlsx", passports())}).status_code == 403
    assert pending_files() == []


@pytest.mark.parametrize("username", ["department", "coordinator"])
def test_the_home_page_links_to_the_passport_import_for_those_who_may_use_it(as_user, username):
    assert UPLOAD in as_user(username).get(reverse("home")).content.decode()


@pytest.mark.parametrize("username", ["school", "curator", "tutor"])
def test_the_home_page_hides_the_link_from_the_others(as_user, username):
    assert UPLOAD not in as_user(username).get(reverse("home")).content.decode()


def test_preview_without_an_upload_sends_back_to_the_upload_page(as_user):
    response = as_user("department").get(PREVIEW, follow=True)
    assert response.redirect_chain[-1][0] == UPLOAD
    assert "Сначала загрузите файл с социальными паспортами." in response.content.decode()


# --- the template --------------------------------------------------------------------------------------------------


def test_the_coordinators_template_lists_the_schools_of_their_municipality_with_known_values(as_user):
    rows = template_rows(as_user("coordinator"), DEMO_YEAR)
    assert rows[0] == HEADER
    schools = School.objects.filter(municipality__name=MUNICIPALITY_A, archived_on__isnull=True)
    assert sorted(row[2] for row in rows[1:]) == sorted(schools.values_list("short_name", flat=True))
    assert {row[1] for row in rows[1:]} == {MUNICIPALITY_A} and {row[3] for row in rows[1:]} == {DEMO_YEAR}
    school = schools.get(short_name="Покровская СОШ")
    profile = school.profiles.get(year=DEMO_YEAR)
    row = next(row for row in rows if row[0] == school.pk)
    values = dict(zip(HEADER, row, strict=True))
    assert values["Обучающихся"] == profile.pupils
    assert Decimal(str(values["Доля детей из малообеспеченных семей, %"])) == profile.share_low_income


def test_the_outsiders_template_names_no_school_of_municipality_a(as_user):
    rows = template_rows(as_user("coordinator_b"), DEMO_YEAR)
    names = {row[2] for row in rows[1:]}
    assert names and not names & set(School.objects.filter(municipality__name=MUNICIPALITY_A).values_list(
        "short_name", flat=True))  # fmt: skip
    assert {row[1] for row in rows[1:]} == {MUNICIPALITY_B}


def test_the_department_template_holds_every_school_in_service(as_user):
    rows = template_rows(as_user("department"), NEW_YEAR)
    assert len(rows) - 1 == School.objects.filter(archived_on__isnull=True).count()
    assert all(value is None for row in rows[1:] for value in row[4:])  # nothing known for a new year


def test_the_template_downloads_and_uploads_back_unchanged(as_user):
    client = as_user("department")
    rows = template_rows(client, DEMO_YEAR)
    before = profiles_state()
    preview, html = check(client, rows_to_bytes(rows))
    assert preview.errors.count == 0, preview.errors.messages()
    with_profile = SchoolYearProfile.objects.filter(year=DEMO_YEAR, school__archived_on__isnull=True).count()
    assert preview.unchanged == with_profile and not preview.changed_rows
    assert "сохранять нечего" in html
    assert profiles_state() == before


def test_a_filled_template_round_trip_stores_the_new_values_with_history(as_user, demo):
    client = as_user("coordinator")
    rows = template_rows(client, DEMO_YEAR)
    column = {header: index for index, header in enumerate(HEADER)}
    pokrovskaya = School.objects.get(short_name="Покровская СОШ")
    row = next(row for row in rows if row[0] == pokrovskaya.pk)
    row[column[SHARE_ZPR]] = "12,5"
    row[column[REMOTE]] = "да"
    row[column["Выбыло обучающихся за год, чел."]] = 3

    preview, html = check(client, rows_to_bytes(rows))
    assert preview.ok and [r.school for r in preview.to_update] == [pokrovskaya]
    assert "Покровская СОШ" in html and "Доля обучающихся с ЗПР, %: — → <strong>12,5</strong>" in html
    response = confirm(client)
    assert response.redirect_chain[-1][0] == UPLOAD
    assert "Социальные паспорта загружены: новых 0, обновлено 1" in response.content.decode()
    profile = pokrovskaya.profiles.get(year=DEMO_YEAR)
    assert (profile.share_zpr, profile.remote_small_rural, profile.pupils_left) == (Decimal("12.5"), True, 3)
    latest = profile.history.first()
    assert latest.history_user == demo["coordinator"]
    assert latest.history_change_reason == "загрузка социальных паспортов"
    assert pending_files() == [] and nothing_held(client)
    # The next file's change is a new version; the earlier one stays in the history.
    check(client, passports([MUNICIPALITY_A, "Покровская СОШ", DEMO_YEAR, None, 13, None, None, None]))
    confirm(client)
    assert [v.share_zpr for v in profile.history.order_by("history_date")] == [Decimal("12.5"), Decimal("13")]


def test_a_file_by_names_creates_the_passports_of_a_new_year(as_user):
    client = as_user("department")
    nikolskaya = School.objects.get(short_name="Никольская ООШ")
    lyceum = School.objects.get(short_name="Лицей № 1 г. Озёрск")
    data = passports(
        [MUNICIPALITY_A, nikolskaya.name, NEW_YEAR, 140, 30, "17,3 %", 2, "да"],  # the full legal name
        ["Озёрский городской округ", "лицей №1 г. Озёрск", NEW_YEAR, 900, 1.5, 4, 0, "нет"],
        [MUNICIPALITY_A, "Заречная СОШ № 1", NEW_YEAR, None, None, None, None, None],  # nothing to load
    )
    preview, html = check(client, data)
    assert preview.ok and len(preview.to_create) == 2 and preview.empty_rows == 1
    assert "новый паспорт" in html
    confirm(client)
    profile = nikolskaya.profiles.get(year=NEW_YEAR)
    assert (profile.pupils, profile.share_zpr, profile.share_difficult_situation) == (140, 30, Decimal("17.3"))
    assert (profile.pupils_on_register, profile.remote_small_rural) == (2, True)
    assert lyceum.profiles.get(year=NEW_YEAR).remote_small_rural is False
    assert not School.objects.get(short_name="Заречная СОШ № 1").profiles.filter(year=NEW_YEAR).exists()


def test_an_empty_cell_keeps_the_value_the_portal_has(as_user):
    client = as_user("department")
    school = School.objects.get(short_name="Покровская СОШ")
    profile = school.profiles.get(year=DEMO_YEAR)
    check(client, passports([MUNICIPALITY_A, "Покровская СОШ", DEMO_YEAR, None, 9, None, None, None]))
    confirm(client)
    profile.refresh_from_db()
    assert profile.share_zpr == 9 and profile.pupils is not None and profile.share_low_income is not None


def test_a_coordinator_stores_the_passports_of_their_own_schools(as_user):
    client = as_user("coordinator")
    preview, _html = check(client, passports([MUNICIPALITY_A, "Никольская ООШ", NEW_YEAR, 120, 10, 5, 1, "нет"]))
    assert preview.ok
    confirm(client)
    assert School.objects.get(short_name="Никольская ООШ").profiles.get(year=NEW_YEAR).pupils == 120


# --- bad input: a Russian message naming sheet, row and column; nothing stored -------------------------------------

GOOD = [MUNICIPALITY_A, "Никольская ООШ", NEW_YEAR, 120, 10, 5, 1, "нет"]


def with_cell(row, index, value):
    changed = list(row)
    changed[index] = value
    return changed


BAD_FILES = {
    "unknown school": (
        "department",
        passports(GOOD, with_cell(GOOD, 1, "Несуществующая СОШ № 99")),
        [f"{WHERE}, строка 3, столбец B («Школа»): школа «Несуществующая СОШ № 99» не найдена в муниципалитете "
         f"«{MUNICIPALITY_A}»"],
    ),
    "unknown municipality": (
        "department",
        passports(with_cell(GOOD, 0, "Несуществующий район")),
        [f"{WHERE}, строка 2, столбец A («Муниципалитет»): муниципалитет «Несуществующий район» не найден в реестре"],
    ),
    "school of another municipality for a coordinator": (
        "coordinator",
        passports(GOOD, [MUNICIPALITY_B, "СОШ № 3 г. Озёрск", NEW_YEAR, 500, 1, 1, 1, "нет"]),
        [f"{WHERE}, строка 3, столбец A («Муниципалитет»): муниципалитет «{MUNICIPALITY_B}» — не ваш: вы загружаете "
         f"социальные паспорта только школ муниципалитета «{MUNICIPALITY_A}»"],
    ),
    "duplicate school row": (
        "department",
        passports(GOOD, with_cell(GOOD, 3, 121)),
        [f"{WHERE}, строка 3, столбец B («Школа»): школа «Никольская ООШ» за {NEW_YEAR} год уже есть в строке 2"],
    ),
    "share above 100": (
        "department",
        passports(with_cell(GOOD, 4, 120)),
        [f"{WHERE}, строка 2, столбец E («{SHARE_ZPR}»): доля указывается в процентах от 0 до 100, а указано 120"],
    ),
    "negative share": (
        "department",
        passports(with_cell(GOOD, 5, -3)),
        [f"{WHERE}, строка 2, столбец F («Доля детей из семей в трудной жизненной ситуации, %»): доля указывается в "
         "процентах от 0 до 100, а указано -3"],
    ),
    "not a number": (
        "department",
        passports(with_cell(GOOD, 3, "много")),
        [f"{WHERE}, строка 2, столбец D («{PUPILS}»): ожидается число, а указано «много»"],
    ),
    "not yes or no": (
        "department",
        passports(with_cell(GOOD, 7, "может быть")),
        [f"{WHERE}, строка 2, столбец H («{REMOTE}»): ожидается «да» или «нет», а указано «может быть»"],
    ),
    "more on the register than pupils": (
        "department",
        passports(with_cell(GOOD, 6, 500)),
        [f"{WHERE}, строка 2, столбец G («{ON_REGISTER}»): не может быть больше, чем обучающихся в школе"],
    ),
    "missing required column": (
        "department",
        passports([MUNICIPALITY_A, "Никольская ООШ", 120], header=["Муниципалитет", "Школа", PUPILS]),
        [f"{WHERE}, строка 1, столбец «Год»: нет обязательного столбца"],
    ),
    "unknown column": (
        "department",
        passports([*GOOD, "x"], header=[*SHORT_HEADER, "Примечание"]),
        [f"{WHERE}, строка 1, столбец I: столбец «Примечание» не распознан"],
    ),
    "empty year": (
        "department",
        passports(with_cell(GOOD, 2, None)),
        [f"{WHERE}, строка 2, столбец C («Год»): ячейка обязательна, а она пустая"],
    ),
}

NOT_WORKBOOKS = {
    "not an xlsx": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "Файл не является книгой Excel (.xlsx)"),
    "an old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Файл сохранён в старом формате Excel 97–2003 (.xls)"),
}


@pytest.mark.parametrize("case", sorted(NOT_WORKBOOKS))
def test_a_file_that_is_no_workbook_is_refused_at_the_upload(as_user, case):
    data, message = NOT_WORKBOOKS[case]
    client = as_user("department")
    response = client.post(UPLOAD, {"file": xlsx("паспорта.xlsx", data)})
    assert response.status_code == 200 and message in response.content.decode()
    assert pending_files() == [] and nothing_held(client)


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_a_russian_message_and_stores_nothing(as_user, case):
    username, data, expected = BAD_FILES[case]
    client = as_user(username)
    before = profiles_state()
    preview, html = check(client, data)
    messages = preview.errors.messages()
    for message in expected:
        assert any(m.startswith(message) or message in m for m in messages), messages
        assert message.replace("«", "").replace("»", "") in html.replace("«", "").replace("»", "")
    assert not preview.ok and "Сохранить паспорта" not in html
    assert "В файле есть ошибки — загрузить его нельзя" in html
    # The file is not kept, so a POST cannot save it either.
    assert pending_files() == []
    response = confirm(client)
    assert response.redirect_chain[-1][0] == UPLOAD
    assert profiles_state() == before


def test_fewer_pupils_than_the_graduates_the_portal_has_are_refused(as_user):
    profile = School.objects.get(short_name="Покровская СОШ").profiles.get(year=DEMO_YEAR)
    assert profile.graduates_9
    preview, _html = check(as_user("department"), passports(
        [MUNICIPALITY_A, "Покровская СОШ", DEMO_YEAR, profile.graduates_9 - 1, None, None, None, None]
    ))  # fmt: skip
    assert preview.errors.messages() == [
        f"{WHERE}, строка 2, столбец D («{PUPILS}»): обучающихся {profile.graduates_9 - 1} — меньше, чем выпускников "
        f"9 классов на портале за {DEMO_YEAR} год ({profile.graduates_9})."
    ]


def test_a_good_row_beside_a_bad_one_is_not_stored_either(as_user):
    client = as_user("department")
    before = profiles_state()
    preview, _html = check(client, passports(GOOD, with_cell(with_cell(GOOD, 1, "Берёзовская ООШ"), 4, 101)))
    assert preview.errors.count == 1 and len(preview.rows) == 1
    confirm(client)
    assert profiles_state() == before


def test_a_coordinator_cannot_write_another_municipalitys_school_by_its_id(as_user):
    client = as_user("coordinator")
    outsider = School.objects.get(short_name="СОШ № 3 г. Озёрск")
    before = profiles_state()
    header = ["ID школы", *SHORT_HEADER]
    preview, html = check(client, passports([outsider.pk, *GOOD[:1], "СОШ № 3 г. Озёрск", *GOOD[2:]], header=header))
    (error,) = preview.errors.messages()
    assert error.startswith(f"{WHERE}, строка 2, столбец A («ID школы»): школы с ID {outsider.pk} нет среди школ "
                            f"муниципалитета «{MUNICIPALITY_A}»")  # fmt: skip
    assert "СОШ № 3 г. Озёрск" not in error
    confirm(client)
    assert profiles_state() == before


def test_an_id_and_a_municipality_that_disagree_are_refused(as_user):
    client = as_user("department")
    nikolskaya = School.objects.get(short_name="Никольская ООШ")
    header = ["ID школы", *SHORT_HEADER]
    preview, _html = check(client, passports([nikolskaya.pk, "Озёрский городской округ", *GOOD[1:]], header=header))
    (error,) = preview.errors.messages()
    assert f"школа с ID {nikolskaya.pk} («Никольская ООШ») относится к муниципалитету «{MUNICIPALITY_A}»" in error


def test_a_name_remembered_from_a_results_file_finds_its_school(as_user):
    nikolskaya = School.objects.get(short_name="Никольская ООШ")
    SchoolNameAlias.objects.create(
        municipality_name=MUNICIPALITY_A, name="МКОУ Никольская школа", normalized=school_name_key("МКОУ Никольская школа"),
        school=nikolskaya,
    )  # fmt: skip
    preview, _html = check(as_user("department"), passports(with_cell(GOOD, 1, "МКОУ Никольская школа")))
    assert preview.ok and preview.rows[0].school == nikolskaya


def test_a_name_two_schools_answer_to_asks_for_the_id(as_user, municipality_a):
    twin = School.objects.create(municipality=municipality_a, name="Заречная СОШ №1", short_name="Заречная СОШ №1")
    original = School.objects.get(short_name="Заречная СОШ № 1")
    preview, _html = check(as_user("department"), passports(with_cell(GOOD, 1, "Заречная СОШ № 1")))
    (error,) = preview.errors.messages()
    assert error.startswith(f"{WHERE}, строка 2, столбец B («Школа»): в муниципалитете «{MUNICIPALITY_A}» этому "
                            "наименованию отвечают несколько школ")  # fmt: skip
    assert f"(ID {twin.pk})" in error and f"(ID {original.pk})" in error and "Укажите ID школы" in error


def test_a_file_over_the_size_limit_is_refused_at_the_upload(as_user, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    client = as_user("department")
    data = passports(*[with_cell(GOOD, 1, f"Школа № {n}") for n in range(200)])
    assert len(data) > 1000
    response = client.post(UPLOAD, {"file": xlsx("большой.xlsx", data)})
    assert response.status_code == 200
    assert "Файл больше допустимого размера (1000 байт). Загрузите файл меньшего размера." in response.content.decode()
    assert pending_files() == [] and nothing_held(client)


def test_a_file_with_only_a_header_says_there_is_nothing_to_load(as_user):
    preview, _html = check(as_user("department"), passports())
    assert preview.errors.messages() == [f"{WHERE}: на листе нет ни одной заполненной строки."]


# --- queries --------------------------------------------------------------------------------------------------------


def test_the_preview_costs_the_same_queries_for_few_and_many_rows(as_user):
    client = as_user("department")
    schools = list(School.objects.select_related("municipality").order_by("pk"))
    assert len(schools) > 25

    def rows(count):
        return [[s.municipality.name, s.short_name, NEW_YEAR, 100 + n, 5, 5, 1, "нет"] for n, s in enumerate(schools[:count])]

    def preview_queries(data):
        client.post(UPLOAD, {"file": xlsx("p.xlsx", data)})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PREVIEW)
        assert response.status_code == 200 and response.context["preview"].ok
        return len(captured), len(response.context["preview"].rows)

    preview_queries(passports(*rows(2)))  # warm up
    few, many = preview_queries(passports(*rows(3))), preview_queries(passports(*rows(len(schools))))
    assert few[1] == 3 and many[1] == len(schools)
    assert few[0] == many[0]


def test_the_fields_of_the_file_are_the_passport_fields_of_the_model():
    labels = [str(SchoolYearProfile._meta.get_field(name).verbose_name).lower() for name in PASSPORT_FIELDS]
    assert [header.lower().removesuffix(" (да/нет)") for header in HEADER[4:]] == labels
