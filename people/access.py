"""Who brings whom into the portal, and who sees which invitations (on the shared `schools.access.Reach`).

- the department of a region invites its municipalities' coordinators, tutors, school teams and curator schools, its
  districts' departments and its institute; a district's department the coordinators, tutors and schools of its
  district; a coordinator the school teams and curator schools of their municipality (issue 21 item 1);
- an invitation is seen by the department of its territory and the coordinator of its municipality;
- the people pages show who holds which role in the territory (the overseers and the territory's readers see them); a
  role is taken away, or a person who left deactivated, by whoever could have given it (`grant_refusal`).
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from schools.access import Role, reach_of, role_assignments_reached
from schools.models import Municipality, School

from .models import Invitation, PersonalDataAccess

SCHOOL_ROLES = (Role.SCHOOL_TEAM, Role.CURATOR)
MUNICIPAL_ROLES = (Role.COORDINATOR, Role.TUTOR)


def can_onboard(user) -> bool:
    """The department and a municipal coordinator: those who oversee the work."""
    return reach_of(user).oversees


def grantable_roles(user) -> list[str]:
    reach = reach_of(user)
    roles = list(SCHOOL_ROLES) if reach.coordinator_municipality_ids or reach.department else []
    if reach.department:
        roles += MUNICIPAL_ROLES
    if reach.department_region_ids:
        roles += [Role.DEPARTMENT, Role.INSTITUTE]
    return roles


def grant_refusal(user, role: str, *, municipality: Municipality | None, school: School | None) -> str | None:
    """Why the user may not give this role at this place (a Russian message), or None."""
    reach = reach_of(user)
    label = Role(role).label
    if role in SCHOOL_ROLES:
        if school is None:
            return f"для роли «{label}» укажите школу"
        if not reach.oversees_municipality(school.municipality_id):
            return f"роль «{label}» в этой школе вы дать не можете"
        return None
    if role in MUNICIPAL_ROLES:
        if municipality is None:
            return f"для роли «{label}» укажите муниципалитет"
        if not reach.acts_for_municipality(municipality.pk):
            return f"роль «{label}» даёт управление образования; вы дать её не можете"
        return None
    if role in (Role.DEPARTMENT, Role.INSTITUTE):
        if municipality is None and role == Role.DEPARTMENT:
            return "управление образования региона назначает оператор портала; в файле — только управления районов"
        if municipality is not None and not reach.acts_for_region(municipality.region_id):
            return f"роль «{label}» даёт министерство образования региона; вы дать её не можете"
        if municipality is None and len(reach.department_region_ids) != 1:
            return f"роль «{label}» даёт министерство образования региона; вы дать её не можете"
        return None
    return f"роль «{label}» не назначается загрузкой файла"


def visible_invitations(user) -> QuerySet[Invitation]:
    reach = reach_of(user)
    if reach.reads_all:
        return Invitation.objects.all()
    return Invitation.objects.filter(
        Q(municipality_id__in=reach.overseen_municipality_ids) | Q(region_id__in=reach.department_region_ids)
    )


def get_invitation_or_404(user, pk) -> Invitation:
    return get_object_or_404(visible_invitations(user), pk=pk)


def can_resend(user, invitation: Invitation) -> bool:
    reach = reach_of(user)
    if invitation.municipality_id:
        return reach.oversees_municipality(invitation.municipality_id)
    return reach.acts_for_region(invitation.region_id)


# --- the people of a territory -------------------------------------------------------------------------------------


def can_read_people(user) -> bool:
    """The overseers (department, coordinator) and the territory's readers (institute, federal operator)."""
    reach = reach_of(user)
    return reach.oversees or reach.reads_territory


def visible_people(user) -> QuerySet:
    """The people holding a role in the user's territory, each with those of their roles the user reaches."""
    reached = role_assignments_reached(reach_of(user))
    people = get_user_model().objects.filter(pk__in=reached.values("user_id"))
    assignments = reached.select_related("region", "municipality", "school", "organisation").order_by("role", "pk")
    return people.prefetch_related(Prefetch("role_assignments", queryset=assignments, to_attr="reached_roles"))


def get_person_or_404(user, pk):
    return get_object_or_404(visible_people(user), pk=pk)


def can_manage_role(user, assignment) -> bool:
    """Whether the user may take this role away: they could have given it."""
    return grant_refusal(user, assignment.role, municipality=assignment.municipality, school=assignment.school) is None


def can_deactivate(user, person) -> bool:
    """A person who left is deactivated by whoever could have given every one of their roles — a coordinator cannot
    switch off a department's account that also holds a school role."""
    assignments = list(person.role_assignments.select_related("municipality", "school"))
    return bool(assignments) and person.pk != user.pk and all(can_manage_role(user, a) for a in assignments)


# --- the access log of personal data -------------------------------------------------------------------------------


def can_read_access_log(user) -> bool:
    return reach_of(user).department


def visible_access_log(user) -> QuerySet[PersonalDataAccess]:
    """The rows of the department's territory: its municipalities' (a region's department: every one of the region)."""
    return PersonalDataAccess.objects.filter(municipality_id__in=reach_of(user).department_municipality_ids)
