"""Reads of agreements, sessions, practices, events and the municipal picture, each in a fixed number of queries
however large the data: counts come from correlated subqueries or grouped aggregates, never from a query per row.
Teachers, their ИПРП and the coverage are read in `partnerships.teacher_selectors`."""

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, IntegerField, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from schools.access import Role, reach_of, visible_municipalities
from schools.models import Municipality, Region, School, SchoolYearStatus, Status
from schools.school_year import current_school_year, school_year_label, school_year_of, school_year_period
from schools.selectors import counted_statuses, list_years_for

from . import access
from .access import (
    can_see_summary,
    curator_organisation_ids,
    curator_school_ids,
    in_force_q,
    team_school_ids,
    visible_agreement_ids,
    visible_agreements,
    visible_events,
    visible_practice_downloads,
    visible_practices,
)
from .filters import AgreementFilter, DownloadFilter, EventFilter, PracticeFilter, SessionFilter
from .models import (
    OPEN_ITEM_STATUSES,
    Agreement,
    AgreementPlanItem,
    DevelopmentPlan,
    DevelopmentPlanItem,
    EventInvitation,
    MethodicalEvent,
    Practice,
    PracticeDownload,
    PracticeFile,
    SessionEvidence,
    SupportSession,
    Teacher,
    TutorAssignment,
    TutoringSession,
)
from .targets import TargetBook, Targets, common_targets, targets_of_year

HOME_LIMIT = 8
DUE_SOON_DAYS = 30
LISTED_STATUSES = (Status.SHNOR, Status.SHNSU, Status.BOTH)
SHNOR_STATUSES = (Status.SHNOR, Status.BOTH)  # the share of ШНОР at events counts the schools that are both


