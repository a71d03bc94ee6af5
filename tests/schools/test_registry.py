"""The registry page, its xlsx export, clusters by rule and the import from the portal's xlsx template."""

import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from schools.clusters import DEFAULT_CLUSTERS, cluster_code_for, clusters_assign
from schools.models import (
    Cluster,
    IdentificationRun,
    Municipality,
    Region,
    School,
    SchoolYearProfile,
    SchoolYearStatus,
    Status,
)
from schools.registry_import import PROFILE_COLUMNS, SCHOOL_COLUMNS
from schools.school_year import current_school_year
from tests.conftest import home_region_id

pytestmark = pytest.mark.django_db

YEAR = 2031  # later than any demo list, so it is the registry's default year


@pytest.fixture(autouse=True)
def _one_page(settings):
    settings.PAGE_SIZE = 1000


def approve_list(year, rows):
    """An approved run of `year` with statuses: rows are (school, status, preventive, curator)."""
    run = IdentificationRun.objects.create(region_id=home_region_id(), year=year, state=IdentificationRun.State.DONE, approved_at=timezone.now())
    SchoolYearStatus.objects.bulk_create(
        SchoolYearStatus(
            school=school, year=year, status=status, preventive=preventive, curator_candidate=curator, run=run
        )
        for school, status, preventive, curator in rows
    )
    return run


@pytest.fixture
def listed(demo, municipality_a, municipality_b):
    """Five schools of municipality A on the approved list of YEAR: ШНОР, ШНСУ, both, a curator, a preventive one."""
    a = list(municipality_a.schools.order_by("short_name"))
    b = list(municipality_b.schools.order_by("short_name"))
    schools = {
        "shnor": a[0],
        "shnsu": a[1],
        "both": a[2],
        "curator": a[3],
        "preventive": a[4],
        "b_shnor": b[0],
    }
    approve_list(
        YEAR,
        [
            (schools["shnor"], Status.SHNOR, False, False),
            (schools["shnsu"], Status.SHNSU, False, False),
            (schools["both"], Status.BOTH, False, False),
            (schools["curator"], Status.NONE, False, True),
            (schools["preventive"], Status.NONE, True, False),
            (schools["b_shnor"], Status.SHNOR, False, False),
        ],
    )
    return schools


def rows(client, **params):
    response = client.get(reverse("schools:list"), params)
    assert response.status_code == 200
    return response, [school.short_name for school in response.context["page"].object_list]


def names(queryset):
    return sorted(queryset.values_list("short_name", flat=True))


# The page ----------------------------------------------------------------------------------------------------------


def test_year_defaults_to_the_latest_approved_list(client, demo, listed):
    client.force_login(demo["department"])
    response, _ = rows(client)
    assert response.context["year"] == YEAR
    assert f'<option value="{YEAR}" selected>' in response.content.decode()


def test_year_defaults_to_the_current_school_year_without_an_approved_list(client, demo):
    IdentificationRun.objects.update(approved_at=None)
    client.force_login(demo["department"])
    response, _ = rows(client)
    assert response.context["year"] == current_school_year()
    assert "ещё не утверждён" in response.content.decode()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("shnor", {"shnor", "both", "b_shnor"}),
        ("shnsu", {"shnsu", "both"}),
        ("both", {"both"}),
        ("curator", {"curator"}),
        ("preventive", {"preventive"}),
    ],
)
def test_status_filter_reads_the_chosen_years_list(client, demo, listed, status, expected):
    client.force_login(demo["department"])
    _, found = rows(client, year=YEAR, status=status)
    assert sorted(found) == sorted(listed[key].short_name for key in expected)


def test_status_none_means_not_on_the_list(client, demo, listed):
    client.force_login(demo["department"])
    _, found = rows(client, year=YEAR, status="none")
    on_list = {listed[key].short_name for key in ("shnor", "shnsu", "both", "b_shnor")}
    assert set(found) == set(School.objects.values_list("short_name", flat=True)) - on_list
    assert listed["curator"].short_name in found and listed["preventive"].short_name in found


