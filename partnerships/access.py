"""Who sees and who may change agreements, sessions, teachers, plans, practices and events.

Built on `schools.access`, the one place that decides reach. The rules:

- Agreements: the department sees all; a coordinator those with either school in their municipality; the supported
  school (its team or curator role) every agreement it is supported under; the curator school its drafts and the
  agreements in force — when an agreement ends, the curator loses it together with its sessions and files.
  The curator party may be an organisation of the registry instead of a school: its curators (the curator role held
  for the organisation) see and log exactly as a curator school's do.
  The department and the coordinator of the supported school's municipality prepare and close agreements; the
  curator party logs sessions while the agreement is in force; the supported school's team confirms or disputes.
- Teachers (personal data) and everything about them — deficits, ИПРП, tutoring sessions — are seen only by the
  teacher's school team, the tutors currently assigned to the teacher, the coordinator of the municipality and the
  department. Never by curator schools.
- Practices: published ones by everybody with a role; drafts by the author school, the coordinator of its
  municipality (who moderates) and the department.
- Events: regional ones by everybody with a role; municipal ones within the municipality and by invited schools
  (a school whose people are invited by name too); the coordinator manages the municipality's events, the
  department all. The names of invited people are read by those who manage the event, by a school's own team (its
  people) and by the coordinator of a specialist's municipality; everybody else sees counts.
- Targets (agreements a year, participation, coverage — per territory and school year): the department edits them;
  a coordinator reads those of their territory (the installation's default and their municipalities' regions);
  nobody else opens the page (403).

Objects outside the reach answer 404 (`get_*_or_404`); a step the user's role does not allow answers 403
(`require`).
"""

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from schools.access import (  # noqa: F401  (the shared scopes and `require` are re-exported for views)
    Role,
    can_edit_organisations,
    can_edit_school_registry,
    coordinator_municipality_ids,
    curator_school_ids,
    has_any_role,
    reach_of,
    require,
    team_school_ids,
    tutor_municipality_ids,
    visible_municipalities,
    visible_organisations,
    working_region,
)
from schools.models import Municipality, Organisation, Region, RoleAssignment, School
from shnor_portal.object_kinds import ObjectKind, page

from .models import (
    Agreement,
    DevelopmentPlan,
    DevelopmentPlanItem,
    EventAttendee,
    EventInvitation,
    MethodicalEvent,
    Practice,
    PracticeDownload,
    PracticeFile,
    SessionEvidence,
    SupportSession,
    Teacher,
    TeacherDeficit,
    TutorAssignment,
)

# --- the user's scopes by role ------------------------------------------------------------------------------------






def section_entry(user) -> str:
    """Where the section's entry leads each role: to where its work is."""
    if can_see_summary(user):
        return "partnerships:summary"
    reach = reach_of(user)
    if reach.has_role(Role.CURATOR, Role.SCHOOL_TEAM):
        return "partnerships:agreements"
    if reach.has_role(Role.TUTOR):
        return "partnerships:teachers"
    return "partnerships:practices"


def is_supported_team(user, agreement: Agreement) -> bool:
    """The user is on the team of the school the agreement supports."""
    return agreement.supported_school_id in team_school_ids(user)


def acts_for_school(user, school_id) -> bool:
    """The user acts for the school: on its team, or for it as a curator school."""
    return school_id in own_school_ids(user)


def chooses_municipality(user) -> bool:
    """A page of one municipality offers a choice to those who reach more than one."""
    reach = reach_of(user)
    return reach.reads_all or len(reach.municipality_ids) > 1


def own_school_ids(user) -> set[int]:
    """The user's own schools, as a school team or as a curator school (not the schools curated)."""
    return team_school_ids(user) | curator_school_ids(user)


def home_municipality_ids(user) -> set[int]:
    """Municipalities the user works in: municipal roles' own and those of the user's own schools."""
    reach = reach_of(user)
    return set(reach.municipality_ids) | {a.school.municipality_id for a in reach.assignments if a.school_id}


