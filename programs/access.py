"""Who sees and who may change programmes, built on `schools.access` (the one place that decides reach).

- The department reaches every programme.
- A municipal coordinator reaches the programmes of their municipality (the municipal one and the schools').
- A school team reaches its school's programmes.
- A school given a mutual review (взаимоэкспертиза) — a curator school or another ШНОР — reaches the programme it
  reviews, to read and to review, nothing else.

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
from schools.models import Municipality, School
from shnor_portal.object_kinds import ObjectKind, page

from .models import Evidence, Programme, Review, RoadmapMeasure, RoadmapSection


def reviewer_school_ids(user) -> set[int]:
    """Schools on whose behalf the user may carry out a mutual review: their own school as team or curator."""
    return {a.school_id for a in reach_of(user).assignments if a.role in (Role.SCHOOL_TEAM, Role.CURATOR)}


def visible_programmes(user) -> QuerySet[Programme]:
    reach = reach_of(user)
    if reach.everything:
        return Programme.objects.all()
    conditions = []
    if municipality_ids := coordinator_municipality_ids(user):
        conditions.append(Q(municipality_id__in=municipality_ids))
    if school_ids := team_school_ids(user):
        conditions.append(Q(school_id__in=school_ids))
    if reviewer_ids := reviewer_school_ids(user):
        conditions.append(
            Q(
                pk__in=Review.objects.filter(kind=Review.Kind.MUTUAL, reviewer_school_id__in=reviewer_ids).values(
                    "programme_id"
                )
            )
        )
    if not conditions:
        return Programme.objects.none()
    return Programme.objects.filter(reduce(or_, conditions))


def get_programme_or_404(user, pk) -> Programme:
    return get_object_or_404(visible_programmes(user).select_related("municipality", "school", "risk_factor"), pk=pk)


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
    return get_object_or_404(
        Review.objects.select_related(
            "programme__municipality", "programme__school", "programme__risk_factor", "reviewer_school"
        ).filter(programme__in=visible_programmes(user)),
        pk=pk,
    )


# --- what a user may do ------------------------------------------------------------------------------------------


def can_edit_programme(user, programme: Programme) -> bool:
    """The owner keeps the programme: the coordinator the municipal one, the school team the school's."""
    if reach_of(user).everything:
        return True
    if programme.is_municipal:
        return programme.municipality_id in coordinator_municipality_ids(user)
    return programme.school_id in team_school_ids(user)


def can_edit_plan(user, programme: Programme) -> bool:
    """The plan (passport, tasks, measures, planned values) changes only in a draft or after a return."""
    return programme.plan_is_editable and can_edit_programme(user, programme)


def can_submit(user, programme: Programme) -> bool:
    return programme.plan_is_editable and can_edit_programme(user, programme)


def can_oversee(user, programme: Programme) -> bool:
    """The coordinator of the programme's municipality, or the department."""
    return reach_of(user).everything or programme.municipality_id in coordinator_municipality_ids(user)


def can_reopen(user, programme: Programme) -> bool:
    return programme.state == Programme.State.ACCEPTED and can_oversee(user, programme)


def can_assign_mutual_review(user, programme: Programme) -> bool:
    return not programme.is_municipal and programme.awaits_decision and can_oversee(user, programme)


def can_start_regional_review(user, programme: Programme) -> bool:
    return reach_of(user).everything and programme.awaits_decision and not programme.is_municipal


def can_act_on_review(user, review: Review) -> bool:
    """Only the one a review waits for may start and complete it."""
    if not review.is_open or review.round != review.programme.round:
        return False
    reach = reach_of(user)
    if review.kind == Review.Kind.MUNICIPAL:
        return reach.everything or review.programme.municipality_id in coordinator_municipality_ids(user)
    if review.kind == Review.Kind.REGIONAL:
        return reach.everything
    return review.reviewer_school_id in reviewer_school_ids(user)


def creatable_municipalities(user) -> QuerySet[Municipality]:
    """Where the user may start a municipal programme."""
    if reach_of(user).everything:
        return visible_municipalities(user)
    return Municipality.objects.filter(pk__in=coordinator_municipality_ids(user))


def creatable_schools(user) -> QuerySet[School]:
    """For which schools the user may start a school programme."""
    if reach_of(user).everything:
        return visible_schools(user).select_related("municipality")
    return School.objects.filter(pk__in=team_school_ids(user)).select_related("municipality")


def can_create_programme(user) -> bool:
    reach = reach_of(user)
    return reach.everything or bool(coordinator_municipality_ids(user) or team_school_ids(user))


def mutual_reviewer_schools(user, programme: Programme) -> QuerySet[School]:
    """Schools the user may give a mutual review of this programme to: within their reach, not the owner itself."""
    return (
        visible_schools(user)
        .filter(municipality_id=programme.municipality_id)
        .exclude(pk=programme.school_id)
        .order_by("short_name")
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
