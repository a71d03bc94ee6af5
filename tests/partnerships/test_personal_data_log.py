"""Teachers' personal data (issue 21 item 7, 152-ФЗ): every opening of a teacher's card, an ИПРП or their export is
logged — who, when, what; the department reads its territory's log; old rows go after the region's retention period,
which the region's department sets."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from people.models import PersonalDataAccess, PersonalDataPolicy
from people.personal_data import access_log_purge
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_each_opening_is_logged_with_who_and_what(client, world):
    tutor = world.users["tutor"]
    login(client, tutor)
    client.get(reverse("partnerships:teacher", args=[world.teacher.pk]))
    client.get(reverse("partnerships:plan", args=[world.plan.pk]))
    client.get(reverse("partnerships:teachers_export"))
    rows = list(PersonalDataAccess.objects.order_by("pk"))
    assert [(row.user, row.kind) for row in rows] == [
        (tutor, "teacher"), (tutor, "plan"), (tutor, "teachers_export"),
    ]  # fmt: skip
    assert rows[0].object_id == world.teacher.pk and world.teacher.full_name in rows[0].label
    assert rows[0].municipality == world.teacher.school.municipality


def test_the_edit_forms_of_deficits_and_plans_are_openings_too(client, world):
    tutor = world.users["tutor"]
    login(client, tutor)
    deficit = world.teacher.deficits.first()
    assert client.get(reverse("partnerships:deficit_edit", args=[deficit.pk])).status_code == 200
    assert client.get(reverse("partnerships:plan_edit", args=[world.plan.pk])).status_code == 200
    rows = list(PersonalDataAccess.objects.order_by("pk").values_list("kind", "label"))
    assert rows == [
        ("teacher", f"{world.teacher.full_name}: дефицит «{deficit.area}»"),
        ("plan", f"ИПРП {world.plan.year}: {world.teacher.full_name}"),
    ]


def test_a_refused_opening_is_not_logged(client, world):
    login(client, world.users["coordinator_b"])
    assert client.get(reverse("partnerships:teacher", args=[world.teacher.pk])).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_the_department_reads_its_territory_log(client, world):
    login(client, world.users["tutor"])
    client.get(reverse("partnerships:teacher", args=[world.teacher.pk]))
    login(client, world.users["department"])
    page = client.get(reverse("people:access_log")).content.decode()
    assert world.teacher.full_name in page and "карточка педагога" in page
    login(client, world.users["department_b"])
    assert world.teacher.full_name not in client.get(reverse("people:access_log")).content.decode()
    login(client, world.users["coordinator"])
    assert client.get(reverse("people:access_log")).status_code == 403


def test_old_rows_go_after_the_regions_retention(client, world):
    login(client, world.users["tutor"])
    client.get(reverse("partnerships:teacher", args=[world.teacher.pk]))
    client.get(reverse("partnerships:plan", args=[world.plan.pk]))
    old, recent = PersonalDataAccess.objects.order_by("pk")
    PersonalDataAccess.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))

    assert access_log_purge() == 0  # the default keeps a year
    login(client, world.users["department"])
    answer = client.post(reverse("people:access_log"), {"retention_days": 30})
    assert answer.status_code == 302
    assert PersonalDataPolicy.objects.get().retention_days == 30
    call_command("purge_personal_data_log")
    assert list(PersonalDataAccess.objects.values_list("pk", flat=True)) == [recent.pk]

    refused = client.post(reverse("people:access_log"), {"retention_days": 5})
    assert "Убедитесь, что это значение больше либо равно 30" in refused.content.decode()


def test_a_district_reads_its_districts_log_and_cannot_set_the_regions_period(client, world):
    login(client, world.users["tutor"])
    client.get(reverse("partnerships:teacher", args=[world.teacher.pk]))
    login(client, world.users["district"])
    assert world.teacher.full_name in client.get(reverse("people:access_log")).content.decode()
    assert client.post(reverse("people:access_log"), {"retention_days": 30}).status_code == 403


def test_the_log_reads_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    from people.personal_data import access_log

    def opened(count):
        for _ in range(count):
            access_log(world.users["tutor"], "teacher", municipality=world.teacher.school.municipality, obj=world.teacher)

    login(client, world.users["department"])
    opened(2)
    client.get(reverse("people:access_log"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("people:access_log"))
    opened(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("people:access_log")).content.decode()
    assert page.count(world.teacher.full_name) >= 25
