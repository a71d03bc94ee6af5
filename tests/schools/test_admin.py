import html
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schools.models import RoleAssignment, School, SchoolYearProfile
from schools.registry_import import PROFILE_COLUMNS, SCHOOL_COLUMNS
from shnor_portal.uploads.holding import HOLD_DIR
from tests.schools.test_ege_workbook import workbook_bytes

pytestmark = pytest.mark.django_db


# The server administrator's records (a superuser's), not in the department's back office: login throttling and
# the task queue's results, which hold the jobs of every territory.
SERVER_ADMIN_APPS = {"axes", "django_tasks_database", "otp_totp", "otp_static"}


def _changelist_urls():
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if model._meta.app_label not in SERVER_ADMIN_APPS
    ]


def test_department_opens_every_back_office_list_with_search(client, demo):
    client.force_login(demo["department"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "Портал поддержки ШНОР и ШНСУ — бэк-офис" in page
    assert "Назначения ролей" in page
    for url in _changelist_urls():
        response = client.get(url, {"q": "Заречн"})
        assert response.status_code == 200, url


def test_every_portal_model_is_registered_with_search_and_filters():
    from django.apps import apps

    for app_label in ("schools", "programs", "monitoring", "partnerships"):  # history tables included
        for model in apps.get_app_config(app_label).get_models():
            model_admin = admin.site._registry.get(model)
            assert model_admin is not None, f"{model.__name__} не зарегистрирована в бэк-офисе"
            assert model_admin.search_fields, f"{model.__name__}: нет поиска"
            assert model_admin.list_filter or model._meta.model_name == "region", f"{model.__name__}: нет фильтров"


@pytest.mark.parametrize("username", ["coordinator", "coordinator_b", "school", "curator", "tutor"])
def test_other_roles_are_kept_out_of_the_back_office(client, demo, username):
    client.force_login(demo[username])
    response = client.get(reverse("admin:schools_school_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_department_assigns_a_role_in_the_back_office(client, demo, municipality_b, django_user_model):
    newcomer = django_user_model.objects.create_user("newcomer", password="x")
    client.force_login(demo["department"])
    response = client.post(
        reverse("admin:schools_roleassignment_add"),
        {"user": newcomer.pk, "role": "coordinator", "municipality": municipality_b.pk, "school": ""},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=newcomer)
    assert assignment.municipality == municipality_b

    wrong = client.post(
        reverse("admin:schools_roleassignment_add"),
        {"user": newcomer.pk, "role": "school_team", "municipality": "", "school": ""},
    )
    assert "Для этой роли укажите школу." in wrong.content.decode()


# --- the back office imports through the portal's upload pipeline --------------------------------------------------


def _profile_row(municipality, school, year, **values):
    row = [municipality, school, year] + [None] * (len(PROFILE_COLUMNS) - 3)
    for name, value in values.items():
        row[[c.field for c in PROFILE_COLUMNS].index(name)] = value
    return row


def _school_row(municipality, short_name, **values):
    row = [municipality, short_name, f"МОУ «{short_name}»", "СОШ", "городская"] + [None] * 7
    for name, value in values.items():
        row[[c.field for c in SCHOOL_COLUMNS].index(name)] = value
    return row


def _page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())).split())


def _portal_says(client, data: bytes) -> str:
    response = client.post(reverse("schools:registry_import"), {"file": SimpleUploadedFile("реестр.xlsx", data)})
    if response.status_code == 302:
        response = client.get(response.url)
    return _page_text(response)


def _back_office_says(client, model: str, data: bytes) -> str:
    response = client.post(
        reverse(f"admin:schools_{model}_import"),
        {"import_file": SimpleUploadedFile("реестр.xlsx", data), "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    return _page_text(response)


def _same_file_cases(municipality, school):
    profiles = [c.header for c in PROFILE_COLUMNS]
    schools = [c.header for c in SCHOOL_COLUMNS]
    return {
        "text in a number cell": (
            "schoolyearprofile",
            workbook_bytes({"Профили": [profiles, _profile_row(municipality, school, 2024, pupils="много")]}),
            "Лист «Профили», строка 2, столбец D («Обучающихся»): ожидается число, а указано «много».",
        ),
        "a share over 100": (
            "schoolyearprofile",
            workbook_bytes({"Профили": [profiles, _profile_row(municipality, school, 2024, share_low_income=150)]}),
            "Лист «Профили», строка 2, столбец I («Доля детей из малообеспеченных семей, %»): доля указывается в "
            "процентах от 0 до 100, а указано 150.",
        ),
        "more graduates than pupils": (
            "schoolyearprofile",
            workbook_bytes({"Профили": [profiles, _profile_row(municipality, school, 2024, pupils=10, graduates_9=20)]}),
            "Лист «Профили», строка 2, столбец E («Выпускников 9 классов»): не может быть больше, чем обучающихся в "
            "школе.",
        ),
        "a school not in the registry": (
            "schoolyearprofile",
            workbook_bytes({"Профили": [profiles, _profile_row(municipality, "Нет такой школы", 2024, pupils=10)]}),
            f"Лист «Профили», строка 2, столбец B («Школа (краткое наименование)»): школа «Нет такой школы» не "
            f"найдена в муниципалитете «{municipality}».",
        ),
        "an unknown kind of school": (
            "school",
            workbook_bytes({"Школы": [schools, _school_row(municipality, "Новая СОШ", kind="колледж")]}),
            "Лист «Школы», строка 2, столбец D («Тип»): ожидается одно из значений: «СОШ»",
        ),
        "an unknown municipality": (
            "school",
            workbook_bytes({"Школы": [schools, _school_row("Атлантида", "Новая СОШ")]}),
            "Лист «Школы», строка 2, столбец A («Муниципалитет»): муниципалитет «Атлантида» не найден в реестре.",
        ),
        "a missing required column": (
            "school",
            workbook_bytes({"Школы": [schools[:3] + schools[4:], _school_row(municipality, "Новая СОШ")[:3]]}),
            "Лист «Школы», строка 1, столбец «Тип»: нет обязательного столбца.",
        ),
        "a formula without a computed value": (
            "schoolyearprofile",  # written by a program (openpyxl), never opened in Excel: «=1+1» has no value
            workbook_bytes({"Профили": [profiles, _profile_row(municipality, school, 2024, pupils="=1+1")]}),
            "Лист «Профили», строка 2, столбец D («Обучающихся»): ячейка содержит формулу без вычисленного значения: "
            "=1+1.",
        ),
        "a renamed PDF": ("school", b"%PDF-1.4 a report", "Файл не является книгой Excel (.xlsx)"),
    }


@pytest.mark.parametrize(
    "case",
    ["text in a number cell", "a share over 100", "more graduates than pupils", "a school not in the registry",
     "an unknown kind of school", "an unknown municipality", "a missing required column",
     "a formula without a computed value", "a renamed PDF"],
)  # fmt: skip
def test_the_same_bad_file_gets_the_same_message_on_the_portal_and_in_the_back_office(client, demo, municipality_a, case):
    school = municipality_a.schools.order_by("short_name").first()
    model, data, message = _same_file_cases(municipality_a.name, school.short_name)[case]
    client.force_login(demo["department"])
    before = (School.objects.count(), SchoolYearProfile.objects.count())
    portal, back_office = _portal_says(client, data), _back_office_says(client, model, data)
    assert message in portal, portal[:3000]
    assert message in back_office, back_office[:3000]
    assert (School.objects.count(), SchoolYearProfile.objects.count()) == before


def test_the_back_office_imports_the_portals_template_and_holds_the_file_like_the_portal(
    client, demo, municipality_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    school = municipality_a.schools.order_by("short_name").first()
    SchoolYearProfile.objects.filter(school=school, year=2031).delete()
    # The whole template: the profile's admin takes the sheet «Профили», after «Школы».
    data = workbook_bytes(
        {
            "Школы": [[c.header for c in SCHOOL_COLUMNS]],
            "Профили": [[c.header for c in PROFILE_COLUMNS], _profile_row(municipality_a.name, school.short_name, 2031, pupils=321)],
        }
    )
    client.force_login(demo["department"])
    response = client.post(
        reverse("admin:schools_schoolyearprofile_import"),
        {"import_file": SimpleUploadedFile("р.xlsx", data), "format": "0", "resource": "0"},
    )
    confirm = response.context["confirm_form"]
    assert confirm is not None, _page_text(response)[:3000]
    held = [p for p in (Path(tmp_path) / HOLD_DIR / "back-office").rglob("*") if p.is_file()]
    assert len(held) == 1
    response = client.post(reverse("admin:schools_schoolyearprofile_process_import"), confirm.initial)
    assert response.status_code == 302
    assert SchoolYearProfile.objects.get(school=school, year=2031).pupils == 321
    assert not [p for p in (Path(tmp_path) / HOLD_DIR).rglob("*") if p.is_file()]


def test_what_the_back_office_exports_the_portal_imports_as_it_is(demo, municipality_a):
    """The resources write the template's columns: their export is a registry file the portal reads without a
    problem, and finds nothing to change."""
    from schools.registry_import import registry_import_preview
    from schools.resources import SchoolResource, SchoolYearProfileResource

    schools = SchoolResource().export(queryset=School.objects.filter(municipality=municipality_a))
    profiles = SchoolYearProfileResource().export(
        queryset=SchoolYearProfile.objects.filter(school__municipality=municipality_a, year=2024)
    )
    data = workbook_bytes(
        {
            "Школы": [list(schools.headers)[:12], *[list(row)[:12] for row in schools]],
            "Профили": [list(profiles.headers), *[list(row) for row in profiles]],
        }
    )
    preview = registry_import_preview(data, actor=demo["department"])
    assert preview.errors.messages() == []
    assert not preview.has_changes
    assert preview.schools_unchanged == municipality_a.schools.count()
    assert preview.profiles_unchanged == len(profiles) > 0
