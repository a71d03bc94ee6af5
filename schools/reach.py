"""A person's roles, read once per request: `reach_of(user)` gives the frozen `Reach` every access module asks.

The scopes of each role are properties of `Reach` (docs/ARCHITECTURE.md «Where a rule lives», docs/TERRITORIES.md).
A role may reach schools beyond its own through something a higher app keeps — a curator school reaches the schools it
holds an agreement in force with (`partnerships`): that app registers the rule here (`register_extra_school_reach`),
read in the same pass, so a curator pays one more query per request and loses the reach the day the agreement ends; a
region's department or institute pays one more for its region's municipalities.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Municipality, RoleAssignment, School

Role = RoleAssignment.Role


@dataclass(frozen=True)
class Reach:
    """The union of the scopes of a user's roles.

    A territory's roles — the department (a region's ministry or a district's education department) and the institute
    beside it — reach the municipalities of their territory: these are in `municipality_ids` like a coordinator's,
    so every list filtered by municipality serves them too. What only the department may do is asked of
    `acts_for_municipality` / `acts_for_region`; the federal operator (`reads_all`) reads every territory and changes
    nothing.
    """

    roles: frozenset[str] = frozenset()
    municipality_ids: frozenset[int] = frozenset()
    school_ids: frozenset[int] = frozenset()
    assignments: tuple[RoleAssignment, ...] = field(default=())
    # Schools reached only through a rule a higher app registered (a curator's agreements in force); they are
    # also in `school_ids`.
    curated_school_ids: frozenset[int] = frozenset()
    reads_all: bool = False
    # The municipalities the user is the department of (every one of its region for a regional department).
    department_municipality_ids: frozenset[int] = frozenset()
    # The municipalities the territory's roles reach: the department's and the institute's.
    territory_municipality_ids: frozenset[int] = frozenset()
    # The municipalities the user is the institute (methodical centre) of: the reviews a route gives the institute.
    institute_municipality_ids: frozenset[int] = frozenset()
    # The regions the user is the regional department of: their settings (criteria, calendars, targets, routes…)
    # are the user's to edit.
    department_region_ids: frozenset[int] = frozenset()
    # The regions whose settings and lists the user reads: the department's and the institute's, regional or of a
    # district in them.
    territory_region_ids: frozenset[int] = frozenset()

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def department(self) -> bool:
        """Holds a department role somewhere: the department's pages and steps are open (each in its territory)."""
        return Role.DEPARTMENT in self.roles

    @property
    def reads_territory(self) -> bool:
        """Reads the department's pages — dashboards, reports, lists, settings: the department, the institute and the
        federal operator."""
        return self.reads_all or self.has_role(Role.DEPARTMENT, Role.INSTITUTE)

    def acts_for_municipality(self, municipality_id) -> bool:
        """The department of this municipality (of its region, or its district's)."""
        return municipality_id in self.department_municipality_ids

    def reviews_as_institute(self, municipality_id) -> bool:
        """The institute (methodical centre) of this municipality (of its region, or its district's): it carries out
        the reviews a route gives «институт (методический центр)»."""
        return municipality_id in self.institute_municipality_ids

    def acts_for_region(self, region_id) -> bool:
        """The regional department of this region: its settings are the user's."""
        return region_id in self.department_region_ids

    def reads_region(self, region_id) -> bool:
        """Reads the region's settings and lists: the federal operator, the region's department and institute,
        regional or of a district in it."""
        return self.reads_all or region_id in self.territory_region_ids

    @property
    def region_ids(self) -> frozenset[int]:
        """Every region the user works in, through any role."""
        found = set(self.territory_region_ids)
        for a in self.assignments:
            if a.municipality_id:
                found.add(a.municipality.region_id)
            elif a.school_id:
                found.add(a.school.municipality.region_id)
            elif a.organisation_id:
                found.add(a.organisation.region_id)
        return frozenset(found)

    def municipality_ids_as(self, *roles: str) -> frozenset[int]:
        """The municipalities the user holds one of these roles in (not those reached through another role)."""
        return frozenset(a.municipality_id for a in self.assignments if a.role in roles and a.municipality_id)

    def school_ids_as(self, *roles: str) -> frozenset[int]:
        """The schools the user holds one of these roles at."""
        return frozenset(a.school_id for a in self.assignments if a.role in roles and a.school_id)

    def organisation_ids_as(self, *roles: str) -> frozenset[int]:
        """The organisations of the registry the user holds one of these roles for."""
        return frozenset(a.organisation_id for a in self.assignments if a.role in roles and a.organisation_id)

    def municipalities_with_role(self, *roles: str) -> list[Municipality]:
        return [a.municipality for a in self.assignments if a.role in roles and a.municipality_id]

    def schools_with_role(self, *roles: str) -> list[School]:
        return [a.school for a in self.assignments if a.role in roles and a.school_id]

    @property
    def district_municipality_ids(self) -> frozenset[int]:
        """The districts the user is the department of by a district's assignment (not through a region)."""
        return self.municipality_ids_as(Role.DEPARTMENT)

    def acts_for_district(self, municipality_id) -> bool:
        """The district's own department: its own list (where the region allows) is the user's."""
        return municipality_id in self.district_municipality_ids

    @property
    def coordinator_municipality_ids(self) -> frozenset[int]:
        return self.municipality_ids_as(Role.COORDINATOR)

    @property
    def tutor_municipality_ids(self) -> frozenset[int]:
        return self.municipality_ids_as(Role.TUTOR)

    @property
    def team_school_ids(self) -> frozenset[int]:
        return self.school_ids_as(Role.SCHOOL_TEAM)

    @property
    def curator_school_ids(self) -> frozenset[int]:
        return self.school_ids_as(Role.CURATOR)

    @property
    def expert_organisation_ids(self) -> frozenset[int]:
        return self.organisation_ids_as(Role.EXPERT)

    @property
    def curator_organisation_ids(self) -> frozenset[int]:
        return self.organisation_ids_as(Role.CURATOR)

    @property
    def oversees(self) -> bool:
        """The department or a municipal coordinator: those who oversee the work rather than do it."""
        return self.department or Role.COORDINATOR in self.roles

    def oversees_municipality(self, municipality_id) -> bool:
        return self.acts_for_municipality(municipality_id) or municipality_id in self.coordinator_municipality_ids

    @property
    def overseen_municipality_ids(self) -> frozenset[int]:
        """The municipalities the user oversees: the department's territory and the coordinator's municipalities."""
        return self.department_municipality_ids | self.coordinator_municipality_ids


