"""Reads of the monitoring app: plan against actual, a school's monitoring, the risk profile, the home page.

Each function runs a fixed number of queries whatever the number of schools, values or years.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone

from schools.access import reach_of
from schools.models import Municipality, School, SchoolYearStatus, Status
from schools.school_year import current_school_year, school_year_label

from .access import coordinator_municipality_ids, team_school_ids
from .calendar import CalendarBook, rank_in
from .computed import compute, computed, school_scope, share_percent
from .models import (
    Indicator,
    IndicatorPlan,
    IndicatorValue,
    OpenReport,
    RiskLevel,
    RiskProfile,
    SelfAssessment,
    applicable_to_municipality_q,
    applicable_to_school_q,
)

HOME_LIMIT = 5


def met_css(met: bool | None) -> str:
    """Bootstrap's row colour for plan met (green) or not met (red); nothing when either value is missing."""
    return {True: "table-success", False: "table-danger"}.get(met, "")


def plans_of(indicators) -> dict[int, dict[int, Decimal]]:
    """indicator id → {year: planned value}, in one query."""
    plans: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for indicator_id, year, value in IndicatorPlan.objects.filter(indicator__in=indicators).values_list(
        "indicator_id", "year", "planned_value"
    ):
        plans[indicator_id][year] = value
    return plans


def latest_by_stage(values: list[IndicatorValue], rank: dict[str, int]) -> IndicatorValue | None:
    """The value of the latest stage among these, by the stages' places in the calendar (`rank`)."""
    return max(values, key=lambda v: rank.get(v.stage, -1), default=None)


# --- one school or municipality: the grid and plan against actual -----------------------------------------------------


def grid_indicators(*, school: School | None = None, municipality: Municipality | None = None) -> list[Indicator]:
    condition = applicable_to_school_q(school) if school else applicable_to_municipality_q(municipality)
    return list(Indicator.objects.filter(condition).select_related("programme").order_by("position", "code", "pk"))


def indicator_rows(
    *, indicators: list[Indicator], year: int, school: School | None = None, municipality: Municipality | None = None
) -> list[dict]:
    """Per indicator: baseline, plan of the year, the values of each stage of the owner's calendar and the latest
    against the plan."""
    plans = plans_of(indicators)
    calendar = CalendarBook([year]).of_municipality(school.municipality if school else municipality, year)
    rank = rank_in(calendar)
    values = IndicatorValue.objects.filter(indicator__in=indicators, year=year).select_related(
        "confirmed_by", "entered_by"
    )
    values = values.filter(school=school) if school else values.filter(school__isnull=True, municipality=municipality)
    by_indicator: dict[int, dict[str, IndicatorValue]] = defaultdict(dict)
    for value in values:
        by_indicator[value.indicator_id][value.stage] = value
    rows = []
    for indicator in indicators:
        stages = by_indicator.get(indicator.pk, {})
        planned = plans.get(indicator.pk, {}).get(year)
        latest = latest_by_stage([v for v in stages.values() if v.status == IndicatorValue.Status.CONFIRMED], rank)
        met = indicator.met(latest.value if latest else None, planned)
        rows.append(
            {
                "indicator": indicator,
                "planned": planned,
                "stages": [(stage.code, stages.get(stage.code)) for stage in calendar],
                "latest": latest,
                "met": met,
                "css": met_css(met),
            }
        )
    return rows


def year_actuals(values, *, aggregation: str = Indicator.Aggregation.MEAN) -> dict[int, float]:
    """year → the actual of the year from the confirmed values of its latest stage that has any: their mean, or their
    sum for an indicator summed up as a sum.

    `values` is a queryset of one indicator's values already narrowed to a scope and to the rows that make its fact
    (`indicator_actuals`); one query.
    """
    by_stage: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for year, stage, value in values.filter(status=IndicatorValue.Status.CONFIRMED).values_list("year", "stage", "value"):
        by_stage[year][stage].append(value)
    actuals = {}
    book = CalendarBook(by_stage)
    for year in sorted(by_stage):
        rank = book.rank(year)
        numbers = by_stage[year][max(by_stage[year], key=lambda code: rank.get(code, -1))]
        total = sum(numbers)
        actuals[year] = round(float(total if aggregation == Indicator.Aggregation.SUM else total / len(numbers)), 2)
    return actuals


