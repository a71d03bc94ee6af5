"""Who sees what: the one place that decides it.

Every list, detail page, download and export of the portal takes its rows from here or from the access module of
its app, which builds on this one. Lists ask for a queryset (`visible_schools`, `visible_municipalities`);
detail pages ask for one object (`get_school_or_404`), which answers 404 for an object outside the user's reach so
that nothing leaks that it exists; a step the user's role does not allow answers 403 (`require`).

The roles of a user are read once per request (`schools.reach`: `reach_of`, `Reach`, re-exported here). No view
tests a role or a scope itself (docs/ARCHITECTURE.md).
"""

from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from shnor_portal.object_kinds import ObjectKind, page

from . import act_targets
from .act_targets import ActTarget
from .models import (
    Act,
    ActLink,
    Criterion,
    IdentificationRun,
    IdentificationSettings,
    ListChange,
    Municipality,
    Organisation,
    Region,
    RoleAssignment,
    School,
    SchoolYearProfile,
)
from .reach import NO_REACH, Reach, Role, reach_of, register_extra_school_reach  # noqa: F401  (re-exported)


def require(allowed: bool, message: str) -> None:
    """403 with a Russian message for a user who sees the object but may not take this step."""
    if not allowed:
        raise PermissionDenied(message)


# --- the user's scopes, for the access modules of every app -----------------------------------------------------


def coordinator_municipality_ids(user) -> frozenset[int]:
    """The municipalities the user coordinates (not those reached through another role)."""
    return reach_of(user).coordinator_municipality_ids


def tutor_municipality_ids(user) -> frozenset[int]:
    return reach_of(user).tutor_municipality_ids


def team_school_ids(user) -> frozenset[int]:
    """The schools whose management team the user is part of."""
    return reach_of(user).team_school_ids


def curator_school_ids(user) -> frozenset[int]:
    """The curator schools the user acts for."""
    return reach_of(user).curator_school_ids


def teams_schools(user) -> list[School]:
    """The schools whose management team the user is part of."""
    return reach_of(user).schools_with_role(Role.SCHOOL_TEAM)


def oversees(user) -> bool:
    """The department or a municipal coordinator."""
    return reach_of(user).oversees


def territory_of(user) -> str:
    """The territory a person's exports cover, for their running header (`shnor_portal.spreadsheets.print_setup`):
    the municipalities of a coordinator, a tutor, a school's team or an organisation of a municipality (their
    regions when more than three); the region of a department, an institute or a regional organisation, the district
    of a district's department; every region for the federal operator, as outside a request. Read once per
    request."""
    cached = getattr(user, "_export_territory", None)
    if cached is not None:
        return cached
    reach = reach_of(user)
    places = set()
    for a in () if reach.reads_all else reach.assignments:
        place = a.region or a.municipality or (a.school.municipality if a.school_id else None)
        if a.organisation_id and place is None:
            place = a.organisation.municipality or a.organisation.region
        places.add(place)
    places.discard(None)
    if places and len(places) <= 3:
        territory = ", ".join(sorted(str(place) for place in places))
    else:
        regions = Region.objects.filter(municipalities__isnull=False).distinct()
        if places:
            regions = regions.filter(
                Q(municipalities__in=[p for p in places if isinstance(p, Municipality)])
                | Q(pk__in=[p.pk for p in places if isinstance(p, Region)])
            )
        territory = ", ".join(regions.order_by("name").values_list("name", flat=True))
    if user is not None:
        user._export_territory = territory
    return territory


def visible_municipalities(user) -> QuerySet[Municipality]:
    """Municipalities the user works in: their own, or that of their school."""
    reach = reach_of(user)
    if reach.reads_all:
        return Municipality.objects.all()
    if not reach.school_ids:
        return Municipality.objects.filter(pk__in=reach.municipality_ids)
    return Municipality.objects.filter(
        Q(pk__in=reach.municipality_ids) | Q(schools__pk__in=reach.school_ids)
    ).distinct()


