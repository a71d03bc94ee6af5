"""The people of a territory (issue 21 item 4): who holds which role where, with search and filters; a person's
roles and their history; taking a role away and deactivating a person who left — their session ends, what they did
stays."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from schools.models import RoleAssignment, School
from schools.services import role_assign
from tests.conftest import login

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def team_of_two(demo, municipality_a):
    """A school of A whose management team is two people: the demo's `school` and a deputy."""
    school = RoleAssignment.objects.get(user=demo["school"], role="school_team").school
    deputy = User.objects.create(username="deputy", email="deputy@school.example", last_name="Заместитель",
                                 first_name="Ольга Павловна")  # fmt: skip
    role_assign(user=deputy, role="school_team", school=school)
    return school, deputy


def test_the_coordinator_sees_the_people_of_their_municipality_only(client, demo, team_of_two):
    school, deputy = team_of_two
    login(client, demo["coordinator"])
    page = client.get(reverse("people:list")).content.decode()
    assert "Заместитель Ольга Павловна" in page  # surname first, as Russian lists write it
    assert school.short_name in page
    login(client, demo["coordinator_b"])
    assert "Заместитель" not in client.get(reverse("people:list")).content.decode()
    assert client.get(reverse("people:person", args=[deputy.pk])).status_code == 404


def test_search_and_filters(client, demo, team_of_two, municipality_a):
    login(client, demo["department"])
    by_name = client.get(reverse("people:list"), {"q": "заместитель"}).content.decode()
    assert "Заместитель Ольга Павловна" in by_name and "Найдено: 1" in by_name
    by_role = client.get(reverse("people:list"), {"role": "tutor"})
    assert [p.username for p in by_role.context["page"].object_list] == ["tutor"]
    by_place = client.get(reverse("people:list"), {"role": "school_team", "municipality": municipality_a.pk})
    assert {p.username for p in by_place.context["page"].object_list} >= {"school", "deputy"}


def test_the_department_home_links_each_count_to_its_people(client, demo, team_of_two):
    login(client, demo["department"])
    home = client.get(reverse("home")).content.decode()
    count = RoleAssignment.objects.filter(role="school_team").values("user").distinct().count()
    assert f'href="/people/?role=school_team" class="figure-link" data-figure="home-people" data-value="{count}"' in home
    listed = client.get(reverse("people:list"), {"role": "school_team"})
    assert listed.context["page"].paginator.count == count


def test_a_team_of_several_and_taking_one_role_away(client, demo, team_of_two):
    school, deputy = team_of_two
    login(client, demo["coordinator"])
    assignment = RoleAssignment.objects.get(user=deputy)
    confirm = client.get(reverse("people:role_remove", args=[assignment.pk])).content.decode()
    assert "Снять роль «управленческая команда школы" in confirm
    client.post(reverse("people:role_remove", args=[assignment.pk]))
    assert not RoleAssignment.objects.filter(user=deputy).exists()
    assert RoleAssignment.objects.filter(school=school, role="school_team", user=demo["school"]).exists()
    history = RoleAssignment.history.filter(user_id=deputy.pk).order_by("history_date")
    assert [row.history_type for row in history] == ["+", "-"]
    assert history.last().history_user == demo["coordinator"]


def test_deactivating_a_person_ends_their_session_and_keeps_their_work(client, demo, team_of_two):
    school, deputy = team_of_two
    from django.test import Client

    theirs = Client()
    theirs.force_login(deputy)
    assert theirs.get(reverse("home")).status_code == 200

    login(client, demo["coordinator"])
    client.post(reverse("people:person_active", args=[deputy.pk]), {"active": "0"})
    deputy.refresh_from_db()
    assert deputy.is_active is False
    assert theirs.get(reverse("home"))["Location"].startswith(reverse("login"))  # the open session ended
    assert RoleAssignment.objects.filter(user=deputy).exists()  # nothing of theirs is deleted
    page = client.get(reverse("people:person", args=[deputy.pk])).content.decode()
    assert "учётная запись отключена" in page

    client.post(reverse("people:person_active", args=[deputy.pk]), {"active": "1"})
    deputy.refresh_from_db()
    assert deputy.is_active is True


def test_nobody_switches_off_more_than_they_could_give(client, demo):
    login(client, demo["coordinator"])
    # the department's account is not the coordinator's to switch off (they see it only if it holds a role here)
    response = client.post(reverse("people:person_active", args=[demo["department"].pk]), {"active": "0"})
    assert response.status_code in (403, 404)
    demo["department"].refresh_from_db()
    assert demo["department"].is_active
    login(client, demo["federal"])
    school = demo["school"]
    assert client.get(reverse("people:person", args=[school.pk])).status_code == 200
    assert client.post(reverse("people:person_active", args=[school.pk]), {"active": "0"}).status_code == 403


def test_the_people_list_reads_a_constant_number_of_queries(client, demo, municipality_a, django_assert_max_num_queries):
    login(client, demo["department"])
    client.get(reverse("people:list"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("people:list"))
    schools = list(School.objects.filter(municipality=municipality_a)[:5])
    for n in range(20):
        person = User.objects.create(username=f"extra{n}", last_name=f"Лишний{n}")
        role_assign(user=person, role="school_team", school=schools[n % 5])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("people:list"))
