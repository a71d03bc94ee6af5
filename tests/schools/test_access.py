import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from schools.access import (
    get_municipality_or_404,
    get_school_or_404,
    is_department,
    visible_municipalities,
    visible_schools,
)
from schools.demo import CURATOR_SCHOOL, SCHOOL_TEAM_SCHOOL
from schools.models import Municipality, RoleAssignment, School
from schools.services import role_assign

pytestmark = pytest.mark.django_db


def names(queryset):
    return set(queryset.values_list("short_name", flat=True))


def test_department_sees_every_school_and_municipality(demo):
    department = demo["department"]
    assert visible_schools(department).count() == School.objects.count()
    assert visible_municipalities(department).count() == Municipality.objects.count()
    assert is_department(department)


@pytest.mark.parametrize("username", ["coordinator", "tutor"])
def test_municipal_roles_see_exactly_their_municipality(demo, municipality_a, municipality_b, username):
    user = demo[username]
    assert names(visible_schools(user)) == names(municipality_a.schools.all())
    assert list(visible_municipalities(user)) == [municipality_a]
    assert not is_department(user)


def test_outsider_coordinator_sees_only_municipality_b(demo, municipality_a, municipality_b):
    outsider = demo["coordinator_b"]
    assert names(visible_schools(outsider)) == names(municipality_b.schools.all())
    assert not visible_schools(outsider).filter(municipality=municipality_a).exists()
    a_school = municipality_a.schools.first()
    with pytest.raises(Http404):
        get_school_or_404(outsider, a_school.pk)
    with pytest.raises(Http404):
        get_municipality_or_404(outsider, municipality_a.pk)


@pytest.mark.parametrize(("username", "school"), [("school", SCHOOL_TEAM_SCHOOL), ("curator", CURATOR_SCHOOL)])
def test_school_roles_see_only_their_school(demo, municipality_a, username, school):
    from partnerships.models import Agreement

    user = demo[username]
    # A curator school also reaches the schools it supports under an agreement in force (see tests/partnerships).
    supported = (
        set(
            Agreement.objects.in_force()
            .filter(curator_school__short_name=school)
            .values_list("supported_school__short_name", flat=True)
        )
        if username == "curator"
        else set()
    )
    assert names(visible_schools(user)) == {school} | supported
    # The municipality is visible as the home of the school, not its other schools.
    assert list(visible_municipalities(user)) == [municipality_a]
    neighbour = municipality_a.schools.exclude(short_name__in={school} | supported).first()
    with pytest.raises(Http404):
        get_school_or_404(user, neighbour.pk)
    assert get_school_or_404(user, visible_schools(user).get(short_name=school).pk).short_name == school


def test_roles_add_up(demo, municipality_a, municipality_b):
    curator = demo["curator"]
    role_assign(user=curator, role=RoleAssignment.Role.TUTOR, municipality=municipality_b)
    curator = get_user_model().objects.get(pk=curator.pk)  # roles are cached per request/user object
    expected = names(municipality_b.schools.all()) | {CURATOR_SCHOOL}
    assert names(visible_schools(curator)) == expected
    assert set(visible_municipalities(curator)) == {municipality_a, municipality_b}


def test_without_a_role_or_login_nothing_is_visible(demo):
    nobody = get_user_model().objects.create_user("nobody", password="x")
    for user in (nobody, AnonymousUser()):
        assert not visible_schools(user).exists()
        assert not visible_municipalities(user).exists()
        with pytest.raises(Http404):
            get_school_or_404(user, School.objects.first().pk)


def test_deactivated_user_loses_reach(demo):
    coordinator = demo["coordinator"]
    coordinator.is_active = False
    coordinator.save()
    assert not visible_schools(coordinator).exists()


def test_roles_are_read_once_per_user_object(demo, django_assert_num_queries):
    coordinator = get_user_model().objects.get(username="coordinator")
    with django_assert_num_queries(2):  # the roles, then the schools
        list(visible_schools(coordinator))
    with django_assert_num_queries(1):  # the roles are kept on the user object
        list(visible_schools(coordinator))

