"""Who the partnerships' access functions let see what (`partnerships.access`).

What every URL of the section answers every role is a row of the project's one access table,
tests/access/test_matrix.py.
"""

import pytest
from django.urls import reverse

from partnerships.models import Practice, PracticeFile
from partnerships.services import practices as practices_services

pytestmark = pytest.mark.django_db

ROLES = ["department", "coordinator", "coordinator_b", "school", "curator", "tutor"]


def test_curator_never_sees_teachers_even_of_the_school_it_supports(client, world):
    from partnerships.access import visible_plans, visible_teachers

    curator = world.users["curator"]
    assert not visible_teachers(curator).exists()
    assert not visible_plans(curator).exists()
    client.force_login(curator)
    page = client.get(reverse("partnerships:agreement", args=[world.agreement.pk])).content.decode()
    assert world.teacher.full_name not in page


def test_tutors_list_holds_only_the_teachers_assigned_to_them(client, world):
    client.force_login(world.users["tutor"])
    names = {t.full_name for t in client.get(reverse("partnerships:teachers")).context["page"].object_list}
    assert world.teacher.full_name in names and world.untutored.full_name not in names


def test_draft_practice_is_seen_only_by_its_school_coordinator_and_department(world):
    from partnerships.access import visible_practices

    draft = practices_services.practice_create(
        actor=world.users["school"], school=world.supported_school, title="Черновик", description="Текст."
    )
    seen_by = {role for role in ROLES if visible_practices(world.users[role]).filter(pk=draft.pk).exists()}
    assert seen_by == {"department", "coordinator", "school"}
    assert Practice.objects.filter(pk=draft.pk, status=Practice.Status.DRAFT).exists()
    assert PracticeFile.objects.filter(practice=draft).count() == 0