def in_force_q(prefix: str = "", on: datetime.date | None = None) -> Q:
    on = on or timezone.localdate()
    return Q(
        **{
            f"{prefix}status": Agreement.Status.ACTIVE,
            f"{prefix}starts_on__lte": on,
            f"{prefix}ends_on__gte": on,
        }
    )


# --- agreements and sessions --------------------------------------------------------------------------------------


def schools_of(municipality_ids) -> QuerySet[School]:
    """The schools of the municipalities, for `…_school__in`: ORed with other conditions, a join to the schools
    made PostgreSQL read every school of the country for a coordinator's agreements."""
    return School.objects.filter(municipality_id__in=municipality_ids).values("pk")


def _agreements_q(user, prefix: str = "") -> Q:
    """The agreements the user sees, as a condition on the agreement's own columns (`prefix`: the path to it), so
    that a list of their rows (sessions) filters by them directly instead of `agreement__in` — a semi-join
    PostgreSQL planned 10× over the floor for a region's department (docs/PERFORMANCE.md)."""
    reach = reach_of(user)
    conditions = Q(pk__in=[])
    if not reach.roles:
        return conditions

    def at(name):
        return f"{prefix}{name}"

    draft_or_in_force = Q(**{at("status"): Agreement.Status.DRAFT}) | in_force_q(prefix)
    if municipality_ids := reach.overseen_municipality_ids:
        schools = schools_of(municipality_ids)
        conditions |= Q(**{at("supported_school__in"): schools}) | Q(**{at("curator_school__in"): schools})
    if school_ids := own_school_ids(user):
        conditions |= Q(**{at("supported_school_id__in"): school_ids})
        conditions |= Q(**{at("curator_school_id__in"): school_ids}) & draft_or_in_force
    if organisation_ids := curator_organisation_ids(user):
        conditions |= Q(**{at("curator_organisation_id__in"): organisation_ids}) & draft_or_in_force
    return conditions


def visible_agreements(user) -> QuerySet[Agreement]:
    if reach_of(user).reads_all:
        return Agreement.objects.all()
    return Agreement.objects.filter(_agreements_q(user))


def visible_agreement_ids(user) -> list[int] | None:
    """The ids of the agreements the user sees, read in one query; None for whoever reads every territory. A list of
    rows that hang on agreements filtered by these literal ids is planned for what a region has: filtered by
    `_agreements_q`, PostgreSQL took a region's 145 agreements for 3,697 of the country's 4,929 and joined all its
    40,000 schools, twice — the department's sessions list took 146 ms, 9.6× its floor (docs/PERFORMANCE.md, «The
    sessions list by its agreements' ids»)."""
    if reach_of(user).reads_all:
        return None
    return list(Agreement.objects.filter(_agreements_q(user)).values_list("pk", flat=True))


def get_agreement_or_404(user, pk) -> Agreement:
    return get_object_or_404(
        visible_agreements(user).select_related(
            "curator_school__municipality__region", "curator_organisation__municipality",
            "supported_school__municipality__region",
        ),
        pk=pk,
    )


def can_see_agreements(user) -> bool:
    reach = reach_of(user)
    return reach.department or reach.reads_all or reach.has_role(Role.COORDINATOR, Role.SCHOOL_TEAM, Role.CURATOR)


def can_create_agreement(user) -> bool:
    return reach_of(user).oversees


def can_save_party_head(user, party: School | Organisation) -> bool:
    """A head's name asked for by the printed agreement goes into the registry only from those who keep it; anyone
    who may print enters it just for that print."""
    return can_edit_school_registry(user, party) if isinstance(party, School) else can_edit_organisations(user)


def can_manage_agreement(user, agreement: Agreement) -> bool:
    """Prepare, change, activate, close: the department and the coordinator of the supported school's municipality."""
    return reach_of(user).oversees_municipality(agreement.supported_school.municipality_id)