def subquery_count(queryset: QuerySet, outer: str):
    """The number of rows of `queryset` whose `outer` points at the outer row, as an annotation (0 when none)."""
    return Coalesce(
        Subquery(
            queryset.filter(**{outer: OuterRef("pk")})
            .order_by()
            .values(outer)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- the approved list: which schools need support ----------------------------------------------------------------


def latest_list_year() -> int | None:
    return SchoolYearStatus.objects.aggregate(year=Max("year"))["year"]


def listed_schools(*, year: int | None = None) -> QuerySet[School]:
    """Schools on the newest approved list (ШНОР, ШНСУ or both): those the agreements and events are for."""
    year = year or latest_list_year()
    if year is None:
        return School.objects.none()
    return School.objects.filter(year_statuses__year=year, year_statuses__status__in=LISTED_STATUSES)


def list_marks() -> dict[int, str]:
    """What the newest approved list says of each school, to show beside it when pairing schools."""
    year = latest_list_year()
    if year is None:
        return {}
    marks = {}
    for school_id, status, curator in SchoolYearStatus.objects.filter(year=year).filter(
        Q(status__in=LISTED_STATUSES) | Q(curator_candidate=True)
    ).values_list("school_id", "status", "curator_candidate"):
        if status in LISTED_STATUSES:
            marks[school_id] = dict(Status.choices)[status]
        elif curator:
            marks[school_id] = "кандидат в кураторы"
    return marks


# --- agreements ---------------------------------------------------------------------------------------------------


def with_agreement_counts(queryset: QuerySet[Agreement], today: datetime.date | None = None) -> QuerySet[Agreement]:
    """Sessions planned (plan items), held (confirmed), waiting and disputed; the next planned date and topic."""
    today = today or timezone.localdate()
    sessions = SupportSession.objects.all()
    upcoming = AgreementPlanItem.objects.filter(agreement=OuterRef("pk"), planned_on__gte=today).order_by(
        "planned_on", "pk"
    )
    return queryset.annotate(
        planned_count=subquery_count(AgreementPlanItem.objects.all(), "agreement"),
        held_count=subquery_count(sessions.filter(status=SupportSession.Status.CONFIRMED), "agreement"),
        pending_count=subquery_count(sessions.filter(status=SupportSession.Status.PENDING), "agreement"),
        disputed_count=subquery_count(sessions.filter(status=SupportSession.Status.DISPUTED), "agreement"),
        next_planned_on=Subquery(upcoming.values("planned_on")[:1]),
        next_topic=Subquery(upcoming.values("topic")[:1]),
        next_month_only=Subquery(upcoming.values("month_only")[:1]),
    )


def _parties(prefix: str = "") -> list[Prefetch]:
    """The two schools of an agreement with their municipalities, in two small queries of their own: joined into a
    list's page query they made PostgreSQL plan a seven-table join, which took far longer than running the query.
    A curator organisation comes joined instead (`CURATOR_ORGANISATION`, two small tables): a prefetch of it would
    cost a query only on pages that show one, so a page's count would depend on its rows."""
    schools = School.objects.select_related("municipality")
    return [Prefetch(f"{prefix}curator_school", queryset=schools), Prefetch(f"{prefix}supported_school", queryset=schools)]


CURATOR_ORGANISATION = "curator_organisation__municipality"


def agreement_list(*, user, data) -> tuple[AgreementFilter, QuerySet[Agreement]]:
    agreement_filter = AgreementFilter(data, user=user, queryset=visible_agreements(user))
    rows = agreement_filter.qs if agreement_filter.is_valid() else Agreement.objects.none()
    rows = with_agreement_counts(rows.select_related(CURATOR_ORGANISATION).prefetch_related(*_parties())).order_by(
        "-starts_on", "-pk"
    )
    return agreement_filter, rows


def agreement_detail(*, agreement: Agreement, today: datetime.date | None = None) -> dict:
    """The plan with what was held by each item, the sessions with their files, the counts, the next session."""
    today = today or timezone.localdate()
    items = list(agreement.plan_items.select_related("risk_factor").order_by("planned_on", "pk"))
    sessions = list(
        agreement.sessions.select_related("plan_item", "risk_factor", "logged_by", "reviewed_by")
        .prefetch_related(Prefetch("evidence", queryset=SessionEvidence.objects.order_by("uploaded_at", "pk")))
        .order_by("-held_on", "-pk")
    )
    by_item = defaultdict(list)
    for session in sessions:
        if session.plan_item_id:
            by_item[session.plan_item_id].append(session)
    for item in items:
        item.held_sessions = by_item.get(item.pk, [])
        item.is_held = any(s.status == SupportSession.Status.CONFIRMED for s in item.held_sessions)
        item.is_logged = bool(item.held_sessions)
        item.is_past = item.planned_on < today if not item.month_only else (
            (item.planned_on.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) <= today
        )
        item.may_be_held = item.planned_on <= today  # a month-only item from the first day of its month
    next_item = next((item for item in items if item.planned_on >= today.replace(day=1) and not item.is_logged
                      and (item.month_only or item.planned_on >= today)), None)  # fmt: skip
    counts = {
        "planned": len(items),
        "held": sum(s.status == SupportSession.Status.CONFIRMED for s in sessions),
        "pending": sum(s.status == SupportSession.Status.PENDING for s in sessions),
        "disputed": sum(s.status == SupportSession.Status.DISPUTED for s in sessions),
        "hours": sum((s.hours for s in sessions if s.status == SupportSession.Status.CONFIRMED), 0),
    }
    return {"plan_items": items, "sessions": sessions, "counts": counts, "next_item": next_item}


def session_list(*, user, data) -> tuple[SessionFilter, QuerySet[SupportSession]]:
    # By the ids of the agreements the user sees, read first: the plans are then sized to the region
    # (`visible_agreement_ids`). The agreements' own list keeps `visible_agreements`: by ids it was not faster.
    agreements, sessions = Agreement.objects.all(), SupportSession.objects.all()
    if (ids := visible_agreement_ids(user)) is not None:
        agreements, sessions = agreements.filter(pk__in=ids), sessions.filter(agreement_id__in=ids)
    session_filter = SessionFilter(data, user=user, queryset=sessions, agreements=agreements)
    rows = session_filter.qs if session_filter.is_valid() else SupportSession.objects.none()
    rows = (
        rows.select_related("agreement__" + CURATOR_ORGANISATION, "risk_factor")
        .prefetch_related(*_parties("agreement__"))
        .annotate(evidence_count=subquery_count(SessionEvidence.objects.all(), "session"))
        .order_by("-held_on", "-pk")
    )
    return session_filter, rows


# --- the municipal picture ----------------------------------------------------------------------------------------


def summary_page(*, user, year: int) -> dict:
    """The summary page: the municipalities' rows and the participation of the whole scope, reading the targets of
    the year once."""
    book = targets_of_year(year)
    return {
        "rows": municipal_summary(user=user, year=year, book=book),
        "participation": yearly_participation(user=user, year=year, book=book),
    }


def municipal_summary(
    *, user, year: int | None = None, today: datetime.date | None = None, book: TargetBook | None = None
) -> list[dict]:
    """Per municipality, for the school year `year` (2027 is 2026/27; the current one by default) — counted as the
    dashboards and the yearly report count them (`monitoring.figures`): agreements signed in the school year against
    the territory's target, agreements in force, schools of the year's list with no curator, sessions held, coverage
    of teachers, practices, and the share of ШНОР of the year's list that took part in a methodical event of the
    school year, against its target. Fixed queries."""
    if not can_see_summary(user):
        return []
    today = today or timezone.localdate()
    year = year or school_year_of(today)
    start, end = school_year_period(year)
    as_of = min(today, end)
    municipalities = list(access.summary_municipalities(user))
    ids = [m.pk for m in municipalities]
    book = book or targets_of_year(year)
    signed, in_force, curated = _summary_agreements(ids, (start, end), as_of)
    list_years = list_years_for(year, {m.region_id for m in municipalities})
    listed, shnor = _summary_listed(ids, list_years)
    sessions = _summary_sessions(ids, (start, end))
    teacher_counts, plan_counts, tutor_counts = _summary_teachers(ids, year, as_of)
    practices, downloads = _summary_practices(ids, (start, end))
    attended = _summary_attendance(ids, (start, end))
    result = []
    for municipality in municipalities:
        targets = book.of_municipality(municipality, year)
        listed_here = listed.get(municipality.pk, [])
        shnor_here = shnor.get(municipality.pk, set())
        n_teachers = teacher_counts.get(municipality.pk, 0)
        took_part = len(attended.get(municipality.pk, set()) & shnor_here)
        n_signed = signed.get(municipality.pk, 0)
        events_share = share(took_part, len(shnor_here))
        plan_share = share(plan_counts.get(municipality.pk, 0), n_teachers)
        tutor_share = share(tutor_counts.get(municipality.pk, 0), n_teachers)
        result.append(
            {
                "municipality": municipality,
                "year": year,
                "year_label": school_year_label(year),
                "list_year": list_years.get(municipality.region_id),
                "as_of": as_of,
                "period": (start, end),
                "targets": targets,
                "signed": n_signed,
                "target": targets.agreements_per_year,
                "target_met": targets.agreements_met(n_signed),
                "in_force": in_force.get(municipality.pk, 0),
                "listed": len(listed_here),
                "without_curator": [s for s in listed_here if s.pk not in curated],
                "sessions_confirmed": sessions[municipality.pk][SupportSession.Status.CONFIRMED],
                "sessions_pending": sessions[municipality.pk][SupportSession.Status.PENDING],
                "sessions_disputed": sessions[municipality.pk][SupportSession.Status.DISPUTED],
                "teachers": n_teachers,
                "with_plan": plan_counts.get(municipality.pk, 0),
                "with_tutor": tutor_counts.get(municipality.pk, 0),
                "plan_share": plan_share,
                "tutor_share": tutor_share,
                "coverage_target": targets.teacher_coverage,
                "plan_met": Targets.share_met(plan_share, targets.teacher_coverage),
                "tutor_met": Targets.share_met(tutor_share, targets.teacher_coverage),
                "practices": practices.get(municipality.pk, 0),
                "downloads": downloads.get(municipality.pk, 0),
                "shnor": len(shnor_here),
                "events_took_part": took_part,
                "events_share": events_share,
                "events_target": targets.event_participation,
                "events_met": Targets.share_met(events_share, targets.event_participation),
            }
        )
    return result


def _summary_agreements(ids: list[int], period: tuple, as_of: datetime.date) -> tuple[dict, dict, set]:
    """By the supported school's municipality: agreements signed in the school year, agreements in force on the day;
    and the schools supported by one in force."""
    agreements = Agreement.objects.filter(supported_school__municipality_id__in=ids)
    signed = dict(
        agreements.exclude(status=Agreement.Status.DRAFT)
        .filter(signed_on__gte=period[0], signed_on__lte=period[1])
        .values_list("supported_school__municipality_id")
        .annotate(n=Count("pk"))
    )
    in_force = dict(
        agreements.filter(in_force_q(on=as_of))
        .values_list("supported_school__municipality_id")
        .annotate(n=Count("pk"))
    )
    curated = set(agreements.filter(in_force_q(on=as_of)).values_list("supported_school_id", flat=True))
    return signed, in_force, curated


def _summary_listed(ids: list[int], list_years: dict[int, int]) -> tuple[dict[int, list[School]], dict[int, set[int]]]:
    """municipality → the schools on the list the school year is counted by (its region's own, `list_years`); and →
    its ШНОР (with those that are both). One query."""
    listed, shnor = defaultdict(list), defaultdict(set)
    statuses = (
        counted_statuses(list_years).filter(school__municipality_id__in=ids, status__in=LISTED_STATUSES)
        .select_related("school").order_by("school__short_name")
    )  # fmt: skip
    for status in statuses:
        school = status.school
        school.list_status = status.status
        listed[school.municipality_id].append(school)
        if status.status in SHNOR_STATUSES:
            shnor[school.municipality_id].add(school.pk)
    return listed, shnor


def _summary_sessions(ids: list[int], period: tuple) -> dict[int, dict[str, int]]:
    """municipality → session status → sessions held in the school year (0 for any status not held)."""
    sessions = defaultdict(lambda: defaultdict(int))
    for municipality_id, status, n in (
        SupportSession.objects.filter(
            agreement__supported_school__municipality_id__in=ids, held_on__gte=period[0], held_on__lte=period[1]
        )
        .values_list("agreement__supported_school__municipality_id", "status")
        .annotate(n=Count("pk"))
    ):
        sessions[municipality_id][status] = n
    return sessions


def _summary_teachers(ids: list[int], year: int, as_of: datetime.date) -> tuple[dict, dict, dict]:
    """Per municipality: working teachers, those with an ИПРП of the school year, those with a tutor on the day."""
    teachers = Teacher.objects.filter(is_active=True, school__municipality_id__in=ids)
    teacher_counts = dict(teachers.values_list("school__municipality_id").annotate(n=Count("pk")))
    plan_counts = dict(
        teachers.filter(plans__year=year, plans__status__in=DevelopmentPlan.COUNTING)
        .values_list("school__municipality_id")
        .annotate(n=Count("pk", distinct=True))
    )
    tutor_counts = dict(
        teachers.filter(pk__in=TutorAssignment.objects.current(as_of).values("teacher_id"))
        .values_list("school__municipality_id")
        .annotate(n=Count("pk", distinct=True))
    )
    return teacher_counts, plan_counts, tutor_counts


def _summary_practices(ids: list[int], period: tuple) -> tuple[dict, dict]:
    """Per municipality: published practices, and downloads of its practices in the school year."""
    practices = dict(
        Practice.objects.filter(status=Practice.Status.PUBLISHED, school__municipality_id__in=ids)
        .values_list("school__municipality_id")
        .annotate(n=Count("pk"))
    )
    downloads = dict(
        PracticeDownload.objects.filter(
            practice__status=Practice.Status.PUBLISHED,
            practice__school__municipality_id__in=ids,
            downloaded_at__date__gte=period[0],
            downloaded_at__date__lte=period[1],
        )
        .values_list("practice__school__municipality_id")
        .annotate(n=Count("pk"))
    )
    return practices, downloads


def _summary_attendance(ids: list[int], period: tuple) -> dict[int, set[int]]:
    """municipality → the schools that attended a methodical event held in the school year."""
    attended = defaultdict(set)
    for municipality_id, school_id in (
        EventInvitation.objects.filter(
            attended=True,
            event__is_cancelled=False,
            event__held_on__gte=period[0],
            event__held_on__lte=period[1],
            school__municipality_id__in=ids,
        ).values_list("school__municipality_id", "school_id")
    ):
        attended[municipality_id].add(school_id)
    return attended


# --- practices ----------------------------------------------------------------------------------------------------


def practice_list(*, user, data) -> tuple[PracticeFilter, QuerySet[Practice]]:
    practice_filter = PracticeFilter(data, user=user, queryset=visible_practices(user))
    rows = practice_filter.qs if practice_filter.is_valid() else Practice.objects.none()
    rows = (
        rows.select_related("school__municipality")
        .prefetch_related("subjects", "risk_factors")
        .annotate(file_count=subquery_count(PracticeFile.objects.all(), "practice"))
        .order_by("-published_at", "-created_at", "-pk")
    )
    return practice_filter, rows


def practice_download_list(*, user, data) -> tuple[DownloadFilter, QuerySet[PracticeDownload]]:
    """Downloads of the bank's practices, filtered, as their page and its export show them."""
    download_filter = DownloadFilter(data or None, queryset=visible_practice_downloads(user), user=user)
    rows = download_filter.qs.select_related("practice__school__municipality").order_by("-downloaded_at", "-pk")
    return download_filter, rows


# --- events -------------------------------------------------------------------------------------------------------


def _listed_by_municipality() -> dict[int, set[int]]:
    result = defaultdict(set)
    for school_id, municipality_id in listed_schools().values_list("pk", "municipality_id"):
        result[municipality_id].add(school_id)
    return result


def with_event_counts(queryset: QuerySet[MethodicalEvent]) -> QuerySet[MethodicalEvent]:
    invitations = EventInvitation.objects.all()
    return queryset.annotate(
        invited_count=subquery_count(invitations, "event"),
        attended_count=subquery_count(invitations.filter(attended=True), "event"),
    )


def event_participation(events: list[MethodicalEvent]) -> None:
    """Give each event the share of listed schools (ШНОР/ШНСУ) of its scope that took part. Two queries."""
    listed = _listed_by_municipality()
    all_listed = set().union(*listed.values()) if listed else set()
    attended = defaultdict(set)
    for event_id, school_id in EventInvitation.objects.filter(
        event_id__in=[e.pk for e in events], attended=True
    ).values_list("event_id", "school_id"):
        attended[event_id].add(school_id)
    for event in events:
        scope = listed.get(event.municipality_id, set()) if event.municipality_id else all_listed
        event.listed_total = len(scope)
        event.listed_attended = len(attended.get(event.pk, set()) & scope)
        event.listed_share = share(event.listed_attended, event.listed_total)


def event_list(*, user, data) -> tuple[EventFilter, QuerySet[MethodicalEvent]]:
    event_filter = EventFilter(data, user=user, queryset=visible_events(user))
    rows = event_filter.qs if event_filter.is_valid() else MethodicalEvent.objects.none()
    rows = with_event_counts(rows.select_related("municipality")).order_by("-held_on", "-pk")
    return event_filter, rows


def yearly_participation(*, user, year: int, book: TargetBook | None = None) -> dict:
    """The share of ШНОР (of the list the school year is counted by) in the user's municipalities that took part in
    at least one methodical event held in the school year `year`, against the target of the year — as the dashboards
    count it."""
    reach = reach_of(user)
    start, end = school_year_period(year)
    municipalities = None
    if not reach.reads_all:
        municipalities = list(visible_municipalities(user))
    # each region counted by its own newest list up to the year (docs/TERRITORIES.md)
    list_years = list_years_for(year, None if municipalities is None else {m.region_id for m in municipalities})
    shnor = School.objects.filter(
        pk__in=counted_statuses(list_years).filter(status__in=SHNOR_STATUSES).values("school_id")
    )
    if municipalities is not None:
        shnor = shnor.filter(municipality_id__in=[m.pk for m in municipalities])
    shnor_ids = set(shnor.values_list("pk", flat=True))
    took_part = set(
        EventInvitation.objects.filter(
            attended=True, event__is_cancelled=False, event__held_on__gte=start, event__held_on__lte=end,
            school_id__in=shnor_ids,
        ).values_list("school_id", flat=True)
    )
    if municipalities is None:  # the department: the one territory of the installation, if it has one
        municipalities = [Municipality(region_id=pk) for pk in Region.objects.values_list("pk", flat=True)[:2]]
    targets = common_targets(book or targets_of_year(year), year, municipalities)
    value = share(len(took_part), len(shnor_ids))
    return {
        "year": year,
        "year_label": school_year_label(year),
        "listed": len(shnor_ids),
        "took_part": len(took_part),
        "share": value,
        "target": targets.event_participation,
        "met": Targets.share_met(value, targets.event_participation),
    }


def event_detail(*, event: MethodicalEvent) -> list[EventInvitation]:
    invitations = list(
        event.invitations.select_related("school__municipality").prefetch_related("participants").order_by(
            "school__short_name"
        )
    )
    listed = set(listed_schools().filter(pk__in=[i.school_id for i in invitations]).values_list("pk", flat=True))
    for invitation in invitations:
        invitation.listed = invitation.school_id in listed
    return invitations


# --- the home page ------------------------------------------------------------------------------------------------


def home_items(*, user) -> dict:
    """What waits for the user in partnerships, per role they hold; a fixed number of queries.

    Keys (only for the roles held): `curator` — agreements in force with their counts, next planned sessions and
    past plan items with no session logged; `school_team` — sessions waiting for confirmation and the school's
    agreements; `tutor` — the teachers they keep and ИПРП items due or overdue; `coordinator` — the municipal picture
    (see `municipal_summary`); `department` — totals.
    """
    reach = reach_of(user)
    today = timezone.localdate()
    items: dict = {}
    if not reach.roles:
        return items
    if reach.has_role(Role.CURATOR):
        items["curator"] = _curator_items(user, today)
    if reach.has_role(Role.SCHOOL_TEAM):
        items["school_team"] = _school_team_items(user, today)
    if reach.has_role(Role.TUTOR):
        items["tutor"] = _tutor_items(user, today)
    if reach.has_role(Role.COORDINATOR):
        items["coordinator"] = [
            row for row in municipal_summary(user=user, today=today) if row["municipality"].pk in reach.municipality_ids
        ]
    if reach.department:
        items["department"] = _department_items(reach, today)
    return items


def _curator_items(user, today: datetime.date) -> dict:
    """The curator school's agreements in force, the plan items coming and those past with no session logged, and
    the sessions the supported school disputed."""
    school_ids, organisation_ids = curator_school_ids(user), curator_organisation_ids(user)
    curated = Q(curator_school_id__in=school_ids) | Q(curator_organisation_id__in=organisation_ids)
    agreements = list(
        with_agreement_counts(
            Agreement.objects.filter(curated, in_force_q(on=today)).select_related(
                "curator_school", "curator_organisation", "supported_school"
            ),
            today,
        ).order_by("supported_school__short_name", "pk")
    )
    plan = AgreementPlanItem.objects.filter(
        in_force_q("agreement__", today), agreement__in=Agreement.objects.filter(curated).values("pk")
    ).select_related("agreement__supported_school", "risk_factor")
    logged = SupportSession.objects.filter(plan_item=OuterRef("pk"))
    return {
        "agreements": agreements,
        "next_sessions": list(plan.filter(planned_on__gte=today).order_by("planned_on", "pk")[:HOME_LIMIT]),
        "to_log": list(
            plan.filter(planned_on__lt=today, month_only=False)
            .exclude(Exists(logged))
            .order_by("-planned_on", "pk")[:HOME_LIMIT]
        ),
        "disputed": list(
            SupportSession.objects.filter(
                agreement__in=[a.pk for a in agreements], status=SupportSession.Status.DISPUTED
            )
            .select_related("agreement__supported_school")
            .order_by("-reviewed_at")[:HOME_LIMIT]
        ),
    }


def _school_team_items(user, today: datetime.date) -> dict:
    """The sessions waiting for the supported school's confirmation, and its agreements in force."""
    school_ids = team_school_ids(user)
    waiting = SupportSession.objects.filter(
        agreement__supported_school_id__in=school_ids, status=SupportSession.Status.PENDING
    )
    return {
        "to_confirm": list(
            waiting.select_related(
                "agreement__curator_school", "agreement__curator_organisation", "risk_factor"
            ).order_by("held_on", "pk")[:HOME_LIMIT]
        ),
        "to_confirm_count": waiting.count(),
        "agreements": list(
            Agreement.objects.filter(in_force_q(on=today), supported_school_id__in=school_ids)
            .select_related("curator_school", "curator_organisation")
            .order_by("ends_on")
        ),
    }


def _tutor_items(user, today: datetime.date) -> dict:
    """The teachers the tutor keeps today, with whether they have an ИПРП and the last session; ИПРП items due."""
    teachers = Teacher.objects.filter(
        pk__in=TutorAssignment.objects.current(today).filter(tutor=user).values("teacher_id")
    )
    due = DevelopmentPlanItem.objects.filter(
        plan__teacher__in=teachers,
        plan__status=DevelopmentPlan.Status.ACTIVE,
        status__in=OPEN_ITEM_STATUSES,
        due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
    )
    return {
        "teachers": list(
            teachers.select_related("school", "subject")
            .annotate(
                has_plan=Exists(
                    DevelopmentPlan.objects.filter(
                        teacher=OuterRef("pk"), year=current_school_year(), status__in=DevelopmentPlan.COUNTING
                    )
                ),
                last_session=Subquery(
                    TutoringSession.objects.filter(teacher=OuterRef("pk"), tutor=user)
                    .order_by("-held_on")
                    .values("held_on")[:1]
                ),
            )
            .order_by("school__short_name", "full_name")[:HOME_LIMIT * 2]
        ),
        "teacher_count": teachers.count(),
        "items_due": list(due.select_related("plan__teacher").order_by("due_on", "pk")[:HOME_LIMIT]),
        # plans, not items: the number opens the list of ИПРП with overdue items
        "overdue_count": DevelopmentPlan.objects.filter(pk__in=due.filter(due_on__lt=today).values("plan_id")).count(),
    }


def _department_items(reach, today: datetime.date) -> dict:
    """The territory's totals of the school year under way: agreements, sessions, listed schools without a curator,
    teachers with an ИПРП, practices, downloads and the next methodical event."""
    territory = reach.department_municipality_ids
    agreements = Agreement.objects.filter(supported_school__municipality_id__in=territory)
    events = MethodicalEvent.objects.filter(
        Q(municipality_id__in=territory) | Q(municipality__isnull=True, region_id__in=reach.territory_region_ids)
    )
    year = school_year_of(today)
    start, end = school_year_period(year)
    sessions = dict(
        SupportSession.objects.filter(agreement__in=agreements, held_on__gte=start, held_on__lte=end)
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    teachers = Teacher.objects.filter(is_active=True, school__municipality_id__in=territory)
    n_teachers = teachers.count()
    with_plan = (
        teachers.filter(plans__year=current_school_year(), plans__status__in=DevelopmentPlan.COUNTING)
        .distinct()
        .count()
    )
    practice_counts = Practice.objects.filter(school__municipality_id__in=territory).aggregate(
        published=Count("pk", filter=Q(status=Practice.Status.PUBLISHED)),
        waiting=Count("pk", filter=Q(status=Practice.Status.SUBMITTED)),
    )
    listed_ids = set(listed_schools().filter(municipality_id__in=territory).values_list("pk", flat=True))
    curated = set(agreements.filter(in_force_q(on=today)).values_list("supported_school_id", flat=True))
    return {
        "year": year,
        "year_label": school_year_label(year),
        "agreements_in_force": agreements.filter(in_force_q(on=today)).count(),
        "agreements_signed": agreements.exclude(status=Agreement.Status.DRAFT)
        .filter(signed_on__gte=start, signed_on__lte=end)
        .count(),
        "sessions_confirmed": sessions.get(SupportSession.Status.CONFIRMED, 0),
        "sessions_pending": sessions.get(SupportSession.Status.PENDING, 0),
        "sessions_disputed": sessions.get(SupportSession.Status.DISPUTED, 0),
        "listed": len(listed_ids),
        "listed_without_curator": len(listed_ids - curated),
        "teachers": n_teachers,
        "with_plan": with_plan,
        "plan_share": share(with_plan, n_teachers),
        "practices_published": practice_counts["published"],
        "practices_waiting": practice_counts["waiting"],
        "downloads": PracticeDownload.objects.filter(
            practice__school__municipality_id__in=territory, practice__status=Practice.Status.PUBLISHED, downloaded_at__date__gte=start, downloaded_at__date__lte=end
        ).count(),
        "period": (start, end),
        "list_year": latest_list_year(),
        "events_upcoming": events.filter(held_on__gte=today, is_cancelled=False).count(),
        "next_event": events.filter(held_on__gte=today, is_cancelled=False)
        .order_by("held_on")
        .aggregate(day=Min("held_on"))["day"],
    }


# --- the school page ----------------------------------------------------------------------------------------------


def school_support(*, school: School, today: datetime.date | None = None) -> dict:
    """Who supports the school, for its page: agreements in force on either side (with session counts), the tutors
    beside its teachers and how many teachers have an ИПРП. Counts and names of schools and tutors only — the
    teachers' personal data stays on the pages that check for it. Three queries."""
    today = today or timezone.localdate()
    agreements = list(
        with_agreement_counts(
            Agreement.objects.filter(in_force_q(on=today))
            .filter(Q(supported_school=school) | Q(curator_school=school))
            .select_related("curator_school", "curator_organisation", "supported_school"),
            today,
        ).order_by("ends_on", "pk")
    )
    tutors = sorted(
        {
            assignment.tutor.get_full_name() or assignment.tutor.username
            for assignment in TutorAssignment.objects.current(today)
            .filter(teacher__school=school, teacher__is_active=True)
            .select_related("tutor")
        }
    )
    teachers = Teacher.objects.filter(school=school, is_active=True).aggregate(
        total=Count("pk"), with_plan=Count("pk", filter=Exists(DevelopmentPlan.objects.filter(teacher=OuterRef("pk"))))
    )
    return {
        "supported_by": [a for a in agreements if a.supported_school_id == school.pk],
        "curating": [a for a in agreements if a.curator_school_id == school.pk],
        "tutors": tutors,
        "teachers": teachers["total"],
        "teachers_with_plan": teachers["with_plan"],
    }