def visible_schools(user) -> QuerySet[School]:
    reach = reach_of(user)
    if reach.reads_all:
        return School.objects.all()
    if not reach.municipality_ids and not reach.school_ids:
        return School.objects.none()
    return School.objects.filter(Q(municipality_id__in=reach.municipality_ids) | Q(pk__in=reach.school_ids))


def get_school_or_404(user, pk) -> School:
    return get_object_or_404(visible_schools(user).select_related("municipality__region"), pk=pk)


def get_profile_or_404(user, pk) -> SchoolYearProfile:
    return get_object_or_404(SchoolYearProfile.objects.filter(school__in=visible_schools(user)), pk=pk)


def get_municipality_or_404(user, pk) -> Municipality:
    return get_object_or_404(visible_municipalities(user).select_related("region"), pk=pk)


def readable_regions(user) -> QuerySet[Region]:
    """The regions whose settings and lists the user may open: every one for the federal operator, else those the
    user works in."""
    reach = reach_of(user)
    return Region.objects.all() if reach.reads_all else Region.objects.filter(pk__in=reach.region_ids)


def working_region(user, chosen=None) -> Region | None:
    """The region a page of settings or lists shows: the one chosen (`?region=`) among those the user reads, else the
    region the user is the department of, else the first the user works in."""
    reach = reach_of(user)
    regions = readable_regions(user)
    if chosen:
        try:
            found = regions.filter(pk=int(chosen)).first()
        except (TypeError, ValueError):
            found = None
        if found is not None:
            return found
    own = sorted(reach.department_region_ids) or sorted(reach.territory_region_ids) or sorted(reach.region_ids)
    if own:
        return Region.objects.filter(pk=own[0]).first()
    return regions.first()


def is_department(user) -> bool:
    """Holds a department role: the department's steps are open, each for the objects of its territory."""
    return reach_of(user).department


def reads_territory(user) -> bool:
    """Reads the department's pages: the department, the institute and the federal operator."""
    return reach_of(user).reads_territory


def department_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities the user is the department of."""
    return Municipality.objects.filter(pk__in=reach_of(user).department_municipality_ids)


def import_territory(user):
    """Where the department's results file may write (`schools.results_import.ImportTerritory`)."""
    from .results_import import ImportTerritory

    reach = reach_of(user)
    # a region's department creates municipalities in its region; a district's department creates none
    return ImportTerritory(municipality_ids=reach.department_municipality_ids, region_ids=reach.department_region_ids)


def department_schools(user) -> QuerySet[School]:
    """The schools the user is the department of."""
    return School.objects.filter(municipality_id__in=reach_of(user).department_municipality_ids)


def role_assignments_reached(reach: Reach) -> QuerySet[RoleAssignment]:
    """The roles held in the territory the user oversees or reads (every one for the federal operator): the people
    pages and the department's counts of people by role."""
    return RoleAssignment.objects.filter(role_scope_q(reach))


def role_scope_q(reach: Reach) -> Q:
    """The roles (or their history rows: the same fields) scoped inside the user's territory."""
    if reach.reads_all:
        return Q()
    municipality_ids = reach.territory_municipality_ids | reach.overseen_municipality_ids
    return (
        Q(municipality_id__in=municipality_ids) | Q(school__municipality_id__in=municipality_ids)
        | Q(region_id__in=reach.department_region_ids) | Q(organisation__region_id__in=reach.territory_region_ids)
    )  # fmt: skip


def has_any_role(user) -> bool:
    return bool(reach_of(user).roles)


def require_department(user) -> None:
    """Actions of the department only (imports, identification, approving the list): others get 403."""
    require(is_department(user), "Это действие доступно только управлению образования.")


def can_edit_profiles(user, school: School) -> bool:
    """Yearly profiles are kept by the department and by the coordinator of the school's municipality."""
    return reach_of(user).oversees_municipality(school.municipality_id)


def can_edit_school_registry(user, school: School) -> bool:
    """The registry's own fields (names, director, requisites) are the department's: it imports and keeps them."""
    return reach_of(user).acts_for_municipality(school.municipality_id)


def can_read_history(user) -> bool:
    """The history of changes is read by those who oversee the work — the coordinator and the department — and by the
    federal operator."""
    return oversees(user) or reach_of(user).reads_all


