"""Reads of teachers, their ИПРП and tutors, and the coverage of teachers by both, each in a fixed number of queries
however large the data (the agreements', events' and municipal reads are in `partnerships.selectors`)."""

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from schools.access import Role
from schools.models import Municipality, RoleAssignment
from schools.school_year import current_school_year, school_year_label, school_year_period
from schools.selectors import counted_statuses, list_years_for

from . import access
from .access import (
    visible_plans,
    visible_teachers,
)
from .filters import PlanFilter, TeacherFilter
from .models import (
    OPEN_ITEM_STATUSES,
    DevelopmentPlan,
    DevelopmentPlanItem,
    Teacher,
    TeacherDeficit,
    TutorAssignment,
    TutorProfile,
)
from .selectors import LISTED_STATUSES, share, subquery_count
from .targets import Targets, common_targets, targets_of_year

# --- teachers and plans -------------------------------------------------------------------------------------------


def _current_assignments() -> Prefetch:
    return Prefetch(
        "tutor_assignments",
        queryset=TutorAssignment.objects.current().select_related("tutor").order_by("starts_on", "pk"),
        to_attr="current_assignments",
    )


def teacher_list(*, user, data) -> tuple[TeacherFilter, QuerySet[Teacher]]:
    year = current_school_year()
    teacher_filter = TeacherFilter(data, user=user, queryset=visible_teachers(user))
    rows = teacher_filter.qs if teacher_filter.is_valid() else Teacher.objects.none()
    rows = (
        rows.select_related("school__municipality", "subject")
        .annotate(
            open_deficits=subquery_count(TeacherDeficit.objects.filter(resolved_on__isnull=True), "teacher"),
            has_plan=Exists(
                DevelopmentPlan.objects.filter(teacher=OuterRef("pk"), year=year, status__in=DevelopmentPlan.COUNTING)
            ),
        )
        .prefetch_related(_current_assignments())
        .order_by("school__short_name", "full_name", "pk")
    )
    return teacher_filter, rows