NO_REACH = Reach()

# (role, (school ids, organisation ids) holding it) -> ids of further schools reached; registered by higher apps
# (see the docstring).
_EXTRA_SCHOOL_REACH: list[tuple[str, Callable[[list[int], list[int]], frozenset[int]]]] = []


def register_extra_school_reach(role: str, schools_reached: Callable[[list[int], list[int]], frozenset[int]]) -> None:
    """Let holders of `role` at some schools or for some organisations of the registry reach further schools:
    `schools_reached(their school ids, their organisation ids)`, called once per request."""
    _EXTRA_SCHOOL_REACH.append((role, schools_reached))


def reach_of(user) -> Reach:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_REACH
    cached = getattr(user, "_portal_reach", None)
    if cached is not None:
        return cached
    assignments = tuple(
        RoleAssignment.objects.filter(user=user).select_related(
            "region", "municipality__region", "school__municipality", "organisation"
        )
    )
    own_school_ids = frozenset(a.school_id for a in assignments if a.school_id)
    extra = _extra_school_ids(assignments)
    of_regions = _municipality_ids_of_regions(assignments)
    territory = _territory_municipality_ids(assignments, of_regions)
    department = _territory_municipality_ids([a for a in assignments if a.role == Role.DEPARTMENT], of_regions)
    institute = _territory_municipality_ids([a for a in assignments if a.role == Role.INSTITUTE], of_regions)
    reach = Reach(
        roles=frozenset(a.role for a in assignments),
        municipality_ids=frozenset(a.municipality_id for a in assignments if a.municipality_id) | territory,
        school_ids=own_school_ids | extra,
        assignments=assignments,
        curated_school_ids=extra - own_school_ids,
        reads_all=any(a.role == Role.FEDERAL for a in assignments),
        department_municipality_ids=department,
        territory_municipality_ids=territory,
        institute_municipality_ids=institute,
        department_region_ids=frozenset(a.region_id for a in assignments if a.role == Role.DEPARTMENT and a.region_id),
        territory_region_ids=frozenset(
            a.region_id or a.municipality.region_id
            for a in assignments if a.role in RoleAssignment.TERRITORY_ROLES
        ),
    )
    user._portal_reach = reach
    return reach


def _municipality_ids_of_regions(assignments) -> dict[int, set[int]]:
    """Region -> its municipalities, for the regions the user holds a territory role in (one query, only then)."""
    region_ids = {a.region_id for a in assignments if a.role in RoleAssignment.TERRITORY_ROLES and a.region_id}
    found: dict[int, set[int]] = {region_id: set() for region_id in region_ids}
    if region_ids:
        for pk, region_id in Municipality.objects.filter(region_id__in=region_ids).order_by().values_list("pk", "region_id"):
            found[region_id].add(pk)
    return found


def _territory_municipality_ids(assignments, of_regions: dict[int, set[int]]) -> frozenset[int]:
    """The municipalities the territory roles among `assignments` cover: a district's own, every one of a region."""
    covered: set[int] = set()
    for a in assignments:
        if a.role in RoleAssignment.TERRITORY_ROLES:
            covered |= of_regions[a.region_id] if a.region_id else {a.municipality_id}
    return frozenset(covered)


def _extra_school_ids(assignments) -> frozenset[int]:
    """Schools reached through the registered rules; a query only for users holding such a role."""
    reached: frozenset[int] = frozenset()
    for role, schools_reached in _EXTRA_SCHOOL_REACH:
        school_ids = [a.school_id for a in assignments if a.role == role and a.school_id]
        organisation_ids = [a.organisation_id for a in assignments if a.role == role and a.organisation_id]
        if school_ids or organisation_ids:
            reached |= schools_reached(school_ids, organisation_ids)
    return reached