def indicator_actuals(indicator: Indicator, values, *, municipality_ids, school=None) -> dict[int, float]:
    """year → the indicator's actual over the user's scope (`values`: its values the user reaches), or for one school.

    The scope's fact is made as the indicator says (`Indicator.aggregation`): the mean or the sum of its schools'
    values (of its municipalities' for a municipal indicator), or — for what the portal computes pooled — computed
    over the scope's municipalities together for each year with values (one computation a year)."""
    if school is not None:
        return year_actuals(values.filter(school=school))
    if indicator.aggregation == Indicator.Aggregation.POOLED:
        years = sorted(set(values.filter(status=IndicatorValue.Status.CONFIRMED).values_list("year", flat=True)))
        found = {year: compute(indicator.computed_by, year=year, municipality=municipality_ids) for year in years}
        return {year: value for year, value in found.items() if value is not None}
    level_rows = values.filter(school__isnull=indicator.level == Indicator.Level.MUNICIPAL)
    return year_actuals(level_rows, aggregation=indicator.aggregation)


def indicator_chart(indicator: Indicator, *, plans: dict[int, Decimal], actuals: dict[int, float], label: str) -> dict:
    """Data for Chart.js: the years from the baseline to the last plan or value, the plan line and the actuals."""
    years = set(plans) | set(actuals)
    if indicator.baseline_year:
        years.add(indicator.baseline_year)
    years = sorted(years)
    plan_series = []
    for year in years:
        if year == indicator.baseline_year and indicator.baseline_value is not None:
            plan_series.append(float(indicator.baseline_value))
        else:
            plan_series.append(float(plans[year]) if year in plans else None)
    return {
        "labels": [school_year_label(year) for year in years],
        "unit": indicator.unit_label,
        "higher_is_better": indicator.higher_is_better,
        "series": [
            {"label": "План (с базовым значением)", "kind": "plan", "data": plan_series},
            {"label": label, "kind": "actual", "data": [actuals.get(year) for year in years]},
        ],
    }


# --- the school's monitoring page -----------------------------------------------------------------------------------


def risk_comparison(*, school: School, year: int) -> dict:
    """The school's risk profile of the year against last year's: per factor, both levels and the change."""
    profiles = {
        p.year: p
        for p in RiskProfile.objects.filter(school=school, year__in=[year, year - 1]).select_related(
            "self_assessment"
        )
    }
    levels: dict[int, dict[int, RiskLevel]] = defaultdict(dict)
    factors = {}
    for level in RiskLevel.objects.filter(profile__in=profiles.values()).select_related("risk_factor", "profile"):
        levels[level.profile.year][level.risk_factor_id] = level
        factors[level.risk_factor_id] = level.risk_factor
    rows = []
    for factor in sorted(factors.values(), key=lambda f: (f.position, f.name)):
        now, before = levels[year].get(factor.pk), levels[year - 1].get(factor.pk)
        change = None
        if now and before:
            change = "worse" if now.level > before.level else "better" if now.level < before.level else "same"
        rows.append({"factor": factor, "now": now, "before": before, "change": change})
    chart = None
    if rows:
        chart = {
            "labels": [row["factor"].name for row in rows],
            "series": [
                {
                    "label": school_year_label(y),
                    "data": [getattr(levels[y].get(r["factor"].pk), "level", None) for r in rows],
                }
                for y in (year - 1, year)
                if y in profiles
            ],
        }
    return {
        "year": year,
        "year_label": school_year_label(year),
        "last_label": school_year_label(year - 1),
        "profile": profiles.get(year),
        "last_profile": profiles.get(year - 1),
        "rows": rows,
        "chart": chart,
    }


def stage_overview(*, school: School, year: int) -> list[dict]:
    """Per stage of the school's calendar (`monitoring.calendar`): its dates, the current self-assessment."""
    calendar = CalendarBook([year]).of_municipality(school.municipality, year)
    current = {
        a.stage: a
        for a in SelfAssessment.objects.filter(school=school, year=year, is_current=True).select_related("decided_by")
    }
    today = timezone.localdate()
    rows = []
    for stage in calendar:
        assessment = current.get(stage.code)
        rows.append(
            {
                "stage": stage.code,
                "label": stage.name,
                "schedule": stage if stage.has_dates else None,
                "assessment": assessment,
                "overdue": stage.overdue(today)
                and (assessment is None or assessment.status == SelfAssessment.Status.RETURNED),
            }
        )
    return rows


def school_history(*, school: School) -> dict:
    return {
        "assessments": list(
            SelfAssessment.objects.filter(school=school)
            .select_related("uploaded_by", "decided_by")
            .order_by("-year", "-uploaded_at", "-pk")[:100]
        ),
        "open_reports": list(
            OpenReport.objects.filter(school=school).select_related("uploaded_by").order_by("-year", "-uploaded_at")[:50]
        ),
    }


