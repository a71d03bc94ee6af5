"""Who sees and who may change programmes, built on `schools.access` (the one place that decides reach).

- The department reaches every programme.
- A municipal coordinator reaches the programmes of their municipality (the municipal one and the schools').
- A school team reaches its school's programmes.
- A school given a mutual review (взаимоэкспертиза) — a curator school or another ШНОР — reaches the programme it
  reviews, to read and to review, nothing else; so does the expert of an organisation (an innovation platform, the
  institute) given a review of a programme.
- Review routes (`programs.review_routes`): the department edits them; coordinators read those of their territory.
- The regional plan-schedule (`Programme.Kind.REGIONAL`, seed 004): the region's department creates, edits and
  approves it; the region's institute (ЦНППМПР, the executor of most of its measures) reports their execution —
  status, actual values, evidence — but does not change the plan; every territory role of the region (a district's
  department too) and the region's coordinators read it; the federal operator reads every one.

Lists take `visible_programmes(user)`; detail pages `get_programme_or_404` and friends, which answer 404 for what
lies outside the user's reach. Actions check a `can_*` helper and answer 403 to a user who sees the programme but
may not take the step (`require(...)`).
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from schools.access import (  # noqa: F401  (the shared scopes and `require` are re-exported for views)
    Role,
    coordinator_municipality_ids,
    reach_of,
    require,
    team_school_ids,
    visible_municipalities,
    visible_schools,
)
from schools.models import Municipality, Organisation, Region, School
from shnor_portal.object_kinds import ObjectKind, page

from .models import Evidence, Programme, Review, ReviewRoute, ReviewStep, RoadmapMeasure, RoadmapSection
from .review_routes import SchoolScope, StepReviewer


def reviewer_school_ids(user) -> set[int]:
    """Schools on whose behalf the user may carry out a mutual review: their own school as team or curator."""
    return {
        a.school_id for a in reach_of(user).assignments if a.role in (Role.SCHOOL_TEAM, Role.CURATOR) and a.school_id
    }


def visible_measures(user) -> QuerySet[RoadmapMeasure]:
    """The roadmap measures of the programmes the user sees: the list of measures behind the dashboards' counts."""
    return RoadmapMeasure.objects.filter(programme__in=visible_programmes(user))


def regional_plan_reader_region_ids(reach) -> frozenset[int]:
    """The regions whose plan-schedule the user reads: of every territory role, and of the coordinator's
    municipalities."""
    coordinators = {
        a.municipality.region_id for a in reach.assignments if a.role == Role.COORDINATOR and a.municipality_id
    }
    return reach.territory_region_ids | coordinators


def institute_region_ids(reach) -> frozenset[int]:
    """The regions the user is the regional institute of (ЦНППМПР): it reports the plan-schedule's execution."""
    return frozenset(a.region_id for a in reach.assignments if a.role == Role.INSTITUTE and a.region_id)


def visible_programmes(user) -> QuerySet[Programme]:
    reach = reach_of(user)
    if reach.reads_all:
        return Programme.objects.all()
    conditions = []
    # only the regional plan-schedule has a region of its own (the others' is their municipality's)
    if region_ids := regional_plan_reader_region_ids(reach):
        conditions.append(Q(region_id__in=region_ids))
    # the coordinator's municipalities, the department's and the institute's territory
    if municipality_ids := reach.coordinator_municipality_ids | reach.territory_municipality_ids:
        conditions.append(Q(municipality_id__in=municipality_ids))
    if school_ids := team_school_ids(user):
        conditions.append(Q(school_id__in=school_ids))
    if reviewer_ids := reviewer_school_ids(user):
        conditions.append(Q(pk__in=Review.objects.filter(reviewer_school_id__in=reviewer_ids).values("programme_id")))
    if expert_ids := reach.expert_organisation_ids:
        conditions.append(
            Q(pk__in=Review.objects.filter(reviewer_organisation_id__in=expert_ids).values("programme_id"))
        )
    if not conditions:
        return Programme.objects.none()
    return Programme.objects.filter(reduce(or_, conditions))


def get_programme_or_404(user, pk) -> Programme:
    return get_object_or_404(
        visible_programmes(user).select_related("municipality", "school", "risk_factor", "region"), pk=pk
    )


