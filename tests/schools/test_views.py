import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.demo import CURATOR_SCHOOL, DEMO_PASSWORD, MUNICIPALITY_A, MUNICIPALITY_B, REGION, SCHOOL_TEAM_SCHOOL
from schools.models import School
from tests.conftest import home_region_id

pytestmark = pytest.mark.django_db

ROLE_HOME = {
    "department": ["Управление образования", REGION[0], "Бэк-офис"],
    "district": ["Управление образования", MUNICIPALITY_A, "Бэк-офис"],
    "institute": ["Институт / методический центр", REGION[0], "Мониторинг"],
    "federal": ["Федеральный оператор", "Все регионы: только чтение", "Мониторинг"],
    "coordinator": ["Муниципальный координатор", MUNICIPALITY_A],
    "tutor": ["Тьютор", MUNICIPALITY_A, "ИПРП"],
    "school": ["Управленческая команда школы", SCHOOL_TEAM_SCHOOL, "data-panel=\"monitoring\"", "Занятия куратора"],
    "curator": ["Школа-куратор", CURATOR_SCHOOL, "договорам о сотрудничестве"],
    "coordinator_b": ["Муниципальный координатор", MUNICIPALITY_B],
}


@pytest.mark.parametrize("username", ROLE_HOME)
def test_home_page_shows_the_roles_scope(client, demo, username):
    client.force_login(demo[username])
    html = client.get(reverse("home")).content.decode()
    for text in ROLE_HOME[username]:
        assert text in html
    if username not in ("department", "district"):
        assert "Бэк-офис" not in html
    if username != "coordinator_b":
        assert MUNICIPALITY_B not in html
    else:
        assert MUNICIPALITY_A not in html


def test_home_page_counts_schools_of_the_coordinators_municipality(client, demo, municipality_a):
    client.force_login(demo["coordinator"])
    response = client.get(reverse("home"))
    panel = response.context["panels"][0]
    assert panel["municipality"] == municipality_a
    assert panel["school_count"] == municipality_a.schools.count()


def test_user_without_a_role_is_told_to_ask_the_department(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("newcomer", password="x"))
    html = client.get(reverse("home")).content.decode()
    assert "Роль ещё не назначена" in html


