"""A school with history cannot be deleted by accident: the back office offers the archive instead, which keeps its
results and lists, hides it from the registry's default view and from new identification runs."""

import pytest
from django.urls import reverse

from schools.demo import APPROVED_YEAR, SCHOOL_TEAM_SCHOOL
from schools.models import IdentificationVerdict, School, SchoolResult
from tests.conftest import home_region_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(demo):
    return School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)


def test_a_school_with_results_has_no_delete_in_the_back_office(client, demo, school):
    client.force_login(demo["department"])
    results = SchoolResult.objects.filter(school=school).count()
    assert results > 0
    change = client.get(reverse("admin:schools_school_change", args=[school.pk]))
    html = change.content.decode()
    assert reverse("admin:schools_school_delete", args=[school.pk]) not in html
    assert "удалить её нельзя" in html and "Перевести в архив" in html
    assert client.post(reverse("admin:schools_school_delete", args=[school.pk]), {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:schools_school_changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist
    assert School.objects.filter(pk=school.pk).exists()
    assert SchoolResult.objects.filter(school=school).count() == results


def test_a_school_without_history_can_be_deleted_after_the_confirmation(client, demo, school):
    client.force_login(demo["department"])
    empty = School.objects.create(municipality=school.municipality, short_name="Ошибочная запись", name="Ошибка")
    url = reverse("admin:schools_school_delete", args=[empty.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Ошибочная запись" in confirm.content.decode()
    assert School.objects.filter(pk=empty.pk).exists()  # the confirmation page changes nothing
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not School.objects.filter(pk=empty.pk).exists()


def test_archiving_keeps_the_history_and_leaves_the_registry_and_new_runs(client, demo, school):
    from schools.identification import run_execute, run_start

    client.force_login(demo["department"])
    verdicts = IdentificationVerdict.objects.filter(school=school).count()
    response = client.post(
        reverse("admin:schools_school_changelist"), {"action": "archive", "_selected_action": [school.pk]}
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.is_archived

    registry = client.get(reverse("schools:list"))
    assert school not in list(registry.context["page"].object_list)
    archived = client.get(reverse("schools:list"), {"archive": "archived"})
    assert [s.pk for s in archived.context["page"].object_list] == [school.pk]
    page = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert "Школа в архиве с" in page

    run = run_execute(run_start(region_id=home_region_id(), year=APPROVED_YEAR + 1, actor=demo["department"]))
    assert not run.verdicts.filter(school=school).exists()
    assert run.verdicts.exists()
    assert IdentificationVerdict.objects.filter(school=school).count() == verdicts

    client.post(reverse("admin:schools_school_changelist"), {"action": "restore", "_selected_action": [school.pk]})
    school.refresh_from_db()
    assert not school.is_archived