def test_counts_by_status_of_the_filtered_set(client, demo, listed, municipality_a):
    client.force_login(demo["department"])
    response, found = rows(client, year=YEAR, municipality=municipality_a.pk)
    counts = response.context["counts"]
    assert counts["total"] == len(found) == municipality_a.schools.count()
    assert (counts["shnor"], counts["shnsu"], counts["both"]) == (2, 2, 1)
    assert (counts["curator"], counts["preventive"]) == (1, 1)
    assert counts["outside"] == counts["total"] - 3
    html = response.content.decode()
    assert "найдено школ" in html and "кандидаты в кураторы" in html


@pytest.mark.parametrize(
    ("params", "lookup"),
    [
        ({"kind": "oosh"}, {"kind": "oosh"}),
        ({"kind": "gymnasium"}, {"kind": "gymnasium"}),
        ({"locality": "rural"}, {"locality": "rural"}),
        ({"locality": "urban"}, {"locality": "urban"}),
        ({"small": "yes"}, {"is_small": True}),
        ({"small": "no"}, {"is_small": False}),
        ({"q": "озёрск"}, {"short_name__icontains": "озёрск"}),
    ],
)
def test_each_filter_narrows_to_exactly_its_schools(client, demo, params, lookup):
    client.force_login(demo["department"])
    expected = names(School.objects.filter(**lookup))
    assert 0 < len(expected) < School.objects.count()
    _, found = rows(client, **params)
    assert sorted(found) == expected


def test_municipality_and_cluster_filters(client, demo, municipality_b):
    client.force_login(demo["department"])
    _, found = rows(client, municipality=municipality_b.pk)
    assert sorted(found) == names(municipality_b.schools.all())
    cluster = Cluster.objects.get(code="rural_small")
    _, found = rows(client, cluster=cluster.pk)
    assert sorted(found) == names(School.objects.filter(cluster=cluster))
    School.objects.filter(pk=School.objects.first().pk).update(cluster=None)
    _, found = rows(client, cluster="null")
    assert sorted(found) == names(School.objects.filter(cluster__isnull=True))
    # Filters add up.
    _, found = rows(client, municipality=municipality_b.pk, kind="sosh")
    assert sorted(found) == names(municipality_b.schools.filter(kind="sosh"))


def test_sorting_by_name_municipality_and_status(client, demo, listed):
    client.force_login(demo["department"])
    _, by_name = rows(client, ordering="name")
    assert by_name == list(School.objects.order_by("short_name", "pk").values_list("short_name", flat=True))
    _, by_name_desc = rows(client, ordering="-name")
    assert by_name_desc == list(reversed(by_name))
    _, by_municipality = rows(client, ordering="municipality")
    municipality_names = [School.objects.get(short_name=n).municipality.name for n in by_municipality]
    assert municipality_names == sorted(municipality_names)
    _, by_status = rows(client, year=YEAR, ordering="status")
    assert by_status[0] == listed["both"].short_name
    assert set(by_status[1:4]) == {listed["shnor"].short_name, listed["b_shnor"].short_name, listed["shnsu"].short_name}
    assert by_status.index(listed["preventive"].short_name) < by_status.index(listed["curator"].short_name)


def test_rows_show_status_badges(client, demo, listed):
    client.force_login(demo["department"])
    response, _ = rows(client, year=YEAR)
    html = response.content.decode()
    assert '<span class="badge bg-danger">ШНОР</span>' in html
    assert '<span class="badge bg-warning text-dark">ШНСУ</span>' in html
    assert '<span class="badge bg-danger">ШНОР и ШНСУ</span>' in html
    assert 'bg-success">кандидат в кураторы' in html
    assert "bg-info text-dark" in html and "профилактика" in html


# Scope -------------------------------------------------------------------------------------------------------------


def test_coordinator_never_sees_another_municipality(client, demo, listed, municipality_a, municipality_b):
    client.force_login(demo["coordinator"])
    _, found = rows(client)
    assert sorted(found) == names(municipality_a.schools.all())
    _, found = rows(client, municipality=municipality_b.pk)
    assert found == []
    _, found = rows(client, year=YEAR, status="shnor")
    assert listed["b_shnor"].short_name not in found
    export = read_export(client.get(reverse("schools:list_export")))
    assert sorted(r[1] for r in export[1:]) == names(municipality_a.schools.all())
    export = read_export(client.get(reverse("schools:list_export"), {"municipality": municipality_b.pk}))
    assert export[1:] == []
    b_school = municipality_b.schools.first()
    assert client.get(reverse("schools:detail", args=[b_school.pk])).status_code == 404