# --- the home page --------------------------------------------------------------------------------------------------


def home_items(*, user) -> dict:
    """What waits for the user in monitoring, in a fixed number of queries (at most six).

    - schools (school team): per school, the open stages of the current year whose self-assessment is missing
      (`due`, with `overdue`), those returned with the coordinator's comment, values still to enter in the open
      stage and values returned;
    - municipalities (coordinator): per municipality, self-assessments and values waiting for them;
    - department: the same totals over all municipalities.
    """
    reach = reach_of(user)
    year = current_school_year()
    today = timezone.localdate()
    items = {
        "year": year,
        "year_label": school_year_label(year),
        "schools": [],
        "municipalities": [],
        "department": None,
    }
    team = team_school_ids(user)
    coordinator_of = coordinator_municipality_ids(user)
    if not (team or coordinator_of or reach.department):
        items["is_empty"] = True
        return items
    if team:
        items["schools"] = _school_home_items(reach, team, year=year, today=today)
    if coordinator_of or reach.department:
        items["municipalities"], items["department"] = _waiting_home_items(reach, coordinator_of)
    items["is_empty"] = not (items["schools"] or items["municipalities"] or items["department"])
    return items


def _open_stages(book: CalendarBook, schools, *, year: int, today: datetime.date) -> dict[int, list]:
    """school id → the stages of its municipality's calendar already begun. One query (the territories)."""
    regions = dict(
        Municipality.objects.filter(pk__in={s.municipality_id for s in schools}).values_list("pk", "region_id")
    )
    return {
        school.pk: [
            s
            for s in book.stages(year, regions.get(school.municipality_id), school.municipality_id)
            if s.starts_on is not None and s.starts_on <= today
        ]
        for school in schools
    }


def _school_home_items(reach, team, *, year: int, today: datetime.date) -> list[dict]:
    """Per school of the team: the open stages' (of its municipality's calendar) self-assessments missing, returned
    and waiting, values still to enter in the latest open stage and values returned. Six queries."""
    schools = [a.school for a in reach.assignments if a.school_id in team]
    open_of = _open_stages(CalendarBook([year]), schools, year=year, today=today)
    current = defaultdict(dict)
    for assessment in SelfAssessment.objects.filter(school_id__in=team, year=year, is_current=True):
        current[assessment.school_id][assessment.stage] = assessment
    indicators = list(
        Indicator.objects.filter(level=Indicator.Level.SCHOOL, is_active=True, computed_by="").select_related(
            "programme"
        )
    )
    entered = defaultdict(set)
    returned_values = defaultdict(int)
    for school_id, indicator_id, status, stage in IndicatorValue.objects.filter(
        school_id__in=team, year=year
    ).values_list("school_id", "indicator_id", "status", "stage"):
        now = open_of[school_id][-1].code if open_of.get(school_id) else None
        if stage == now:
            entered[school_id].add(indicator_id)
        if status == IndicatorValue.Status.RETURNED:
            returned_values[school_id] += 1
    items = []
    for school in sorted(schools, key=lambda s: s.short_name):
        due, returned, waiting = [], [], []
        open_stages = open_of[school.pk]
        stage_now = open_stages[-1] if open_stages else None
        for plan in open_stages:
            assessment = current[school.pk].get(plan.code)
            if assessment is not None:
                assessment.stage_label = plan.name
            if assessment is None:
                due.append({"schedule": plan, "overdue": plan.overdue(today)})
            elif assessment.status == SelfAssessment.Status.RETURNED:
                returned.append(assessment)
            elif assessment.status == SelfAssessment.Status.SUBMITTED:
                waiting.append(assessment)
        own = [i for i in indicators if i.applies_to_school(school)]
        items.append(
            {
                "school": school,
                "due": due,
                "returned": returned,
                "waiting": waiting,
                "stage_now": stage_now.code if stage_now else None,
                "stage_now_label": stage_now.name if stage_now else "",
                "values_to_enter": len([i for i in own if i.pk not in entered[school.pk]]) if stage_now else 0,
                "values_returned": returned_values[school.pk],
            }
        )
    return items


