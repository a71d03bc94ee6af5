"""Who sees what: the one place that decides it.

Every list, detail page, download and export of the portal takes its rows from
here. Lists ask for a queryset (`visible_schools`, `visible_municipalities`);
detail pages ask for one object (`get_school_or_404`), which answers 404 for an
object outside the user's reach so that nothing leaks that it exists.

The roles of a user are read once per request and kept on the user object. A curator school reaches its own
school and the schools it holds an agreement in force with (`partnerships.Agreement`): that is read in the same
pass, so a curator pays one more query per request and loses the reach the day the agreement ends.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from .models import IdentificationRun, Municipality, RoleAssignment, School

Role = RoleAssignment.Role


@dataclass(frozen=True)
class Reach:
    """The union of the scopes of a user's roles."""

    roles: frozenset[str] = frozenset()
    everything: bool = False
    municipality_ids: frozenset[int] = frozenset()
    school_ids: frozenset[int] = frozenset()
    assignments: tuple[RoleAssignment, ...] = field(default=())
    # Schools reached only through an agreement in force held by one of the user's curator schools; they are
    # also in `school_ids`.
    curated_school_ids: frozenset[int] = frozenset()

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def municipalities_with_role(self, *roles: str) -> list[Municipality]:
        return [a.municipality for a in self.assignments if a.role in roles and a.municipality_id]

    def schools_with_role(self, *roles: str) -> list[School]:
        return [a.school for a in self.assignments if a.role in roles and a.school_id]


NO_REACH = Reach()


def reach_of(user) -> Reach:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_REACH
    cached = getattr(user, "_portal_reach", None)
    if cached is not None:
        return cached
    assignments = tuple(
        RoleAssignment.objects.filter(user=user).select_related("municipality__region", "school__municipality")
    )
    own_school_ids = frozenset(a.school_id for a in assignments if a.school_id)
    curated = _curated_school_ids(assignments)
    reach = Reach(
        roles=frozenset(a.role for a in assignments),
        everything=any(a.role == Role.DEPARTMENT for a in assignments),
        municipality_ids=frozenset(a.municipality_id for a in assignments if a.municipality_id),
        school_ids=own_school_ids | curated,
        assignments=assignments,
        curated_school_ids=curated - own_school_ids,
    )
    user._portal_reach = reach
    return reach


def _curated_school_ids(assignments) -> frozenset[int]:
    """A curator school reaches the schools it holds an agreement in force with (status «действует», today within
    the term), and loses them when the agreement ends. One query, and only for users with the curator role."""
    curator_school_ids = [a.school_id for a in assignments if a.role == Role.CURATOR and a.school_id]
    if not curator_school_ids:
        return frozenset()
    from partnerships.models import Agreement  # the partnerships app builds on this module, not the other way

    return frozenset(
        Agreement.objects.in_force()
        .filter(curator_school_id__in=curator_school_ids)
        .values_list("supported_school_id", flat=True)
    )


def visible_municipalities(user) -> QuerySet[Municipality]:
    """Municipalities the user works in: their own, or that of their school."""
    reach = reach_of(user)
    if reach.everything:
        return Municipality.objects.all()
    return Municipality.objects.filter(
        Q(pk__in=reach.municipality_ids) | Q(schools__pk__in=reach.school_ids)
    ).distinct()


def visible_schools(user) -> QuerySet[School]:
    reach = reach_of(user)
    if reach.everything:
        return School.objects.all()
    if not reach.municipality_ids and not reach.school_ids:
        return School.objects.none()
    return School.objects.filter(Q(municipality_id__in=reach.municipality_ids) | Q(pk__in=reach.school_ids))


def get_school_or_404(user, pk) -> School:
    return get_object_or_404(visible_schools(user).select_related("municipality__region"), pk=pk)


def get_municipality_or_404(user, pk) -> Municipality:
    return get_object_or_404(visible_municipalities(user).select_related("region"), pk=pk)


def is_department(user) -> bool:
    return reach_of(user).everything


def has_any_role(user) -> bool:
    return bool(reach_of(user).roles)


def require_department(user) -> None:
    """Actions of the department only (imports, identification, approving the list): others get 403."""
    if not is_department(user):
        raise PermissionDenied("Это действие доступно только управлению образования.")


def can_edit_profiles(user, school: School) -> bool:
    """Yearly profiles are kept by the department and by the coordinator of the school's municipality."""
    reach = reach_of(user)
    return reach.everything or (
        Role.COORDINATOR in reach.roles
        and school.municipality_id in {a.municipality_id for a in reach.assignments if a.role == Role.COORDINATOR}
    )


def can_view_criteria(user) -> bool:
    """Criteria are the department's to edit; coordinators read them to understand the list."""
    reach = reach_of(user)
    return reach.everything or reach.has_role(Role.COORDINATOR)


def coordinated_municipality_ids(user) -> frozenset[int]:
    """The municipalities the user coordinates (not those reached through another role)."""
    reach = reach_of(user)
    return frozenset(a.municipality_id for a in reach.assignments if a.role == Role.COORDINATOR and a.municipality_id)


# --- social passports: the department loads every school's, a coordinator those of their municipality --------------


def can_import_passports(user) -> bool:
    return is_department(user) or bool(coordinated_municipality_ids(user))


def passport_schools(user) -> QuerySet[School]:
    """The schools whose passports the user loads: every school for the department, the schools of their
    municipality for a coordinator (not a school they reach through another role)."""
    if is_department(user):
        return visible_schools(user)
    return visible_schools(user).filter(municipality_id__in=coordinated_municipality_ids(user))


def passport_municipalities(user) -> QuerySet[Municipality]:
    if is_department(user):
        return Municipality.objects.all()
    return Municipality.objects.filter(pk__in=coordinated_municipality_ids(user))


# --- the list (перечень) formed from an identification run ----------------------------------------------------------


def can_take_part_in_list(user) -> bool:
    """The department forms the list; coordinators read it for their municipality and propose changes to it."""
    reach = reach_of(user)
    return reach.everything or reach.has_role(Role.COORDINATOR)


def can_propose_list_changes(user, school: School) -> bool:
    """A coordinator proposes changes of the list for the schools of their own municipality only."""
    return school.municipality_id in coordinated_municipality_ids(user)


def list_runs_visible(user):
    """Finished runs whose list the user reaches: the department every one; a coordinator the approved ones and the
    newest finished run of each year — the draft list the department shows the municipalities for their proposals."""
    done = IdentificationRun.objects.filter(state=IdentificationRun.State.DONE).defer("inputs")
    if is_department(user):
        return done
    if not can_take_part_in_list(user):
        return done.none()
    newest = (
        IdentificationRun.objects.filter(state=IdentificationRun.State.DONE, year=OuterRef("year"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    return done.filter(Q(approved_at__isnull=False) | Q(pk=Subquery(newest)))


def list_schools(user) -> QuerySet[School]:
    """The schools of the list the user reads: the department all, a coordinator those of their municipality."""
    if is_department(user):
        return School.objects.all()
    return School.objects.filter(municipality_id__in=coordinated_municipality_ids(user))