def agreement_schools(user) -> QuerySet[School]:
    """Schools the user may pair in an agreement: all for the department, the municipality's for a coordinator."""
    return (
        School.objects.filter(municipality_id__in=reach_of(user).overseen_municipality_ids)
        .select_related("municipality")
        .order_by("short_name")
    )


def curator_organisation_ids(user) -> frozenset[int]:
    """The organisations of the registry the user acts for as a curator."""
    return reach_of(user).curator_organisation_ids


def acts_as_curator(user, agreement: Agreement) -> bool:
    """The user acts for the agreement's curator party: its curator school, or its curator organisation."""
    if agreement.curator_organisation_id:
        return agreement.curator_organisation_id in curator_organisation_ids(user)
    return agreement.curator_school_id in curator_school_ids(user)


def agreement_organisations(user) -> QuerySet[Organisation]:
    """Organisations of the registry the user may name as the curator party: the active ones the user reads in the
    registry (every one for the department; the region's and their municipality's for a coordinator)."""
    return visible_organisations(user).filter(is_active=True).select_related("municipality").order_by("short_name")


def can_log_session(user, agreement: Agreement) -> bool:
    """The curator party (a curator school's or a curator organisation's user) logs sessions while the agreement is
    in force."""
    return agreement.is_in_force() and acts_as_curator(user, agreement)


def can_review_session(user, session: SupportSession) -> bool:
    """The supported school's management team confirms or disputes a session."""
    return session.agreement.supported_school_id in team_school_ids(user)


def visible_sessions(user) -> QuerySet[SupportSession]:
    """The sessions of the agreements the user sees, filtered by their agreement's columns (its supported and curator
    schools' municipalities for a department or a coordinator) — not `agreement__in (visible agreements)`."""
    if reach_of(user).reads_all:
        return SupportSession.objects.all()
    return SupportSession.objects.filter(_agreements_q(user, "agreement__"))


def visible_plans(user) -> QuerySet[DevelopmentPlan]:
    if reach_of(user).reads_all:
        return DevelopmentPlan.objects.all()
    return DevelopmentPlan.objects.filter(teacher__in=visible_teachers(user))


def get_session_or_404(user, pk) -> SupportSession:
    return get_object_or_404(
        visible_sessions(user).select_related(
            "agreement__curator_school__municipality",
            "agreement__curator_organisation__municipality",
            "agreement__supported_school__municipality",
            "plan_item",
            "risk_factor",
            "logged_by",
            "reviewed_by",
        ),
        pk=pk,
    )


def get_session_evidence_or_404(user, pk) -> SessionEvidence:
    """A stored file is reached only through an agreement the user sees: by URL, an outsider gets 404."""
    return get_object_or_404(
        SessionEvidence.objects.select_related(
            "session__agreement__curator_school", "session__agreement__curator_organisation",
            "session__agreement__supported_school",
        ).filter(session__agreement__in=visible_agreements(user)),
        pk=pk,
    )


# --- teachers, deficits, plans ------------------------------------------------------------------------------------


def visible_teachers(user) -> QuerySet[Teacher]:
    reach = reach_of(user)
    if reach.reads_all:
        return Teacher.objects.all()
    conditions = Q(pk__in=[])
    if municipality_ids := reach.overseen_municipality_ids:
        conditions |= Q(school__in=schools_of(municipality_ids))
    if school_ids := team_school_ids(user):
        conditions |= Q(school_id__in=school_ids)
    if reach.has_role(Role.TUTOR):
        conditions |= Q(pk__in=TutorAssignment.objects.current().filter(tutor=user).values("teacher_id"))
    if not reach.has_role(Role.DEPARTMENT, Role.COORDINATOR, Role.SCHOOL_TEAM, Role.TUTOR):
        return Teacher.objects.none()
    return Teacher.objects.filter(conditions)


def can_see_teachers(user) -> bool:
    """Curator schools never see teachers' personal data; the page itself answers them 403. The federal operator
    reads every territory's."""
    reach = reach_of(user)
    return reach.department or reach.reads_all or reach.has_role(Role.COORDINATOR, Role.SCHOOL_TEAM, Role.TUTOR)