def get_section_or_404(user, pk) -> RoadmapSection:
    return get_object_or_404(
        RoadmapSection.objects.select_related("programme__municipality", "programme__school").filter(
            programme__in=visible_programmes(user)
        ),
        pk=pk,
    )


def get_measure_or_404(user, pk) -> RoadmapMeasure:
    return get_object_or_404(
        RoadmapMeasure.objects.select_related(
            "programme__municipality", "programme__school", "section", "risk_factor"
        ).filter(programme__in=visible_programmes(user)),
        pk=pk,
    )


def get_evidence_or_404(user, pk) -> Evidence:
    """A stored file is reached only through a programme the user may see: by URL, an outsider gets 404."""
    return get_object_or_404(
        Evidence.objects.select_related("measure__programme").filter(measure__programme__in=visible_programmes(user)),
        pk=pk,
    )


def get_review_or_404(user, pk) -> Review:
    """A review of a programme the user sees. An expert of an organisation (or a reviewer school) sees the reviews
    of the programme it was given: the programme is theirs to read."""
    return get_object_or_404(
        Review.objects.select_related(
            "programme__municipality",
            "programme__school",
            "programme__risk_factor",
            "reviewer_school",
            "reviewer_organisation",
            "step",
        ).filter(programme__in=visible_programmes(user)),
        pk=pk,
    )


# --- what a user may do ------------------------------------------------------------------------------------------


def can_edit_programme(user, programme: Programme) -> bool:
    """The owner keeps the programme: the coordinator the municipal one, the school team the school's; the department
    of its territory may too. Of the regional plan-schedule: the region's department, and its institute for the
    execution only (`can_edit_plan` keeps the plan the department's)."""
    if programme.is_regional:
        reach = reach_of(user)
        return reach.acts_for_region(programme.region_id) or programme.region_id in institute_region_ids(reach)
    if reach_of(user).acts_for_municipality(programme.municipality_id):
        return True
    if programme.is_municipal:
        return programme.municipality_id in coordinator_municipality_ids(user)
    return programme.school_id in team_school_ids(user)


def can_keep_plan(user, programme: Programme) -> bool:
    """Whose the plan is, whatever the state: the editor's, but of the regional plan-schedule the department's alone
    (the institute reports execution). The plan's pages answer 403 to the others."""
    if programme.is_regional:
        return reach_of(user).acts_for_region(programme.region_id)
    return can_edit_programme(user, programme)


def can_edit_plan(user, programme: Programme) -> bool:
    """The plan (passport, tasks, measures, planned values) changes only in a draft or after a return."""
    return programme.plan_is_editable and can_keep_plan(user, programme)


def can_submit(user, programme: Programme) -> bool:
    return not programme.is_regional and programme.plan_is_editable and can_edit_programme(user, programme)


def can_approve(user, programme: Programme) -> bool:
    """The regional plan-schedule needs no review: the region's department approves («утверждает») its draft."""
    return programme.is_regional and can_edit_plan(user, programme)


def can_oversee(user, programme: Programme) -> bool:
    """The coordinator of the programme's municipality, or the department of its territory (of the regional
    plan-schedule: the region's department)."""
    if programme.is_regional:
        return reach_of(user).acts_for_region(programme.region_id)
    return reach_of(user).oversees_municipality(programme.municipality_id)


def can_reopen(user, programme: Programme) -> bool:
    return programme.state == Programme.State.ACCEPTED and can_oversee(user, programme)


def can_open_step(user, step: ReviewStep, programme: Programme) -> bool:
    """Who opens (or assigns) a review of a step: the department any; the coordinator of the programme's
    municipality those not given to the department."""
    if reach_of(user).acts_for_municipality(programme.municipality_id):
        return True
    return step.reviewer != StepReviewer.DEPARTMENT and can_oversee(user, programme)


def _openable_of_kind(user, programme: Programme, kind: str) -> bool:
    from .route_steps import is_button_step, openable_steps

    return any(
        step.kind == kind and is_button_step(step) and can_open_step(user, step, programme)
        for step in openable_steps(programme)
    )