def _waiting_home_items(reach, coordinator_of) -> tuple[list[dict], dict | None]:
    """Self-assessments and values waiting for a decision: per municipality the user coordinates, and in total for
    the department (None for anyone else). Two queries."""
    waiting_sa = dict(
        SelfAssessment.objects.filter(is_current=True, status=SelfAssessment.Status.SUBMITTED)
        .filter(school__municipality_id__in=reach.overseen_municipality_ids)
        .values("school__municipality_id")
        .annotate(n=Count("pk"))
        .values_list("school__municipality_id", "n")
    )
    waiting_values = dict(
        IndicatorValue.objects.filter(status=IndicatorValue.Status.SUBMITTED)
        .filter(municipality_id__in=reach.overseen_municipality_ids)
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .values_list("municipality_id", "n")
    )
    municipalities = []
    for assignment in reach.assignments:
        if assignment.municipality_id in coordinator_of and assignment.role == "coordinator":
            municipalities.append(
                {
                    "municipality": assignment.municipality,
                    "self_assessments": waiting_sa.get(assignment.municipality_id, 0),
                    "values": waiting_values.get(assignment.municipality_id, 0),
                }
            )
    department = None
    if reach.department:
        territory = reach.department_municipality_ids
        department = {
            "self_assessments": sum(n for pk, n in waiting_sa.items() if pk in territory),
            "values": sum(n for pk, n in waiting_values.items() if pk in territory),
        }
    return municipalities, department


def missing_self_assessments(*, user, year: int, municipality=None, stage: str = "", q: str = "") -> list[dict]:
    """The self-assessments not handed in on time, as (school × stage) pairs: a school of the year's approved list
    (ШНОР and/or ШНСУ) without a current upload of a stage whose deadline — in its municipality's calendar — has
    passed. Exactly what the dashboards count as «не сдано в срок» (`monitoring.figures`). Three queries."""
    from schools.access import visible_schools
    from schools.models import Status
    from schools.selectors import counted_statuses, list_years_for

    from .access import visible_self_assessments

    today = timezone.localdate()
    # each school by its region's own newest list up to the year, as the dashboards count (docs/TERRITORIES.md)
    listed = counted_statuses(list_years_for(year)).filter(status__in=(Status.SHNOR, Status.SHNSU, Status.BOTH))
    schools = visible_schools(user).filter(pk__in=listed.values("school_id"))
    if municipality is not None:
        schools = schools.filter(municipality=municipality)
    for word in q.split():
        schools = schools.filter(Q(short_name__icontains=word) | Q(name__icontains=word))
    schools = list(schools.distinct().select_related("municipality").order_by("municipality__name", "short_name", "pk"))
    uploaded = set(
        visible_self_assessments(user)
        .filter(is_current=True, year=year, school__in=[s.pk for s in schools])
        .values_list("school_id", "stage")
    )
    book, rows = CalendarBook([year]), []
    for school in schools:
        for due in book.stages(year, school.municipality.region_id, school.municipality_id):
            if due.overdue(today) and (school.pk, due.code) not in uploaded and stage in ("", due.code):
                rows.append({"school": school, "stage": due, "year": year})
    return rows


# --- a computed indicator that reads the calendar (registered on `monitoring.computed`) ---------------------------


@computed("self_assessments_on_time", "Доля самооценок, загруженных в срок этапа, %")
def self_assessments_on_time(year, municipality, school):
    """For each stage of the year whose due date — in the school's municipality's calendar (`monitoring.calendar`) —
    has passed: the schools on the list of the year (or the school itself) with a self-assessment uploaded by the due
    date (first upload of the stage)."""
    today = timezone.localdate()
    if school is not None:
        expected = School.objects.filter(pk=school.pk)
    else:
        expected = School.objects.filter(
            pk__in=SchoolYearStatus.objects.filter(school_scope(municipality, None), year=year)
            .exclude(status=Status.NONE)
            .values("school_id")
        )
    book = CalendarBook([year])
    due: dict[int, dict[str, object]] = {}  # school id → {stage code: due date passed}
    for school_id, municipality_id, region_id in expected.values_list(
        "pk", "municipality_id", "municipality__region_id"
    ):
        due[school_id] = {s.code: s.due_on for s in book.stages(year, region_id, municipality_id) if s.overdue(today)}
    expected_count = sum(len(stages) for stages in due.values())
    if not expected_count:
        return None
    first_uploads = (
        SelfAssessment.objects.filter(school_id__in=list(due), year=year)
        .values_list("school_id", "stage")
        .annotate(first=Min("uploaded_at"))
    )
    on_time = sum(
        1 for school_id, stage, first in first_uploads
        if stage in due[school_id] and first.date() <= due[school_id][stage]
    )  # fmt: skip
    return share_percent(on_time, expected_count)
