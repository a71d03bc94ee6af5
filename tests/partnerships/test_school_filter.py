"""The school filter of the lists offers the schools that appear in the list — and to a user who reaches several
municipalities, only once a municipality is chosen, so that a country's registry does not become a page of options."""

import re

import pytest
from django.urls import reverse

from partnerships.models import SupportSession
from schools.models import School

pytestmark = pytest.mark.django_db


def school_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="school"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [value for value in re.findall(r'<option value="([^"]*)"', select) if value]


def test_the_department_chooses_a_municipality_before_a_school(client, world):
    client.force_login(world.users["department"])
    url = reverse("partnerships:sessions")
    html = client.get(url).content.decode()
    assert school_options(html) == []
    assert "сначала выберите муниципалитет" in html

    municipality = world.supported_school.municipality
    html = client.get(url, {"municipality": municipality.pk}).content.decode()
    with_sessions = set(
        SupportSession.objects.filter(agreement__supported_school__municipality=municipality).values_list(
            "agreement__supported_school_id", flat=True
        )
    )
    assert {int(v) for v in school_options(html)} == with_sessions
    assert School.objects.filter(municipality=municipality).count() > len(with_sessions)


def test_a_school_in_the_link_still_filters_and_one_outside_the_list_is_refused(client, world):
    client.force_login(world.users["department"])
    url = reverse("partnerships:sessions")
    response = client.get(url, {"school": world.supported_school.pk})
    assert school_options(response.content.decode()) == [str(world.supported_school.pk)]
    rows = list(response.context["page"].object_list)
    assert rows and {s.agreement.supported_school_id for s in rows} == {world.supported_school.pk}

    no_sessions = School.objects.exclude(
        pk__in=SupportSession.objects.values("agreement__supported_school_id")
    ).first()
    refused = client.get(url, {"school": no_sessions.pk})
    assert refused.context["page"].paginator.count == 0
    assert "Условия отбора заданы неверно" in refused.content.decode()


def test_a_coordinator_of_one_municipality_sees_the_schools_at_once(client, world):
    client.force_login(world.users["coordinator"])
    html = client.get(reverse("partnerships:teachers")).content.decode()
    assert str(world.supported_school.pk) in school_options(html)
    assert "сначала выберите муниципалитет" not in html