def can_assign_mutual_review(user, programme: Programme) -> bool:
    return can_oversee(user, programme) and _openable_of_kind(user, programme, "mutual")


def can_start_regional_review(user, programme: Programme) -> bool:
    """The department takes the programme for the route's regional review, or goes to the one already open."""
    if not reach_of(user).acts_for_municipality(programme.municipality_id):
        return False
    open_regional = programme.reviews.filter(
        kind="regional", round=programme.round, status__in=Review.OPEN_STATUSES, reviewer_organisation__isnull=True
    )
    if open_regional.exists():
        return True
    return _openable_of_kind(user, programme, "regional")


def can_open_reviews(user, programme: Programme) -> bool:
    """The «Открыть экспертизу» block of a programme: the coordinator and the department."""
    return can_oversee(user, programme)


def _reviewer_of(review: Review) -> str:
    if review.step_id:
        return review.step.reviewer
    return {
        Review.Kind.MUNICIPAL: StepReviewer.COORDINATOR,
        Review.Kind.REGIONAL: StepReviewer.DEPARTMENT,
    }.get(review.kind, StepReviewer.SCHOOL)


def can_act_on_review(user, review: Review) -> bool:
    """Only the one a review waits for may start and complete it: the school or the organisation it was given to,
    else the coordinator, the department or the institute of the programme's region or district, as its step says."""
    if not review.is_open or review.round != review.programme.round:
        return False
    reach = reach_of(user)
    if review.reviewer_organisation_id:
        return review.reviewer_organisation_id in reach.expert_organisation_ids
    if review.reviewer_school_id:
        return review.reviewer_school_id in reviewer_school_ids(user)
    reviewer = _reviewer_of(review)
    if reviewer == StepReviewer.COORDINATOR:
        return reach.oversees_municipality(review.programme.municipality_id)
    if reviewer == StepReviewer.INSTITUTE:
        return reach.reviews_as_institute(review.programme.municipality_id)
    return reviewer == StepReviewer.DEPARTMENT and reach.acts_for_municipality(review.programme.municipality_id)


def creatable_municipalities(user) -> QuerySet[Municipality]:
    """Where the user may start a municipal programme."""
    return Municipality.objects.filter(pk__in=reach_of(user).overseen_municipality_ids)


def creatable_schools(user) -> QuerySet[School]:
    """For which schools the user may start a school programme."""
    reach = reach_of(user)
    return School.objects.filter(
        Q(pk__in=reach.team_school_ids) | Q(municipality_id__in=reach.department_municipality_ids)
    ).select_related("municipality")


def creatable_regions(user) -> QuerySet[Region]:
    """For which regions the user may start a regional plan-schedule: the regional department's."""
    return Region.objects.filter(pk__in=reach_of(user).department_region_ids)


def can_create_programme(user) -> bool:
    reach = reach_of(user)
    return reach.department or bool(coordinator_municipality_ids(user) or team_school_ids(user))


def mutual_reviewer_schools(user, programme: Programme, step: ReviewStep | None = None) -> QuerySet[School]:
    """Schools a review of this programme may be given to, as the step says (by default the same municipality):
    of the municipality, of the whole territory, or of the territory's other municipalities; never the owner."""
    if not can_oversee(user, programme):
        return School.objects.none()
    scope = step.school_scope if step else SchoolScope.MUNICIPALITY
    schools = School.objects.filter(municipality__region_id=programme.territory_region_id)
    if scope == SchoolScope.MUNICIPALITY:
        schools = schools.filter(municipality_id=programme.municipality_id)
    elif scope == SchoolScope.OTHER_MUNICIPALITIES:
        schools = schools.exclude(municipality_id=programme.municipality_id)
    return schools.exclude(pk=programme.school_id).select_related("municipality").order_by("short_name")


def reviewer_organisations(user, programme: Programme) -> QuerySet[Organisation]:
    """Organisations of the programme's territory a review may be given to (their experts carry it out)."""
    if not can_oversee(user, programme):
        return Organisation.objects.none()
    return Organisation.objects.filter(region_id=programme.territory_region_id, is_active=True).order_by(
        "short_name"
    )


# --- review routes -------------------------------------------------------------------------------------------------