def test_anonymous_visitor_is_sent_to_login(client, db):
    for url in (reverse("home"), reverse("schools:list"), reverse("schools:detail", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_form_in_russian_logs_in_and_lands_home(client, demo):
    page = client.get(reverse("login")).content.decode()
    assert "Вход в портал" in page and "Пароль" in page
    response = client.post(reverse("login"), {"username": "coordinator", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    client.logout()
    wrong = client.post(reverse("login"), {"username": "coordinator", "password": "nope"})
    assert "Пожалуйста, введите правильные имя пользователя и пароль" in wrong.content.decode()


def test_demo_logins_are_shown_only_in_demo_mode(client, demo, settings):
    settings.DEMO_MODE = False
    assert "demo12345" not in client.get(reverse("login")).content.decode()
    settings.DEMO_MODE = True
    page = client.get(reverse("login")).content.decode()
    assert "demo12345" in page and "coordinator_b" in page


def test_logout_needs_post_and_ends_session(client, demo):
    client.force_login(demo["school"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change_in_russian(client, demo):
    client.force_login(demo["tutor"])
    bad = client.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "a", "new_password2": "b"})
    assert "Ваш старый пароль введен неправильно" in bad.content.decode()
    ok = client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": "Novyi-parol-2026", "new_password2": "Novyi-parol-2026"},
        follow=True,
    )
    assert "Пароль изменён." in ok.content.decode()
    demo["tutor"].refresh_from_db()
    assert demo["tutor"].check_password("Novyi-parol-2026")


def test_coordinator_school_list_never_shows_another_municipality(client, demo, municipality_b):
    client.force_login(demo["coordinator"])
    html = client.get(reverse("schools:list")).content.decode()
    for school in municipality_b.schools.all():
        assert school.short_name not in html
    # Another municipality typed into the filter is refused, not obeyed.
    response = client.get(reverse("schools:list"), {"municipality": municipality_b.pk})
    assert response.context["page"].paginator.count == 0 or not response.context["filter"].is_valid()
    assert all(s.municipality_id != municipality_b.pk for s in response.context["page"].object_list)


def test_outsider_gets_404_on_a_school_of_municipality_a(client, demo, municipality_a):
    client.force_login(demo["coordinator_b"])
    school = municipality_a.schools.first()
    assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 404
    client.force_login(demo["coordinator"])
    assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 200


def test_school_list_search_and_filter(client, demo, municipality_a):
    client.force_login(demo["department"])
    response = client.get(reverse("schools:list"), {"q": "покровская"})
    assert [s.short_name for s in response.context["page"].object_list] == [SCHOOL_TEAM_SCHOOL]
    response = client.get(reverse("schools:list"), {"municipality": municipality_a.pk, "kind": "gymnasium"})
    assert [s.short_name for s in response.context["page"].object_list] == [CURATOR_SCHOOL]


def test_the_registrys_filters_in_use_show_as_chips_that_remove_them(client, demo, municipality_a):
    client.force_login(demo["department"])
    url = reverse("schools:list")

    def chips(**query) -> dict[str, tuple[str, str]]:
        html = html_lib.unescape(client.get(url, query).content.decode())
        assert 'id="registry-filters"' in html and "registry-filters collapse" in html  # folded behind its button
        found = re.findall(r'filter-chip" href="\?([^"]*)"\s+title="[^"]*" aria-label="([^:]+): ([^"]+) — убрать"', html)
        return {label: (value, link) for link, label, value in found}

    assert chips() == {}
    # the form always sends the year and the ordering: as defaults they are no filters
    default_year = client.get(url).context["filter"].defaults["year"]
    found = chips(q="СОШ", municipality=municipality_a.pk, year=default_year, ordering="name", page="2")
    assert found == {
        "Поиск по названию": ("СОШ", f"municipality={municipality_a.pk}&year={default_year}&ordering=name"),
        "Муниципалитет": (municipality_a.name, f"q=%D0%A1%D0%9E%D0%A8&year={default_year}&ordering=name"),
    }
    assert chips(cluster="null", status="shnor") == {
        "Кластер": ("без кластера", "status=shnor"),
        "Статус в перечне": ("ШНОР", "cluster=null"),
    }


def test_a_schools_page_names_it_once_and_other_forms_only_when_they_differ(client, demo):
    client.force_login(demo["department"])
    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)

    def card(school) -> str:
        html = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
        return html[html.index("<h1") : html.index("</dl>")]  # the heading and the school's card

    School.objects.filter(pk=school.pk).update(name=school.short_name)  # as an imported school often is
    shown = card(school)
    assert shown.count(school.short_name) == 1
    assert "Краткое наименование" not in shown and "Полное наименование" not in shown
    full = "Муниципальное бюджетное общеобразовательное учреждение «Покровская средняя общеобразовательная школа»"
    School.objects.filter(pk=school.pk).update(name=full)
    shown = card(school)
    assert shown.count(school.short_name) == 1 and shown.count(full) == 1
    assert "Полное наименование" in shown


def test_school_list_paginates(client, demo, settings):
    settings.PAGE_SIZE = 10
    client.force_login(demo["department"])
    response = client.get(reverse("schools:list"), {"page": 2})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 10
    assert "Страница 2 из 4" in response.content.decode()


def _add_schools(municipality, count):
    School.objects.bulk_create(
        School(municipality=municipality, short_name=f"Доп. школа {municipality.pk}-{i}", name=f"Школа {i}")
        for i in range(count)
    )


@pytest.mark.parametrize("url_name", ["home", "schools:list"])
@pytest.mark.parametrize("username", ["department", "coordinator"])
def test_pages_keep_query_count_as_schools_grow(client, demo, municipality_a, url_name, username):
    client.force_login(demo[username])

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(url_name)).status_code == 200
        return len(ctx)

    before = count_queries()
    _add_schools(municipality_a, 200)
    assert count_queries() == before


def test_home_tells_the_department_what_the_list_waits_for(client, demo):
    from schools.identification import run_execute, run_start

    client.force_login(demo["department"])
    assert "Перечень на 2025/26 учебный год не утверждён" in client.get(reverse("home")).content.decode()
    run = run_execute(run_start(region_id=home_region_id(), year=2026, actor=demo["department"]))
    html = client.get(reverse("home")).content.decode()
    assert f"Запуск № {run.pk} на 2025/26 учебный год готов и ждёт утверждения" in html


def test_home_shows_the_school_its_place_on_the_list_and_the_coordinator_the_counts(client, demo):
    from schools.demo import APPROVED_YEAR
    from schools.school_year import school_year_label

    client.force_login(demo["school"])
    html = client.get(reverse("home")).content.decode()
    label = school_year_label(APPROVED_YEAR)  # the list says the school year it holds for
    assert f"В перечне на {label} учебный год" in html and "ШНОР" in html
    client.force_login(demo["coordinator"])
    assert f"Утверждённый перечень на {label} учебный год" in client.get(reverse("home")).content.decode()