def test_school_team_sees_only_its_school(client, demo):
    client.force_login(demo["school"])
    own = School.objects.get(role_assignments__user=demo["school"])
    _, found = rows(client)
    assert found == [own.short_name]
    export = read_export(client.get(reverse("schools:list_export")))
    assert [r[1] for r in export[1:]] == [own.short_name]


# Export ------------------------------------------------------------------------------------------------------------


def read_export(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_export_holds_exactly_the_filtered_rows(client, demo, listed, municipality_a):
    client.force_login(demo["department"])
    params = {"year": YEAR, "status": "shnsu", "municipality": municipality_a.pk}
    _, on_page = rows(client, **params)
    response = client.get(reverse("schools:list_export"), params)
    assert f"reestr-shkol-{YEAR}.xlsx" in response["Content-Disposition"]
    table = read_export(response)
    assert table[0][:3] == ["Муниципалитет", "Краткое наименование", "Полное наименование"]
    assert table[0][7] == f"Статус в перечне {YEAR - 1}/{str(YEAR)[-2:]}"
    assert [row[1] for row in table[1:]] == on_page == sorted(on_page)
    statuses = {row[1]: row[7] for row in table[1:]}
    assert statuses == {listed["shnsu"].short_name: "ШНСУ", listed["both"].short_name: "ШНОР и ШНСУ"}


def test_export_escapes_formulas(client, demo, municipality_a):
    School.objects.create(
        municipality=municipality_a,
        short_name='=HYPERLINK("http://evil.example","жми")',
        name="+cmd",
        director="@x",
        phone="-1",
    )
    client.force_login(demo["department"])
    response = client.get(reverse("schools:list_export"), {"q": "HYPERLINK"})
    workbook = load_workbook(BytesIO(response.content))
    cells = list(workbook.active.iter_rows(min_row=2))
    assert len(cells) == 1
    row = {cell.column_letter: cell for cell in cells[0]}
    assert row["B"].value == '=HYPERLINK("http://evil.example","жми")'
    assert row["C"].value == "+cmd" and row["L"].value == "@x" and row["M"].value == "-1"
    for column in "BCLM":  # text shown as typed, never run
        assert row[column].data_type == "s" and row[column].quotePrefix, column
    assert not row["A"].quotePrefix  # plain text stays plain


# Query counts ------------------------------------------------------------------------------------------------------


def add_schools(municipality, count, *, year):
    start = School.objects.count()
    School.objects.bulk_create(
        School(
            municipality=municipality,
            short_name=f"Доп. школа {start + i}",
            name=f"Школа {i}",
            locality=School.Locality.RURAL if i % 2 else School.Locality.URBAN,
            is_small=i % 3 == 0,
        )
        for i in range(count)
    )
    created = list(School.objects.filter(short_name__startswith="Доп. школа"))
    clusters_assign(schools=created)
    run = IdentificationRun.objects.filter(year=year).first()
    listed = set(SchoolYearStatus.objects.filter(year=year).values_list("school_id", flat=True))
    SchoolYearStatus.objects.bulk_create(
        SchoolYearStatus(
            school=s, year=year, status=[Status.SHNOR, Status.NONE, Status.BOTH][i % 3], run=run, preventive=i % 5 == 0
        )
        for i, s in enumerate(created)
        if s.pk not in listed
    )


@pytest.mark.parametrize("url_name", ["schools:list", "schools:list_export"])
@pytest.mark.parametrize("username", ["department", "coordinator"])
def test_list_and_export_keep_query_count_as_schools_grow(client, demo, listed, municipality_a, url_name, username):
    client.force_login(demo[username])
    params = {"year": YEAR, "kind": "sosh", "ordering": "status", "cluster": Cluster.objects.get(code="rural").pk}

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(url_name), params).status_code == 200
        return len(ctx)

    add_schools(municipality_a, 10, year=YEAR)
    before = count_queries()
    add_schools(municipality_a, 150, year=YEAR)
    assert count_queries() == before


# Clusters ----------------------------------------------------------------------------------------------------------

K, L = School.Kind, School.Locality