def get_teacher_or_404(user, pk) -> Teacher:
    return get_object_or_404(visible_teachers(user).select_related("school__municipality", "subject"), pk=pk)


def teacher_schools(user) -> QuerySet[School]:
    """Schools whose teachers the user may add: the team's school, the coordinator's municipality, all."""
    return (
        School.objects.filter(
            Q(pk__in=team_school_ids(user)) | Q(municipality_id__in=reach_of(user).overseen_municipality_ids)
        )
        .select_related("municipality")
        .order_by("short_name")
    )


def can_add_teachers(user) -> bool:
    return reach_of(user).oversees or bool(team_school_ids(user))


def can_edit_teacher(user, teacher: Teacher) -> bool:
    return (
        reach_of(user).oversees_municipality(teacher.school.municipality_id)
        or teacher.school_id in team_school_ids(user)
    )


def can_assign_tutor(user, teacher: Teacher) -> bool:
    return reach_of(user).oversees_municipality(teacher.school.municipality_id)


def is_current_tutor(user, teacher: Teacher) -> bool:
    return TutorAssignment.objects.current().filter(tutor=user, teacher=teacher).exists()


def can_keep_development(user, teacher: Teacher, *, is_tutor: bool | None = None) -> bool:
    """Deficits and ИПРП: the teacher's current tutor, the coordinator of the municipality, the department."""
    if reach_of(user).oversees_municipality(teacher.school.municipality_id):
        return True
    return is_current_tutor(user, teacher) if is_tutor is None else is_tutor


def tutors_of_municipality(municipality_id: int):
    """Users who hold the tutor role in the municipality."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            role_assignments__role=RoleAssignment.Role.TUTOR, role_assignments__municipality_id=municipality_id
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def get_deficit_or_404(user, pk) -> TeacherDeficit:
    return get_object_or_404(
        TeacherDeficit.objects.select_related("teacher__school__municipality", "area").filter(
            teacher__in=visible_teachers(user)
        ),
        pk=pk,
    )


def get_plan_or_404(user, pk) -> DevelopmentPlan:
    return get_object_or_404(
        visible_plans(user).select_related("teacher__school__municipality", "teacher__subject", "tutor"), pk=pk
    )


def get_plan_item_or_404(user, pk) -> DevelopmentPlanItem:
    return get_object_or_404(
        DevelopmentPlanItem.objects.select_related("plan__teacher__school__municipality", "deficit__area").filter(
            plan__in=visible_plans(user)
        ),
        pk=pk,
    )


def get_tutor_assignment_or_404(user, pk) -> TutorAssignment:
    return get_object_or_404(
        TutorAssignment.objects.select_related("teacher__school__municipality", "tutor").filter(
            teacher__in=visible_teachers(user)
        ),
        pk=pk,
    )


def can_see_tutor_team(user) -> bool:
    reach = reach_of(user)
    return reach.department or reach.reads_all or reach.has_role(Role.COORDINATOR, Role.TUTOR)


def can_edit_tutor_profile(user, municipality_id: int) -> bool:
    return reach_of(user).oversees_municipality(municipality_id)


def can_see_coverage(user) -> bool:
    reach = reach_of(user)
    return reach.department or reach.reads_all or reach.has_role(Role.COORDINATOR, Role.TUTOR, Role.SCHOOL_TEAM)


def can_see_summary(user) -> bool:
    """The municipal picture: the coordinator's and the department's; the federal operator reads every one."""
    return reach_of(user).oversees or reach_of(user).reads_all


# --- practices ----------------------------------------------------------------------------------------------------


def visible_practice_downloads(user) -> QuerySet[PracticeDownload]:
    """Downloads of the published practices the user sees (who downloaded is not shown; when and what is)."""
    return PracticeDownload.objects.filter(
        practice__in=visible_practices(user).filter(status=Practice.Status.PUBLISHED)
    )


def visible_practices(user) -> QuerySet[Practice]:
    reach = reach_of(user)
    if reach.reads_all:
        return Practice.objects.all()
    if not reach.roles:
        return Practice.objects.none()
    # the bank is of the regions the user works in: a published practice of another region is not shown
    conditions = Q(status=Practice.Status.PUBLISHED, school__municipality__region_id__in=reach.region_ids)
    if school_ids := own_school_ids(user):
        conditions |= Q(school_id__in=school_ids)
    if municipality_ids := reach.overseen_municipality_ids:
        conditions |= Q(school__in=schools_of(municipality_ids))
    return Practice.objects.filter(conditions)


def bank_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities of the bank's filters: those of the regions the user works in (every one for the federal
    operator)."""
    reach = reach_of(user)
    return Municipality.objects.all() if reach.reads_all else Municipality.objects.filter(region_id__in=reach.region_ids)


