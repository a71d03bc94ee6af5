"""Who gets a notification: people picked by the roles that reach its target.

Each helper returns a queryset of active users, built from role assignments (`schools.RoleAssignment`) exactly as
the access modules grant reach — a coordinator reaches the municipality, a school team its school, a curator school
its school and the schools it has an agreement in force with, the department everything. `notify` takes the
queryset as a subquery: one query whatever the number of people. Helpers combine with `|`.

Arguments that name places accept a model instance, a primary key, an iterable of either, or a queryset of ids
(`School.objects.filter(…).values("pk")`) — the last stays in the database, however many there are.
"""

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

from schools.models import RoleAssignment

Role = RoleAssignment.Role


def _ids(value):
    if isinstance(value, QuerySet):
        return value
    if isinstance(value, Model):
        return [value.pk]
    if isinstance(value, int):
        return [value]
    return [item.pk if isinstance(item, Model) else item for item in value]


def _with_role(condition: Q) -> QuerySet:
    return get_user_model().objects.filter(
        is_active=True, pk__in=RoleAssignment.objects.filter(condition).values("user_id")
    )


def nobody() -> QuerySet:
    return get_user_model().objects.none()


# --- by role and place ----------------------------------------------------------------------------------------------


def departments_of_region(region_id) -> QuerySet:
    """The region's department (the ministry): it forms the region's list."""
    return _with_role(Q(role=Role.DEPARTMENT, region_id=region_id))


def departments_of_district(municipality_id) -> QuerySet:
    """The district's own department (an assignment to the municipality): it forms the district's own list."""
    return _with_role(Q(role=Role.DEPARTMENT, municipality_id=municipality_id))


def departments_of_municipality(municipality_id) -> QuerySet:
    """Those who are the department of the municipality: its region's and its district's (issue 20)."""
    from schools.models import Municipality

    region = Municipality.objects.filter(pk=municipality_id).values("region_id")
    return _with_role(Q(role=Role.DEPARTMENT) & (Q(region_id__in=region) | Q(municipality_id=municipality_id)))


def institutes_of_municipality(municipality_id) -> QuerySet:
    """The institute (methodical centre) of the municipality: its region's and its district's (issue 20)."""
    from schools.models import Municipality

    region = Municipality.objects.filter(pk=municipality_id).values("region_id")
    return _with_role(Q(role=Role.INSTITUTE) & (Q(region_id__in=region) | Q(municipality_id=municipality_id)))


def coordinators_of(municipalities) -> QuerySet:
    """Municipal coordinators of these municipalities."""
    return _with_role(Q(role=Role.COORDINATOR, municipality_id__in=_ids(municipalities)))


def tutors_of(municipalities) -> QuerySet:
    return _with_role(Q(role=Role.TUTOR, municipality_id__in=_ids(municipalities)))


def school_team_of(schools) -> QuerySet:
    """The management team (управленческая команда) of these schools."""
    return _with_role(Q(role=Role.SCHOOL_TEAM, school_id__in=_ids(schools)))


def curator_users_of(schools) -> QuerySet:
    """The people of these schools in their role of curator school (школа-куратор)."""
    return _with_role(Q(role=Role.CURATOR, school_id__in=_ids(schools)))


def organisation_curators_of(organisations) -> QuerySet:
    """The people acting as a curator for these organisations of the registry (an organisation-curator)."""
    return _with_role(Q(role=Role.CURATOR, organisation_id__in=_ids(organisations)))


def agreement_curators(agreement) -> QuerySet:
    """The people of the agreement's curator party: its curator school's or its curator organisation's."""
    if agreement.curator_organisation_id:
        return organisation_curators_of(agreement.curator_organisation_id)
    return curator_users_of(agreement.curator_school_id)


def school_users_of(schools) -> QuerySet:
    """Everybody acting for these schools: the school team and the curator-school role."""
    return _with_role(Q(role__in=[Role.SCHOOL_TEAM, Role.CURATOR], school_id__in=_ids(schools)))


def organisation_experts_of(organisations) -> QuerySet:
    """The experts (role «эксперт организации») of these organisations of the registry."""
    return _with_role(Q(role=Role.EXPERT, organisation_id__in=_ids(organisations)))


# --- programmes and reviews -----------------------------------------------------------------------------------------


def programme_owners(programme) -> QuerySet:
    """Who keeps the programme: the coordinators for a municipal one, the school team for a school's."""
    if programme.school_id is None:
        return coordinators_of(programme.municipality_id)
    return school_team_of(programme.school_id)


def programme_overseers(programme) -> QuerySet:
    """The coordinators of the programme's municipality (they decide on school programmes)."""
    return coordinators_of(programme.municipality_id)


def reviewers_of(review) -> QuerySet:
    """Whom a review waits for (as `programs.access.can_act_on_review` decides): the reviewer school's team and
    curator role, or the named organisation's experts; else the coordinators for a review the route gives them (a
    municipal one), the department for one it gives the department (a regional one), the institute of the programme's
    region and district for one it gives the institute."""
    if review.reviewer_school_id:
        return school_users_of(review.reviewer_school_id)
    if review.reviewer_organisation_id:
        return organisation_experts_of(review.reviewer_organisation_id)
    reviewer = (
        review.step.reviewer
        if review.step_id
        else {"municipal": "coordinator", "regional": "department"}.get(review.kind)
    )
    if reviewer == "coordinator":
        return coordinators_of(review.programme.municipality_id)
    if reviewer == "department":
        return departments_of_municipality(review.programme.municipality_id)
    if reviewer == "institute":
        return institutes_of_municipality(review.programme.municipality_id)
    return nobody()


# --- identification -------------------------------------------------------------------------------------------------


def people_of_list(run) -> QuerySet:
    """An approved list: the coordinators of every municipality with a school on it, and the teams of those schools.
    Two subqueries, whatever the size of the list."""
    from schools.models import SchoolYearStatus, Status

    listed = SchoolYearStatus.objects.filter(run=run).exclude(status=Status.NONE)
    return coordinators_of(listed.values("school__municipality_id")) | school_team_of(listed.values("school_id"))


# --- partnerships ---------------------------------------------------------------------------------------------------


def agreement_parties(agreement) -> QuerySet:
    """The curator party (a curator school's or a curator organisation's curator role) and the supported school's
    team."""
    return agreement_curators(agreement) | school_team_of(agreement.supported_school_id)


def agreement_watchers(agreement) -> QuerySet:
    """Both schools and the coordinators of the supported school's municipality (who manage the agreement)."""
    return agreement_parties(agreement) | coordinators_of(agreement.supported_school.municipality_id)


def session_confirmers(session) -> QuerySet:
    """The supported school's team: they confirm or dispute a session (`partnerships.access.can_review_session`)."""
    return school_team_of(session.agreement.supported_school_id)


def session_curators(session) -> QuerySet:
    return agreement_curators(session.agreement)


def practice_moderators(practice) -> QuerySet:
    """The coordinators of the author school's municipality (`partnerships.access.can_moderate_practice`)."""
    return coordinators_of(practice.school.municipality_id)


def practice_authors(practice) -> QuerySet:
    """The author school's people (team and curator role)."""
    return school_users_of(practice.school_id)


# --- monitoring -----------------------------------------------------------------------------------------------------


def self_assessment_checkers(assessment) -> QuerySet:
    """The coordinators of the school's municipality: they accept or return the self-assessment."""
    return coordinators_of(assessment.school.municipality_id)


def self_assessment_authors(assessment) -> QuerySet:
    return school_team_of(assessment.school_id)