NOT_ROUTE_READER = "Маршруты экспертизы видят управление образования и муниципальные координаторы."
NOT_ROUTE_EDITOR = "Маршруты экспертизы задаёт управление образования."


def can_read_routes(user) -> bool:
    return reach_of(user).oversees or reach_of(user).reads_territory


def can_edit_routes(user, route: ReviewRoute | None = None, *, region: Region | None = None) -> bool:
    """A region's department edits its region's routes; the default routes (no region) are the installation's, kept
    in the back office. Without a route or a region: whether the user edits any."""
    reach = reach_of(user)
    if route is not None:
        region_id = route.region_id
    elif region is not None:
        region_id = region.pk
    else:
        return bool(reach.department_region_ids)
    return region_id is not None and reach.acts_for_region(region_id)


def route_regions(user) -> QuerySet[Region]:
    """Territories whose routes the user reads: every one for the federal operator, the territories of the
    department, the institute and a coordinator."""
    reach = reach_of(user)
    if reach.reads_all:
        return Region.objects.all()
    return Region.objects.filter(pk__in=reach.region_ids)


def editable_route_regions(user) -> QuerySet[Region]:
    """The regions whose routes the user edits: those the user is the regional department of."""
    return Region.objects.filter(pk__in=reach_of(user).department_region_ids)


def visible_routes(user) -> QuerySet[ReviewRoute]:
    """The default routes and those of the user's territories; nothing for anybody else."""
    if not can_read_routes(user):
        return ReviewRoute.objects.none()
    if reach_of(user).reads_all:
        return ReviewRoute.objects.all()
    return ReviewRoute.objects.filter(Q(region__isnull=True) | Q(region__in=route_regions(user)))


def get_route_or_404(user, pk) -> ReviewRoute:
    return get_object_or_404(visible_routes(user).select_related("region"), pk=pk)


def get_step_or_404(user, pk) -> ReviewStep:
    return get_object_or_404(
        ReviewStep.objects.select_related("route__region").filter(route__in=visible_routes(user)), pk=pk
    )


def object_kinds() -> list[ObjectKind]:
    """This app's objects that notifications link to (`shnor_portal.object_kinds`); the programme keeps a history
    page of its own (`programs:history`)."""
    return [
        ObjectKind("programs.programme", "программа", get_programme_or_404, page("programs:detail"),
                   municipality_id=lambda obj: obj.municipality_id),
        ObjectKind("programs.review", "экспертиза программы", get_review_or_404, page("programs:review"),
                   municipality_id=lambda obj: obj.programme.municipality_id),
        ObjectKind("programs.roadmapmeasure", "мероприятие дорожной карты", get_measure_or_404,
                   page("programs:detail", "programme_id", "#measure-{obj.pk}"),
                   municipality_id=lambda obj: obj.programme.municipality_id),
    ]  # fmt: skip


def act_targets() -> list:
    """What acts of the register approve here (`schools.act_targets`): a programme — the department or the
    coordinator of its municipality links the order that approves it."""
    from django.urls import reverse

    from schools.act_targets import ActTarget

    def names(user, ids) -> dict:
        rows = visible_programmes(user).filter(pk__in=ids).values_list("pk", "title")
        return {pk: (title, reverse("programs:detail", args=[pk])) for pk, title in rows}

    return [
        ActTarget("programme", "программа", get_programme_or_404, lambda user: visible_programmes(user).values("pk"),
                  can_oversee, names, page("programs:detail"), lambda programme: programme.title),
    ]  # fmt: skip


def reviews_given_to(user) -> QuerySet[Review]:
    """The reviews given to the user's school (a mutual review) or organisation (its expert), or to the institute
    of the programme's territory."""
    reach = reach_of(user)
    return Review.objects.filter(
        Q(reviewer_school_id__in=reviewer_school_ids(user))
        | Q(reviewer_organisation_id__in=reach.expert_organisation_ids)
        | Q(
            step__reviewer=StepReviewer.INSTITUTE, reviewer_school__isnull=True, reviewer_organisation__isnull=True,
            programme__municipality_id__in=reach.institute_municipality_ids,
        )
    )  # fmt: skip
