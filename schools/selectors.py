from django.db.models import Count, Max

from .access import Role, reach_of, visible_municipalities, visible_schools
from .models import IdentificationRun, RoleAssignment, SchoolResult, SchoolYearStatus, Status


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
                **_identification_state(),
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
        list_year, listed = _listed_by_municipality([a.municipality_id for a in municipal_roles])
        for assignment in municipal_roles:
            panels.append(
                {
                    "role": assignment.role,
                    "municipality": assignment.municipality,
                    "school_count": counts.get(assignment.municipality_id, 0),
                    "list_year": list_year,
                    "listed": listed.get(assignment.municipality_id, {}),
                }
            )
    school_roles = [a for a in reach.assignments if a.role in RoleAssignment.SCHOOL_ROLES and a.school_id]
    if school_roles:
        statuses = _latest_statuses([a.school_id for a in school_roles])
        for assignment in school_roles:
            panels.append(
                {"role": assignment.role, "school": assignment.school, "status": statuses.get(assignment.school_id)}
            )
    for assignment in reach.assignments:  # a curator or an expert acting for an organisation of the registry
        if assignment.organisation_id:
            panels.append(
                {"role": f"organisation_{assignment.role}", "organisation": assignment.organisation,
                 "role_label": "Организация-куратор" if assignment.role == Role.CURATOR else "Эксперт организации"}
            )  # fmt: skip
    return panels


def _latest_statuses(school_ids: list[int]) -> dict:
    """Each school's place on the newest approved list that has it."""
    latest = {}
    for status in SchoolYearStatus.objects.filter(school_id__in=school_ids).order_by("-year"):
        latest.setdefault(status.school_id, status)
    return latest


def _identification_state() -> dict:
    """What the department should do next about the list: run it for the newest results, or approve a run."""
    latest_results_year = SchoolResult.objects.aggregate(year=Max("year"))["year"]
    approved_years = set(SchoolYearStatus.objects.values_list("year", flat=True).distinct().order_by())
    drafts = list(
        IdentificationRun.objects.filter(state=IdentificationRun.State.DONE, approved_at__isnull=True)
        .exclude(year__in=approved_years)
        .defer("inputs")
        .order_by("-created_at")[:5]
    )
    return {
        "latest_results_year": latest_results_year,
        "list_missing_for": latest_results_year
        if latest_results_year and latest_results_year not in approved_years
        else None,
        "draft_runs": drafts,
    }


def _listed_by_municipality(municipality_ids: list[int]) -> tuple[int | None, dict]:
    """The newest approved list's counts of ШНОР / ШНСУ per municipality."""
    year = SchoolYearStatus.objects.aggregate(year=Max("year"))["year"]
    if year is None:
        return None, {}
    rows = (
        SchoolYearStatus.objects.filter(year=year, school__municipality_id__in=municipality_ids)
        .exclude(status=Status.NONE)
        .values_list("school__municipality_id", "status")
        .annotate(n=Count("pk"))
    )
    # ШНОР and ШНСУ include the schools that are both, as the registry's filter and the dashboards count them
    listed: dict[int, dict] = {}
    for municipality_id, status, n in rows:
        counts = listed.setdefault(municipality_id, {Status.SHNOR: 0, Status.SHNSU: 0, Status.BOTH: 0})
        for key in {
            Status.SHNOR: [Status.SHNOR],
            Status.SHNSU: [Status.SHNSU],
            Status.BOTH: [Status.BOTH, Status.SHNOR, Status.SHNSU],
        }.get(status, []):
            counts[key] += n
    return year, listed


def _people_by_role() -> list[tuple[str, int]]:
    counts = dict(
        RoleAssignment.objects.values("role").annotate(n=Count("user", distinct=True)).values_list("role", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in Role.choices]


def list_year_for(year: int) -> int | None:
    """The approved list a school year is counted by: the newest approved list up to the year (the rule of the
    dashboards, the yearly report, the computed indicators and the partnerships summary alike)."""
    return SchoolYearStatus.objects.filter(year__lte=year).aggregate(y=Max("year"))["y"]