def can_edit_criteria(user, region) -> bool:
    """A region's criteria and identification settings are its regional department's."""
    return reach_of(user).acts_for_region(region.pk)


def can_view_criteria(user) -> bool:
    """Criteria are the department's to edit; coordinators, the institute and the federal operator read them to
    understand the list."""
    return oversees(user) or reach_of(user).reads_territory


# --- social passports: the department loads every school's, a coordinator those of their municipality --------------


def can_import_passports(user) -> bool:
    return is_department(user) or bool(coordinator_municipality_ids(user))


def passport_schools(user) -> QuerySet[School]:
    """The schools whose passports the user loads: every school for the department, the schools of their
    municipality for a coordinator (not a school they reach through another role)."""
    return School.objects.filter(municipality_id__in=reach_of(user).overseen_municipality_ids)


def passport_municipalities(user) -> QuerySet[Municipality]:
    return Municipality.objects.filter(pk__in=reach_of(user).overseen_municipality_ids)


# --- the list (перечень) formed from an identification run ----------------------------------------------------------


def can_take_part_in_list(user) -> bool:
    """The department forms the list; coordinators read it for their municipality and propose changes to it; the
    institute and the federal operator read it."""
    return oversees(user) or reach_of(user).reads_territory


def can_decide_list(user, run: IdentificationRun | None = None) -> bool:
    """The region's department decides the coordinators' proposals and approves the list (of its region's run); a
    district's department those of its district's own run (where the region allows, `IdentificationSettings`)."""
    reach = reach_of(user)
    if run is None:
        return bool(reach.department_region_ids or reach.district_municipality_ids)
    if run.municipality_id is not None:
        return reach.acts_for_district(run.municipality_id)
    return reach.acts_for_region(run.region_id)


def can_change_list(user, run: IdentificationRun) -> bool:
    """Who writes to a run's list at all: its department (changes in force) and the coordinators (proposals for their
    municipality, checked per school by `schools.selection`). The readers — the federal operator, the institute, a
    department that only reads this list — get 403 before anything is written."""
    return can_decide_list(user, run) or bool(coordinator_municipality_ids(user))


def can_propose_list_changes(user, school: School) -> bool:
    """A coordinator proposes changes of the list for the schools of their own municipality only."""
    return school.municipality_id in coordinator_municipality_ids(user)


