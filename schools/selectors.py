from django.db.models import Count

from .access import Role, reach_of, visible_municipalities, visible_schools
from .models import RoleAssignment


def home_panels(*, user) -> list[dict]:
    """One panel per role the user holds, each with its scope and what waits for the user there."""
    reach = reach_of(user)
    panels = []
    if reach.everything:
        panels.append(
            {
                "role": Role.DEPARTMENT,
                "municipality_count": visible_municipalities(user).count(),
                "school_count": visible_schools(user).count(),
                "people_by_role": _people_by_role(),
            }
        )
    municipal_roles = [a for a in reach.assignments if a.role in RoleAssignment.MUNICIPAL_ROLES]
    if municipal_roles:
        counts = dict(
            visible_municipalities(user)
            .filter(pk__in=[a.municipality_id for a in municipal_roles])
            .annotate(n=Count("schools"))
            .values_list("pk", "n")
        )
        for assignment in municipal_roles:
            panels.append(
                {
                    "role": assignment.role,
                    "municipality": assignment.municipality,
                    "school_count": counts.get(assignment.municipality_id, 0),
                }
            )
    for assignment in reach.assignments:
        if assignment.role in RoleAssignment.SCHOOL_ROLES:
            panels.append({"role": assignment.role, "school": assignment.school})
    return panels


def _people_by_role() -> list[tuple[str, int]]:
    counts = dict(
        RoleAssignment.objects.values("role").annotate(n=Count("user", distinct=True)).values_list("role", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in Role.choices]
