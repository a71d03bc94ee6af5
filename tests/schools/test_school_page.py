"""The school page: card, yearly profiles and their edit form, results with the chart, verdicts with explanations."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from schools.measures import measures_by_code
from schools.models import (
    Cluster,
    IdentificationRun,
    IdentificationVerdict,
    School,
    SchoolResult,
    SchoolYearProfile,
    SchoolYearStatus,
    Status,
)
from tests.conftest import home_region_id

pytestmark = pytest.mark.django_db

RESULT_CODES = [
    "ege-russian-participants",
    "ege-russian-below_min",
    "ege-russian-mean_score",
    "ege-math_profile-participants",
    "ege-math_profile-below_min",
    "ege-math_profile-mean_score",
    "ege-physics-mean_score",
    "oge-math-participants",
]


@pytest.fixture
def school(demo, municipality_a):
    """A school of municipality A with a full card and no yearly data yet."""
    return School.objects.create(
        municipality=municipality_a,
        short_name="Тестовая СОШ",
        name="МОУ «Тестовая средняя школа»",
        kind=School.Kind.SOSH,
        locality=School.Locality.RURAL,
        is_small=True,
        address="с. Тестовое, ул. Мира, 1",
        director="Смирнова Елена Ивановна",
        phone="+7 (900) 111-22-33",
        email="test@school.ru",
        inn="7701234567",
        ogrn="1027700000001",
        cluster=Cluster.objects.create(code="test-cluster", name="Тестовый кластер"),
    )


def fill_years(school, years):
    measures = measures_by_code(set(RESULT_CODES))
    for year in years:
        SchoolYearProfile.objects.create(
            school=school,
            year=year,
            pupils=200 + year % 10,
            teachers=20,
            vacancies=2,
            share_low_income="31.5",
        )
        values = {
            "ege-russian-participants": 20,
            "ege-russian-below_min": 2,
            "ege-russian-mean_score": 60.5 + year % 10,
            "ege-math_profile-participants": 10,
            "ege-math_profile-below_min": 3,
            "ege-math_profile-mean_score": 41.25,
            "ege-physics-mean_score": 50,
            "oge-math-participants": 30,
        }
        SchoolResult.objects.bulk_create(
            SchoolResult(school=school, year=year, measure=measures[code], value=value)
            for code, value in values.items()
        )
        run = IdentificationRun.objects.create(region_id=home_region_id(), year=year, state="done", approved_at=timezone.now())
        SchoolYearStatus.objects.create(school=school, year=year, status=Status.SHNOR, run=run, preventive=True)
        IdentificationVerdict.objects.create(
            run=run,
            school=school,
            status=Status.SHNOR,
            oip=15.5,
            social_index=50.0,
            preventive=True,
            cluster_name="Тестовый кластер",
            explanation={
                "text": f"ОИП ниже порога 21 в {year}.",
                "criteria": [
                    {
                        "year": year,
                        "name": "Средний балл ЕГЭ по русскому языку",
                        "value": 48.123,
                        "line": 20,
                        "unit": "балл",
                        "cluster": "Тестовый кластер",
                        "low": True,
                        "rule_text": "20 % худших в кластере",
                    },
                    {"name": "Критерий без года и значения"},
                    "не словарь",
                ],
            },
        )


def page(client, school):
    response = client.get(reverse("schools:detail", args=[school.pk]))
    assert response.status_code == 200
    return response, response.content.decode()


def test_card_shows_every_field_and_the_cluster(client, demo, school):
    client.force_login(demo["coordinator"])
    _, html = page(client, school)
    for text in (
        "МОУ «Тестовая средняя школа»",
        "Сельская",
        "Малокомплектная",
        "с. Тестовое, ул. Мира, 1",
        "Смирнова Елена Ивановна",
        "+7 (900) 111-22-33",
        "test@school.ru",
        "7701234567",
        "1027700000001",
        "Тестовый кластер",
        school.municipality.name,
        "Кто сопровождает школу",
        "Действующих договоров с школой-куратором нет, тьюторы за педагогами школы не закреплены",
    ):
        assert text in html, text
    # Nothing yet: each section says so.
    assert "Профиль школы ещё не заполнен" in html
    assert "Результаты ГИА школы ещё не загружены" in html
    assert "Утверждённых перечней, в которых рассматривалась школа, пока нет" in html
    assert "school-results-data" not in html


def test_profiles_results_chart_and_verdicts_by_year(client, demo, school):
    fill_years(school, [2023, 2024])
    client.force_login(demo["department"])
    response, html = page(client, school)

    assert [label for _year, label in response.context["profile_years"]] == ["2022/23", "2023/24"]
    assert "Доля детей из малообеспеченных семей, %" in html and "31,5" in html
    assert "Доля вакансий педагогов, %" in html  # derived: 2 / (20 + 2)

    titles = [t["title"] for t in response.context["key_tables"]]
    assert titles == ["ЕГЭ: Русский язык", "ЕГЭ: Математика профильная"]
    russian = response.context["key_tables"][0]
    labels = [row["label"] for row in russian["rows"]]
    assert labels[:3] == [
        "Приняли участие, чел.",
        "Не преодолели минимальный порог, чел.",
        "Доля не преодолевших минимальный порог, %",
    ]
    share = next(row for row in russian["rows"] if row["metric"] == "share_below_min")
    assert share["values"] == [10.0, 10.0]
    others = [t["title"] for t in response.context["other_tables"]]
    assert others == ["ЕГЭ: Физика", "ОГЭ: Математика"]

    match = re.search(r'<script id="school-results-data" type="application/json">(.*?)</script>', html)
    chart = json.loads(match.group(1))
    assert chart["years"] == ["2022/23", "2023/24"]
    series = {s["label"]: s["data"] for s in chart["series"]}
    assert series["Русский язык: средний балл"] == [63.5, 64.5]
    assert series["Математика профильная: не преодолели минимум, %"] == [30.0, 30.0]
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/school_chart.js" in html

    assert "Перечень на 2023/24 учебный год" in html and "Перечень на 2022/23 учебный год" in html
    assert "ОИП ниже порога 21 в 2024." in html
    assert "Средний балл ЕГЭ по русскому языку" in html and "48,12 балл" in html
    assert "20 % худших в кластере" in html
    assert "Критерий без года и значения" in html  # a row with missing keys still shows
    assert "не словарь" not in html
    assert '<span class="badge bg-danger">ШНОР</span>' in html and "профилактика" in html


@pytest.mark.parametrize(
    "explanation",
    [{}, {"text": "Только текст."}, {"criteria": "не список"}, {"criteria": [{}]}, [], "строка", None],
)
def test_verdict_explanation_of_any_shape_renders(client, demo, school, explanation):
    run = IdentificationRun.objects.create(region_id=home_region_id(), year=2024, state="done", approved_at=timezone.now())
    SchoolYearStatus.objects.create(school=school, year=2024, status=Status.SHNSU, run=run)
    IdentificationVerdict.objects.create(
        run=run, school=school, status=Status.SHNSU, explanation=explanation if explanation is not None else {}
    )
    client.force_login(demo["department"])
    _, html = page(client, school)
    assert '<span class="badge bg-warning text-dark">ШНСУ</span>' in html
    if explanation == {"text": "Только текст."}:
        assert "Только текст." in html
    if not explanation or explanation == {"criteria": "не список"}:
        assert "Пояснение к решению не сохранено." in html


def test_only_verdicts_of_the_approved_list_are_shown(client, demo, school):
    approved = IdentificationRun.objects.create(region_id=home_region_id(), year=2024, state="done", approved_at=timezone.now())
    draft = IdentificationRun.objects.create(region_id=home_region_id(), year=2024, state="done")
    SchoolYearStatus.objects.create(school=school, year=2024, status=Status.SHNOR, run=approved)
    IdentificationVerdict.objects.create(
        run=approved, school=school, status=Status.SHNOR, explanation={"text": "Утверждено."}
    )
    IdentificationVerdict.objects.create(
        run=draft, school=school, status=Status.NONE, explanation={"text": "Черновик."}
    )
    client.force_login(demo["department"])
    _, html = page(client, school)
    assert "Утверждено." in html and "Черновик." not in html


# Who may see and edit ----------------------------------------------------------------------------------------------


def test_school_team_reads_its_own_profile_but_cannot_edit(client, demo):
    own = School.objects.get(role_assignments__user=demo["school"])
    SchoolYearProfile.objects.update_or_create(school=own, year=2023, defaults={"pupils": 321})
    client.force_login(demo["school"])
    response, html = page(client, own)
    assert "321" in html and "доступен для просмотра" in html
    assert reverse("schools:profile_edit", args=[own.pk, 2023]) not in html
    url = reverse("schools:profile_edit", args=[own.pk, 2023])
    assert client.get(url).status_code == 403
    assert client.post(url, {"pupils": 1}).status_code == 403
    assert SchoolYearProfile.objects.get(school=own, year=2023).pupils == 321
    neighbour = School.objects.filter(municipality=own.municipality).exclude(pk=own.pk).first()
    assert client.get(reverse("schools:detail", args=[neighbour.pk])).status_code == 404
    assert client.get(reverse("schools:profile_edit", args=[neighbour.pk, 2023])).status_code == 404

    # The coordinator of its municipality keeps it; the other municipality's coordinator does not even see it.
    client.force_login(demo["coordinator_b"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"pupils": 1}).status_code == 404
    client.force_login(demo["coordinator"])
    assert client.post(url, {"pupils": 330}).status_code == 302
    assert SchoolYearProfile.objects.get(school=own, year=2023).pupils == 330
    client.force_login(demo["school"])
    assert "330" in page(client, own)[1]


@pytest.mark.parametrize("username", ["curator", "tutor"])
def test_other_roles_of_the_municipality_cannot_edit_profiles(client, demo, username):
    school = School.objects.get(role_assignments__user=demo["curator"])
    client.force_login(demo[username])
    assert client.get(reverse("schools:profile_edit", args=[school.pk, 2024])).status_code == 403


def test_coordinator_creates_and_updates_a_profile(client, demo, school):
    url = reverse("schools:profile_edit", args=[school.pk, 2024])
    client.force_login(demo["coordinator_b"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"pupils": 5}).status_code == 404
    assert not SchoolYearProfile.objects.filter(school=school).exists()

    client.force_login(demo["coordinator"])
    _, html = page(client, school)
    assert url in html  # offered among the years to fill
    assert client.get(url).status_code == 200
    response = client.post(url, {"pupils": 250, "teachers": 21, "share_low_income": "12.5"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("schools:detail", args=[school.pk]))
    assert "Профиль школы за 2023/24 учебный год сохранён." in response.content.decode()
    profile = SchoolYearProfile.objects.get(school=school, year=2024)
    assert (profile.pupils, profile.teachers, str(profile.share_low_income), profile.vacancies) == (
        250,
        21,
        "12.5",
        None,
    )

    response = client.post(url, {"pupils": 260}, follow=True)
    profile.refresh_from_db()
    assert profile.pupils == 260 and SchoolYearProfile.objects.filter(school=school).count() == 1


def test_department_edits_any_school(client, demo, municipality_b):
    school = municipality_b.schools.first()
    client.force_login(demo["department"])
    response = client.post(reverse("schools:profile_edit", args=[school.pk, 2022]), {"pupils": 99})
    assert response.status_code == 302
    assert SchoolYearProfile.objects.get(school=school, year=2022).pupils == 99


def test_profile_form_errors_are_russian_and_next_to_fields(client, demo, school):
    url = reverse("schools:profile_edit", args=[school.pk, 2024])
    client.force_login(demo["coordinator"])
    response = client.post(
        url,
        {
            "pupils": "-3",
            "teachers": "много",
            "share_low_income": "120",
            "share_special_needs": "-1",
            "graduates_9": "10",
            "vacancies": "2.5",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["pupils"] == ["Количество не может быть отрицательным."]
    assert errors["teachers"] == ["Введите целое число."]
    assert errors["share_low_income"] == ["Доля указывается в процентах: от 0 до 100."]
    assert errors["share_special_needs"] == ["Доля указывается в процентах: от 0 до 100."]
    assert errors["vacancies"] == ["Введите целое число."]
    html = response.content.decode()
    assert "Профиль не сохранён: исправьте отмеченные поля." in html
    assert 'id="error_1_id_share_low_income"' in html or "invalid-feedback" in html
    assert not SchoolYearProfile.objects.filter(school=school).exists()

    response = client.post(url, {"pupils": "10", "graduates_9": "11"})
    assert response.context["form"].errors["graduates_9"] == ["Не может быть больше, чем обучающихся в школе."]


def test_profile_of_an_impossible_year_is_not_found(client, demo, school):
    client.force_login(demo["department"])
    assert client.get(reverse("schools:profile_edit", args=[school.pk, 1999])).status_code == 404
    assert client.get(reverse("schools:profile_edit", args=[school.pk, 2300])).status_code == 404


# Query counts ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["department", "coordinator", "school"])
def test_school_page_keeps_query_count_as_years_grow(client, demo, school, username):
    if username == "school":
        school = School.objects.get(role_assignments__user=demo["school"])
        SchoolYearProfile.objects.filter(school=school).delete()
        SchoolResult.objects.filter(school=school).delete()
        SchoolYearStatus.objects.filter(school=school).delete()
    client.force_login(demo[username])

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            page(client, school)
        return len(ctx)

    fill_years(school, [2020])
    before = count_queries()
    fill_years(school, [2015, 2016, 2017, 2018, 2019, 2021, 2022, 2023])
    assert count_queries() == before


def test_the_card_shows_and_edits_the_whole_social_passport(client, demo, school):
    """The passport fields of seed 002 that the passport import loads are read and corrected on the school's card."""
    url = reverse("schools:profile_edit", args=[school.pk, 2024])
    client.force_login(demo["coordinator"])
    form = client.get(url).content.decode()
    assert "Доля обучающихся с ЗПР, %" in form and "Малокомплектная удалённая сельская школа" in form
    response = client.post(
        url, {"pupils": 80, "pupils_left": 90, "share_zpr": "140", "remote_small_rural": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Не может быть больше, чем обучающихся в школе." in html
    assert "Доля указывается в процентах: от 0 до 100." in html
    assert not SchoolYearProfile.objects.filter(school=school, year=2024).exists()

    saved = client.post(url, {"pupils": 80, "pupils_left": 4, "share_zpr": "41.5", "remote_small_rural": "true"})
    assert saved.status_code == 302, saved.content.decode()[:500]
    profile = SchoolYearProfile.objects.get(school=school, year=2024)
    assert (profile.pupils_left, str(profile.share_zpr), profile.remote_small_rural) == (4, "41.5", True)
    _, html = page(client, school)
    assert "Доля обучающихся с ЗПР, %" in html and "41,5" in html
    assert "Выбыло за год на 100 обучающихся" in html and "5,0" in html
    assert "Малокомплектная удалённая сельская школа" in html and ">да<" in html