@pytest.mark.parametrize(
    ("kind", "locality", "small", "code"),
    [
        (K.BOARDING, L.URBAN, False, "boarding"),
        (K.BOARDING, L.RURAL, True, "boarding"),
        (K.SOSH, L.URBAN, True, "rural_small"),
        (K.OOSH, L.RURAL, False, "rural_small"),
        (K.NOSH, L.RURAL, False, "rural_small"),
        (K.SOSH, L.RURAL, False, "rural"),
        (K.GYMNASIUM, L.RURAL, False, "rural"),
        (K.GYMNASIUM, L.URBAN, False, "urban_advanced"),
        (K.LYCEUM, L.URBAN, False, "urban_advanced"),
        (K.SOSH, L.URBAN, False, "urban"),
        (K.OOSH, L.URBAN, False, "urban"),
        (K.OTHER, L.URBAN, False, "urban"),
    ],
)
def test_cluster_rule(kind, locality, small, code):
    assert cluster_code_for(School(kind=kind, locality=locality, is_small=small)) == code


def test_clusters_assign_creates_clusters_and_keeps_hand_set_ones(db):
    municipality = Municipality.objects.create(region=Region.objects.create(name="Регион"), name="Район")
    lyceum = School.objects.create(municipality=municipality, short_name="Лицей", name="Лицей", kind=K.LYCEUM)
    rural = School.objects.create(municipality=municipality, short_name="Сельская", name="С", locality=L.RURAL)
    by_hand = School.objects.create(
        municipality=municipality,
        short_name="Особая",
        name="О",
        kind=K.OOSH,
        locality=L.RURAL,
        cluster_set_by_hand=True,
    )
    special = Cluster.objects.create(code="special", name="Особые")
    by_hand.cluster = special
    by_hand.save()

    assert clusters_assign() == 2
    assert set(Cluster.objects.filter(code__in=DEFAULT_CLUSTERS).values_list("name", flat=True)) == {
        "Городские гимназии и лицеи",
        "Городские школы",
        "Сельские школы",
        "Малокомплектные и сельские основные/начальные школы",
        "Школы-интернаты",
    }
    lyceum.refresh_from_db(), rural.refresh_from_db(), by_hand.refresh_from_db()
    assert lyceum.cluster.code == "urban_advanced" and rural.cluster.code == "rural"
    assert by_hand.cluster == special
    assert clusters_assign() == 0  # nothing left to change

    School.objects.filter(pk=rural.pk).update(is_small=True)
    assert clusters_assign(schools=School.objects.filter(pk__in=[rural.pk, by_hand.pk])) == 1
    rural.refresh_from_db(), by_hand.refresh_from_db()
    assert rural.cluster.code == "rural_small" and by_hand.cluster == special


# Import from the template ------------------------------------------------------------------------------------------

SCHOOL_HEADERS = [c.header for c in SCHOOL_COLUMNS]
PROFILE_HEADERS = [c.header for c in PROFILE_COLUMNS]


def xlsx(sheets: dict[str, list[list]]) -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, table in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in table:
            sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("reestr.xlsx", buffer.getvalue())


def profile_row(municipality, school, year, **values):
    row = [municipality, school, year] + [None] * (len(PROFILE_HEADERS) - 3)
    fields = [c.field for c in PROFILE_COLUMNS]
    for name, value in values.items():
        row[fields.index(name)] = value
    return row


IMPORT = reverse("schools:registry_import")
PREVIEW = reverse("schools:registry_import_preview")


def check(client, upload):
    """Upload a file and open its preview (nothing is saved yet)."""
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 302 and response.url == PREVIEW, response.content.decode()[:2000]
    response = client.get(PREVIEW)
    assert response.status_code == 200
    return response


def messages_of(response) -> list[str]:
    return response.context["preview"].errors.messages()


def db_state():
    return (
        School.objects.count(),
        SchoolYearProfile.objects.count(),
        list(School.objects.order_by("pk").values_list("pk", "name", "kind", "locality", "is_small", "address")),
        list(SchoolYearProfile.objects.order_by("pk").values_list("pk", "pupils", "share_low_income")),
    )