def list_runs_visible(user):
    """Finished runs whose list the user reaches: the department every one; a coordinator the approved ones and the
    newest finished run of each year — the draft list the department shows the municipalities for their proposals."""
    reach = reach_of(user)
    done = IdentificationRun.objects.filter(state=IdentificationRun.State.DONE).defer("inputs")
    if reach.reads_all:
        return done
    if not can_take_part_in_list(user):
        return done.none()
    newest = (
        IdentificationRun.objects.filter(
            state=IdentificationRun.State.DONE, year=OuterRef("year"), region_id=OuterRef("region_id")
        )
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    return done.filter(
        Q(region_id__in=reach.territory_region_ids)
        | Q(Q(approved_at__isnull=False) | Q(pk=Subquery(newest)), region_id__in=reach.region_ids)
    )


def list_schools(user) -> QuerySet[School]:
    """The schools of the list the user reads: the department and the institute those of their territory, a
    coordinator those of their municipality, the federal operator every one."""
    reach = reach_of(user)
    if reach.reads_all:
        return School.objects.all()
    return School.objects.filter(
        municipality_id__in=reach.territory_municipality_ids | reach.coordinator_municipality_ids
    )


def get_list_run_or_404(user, pk) -> IdentificationRun:
    """A run whose list the user reads: 403 for roles that take no part in the list, 404 for a run out of reach."""
    require(
        can_take_part_in_list(user),
        "Перечень формирует управление образования, координаторы предлагают изменения.",
    )
    return get_object_or_404(list_runs_visible(user).select_related("approved_by"), pk=pk)


def get_list_change_or_404(user, pk) -> ListChange:
    """A change of a school in the user's reach (404 otherwise), and only for those who take part in the list."""
    change = get_object_or_404(
        ListChange.objects.filter(school__in=visible_schools(user)).select_related("run", "school"), pk=pk
    )
    require(can_take_part_in_list(user), "Изменения перечня вносит управление образования и предлагают координаторы.")
    return change


# --- identification runs ---------------------------------------------------------------------------------------------


def can_read_identification(user) -> bool:
    """Every role reads the approved lists' runs (each only the verdicts of the schools it reaches)."""
    return has_any_role(user)


def can_start_runs(user) -> bool:
    """A region's department identifies its region's schools; a district's department its district's, where the
    region lets its districts form their own lists (of some year: the year's rule is checked at the start)."""
    reach = reach_of(user)
    return bool(reach.department_region_ids) or bool(district_run_municipalities(user))


def district_run_municipalities(user, year: int | None = None) -> QuerySet[Municipality]:
    """The districts whose own lists the user forms: those it is the district's department of, in a region that
    lets its districts identify (in `year`, or in some year). One query, only for a district's department."""
    ids = reach_of(user).district_municipality_ids
    if not ids:
        return Municipality.objects.none()
    allowing = IdentificationSettings.objects.filter(districts_identify=True)
    if year is not None:
        allowing = allowing.filter(year=year)
    return Municipality.objects.filter(pk__in=ids, region_id__in=allowing.values("region_id")).order_by("name")


def visible_runs(user) -> QuerySet[IdentificationRun]:
    """The department and the institute see every run of their region; the other roles the approved ones of the
    regions they work in; the federal operator every run."""
    reach = reach_of(user)
    runs = IdentificationRun.objects.select_related("created_by", "approved_by", "region", "municipality")
    if reach.reads_all:
        return runs
    if not reach.roles:
        return runs.none()
    return runs.filter(
        Q(region_id__in=reach.territory_region_ids) | Q(approved_at__isnull=False, region_id__in=reach.region_ids)
    )


def department_runs(user) -> QuerySet[IdentificationRun]:
    """The runs the user retries, compares, approves: the region's runs of the regions it is the regional department
    of, and the own runs of the districts it is the department of (a district's run is its district's, the
    region's department reads it)."""
    reach = reach_of(user)
    return IdentificationRun.objects.filter(
        Q(region_id__in=reach.department_region_ids, municipality__isnull=True)
        | Q(municipality_id__in=reach.district_municipality_ids)
    ).defer("inputs")


def get_department_run_or_404(user, pk) -> IdentificationRun:
    # a district's department reads the region's runs (`visible_runs`): 403 for it, as for anyone but the region's,
    # unless the region lets it form its own list (then its own runs are found, the region's are 404)
    require(can_start_runs(user), "Это действие доступно только управлению образования региона.")
    return get_object_or_404(department_runs(user).select_related("region"), pk=pk)


def get_run_or_404(user, pk) -> IdentificationRun:
    if not has_any_role(user):
        raise Http404
    return get_object_or_404(visible_runs(user), pk=pk)


def can_approve_run(user, run: IdentificationRun) -> bool:
    return can_decide_list(user, run) and run.state == IdentificationRun.State.DONE


def object_kinds() -> list[ObjectKind]:
    """This app's objects that notifications and history pages link to (`shnor_portal.object_kinds`)."""
    return [
        ObjectKind("schools.school", "школа", get_school_or_404, page("schools:detail"),
                   municipality_id=lambda obj: obj.municipality_id, history="school"),
        ObjectKind("schools.schoolyearprofile", "профиль школы за год", get_profile_or_404,
                   page("schools:detail", "school_id", "#profile"), history="profile"),
        # The department sees every run, the other roles the approved lists — each only the verdicts of the
        # schools they reach (the run page filters them).
        ObjectKind("schools.identificationrun", "запуск идентификации", get_run_or_404, page("schools:run_detail")),
        # A change of the list: its run's list page, where the department decides a proposal.
        ObjectKind("schools.listchange", "предложение к перечню", get_list_change_or_404,
                   page("schools:selection", "run_id", "?show=proposals"),
                   municipality_id=lambda obj: obj.school.municipality_id),
        ObjectKind("schools.act", "акт", get_act_or_404, page("schools:act_detail"),
                   municipality_id=lambda obj: obj.municipality_id, history="act"),
        ObjectKind("schools.organisation", "организация", get_organisation_or_404, page("schools:organisation"),
                   municipality_id=lambda obj: obj.municipality_id, history="organisation"),
    ]  # fmt: skip


# --- the register of acts (schools.models.acts) ------------------------------------------------------------------


def visible_acts(user) -> QuerySet[Act]:
    """The department reads every act; a coordinator the acts of their municipality and the region's (those with no
    municipality); every role, besides, the acts linked to something it sees (its school's programme, its agreement,
    the approved list) — each kind of thing answers through its app's access module (`schools.act_targets`)."""
    reach = reach_of(user)
    if reach.reads_all:
        return Act.objects.all()
    if not reach.roles:
        return Act.objects.none()
    # The territory's roles read every act of their region; a district's department and institute those of their
    # district and of their region's level.
    conditions = Q(region_id__in=reach.department_region_ids) | Q(
        region_id__in=reach.territory_region_ids, municipality__isnull=True
    )
    if municipality_ids := reach.coordinator_municipality_ids | reach.territory_municipality_ids:
        regions = Municipality.objects.filter(pk__in=municipality_ids).values("region_id")
        conditions |= Q(municipality_id__in=municipality_ids) | Q(municipality__isnull=True, region_id__in=regions)
    for kind in act_targets.targets():
        ids = kind.visible_ids(user)
        links = ActLink.objects.filter(target=kind.key)
        if ids is None:
            conditions |= Q(pk__in=links.values("act_id"))
        elif isinstance(ids, QuerySet) or ids:
            conditions |= Q(pk__in=links.filter(object_id__in=ids).values("act_id"))
    # never another region's act, whatever it is linked to (the criteria of a year are every region's year)
    return Act.objects.filter(conditions, region_id__in=reach.region_ids)


def get_act_or_404(user, pk) -> Act:
    return get_object_or_404(visible_acts(user).select_related("municipality", "created_by"), pk=pk)


def can_create_acts(user) -> bool:
    """The department registers acts of its territory; a coordinator those of their own municipality."""
    return is_department(user) or bool(coordinator_municipality_ids(user))


def can_read_acts(user) -> bool:
    """Every role opens the register; each reads in it the acts of its reach (`visible_acts`)."""
    return has_any_role(user)


def can_register_region_acts(user) -> bool:
    """Acts of the region (with no municipality) are the regional department's."""
    return bool(reach_of(user).department_region_ids)


def act_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities whose acts the user registers."""
    return Municipality.objects.filter(pk__in=reach_of(user).overseen_municipality_ids)


def can_edit_act(user, act: Act) -> bool:
    """Change, replace the file, delete, link: the department any act; a coordinator the acts of their municipality
    (the region's acts they read only)."""
    reach = reach_of(user)
    if act.municipality_id is None:
        return reach.acts_for_region(act.region_id)
    return reach.oversees_municipality(act.municipality_id)


def editable_acts(user) -> QuerySet[Act]:
    reach = reach_of(user)
    return Act.objects.filter(
        Q(municipality_id__in=reach.overseen_municipality_ids)
        | Q(municipality__isnull=True, region_id__in=reach.department_region_ids)
    )


def can_link_act(user, act: Act, kind: ActTarget, obj) -> bool:
    return can_edit_act(user, act) and kind.can_link(user, obj)


def get_act_target_or_404(user, key: str, object_id) -> tuple[ActTarget, object]:
    """A kind of thing acts approve and the thing itself, within the user's reach; 404 for an unknown kind."""
    kind = act_targets.target(key)
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if kind is None:
        raise Http404
    return kind, kind.get_or_404(user, object_id)


def _criteria_of_year_or_404(user, year):
    """The criteria of a year (and its identification settings) as one thing an act approves; its id is the year."""
    year = int(year)
    region = working_region(user)
    if not can_view_criteria(user) or region is None:
        raise Http404
    of_region = {"region": region, "year": year}
    if not (Criterion.objects.filter(**of_region).exists() or IdentificationSettings.objects.filter(**of_region).exists()):
        raise Http404
    return SimpleNamespace(pk=year, year=year, region=region)


def _criteria_names(user, ids) -> dict:
    if not can_view_criteria(user):
        return {}
    return {year: (f"критерии идентификации на {year} год", reverse("schools:criteria", args=[year])) for year in ids}


def _list_url(user, run_pk) -> str:
    if can_take_part_in_list(user):
        return reverse("schools:selection", args=[run_pk])
    return reverse("schools:run_detail", args=[run_pk])


def _list_name(run) -> str:
    return f"перечень ШНОР/ШНСУ на {run.year} год (запуск № {run.pk})"


def _list_names(user, ids) -> dict:
    rows = visible_runs(user).filter(pk__in=ids).values_list("pk", "year")
    return {pk: (f"перечень ШНОР/ШНСУ на {year} год (запуск № {pk})", _list_url(user, pk)) for pk, year in rows}


def _list_visible_ids(user):
    return None if reach_of(user).reads_all else visible_runs(user).values("pk")


def act_targets_of_schools() -> list[ActTarget]:
    """The things of this app acts approve: the criteria of a year and the list formed from a run."""
    return [
        ActTarget("criteria", "критерии идентификации", _criteria_of_year_or_404,
                  lambda user: None if can_view_criteria(user) else [], lambda user, obj: reach_of(user).acts_for_region(obj.region.pk),
                  _criteria_names, lambda obj: reverse("schools:criteria", args=[obj.year]),
                  lambda obj: f"критерии идентификации на {obj.year} год"),
        ActTarget("list", "перечень ШНОР/ШНСУ", get_run_or_404, _list_visible_ids,
                  lambda user, run: can_approve_run(user, run), _list_names,
                  lambda run: reverse("schools:selection", args=[run.pk]), _list_name),
    ]  # fmt: skip


# --- the registry of organisations: partners and experts besides schools (schools.models.organisations) -----------


def can_read_organisations(user) -> bool:
    """The registry is read by those who oversee the work — the department and the coordinators — and by the federal
    operator."""
    return oversees(user) or reach_of(user).reads_all


def can_edit_organisations(user) -> bool:
    """Only the department registers organisations and changes them (those of its territory)."""
    return is_department(user)


def visible_organisations(user) -> QuerySet[Organisation]:
    """The department reads every organisation; a coordinator those of their territory: the region's (no
    municipality) of their municipalities' regions and those of their own municipalities. A curator or an expert
    of an organisation reads their own. Others nothing."""
    reach = reach_of(user)
    if reach.reads_all:
        return Organisation.objects.all()
    conditions = Q(pk__in=reach.organisation_ids_as(Role.CURATOR, Role.EXPERT)) | Q(
        region_id__in=reach.department_region_ids
    )
    if municipality_ids := reach.coordinator_municipality_ids | reach.territory_municipality_ids:
        regions = Municipality.objects.filter(pk__in=municipality_ids).values("region_id")
        conditions |= Q(municipality_id__in=municipality_ids) | Q(municipality__isnull=True, region_id__in=regions)
    return Organisation.objects.filter(conditions)


def get_organisation_or_404(user, pk) -> Organisation:
    return get_object_or_404(visible_organisations(user).select_related("region", "municipality"), pk=pk)


def organisation_regions(user) -> QuerySet[Region]:
    """The regions the user registers organisations in: its department's (a district's department, its region's,
    for the organisations of its district); never another region's."""
    reach = reach_of(user)
    of_districts = Municipality.objects.filter(pk__in=reach.department_municipality_ids).values("region_id")
    return Region.objects.filter(Q(pk__in=reach.department_region_ids) | Q(pk__in=of_districts))


def can_edit_region_organisations(user, region) -> bool:
    """An organisation of the region's level (no municipality) is its regional department's, not a district's."""
    return reach_of(user).acts_for_region(region.pk)


def organisation_edit_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities the user registers organisations of: those it is the department of."""
    return Municipality.objects.filter(pk__in=reach_of(user).department_municipality_ids)


def organisation_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities the registry's filter offers: those of the organisations the user reads."""
    return Municipality.objects.filter(pk__in=reach_of(user).overseen_municipality_ids)