def get_practice_or_404(user, pk) -> Practice:
    return get_object_or_404(visible_practices(user).select_related("school__municipality", "moderated_by"), pk=pk)


def get_practice_file_or_404(user, pk) -> PracticeFile:
    return get_object_or_404(
        PracticeFile.objects.select_related("practice__school").filter(practice__in=visible_practices(user)), pk=pk
    )


def practice_schools(user) -> QuerySet[School]:
    """On behalf of which schools the user may publish: their own, the coordinator's municipality, all."""
    return (
        School.objects.filter(
            Q(pk__in=own_school_ids(user)) | Q(municipality_id__in=reach_of(user).overseen_municipality_ids)
        )
        .select_related("municipality")
        .order_by("short_name")
    )


def can_add_practice(user) -> bool:
    return reach_of(user).oversees or bool(own_school_ids(user))


def can_author_practice(user, practice: Practice) -> bool:
    """The author school's people, its coordinator and the department; the state decides the rest."""
    return (
        reach_of(user).oversees_municipality(practice.school.municipality_id)
        or practice.school_id in own_school_ids(user)
    )


def can_read_bank(user) -> bool:
    """The bank's published practices and the region's events: everybody with a role."""
    return has_any_role(user)


def moderates_practices(user) -> bool:
    """A coordinator moderates the practices submitted by the schools of their municipality."""
    return bool(coordinator_municipality_ids(user))


def practices_to_moderate(user) -> QuerySet[Practice]:
    return visible_practices(user).filter(
        status=Practice.Status.SUBMITTED, school__municipality_id__in=coordinator_municipality_ids(user)
    )


def can_moderate_practice(user, practice: Practice) -> bool:
    return reach_of(user).oversees_municipality(practice.school.municipality_id)


# --- events -------------------------------------------------------------------------------------------------------


def visible_events(user) -> QuerySet[MethodicalEvent]:
    reach = reach_of(user)
    if reach.reads_all:
        return MethodicalEvent.objects.all()
    if not reach.roles:
        return MethodicalEvent.objects.none()
    conditions = Q(municipality__isnull=True, region_id__in=reach.region_ids) | Q(
        municipality_id__in=home_municipality_ids(user)
    )
    if reach.school_ids:
        conditions |= Q(pk__in=EventInvitation.objects.filter(school_id__in=reach.school_ids).values("event_id"))
        conditions |= Q(pk__in=EventAttendee.objects.filter(school_id__in=reach.school_ids).values("event_id"))
    return MethodicalEvent.objects.filter(conditions)


def invited_events(user) -> QuerySet[MethodicalEvent]:
    """The events the user's own schools (a school team's, a curator school's) are invited to, as a school or by
    their people."""
    school_ids = own_school_ids(user)
    return MethodicalEvent.objects.filter(
        Q(pk__in=EventInvitation.objects.filter(school_id__in=school_ids).values("event_id"))
        | Q(pk__in=EventAttendee.objects.filter(school_id__in=school_ids).values("event_id"))
    )