def test_import_pages_are_for_the_department_only(client, demo):
    for url in (IMPORT, PREVIEW, reverse("schools:registry_template")):
        for username in ("coordinator", "coordinator_b", "school", "curator", "tutor"):
            client.force_login(demo[username])
            assert client.get(url).status_code == 403
        client.logout()
        assert client.get(url).status_code == 302
    client.force_login(demo["coordinator"])
    assert (
        client.post(reverse("schools:registry_import"), {"file": xlsx({"Школы": [SCHOOL_HEADERS]})}).status_code == 403
    )
    html = client.get(reverse("schools:list")).content.decode()
    assert reverse("schools:registry_import") not in html


def test_template_has_the_two_sheets_with_russian_headers(client, demo):
    client.force_login(demo["department"])
    response = client.get(reverse("schools:registry_template"))
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    schools = [c.value for c in workbook["Школы"][1]]
    assert schools == [
        "Муниципалитет",
        "Краткое наименование",
        "Полное наименование",
        "Тип",
        "Местность",
        "Малокомплектная (да/нет)",
        "Адрес",
        "Директор",
        "Телефон",
        "Эл. почта",
        "ИНН",
        "ОГРН",
    ]
    profiles = [c.value for c in workbook["Профили"][1]]
    assert profiles[:3] == ["Муниципалитет", "Школа (краткое наименование)", "Год"]
    assert "Доля детей из малообеспеченных семей, %" in profiles and "Педагогов первой категории" in profiles
    reference = [row[0] for row in workbook["Справочник"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert sorted(reference) == sorted(Municipality.objects.values_list("name", flat=True))


def test_import_creates_and_updates_schools_and_profiles(client, demo, municipality_a):
    existing = municipality_a.schools.get(short_name="Заречная СОШ № 1")
    SchoolYearProfile.objects.filter(school=existing, year=2022).delete()
    SchoolYearProfile.objects.create(school=existing, year=2022, pupils=500, teachers=40)
    existing.director = "Иванова Анна Петровна"
    existing.save()
    upload = xlsx(
        {
            "Школы": [
                SCHOOL_HEADERS,
                [
                    municipality_a.name,
                    "Новая ООШ",
                    "МОУ «Новая основная школа»",
                    "ООШ",
                    "сельская",
                    "нет",
                    "с. Новое",
                    "Петров П. П.",
                    "+7 900 000-00-00",
                    "new@school.ru",
                    7701234567,
                    "1027700000001",
                ],
                [
                    municipality_a.name,
                    existing.short_name,
                    existing.name,
                    "СОШ",
                    "Городская",
                    "да",
                    "г. Заречный, ул. Школьная, 1",
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
            ],
            "Профили": [
                PROFILE_HEADERS,
                profile_row(municipality_a.name, "Новая ООШ", 2024, pupils=120, teachers=15, share_low_income=33.35),
                profile_row(municipality_a.name, existing.short_name, 2022, share_special_needs="12,5"),
            ],
            "Справочник": [["что угодно"]],
        }
    )
    client.force_login(demo["department"])
    before = db_state()
    preview = check(client, upload)
    assert db_state() == before  # the preview stores nothing
    html = preview.content.decode()
    assert "добавится <strong>1</strong>, обновится <strong>1</strong>, без изменений 0" in html
    assert "новая школа" in html and "Новая ООШ" in html
    assert "изменится школа" in html and "Малокомплектная: нет → да" in html
    response = client.post(PREVIEW, follow=True)
    assert response.redirect_chain[-1][0] == IMPORT
    html = response.content.decode()
    assert "Файл «reestr.xlsx»: Загрузка завершена. Школы: добавлено 1, обновлено 1" in html
    assert "Профили по годам: добавлено 1, обновлено 1" in html

    new = School.objects.get(municipality=municipality_a, short_name="Новая ООШ")
    assert (new.kind, new.locality, new.is_small, new.inn, new.email) == (
        "oosh",
        "rural",
        False,
        "7701234567",
        "new@school.ru",
    )
    assert new.cluster.code == "rural_small"  # assigned by rule right away
    existing.refresh_from_db()
    assert existing.address == "г. Заречный, ул. Школьная, 1" and existing.is_small
    assert existing.director == "Иванова Анна Петровна"  # an empty cell keeps the value
    assert existing.cluster.code == "rural_small"  # small now: re-clustered
    profile = SchoolYearProfile.objects.get(school=new, year=2024)
    assert (profile.pupils, profile.teachers, str(profile.share_low_income)) == (120, 15, "33.4")
    old = SchoolYearProfile.objects.get(school=existing, year=2022)
    assert (old.pupils, old.teachers, str(old.share_special_needs)) == (500, 40, "12.5")
    # The import is in the history of what it created and changed, with who did it.
    for obj, action in [(new, "+"), (existing, "~"), (profile, "+"), (old, "~")]:
        record = obj.history.order_by("-history_id").first()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            action, demo["department"], "загрузка реестра"
        )


def test_import_with_bad_rows_changes_nothing_and_names_each_error(client, demo, municipality_a):
    before = db_state()
    good = [municipality_a.name, "Хорошая СОШ", "МОУ «Хорошая СОШ»", "СОШ", "городская", "нет"] + [None] * 6
    upload = xlsx(
        {
            "Школы": [
                SCHOOL_HEADERS,
                good,
                [municipality_a.name, "Хорошая СОШ", "Повтор", "СОШ", "городская", "нет"] + [None] * 6,
                ["Несуществующий район", "Школа X", "МОУ X", "СОШ", "городская", "нет"] + [None] * 6,
                [municipality_a.name, "Школа Y", "МОУ Y", "колледж", "городская", "нет"] + [None] * 6,
            ],
            "Профили": [
                PROFILE_HEADERS,
                profile_row(municipality_a.name, "Хорошая СОШ", 2024, share_low_income=120),
                profile_row(municipality_a.name, "Хорошая СОШ", 2023, pupils="много"),
            ],
        }
    )
    client.force_login(demo["department"])
    response = check(client, upload)
    assert db_state() == before
    messages = messages_of(response)
    assert response.context["preview"].errors.count == 5, messages
    html = response.content.decode()
    assert "В файле есть ошибки — загрузить его нельзя" in html and "Найдено ошибок: 5." in html
    assert "Сохранить в реестр" not in html

    def find(*parts):
        assert any(all(p in m for p in parts) for m in messages), (parts, messages)

    find("Лист «Школы», строка 3, столбец B («Краткое наименование»)", "уже есть в строке 2")
    find("Лист «Школы», строка 4, столбец A («Муниципалитет»)", "«Несуществующий район» не найден")
    find("Лист «Школы», строка 5, столбец D («Тип»)", "ожидается одно из значений: «СОШ»", "а указано «колледж»")
    find("Лист «Профили», строка 2", "«Доля детей из малообеспеченных семей, %»", "от 0 до 100")
    find("Лист «Профили», строка 3, столбец D («Обучающихся»): ожидается число, а указано «много».")
    # Sheet by sheet, row by row, as in the file.
    assert [m.split(":")[0] for m in messages] == sorted(
        (m.split(":")[0] for m in messages), key=lambda place: ("Профили" in place, place)
    )
    # The file cannot be confirmed: pressing «save» anyway stores nothing.
    client.post(PREVIEW)
    assert db_state() == before


def test_import_reports_text_in_a_number_cell_and_a_missing_column(client, demo, municipality_a):
    before = db_state()
    school = municipality_a.schools.first()
    upload = xlsx(
        {
            "Школы": [
                SCHOOL_HEADERS[:3] + SCHOOL_HEADERS[4:],
                [municipality_a.name, "Ш", "Ш", "городская"] + [None] * 7,
            ],
            "Профили": [PROFILE_HEADERS, profile_row(municipality_a.name, school.short_name, 2024, pupils="много")],
        }
    )
    client.force_login(demo["department"])
    messages = messages_of(check(client, upload))
    assert db_state() == before
    assert "Лист «Школы», строка 1, столбец «Тип»: нет обязательного столбца." in messages, messages
    assert "Лист «Профили», строка 2, столбец D («Обучающихся»): ожидается число, а указано «много»." in messages


def test_import_refuses_duplicate_profile_rows_and_unknown_schools(client, demo, municipality_a):
    before = db_state()
    school = municipality_a.schools.first()
    upload = xlsx(
        {
            "Профили": [
                PROFILE_HEADERS,
                profile_row(municipality_a.name, school.short_name, 2024, pupils=10),
                profile_row(municipality_a.name, school.short_name, 2024, pupils=11),
                profile_row(municipality_a.name, "Нет такой школы", 2024, pupils=11),
            ]
        }
    )
    client.force_login(demo["department"])
    messages = messages_of(check(client, upload))
    assert db_state() == before
    assert any("строка 3" in m and "уже есть в строке 2" in m for m in messages), messages
    assert any("строка 4" in m and "«Нет такой школы» не найдена" in m for m in messages), messages


def test_import_refuses_a_renamed_file_a_big_file_and_an_empty_one(client, demo, settings):
    client.force_login(demo["department"])
    before = db_state()
    fake = SimpleUploadedFile("reestr.xlsx", "Муниципалитет;Школа\n".encode("cp1251"))
    html = client.post(IMPORT, {"file": fake}).content.decode()
    assert "не является книгой Excel" in html
    zip_but_not_xlsx = BytesIO()
    with zipfile.ZipFile(zip_but_not_xlsx, "w") as archive:
        archive.writestr("a.txt", "x")
    html = client.post(IMPORT, {"file": SimpleUploadedFile("a.xlsx", zip_but_not_xlsx.getvalue())}).content.decode()
    assert "содержимое не похоже на книгу Excel" in html
    assert "нет ни одной заполненной строки" in check(client, xlsx({"Школы": [SCHOOL_HEADERS]})).content.decode()
    assert "нет листов «Школы» и «Профили»" in check(client, xlsx({"Лист1": [["a"]]})).content.decode()
    settings.UPLOAD_MAX_BYTES = 100
    html = client.post(IMPORT, {"file": xlsx({"Школы": [SCHOOL_HEADERS]})}).content.decode()
    assert "Файл больше допустимого размера (100 байт)" in html
    assert db_state() == before


# The preview ------------------------------------------------------------------------------------------------------


def test_preview_without_an_upload_sends_back_to_the_upload_page(client, demo):
    client.force_login(demo["department"])
    response = client.get(PREVIEW, follow=True)
    assert response.redirect_chain[-1][0] == IMPORT
    assert "Сначала загрузите заполненный шаблон реестра." in response.content.decode()


def held_files(settings) -> list:
    from pathlib import Path

    return sorted(p for p in (Path(settings.MEDIA_ROOT) / "pending-uploads").rglob("*") if p.is_file())


def test_preview_counts_what_saving_would_do_and_the_file_waits_until_confirmed(client, demo, municipality_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    school = municipality_a.schools.get(short_name="Заречная СОШ № 1")
    same = [municipality_a.name, school.short_name, school.name, school.get_kind_display(), school.get_locality_display()]
    upload = xlsx(
        {
            "Школы": [SCHOOL_HEADERS[:5], same, [municipality_a.name, "Вторая новая", "МОУ Вторая", "ООШ", "сельская"]],
            "Профили": [PROFILE_HEADERS, profile_row(municipality_a.name, "Вторая новая", 2025, pupils=90)],
        }
    )
    client.force_login(demo["department"])
    before = db_state()
    preview = check(client, upload).context["preview"]
    assert (len(preview.new_schools), len(preview.school_changes), preview.schools_unchanged) == (1, 0, 1)
    assert (len(preview.new_profiles), len(preview.profile_changes)) == (1, 0)
    assert db_state() == before and len(held_files(settings)) == 1
    client.get(PREVIEW)  # looking again changes nothing either
    assert db_state() == before and len(held_files(settings)) == 1
    client.post(PREVIEW)
    assert School.objects.get(short_name="Вторая новая").profiles.get(year=2025).pupils == 90
    assert held_files(settings) == []
    # Confirmed once: a second confirmation finds nothing waiting.
    assert client.post(PREVIEW).status_code == 302


def test_a_file_with_errors_is_not_kept(client, demo, municipality_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(demo["department"])
    check(client, xlsx({"Профили": [PROFILE_HEADERS, profile_row(municipality_a.name, "Нет такой", 2024, pupils=1)]}))
    assert held_files(settings) == []


def test_a_file_that_changes_nothing_offers_nothing_to_save(client, demo, municipality_a):
    school = municipality_a.schools.first()
    same = [municipality_a.name, school.short_name, school.name, school.get_kind_display(), school.get_locality_display()]
    client.force_login(demo["department"])
    html = check(client, xlsx({"Школы": [SCHOOL_HEADERS[:5], same]})).content.decode()
    assert "сохранять нечего" in html and "Сохранить в реестр" not in html
