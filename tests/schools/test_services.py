import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.demo import seed_demo
from schools.models import Municipality, Region, RoleAssignment, School
from schools.services import DEPARTMENT_GROUP, role_assign, user_sync_back_office_access
from tests.conftest import home_region_id

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


def _fingerprint():
    User = get_user_model()
    rows = [
        list(Region.objects.order_by("pk").values_list()),
        list(Municipality.objects.order_by("pk").values_list()),
        list(School.objects.order_by("pk").values_list()),
        list(RoleAssignment.objects.order_by("pk").values_list("pk", "user_id", "role", "municipality_id", "school_id")),
        list(User.objects.order_by("pk").values_list("pk", "username", "password", "is_staff", "last_name")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_seed_demo_is_idempotent():
    first = seed_demo()
    before = _fingerprint()
    assert seed_demo() == first
    assert _fingerprint() == before
    assert first["municipalities"] >= 3 and first["schools"] >= 24


def test_department_role_opens_the_back_office_and_losing_it_closes_it(demo):
    user = get_user_model().objects.create_user("inspector", password="x")
    role_assign(user=user, role=Role.DEPARTMENT, region=Region.objects.get(pk=home_region_id()))
    user.refresh_from_db()
    assert user.is_staff and user.groups.filter(name=DEPARTMENT_GROUP).exists()
    assert user.has_perm("schools.change_school") and user.has_perm("schools.add_roleassignment")

    user.role_assignments.all().delete()
    user_sync_back_office_access(user=user)
    user = get_user_model().objects.get(pk=user.pk)
    assert not user.is_staff and not user.has_perm("schools.change_school")


def test_coordinator_role_does_not_open_the_back_office(demo):
    coordinator = demo["coordinator"]
    coordinator.refresh_from_db()
    assert not coordinator.is_staff


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        (Role.COORDINATOR, {}, "укажите муниципалитет"),
        (Role.SCHOOL_TEAM, {}, "укажите школу"),
        (Role.DEPARTMENT, {}, "одно из двух"),
        (Role.DEPARTMENT, {"municipality": True, "region": True}, "одно из двух"),
        (Role.DEPARTMENT, {"school": True}, "не школу"),
        (Role.FEDERAL, {"region": True}, "читает все регионы"),
        (Role.COORDINATOR, {"municipality": True, "region": True}, "Регион указывают только"),
        (Role.TUTOR, {"municipality": True, "school": True}, "школу не указывают"),
    ],
)
def test_role_scope_must_fit_the_role(demo, municipality_a, role, scope, message):
    user = demo["curator"]
    kwargs = {}
    if scope.get("municipality"):
        kwargs["municipality"] = municipality_a
    if scope.get("school"):
        kwargs["school"] = municipality_a.schools.first()
    if scope.get("region"):
        kwargs["region"] = municipality_a.region
    with pytest.raises(ValidationError) as error:
        role_assign(user=user, role=role, **kwargs)
    assert message in str(error.value)


def test_database_refuses_a_role_without_its_scope(demo):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=demo["tutor"], role=Role.COORDINATOR)


def test_assigning_the_same_role_twice_keeps_one(demo, municipality_a):
    coordinator = demo["coordinator"]
    role_assign(user=coordinator, role=Role.COORDINATOR, municipality=municipality_a)
    assert coordinator.role_assignments.count() == 1