def get_event_or_404(user, pk) -> MethodicalEvent:
    return get_object_or_404(visible_events(user).select_related("municipality", "created_by"), pk=pk)


def _organiser_municipality_ids(reach) -> frozenset[int]:
    """Where the user organises municipal events: a coordinator's municipalities, the department's and the institute's
    territory (seed 004: the institute «организует … мероприятия» across the region)."""
    return reach.overseen_municipality_ids | reach.territory_municipality_ids


def _regional_organiser_region_ids(reach) -> frozenset[int]:
    """The regions whose regional events the user organises: a regional department's or institute's."""
    return frozenset(
        a.region_id for a in reach.assignments if a.role in (Role.DEPARTMENT, Role.INSTITUTE) and a.region_id
    )


def organises_regional_events(user) -> bool:
    return bool(_regional_organiser_region_ids(reach_of(user)))


def event_organiser_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities the user may hold an event of (the event form's choice)."""
    return Municipality.objects.filter(pk__in=_organiser_municipality_ids(reach_of(user))).order_by("name")


def can_create_event(user) -> bool:
    reach = reach_of(user)
    return bool(_organiser_municipality_ids(reach) or _regional_organiser_region_ids(reach))


def can_manage_event(user, event: MethodicalEvent) -> bool:
    """The department and the institute manage the events of their territory (a regional one: those of the region);
    a coordinator the events of their municipality."""
    reach = reach_of(user)
    if event.municipality_id is None:
        return event.region_id in _regional_organiser_region_ids(reach)
    return event.municipality_id in _organiser_municipality_ids(reach)


def event_schools(user, municipality_id: int | None) -> QuerySet[School]:
    """Schools that may be invited: the municipality's for a municipal event, every school of the organiser's
    territory for a regional one."""
    schools = School.objects.select_related("municipality").order_by("municipality__name", "short_name")
    if municipality_id:
        return schools.filter(municipality_id=municipality_id)
    return schools.filter(municipality_id__in=_regional_municipality_ids(user))


def event_municipalities(user, municipality_id: int | None) -> QuerySet[Municipality]:
    """Municipalities whose methodical service may be invited: the event's own for a municipal event, every one of
    the organiser's region for a regional event."""
    if municipality_id:
        return Municipality.objects.filter(pk=municipality_id)
    return Municipality.objects.filter(pk__in=_regional_municipality_ids(user)).order_by("name")


def _regional_municipality_ids(user):
    return Municipality.objects.filter(region_id__in=_regional_organiser_region_ids(reach_of(user))).values("pk")


def get_attendee_or_404(user, pk) -> EventAttendee:
    """A person invited to an event the user manages (the rows are changed only by the event's organisers)."""
    attendee = get_object_or_404(EventAttendee.objects.select_related("event"), pk=pk)
    if not visible_events(user).filter(pk=attendee.event_id).exists():
        raise Http404
    return attendee


def attendee_name_visible(user, attendee: EventAttendee, *, manages: bool) -> bool:
    """Names are personal data: the event's organisers read all; a school's team its own people; a coordinator the
    specialists of their municipality."""
    if manages:
        return True
    if attendee.school_id:
        return acts_for_school(user, attendee.school_id)
    return attendee.municipality_id in coordinator_municipality_ids(user)


def schools_curated_by(curator_school_ids, curator_organisation_ids=()) -> frozenset[int]:
    """A curator school — or an organisation of the registry acting as a curator — reaches the schools it holds an
    agreement in force with (status «действует», today within the term), and loses them when the agreement ends
    (registered on `schools.access` by this app's config). One query, whichever parties the user acts for."""
    return frozenset(
        Agreement.objects.in_force()
        .filter(Q(curator_school_id__in=curator_school_ids) | Q(curator_organisation_id__in=curator_organisation_ids))
        .values_list("supported_school_id", flat=True)
    )


def object_kinds() -> list[ObjectKind]:
    """This app's objects that notifications and history pages link to (`shnor_portal.object_kinds`)."""
    return [
        ObjectKind("partnerships.agreement", "договор о сотрудничестве", get_agreement_or_404,
                   page("partnerships:agreement"), municipality_id=lambda obj: obj.supported_school.municipality_id,
                   history="agreement"),
        ObjectKind("partnerships.supportsession", "занятие куратора", get_session_or_404, page("partnerships:session"),
                   municipality_id=lambda obj: obj.agreement.supported_school.municipality_id, history="session"),
        ObjectKind("partnerships.teacher", "педагог", get_teacher_or_404, page("partnerships:teacher"),
                   history="teacher"),
        ObjectKind("partnerships.developmentplan", "ИПРП", get_plan_or_404, page("partnerships:plan"), history="plan"),
        ObjectKind("partnerships.practice", "практика", get_practice_or_404, page("partnerships:practice"),
                   municipality_id=lambda obj: obj.school.municipality_id, history="practice"),
        ObjectKind("partnerships.methodicalevent", "мероприятие", get_event_or_404, page("partnerships:event"),
                   history="event"),
    ]  # fmt: skip


# --- the tutor team, coverage and the municipal picture ---------------------------------------------------------------


def tutor_team_municipality_ids(user) -> set[int]:
    """The municipalities whose tutor team the user reads: every one for the department, else those they work in."""
    reach = reach_of(user)
    if reach.reads_all:
        return set(Municipality.objects.values_list("pk", flat=True))
    return set(reach.municipality_ids)


def coverage_schools(user) -> QuerySet[School]:
    """Schools whose coverage the user may read: the team's own school, the municipality's, all (no curator)."""
    reach = reach_of(user)
    if reach.reads_all:
        return School.objects.all()
    municipal = reach.overseen_municipality_ids | tutor_municipality_ids(user)
    return School.objects.filter(Q(municipality_id__in=municipal) | Q(pk__in=team_school_ids(user)))


def summary_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities of the partnerships summary: the coordinator's, every one of its territory for the
    department, every one for the federal operator."""
    if reach_of(user).reads_all:
        return Municipality.objects.order_by("name")
    return Municipality.objects.filter(pk__in=reach_of(user).overseen_municipality_ids).order_by("name")


def act_targets() -> list:
    """What acts of the register approve here (`schools.act_targets`): an agreement — linked by those who manage it."""
    from django.urls import reverse

    from schools.act_targets import ActTarget

    def name(agreement) -> str:
        return f"{agreement.title} ({agreement.curator_name} → {agreement.supported_school.short_name})"

    def names(user, ids) -> dict:
        rows = visible_agreements(user).filter(pk__in=ids).select_related(
            "curator_school", "curator_organisation", "supported_school"
        )
        return {a.pk: (name(a), reverse("partnerships:agreement", args=[a.pk])) for a in rows}

    return [
        ActTarget("agreement", "договор о сотрудничестве", get_agreement_or_404,
                  lambda user: visible_agreements(user).values("pk"), can_manage_agreement, names,
                  page("partnerships:agreement"), name),
    ]  # fmt: skip


# --- targets ------------------------------------------------------------------------------------------------------


def can_read_targets(user) -> bool:
    """The targets page: the department's and the coordinators'; the federal operator reads every region's."""
    return reach_of(user).oversees or reach_of(user).reads_all


def can_edit_targets(user) -> bool:
    """Only a region's department sets the targets of its region."""
    return bool(reach_of(user).department_region_ids)


def can_edit_targets_of(user, region: Region | None) -> bool:
    """The targets of this region (None: the installation's default, kept in the back office)."""
    return region is not None and reach_of(user).acts_for_region(region.pk)


def target_regions(user) -> QuerySet[Region]:
    """The territories whose targets the user reads: every one for the department, a coordinator's municipalities'
    regions (the installation's default is read by both)."""
    reach = reach_of(user)
    if reach.reads_all:
        return Region.objects.order_by("name")
    return Region.objects.filter(pk__in=reach.region_ids if reach.oversees else []).order_by("name")