def teacher_detail(*, teacher: Teacher, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    plans = list(
        teacher.plans.select_related("tutor")
        .prefetch_related(
            Prefetch("items", queryset=DevelopmentPlanItem.objects.select_related("deficit__area").order_by("due_on", "pk"))
        )
        .order_by("-year")
    )
    for plan in plans:
        for item in plan.items.all():
            item.overdue = item.is_overdue(today)
    return {
        "deficits": list(teacher.deficits.select_related("area").order_by("resolved_on", "-diagnosed_on", "pk")),
        "plans": plans,
        "assignments": list(teacher.tutor_assignments.select_related("tutor", "assigned_by").order_by("-starts_on")),
        "tutoring": list(teacher.tutoring_sessions.select_related("tutor").order_by("-held_on", "-pk")[:50]),
        "tutoring_hours": sum(s.hours for s in teacher.tutoring_sessions.all()),
    }


def with_plan_counts(queryset: QuerySet[DevelopmentPlan], today: datetime.date | None = None):
    today = today or timezone.localdate()
    items = DevelopmentPlanItem.objects.exclude(status="cancelled")
    open_items = DevelopmentPlanItem.objects.filter(status__in=OPEN_ITEM_STATUSES)
    return queryset.annotate(
        item_count=subquery_count(items, "plan"),
        done_count=subquery_count(items.filter(status="done"), "plan"),
        overdue_count=subquery_count(open_items.filter(due_on__lt=today), "plan"),
        next_due_on=Subquery(
            open_items.filter(plan=OuterRef("pk"), due_on__gte=today).order_by("due_on").values("due_on")[:1]
        ),
    )


def plan_list(*, user, data) -> tuple[PlanFilter, QuerySet[DevelopmentPlan]]:
    plan_filter = PlanFilter(data, user=user, queryset=visible_plans(user))
    rows = plan_filter.qs if plan_filter.is_valid() else DevelopmentPlan.objects.none()
    rows = with_plan_counts(
        rows.select_related("teacher__school__municipality", "teacher__subject", "tutor")
    ).order_by("-year", "teacher__school__short_name", "teacher__full_name", "pk")
    return plan_filter, rows


def plan_items(*, plan: DevelopmentPlan, today: datetime.date | None = None) -> list[DevelopmentPlanItem]:
    today = today or timezone.localdate()
    items = list(plan.items.select_related("deficit__area").order_by("due_on", "pk"))
    for item in items:
        item.overdue = item.is_overdue(today)
    return items


def tutor_team(*, user) -> list[dict]:
    """Tutors of the municipalities the user works in, with their profile and how many teachers they keep."""
    municipality_ids = access.tutor_team_municipality_ids(user)
    assignments = list(
        RoleAssignment.objects.filter(role=Role.TUTOR, municipality_id__in=municipality_ids)
        .select_related("user", "municipality")
        .order_by("municipality__name", "user__last_name", "user__first_name", "user__username")
    )
    profiles = {
        (p.user_id, p.municipality_id): p
        for p in TutorProfile.objects.filter(municipality_id__in=municipality_ids)
        .select_related("workplace")
        .prefetch_related("subjects")
    }
    user_ids = {a.user_id for a in assignments}
    teachers = defaultdict(int)
    for tutor_id, municipality_id, n in (
        TutorAssignment.objects.current()
        .filter(tutor_id__in=user_ids)
        .values_list("tutor_id", "teacher__school__municipality_id")
        .annotate(n=Count("teacher", distinct=True))
    ):
        teachers[(tutor_id, municipality_id)] += n
    plans = defaultdict(int)
    for tutor_id, municipality_id, n in (
        DevelopmentPlan.objects.filter(tutor_id__in=user_ids, year=current_school_year(), status__in=DevelopmentPlan.COUNTING)
        .values_list("tutor_id", "teacher__school__municipality_id")
        .annotate(n=Count("pk"))
    ):
        plans[(tutor_id, municipality_id)] += n
    return [
        {
            "user": a.user,
            "municipality": a.municipality,
            "profile": profiles.get((a.user_id, a.municipality_id)),
            "teachers": teachers.get((a.user_id, a.municipality_id), 0),
            "plans": plans.get((a.user_id, a.municipality_id), 0),
        }
        for a in assignments
    ]


def _judge_coverage(total: dict, targets: Targets) -> None:
    """The shares of teachers with an ИПРП and with a tutor, against the territory's coverage target."""
    total["plan_share"] = share(total["with_plan"], total["teachers"])
    total["tutor_share"] = share(total["with_tutor"], total["teachers"])
    total["target"] = targets.teacher_coverage
    total["plan_met"] = Targets.share_met(total["plan_share"], total["target"])
    total["tutor_met"] = Targets.share_met(total["tutor_share"], total["target"])


# --- coverage -----------------------------------------------------------------------------------------------------


def coverage(*, user, municipality: Municipality | None = None, year: int | None = None, q: str = "") -> dict:
    """Per school: teachers, with an ИПРП for the year, with a tutor now; per municipality and in total.

    Schools with registered teachers or on the list the school year is counted by are shown; tutors on the day (for a
    past school year, its last day); each municipality's shares against its territory's coverage target of the year.
    Seven queries at any size.
    """
    year = year or current_school_year()
    as_of = min(timezone.localdate(), school_year_period(year)[1])
    schools = access.coverage_schools(user)
    if municipality is not None:
        schools = schools.filter(municipality=municipality)
    for word in q.split():
        schools = schools.filter(Q(short_name__icontains=word) | Q(name__icontains=word))
    teachers = Teacher.objects.filter(is_active=True, school__in=schools)
    per_school = dict(teachers.values_list("school_id").annotate(n=Count("pk")))
    with_plan = dict(
        teachers.filter(plans__year=year, plans__status__in=DevelopmentPlan.COUNTING)
        .values_list("school_id")
        .annotate(n=Count("pk", distinct=True))
    )
    with_tutor = dict(
        teachers.filter(pk__in=TutorAssignment.objects.current(as_of).values("teacher_id"))
        .values_list("school_id")
        .annotate(n=Count("pk", distinct=True))
    )
    # each region counted by its own newest list up to the year (docs/TERRITORIES.md)
    listed = set(
        counted_statuses(list_years_for(year)).filter(status__in=LISTED_STATUSES, school__in=schools)
        .values_list("school_id", flat=True)
    )  # fmt: skip
    rows = []
    totals: dict[int, dict] = {}
    for school in schools.filter(Q(pk__in=list(per_school)) | Q(pk__in=list(listed))).select_related(
        "municipality"
    ).order_by("municipality__name", "short_name"):
        n, p, t = per_school.get(school.pk, 0), with_plan.get(school.pk, 0), with_tutor.get(school.pk, 0)
        rows.append(
            {
                "school": school,
                "listed": school.pk in listed,
                "teachers": n,
                "with_plan": p,
                "with_tutor": t,
                "plan_share": share(p, n),
                "tutor_share": share(t, n),
            }
        )
        total = totals.setdefault(
            school.municipality_id,
            {"municipality": school.municipality, "schools": 0, "teachers": 0, "with_plan": 0, "with_tutor": 0},
        )
        total["schools"] += 1
        total["teachers"] += n
        total["with_plan"] += p
        total["with_tutor"] += t
    book = targets_of_year(year)
    for total in totals.values():
        _judge_coverage(total, book.of_municipality(total["municipality"], year))
    grand = {key: sum(r[key] for r in rows) for key in ("teachers", "with_plan", "with_tutor")}
    targets = common_targets(
        book, year, [municipality] if municipality is not None else [t["municipality"] for t in totals.values()]
    )
    _judge_coverage(grand, targets)
    return {
        "year": year,
        "year_label": school_year_label(year),
        "rows": rows,
        "municipalities": sorted(totals.values(), key=lambda t: t["municipality"].name),
        "total": grand,
        "targets": targets,
    }
