from collections import defaultdict

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from .access import Role, reach_of, role_assignments_reached, visible_municipalities, visible_schools
from .models import IdentificationRun, RoleAssignment, SchoolResult, SchoolYearStatus, Status


def home_panels(*, user) -> list[dict]:
    """One panel per role the user holds, each with its scope and what waits for the user there."""
    reach = reach_of(user)
    panels = []
    if reach.reads_territory:
        panels.append(
            {
                "role": Role.DEPARTMENT,
                "role_label": _territory_role_label(reach),
                "territory": _territory_label(reach),
                "acts": reach.department,
                "municipality_count": visible_municipalities(user).count(),
                "school_count": visible_schools(user).count(),
                "people_by_role": _people_by_role(reach),
                **_identification_state(reach),
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


def _territory_role_label(reach) -> str:
    if reach.department:
        return "Управление образования"
    if reach.has_role(Role.INSTITUTE):
        return "Институт / методический центр"
    return "Федеральный оператор"


def _territory_label(reach) -> str:
    """«Все регионы» for the federal operator; else the regions and districts of the territory's roles."""
    if reach.reads_all:
        return "Все регионы: только чтение"
    names = [str(a.region or a.municipality) for a in reach.assignments if a.role in RoleAssignment.TERRITORY_ROLES]
    return ", ".join(dict.fromkeys(names))


def _identification_state(reach) -> dict:
    """What the department should do next about its region's list: run it for the newest results, or approve a run."""
    region_ids = reach.department_region_ids
    if not region_ids:
        return {"latest_results_year": None, "list_missing_for": None, "draft_runs": []}
    of_region = {"school__municipality__region_id__in": region_ids}
    latest_results_year = SchoolResult.objects.filter(**of_region).aggregate(year=Max("year"))["year"]
    approved_years = set(
        SchoolYearStatus.objects.filter(**of_region).values_list("year", flat=True).distinct().order_by()
    )
    drafts = list(
        IdentificationRun.objects.filter(
            state=IdentificationRun.State.DONE, approved_at__isnull=True, region_id__in=region_ids
        )
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


def _people_by_role(reach) -> list[tuple[str, str, int]]:
    """(role, label, how many people hold it) in the user's territory (every one for the federal operator)."""
    assignments = role_assignments_reached(reach)
    counts = dict(assignments.values("role").annotate(n=Count("user", distinct=True)).values_list("role", "n"))
    return [(value, label, counts.get(value, 0)) for value, label in Role.choices]


def list_years_for(year: int, region_ids=None) -> dict[int, int]:
    """region → the year of its newest approved list up to `year`: each region approves its own list, maybe for
    different years, and figures over several regions count each by its own (docs/TERRITORIES.md). One grouped
    query, whatever the number of regions."""
    statuses = SchoolYearStatus.objects.filter(year__lte=year)
    if region_ids is not None:
        statuses = statuses.filter(school__municipality__region_id__in=list(region_ids))
    return dict(
        statuses.order_by().values_list("school__municipality__region_id").annotate(newest=Max("year")).order_by()
    )


def counted_statuses(list_years: dict[int, int]) -> QuerySet[SchoolYearStatus]:
    """The statuses figures count by (`list_years_for`): each school's of its region's list year. One condition per
    distinct year, not per region."""
    regions_of_year: dict[int, list[int]] = defaultdict(list)
    for region_id, list_year in list_years.items():
        regions_of_year[list_year].append(region_id)
    condition = Q(pk=None)  # matches nothing: no region has a list yet
    for list_year, region_ids in sorted(regions_of_year.items()):
        condition |= Q(year=list_year, school__municipality__region_id__in=sorted(region_ids))
    return SchoolYearStatus.objects.filter(condition)


def with_counted_status(schools: QuerySet, list_years: dict[int, int]) -> QuerySet:
    """Each school with `year_status`: its status on its own region's counted list (`list_years`), None if it is not
    on it — one correlated subquery, no query per row."""
    status = counted_statuses(list_years).filter(school_id=OuterRef("pk")).values("status")[:1]
    return schools.annotate(year_status=Subquery(status))


def list_year_for(year: int, region_ids=None) -> int | None:
    """The approved list a school year is counted by: the newest approved list up to the year (the rule of the
    dashboards, the yearly report, the computed indicators and the partnerships summary alike) — of these regions
    when given, as each region approves its own list (issue 20)."""
    statuses = SchoolYearStatus.objects.filter(year__lte=year)
    if region_ids is not None:
        statuses = statuses.filter(school__municipality__region_id__in=region_ids)
    return statuses.aggregate(y=Max("year"))["y"]
