"""Who sees and who may change monitoring data, built on `schools.access` (the one place that decides reach).

- The department reaches its territory and may do there everything a coordinator may; the institute and the federal
  operator read (docs/TERRITORIES.md).
- A municipal coordinator reaches the schools of their municipality: confirms indicator values, imports them,
  enters municipal values, accepts or returns self-assessments.
- A school team reaches its school: enters its values, downloads the template, uploads self-assessments and the
  open report.
- A tutor (their municipality) and a curator school (its school and the schools of its agreements) read only; a tutor
  does not read schools' self-assessments.

Lists take `visible_*(user)`; detail pages and file downloads `get_*_or_404`, which answer 404 for what lies
outside the user's reach. Actions check a `can_*` helper and answer 403 (`require`) to a user who sees the object
but may not take the step.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from programs.access import regional_plan_reader_region_ids, reviews_given_to
from programs.review_routes import StepSubject
from programs.review_subjects import ReviewDocument
from schools.access import (  # noqa: F401  (the shared scopes and `require` are re-exported for views)
    Role,
    coordinator_municipality_ids,
    reach_of,
    require,
    team_school_ids,
    visible_municipalities,
    visible_schools,
)
from schools.models import Municipality, Region, RoleAssignment, School
from schools.school_year import school_year_label
from shnor_portal.object_kinds import ObjectKind, page

from .models import Indicator, IndicatorValue, MonitoringStage, OpenReport, SelfAssessment

# --- reading --------------------------------------------------------------------------------------------------------


def visible_indicators(user) -> QuerySet[Indicator]:
    """Indicators of the user's regions (regional ones too), of the user's municipalities, and of the school
    programmes of schools they reach."""
    reach = reach_of(user)
    if reach.reads_all:
        return Indicator.objects.all()
    if not reach.roles:
        return Indicator.objects.none()
    # a region-wide indicator (and a regional one) is its region's; one of no region the installation's, everybody's
    region_wide = Q(municipality__isnull=True) & (Q(region__isnull=True) | Q(region_id__in=reach.region_ids))
    return Indicator.objects.filter(
        region_wide | Q(municipality__in=visible_municipalities(user).values("pk"))
    ).filter(Q(programme__isnull=True) | Q(programme__school__isnull=True) | Q(programme__school__in=visible_schools(user)))


def get_indicator_or_404(user, pk) -> Indicator:
    return get_object_or_404(visible_indicators(user).select_related("programme", "municipality"), pk=pk)


def visible_values(user) -> QuerySet[IndicatorValue]:
    """Values of the schools the user reaches, and municipal values of the municipalities they work in."""
    reach = reach_of(user)
    if reach.reads_all:
        return IndicatorValue.objects.all()
    if not reach.roles:
        return IndicatorValue.objects.none()
    return IndicatorValue.objects.filter(
        Q(school__in=visible_schools(user))
        | Q(school__isnull=True, municipality__in=visible_municipalities(user).values("pk"))
        | Q(region_id__in=regional_value_reader_region_ids(reach))
    )


def regional_value_reader_region_ids(reach) -> frozenset[int]:
    """Whose region's values the user reads: as its plan-schedule (`programs.access`), every territory role of the
    region and its coordinators."""
    return regional_plan_reader_region_ids(reach)


def can_enter_region_values(user, region_id) -> bool:
    """The region's values (of its indicators of level «регион») are its department's to enter."""
    return reach_of(user).acts_for_region(region_id)


def visible_self_assessments(user) -> QuerySet[SelfAssessment]:
    """The school's team, those who oversee or read its territory, and its curator school under an agreement in force;
    not tutors — they work with teachers, not with the school's self-assessment (docs/PEOPLE.md «Персональные
    данные»)."""
    reach = reach_of(user)
    if reach.reads_all:
        return SelfAssessment.objects.all()
    municipality_ids = reach.overseen_municipality_ids | reach.territory_municipality_ids
    school_ids = reach.team_school_ids | reach.curator_school_ids | reach.curated_school_ids
    return SelfAssessment.objects.filter(Q(school__municipality_id__in=municipality_ids) | Q(school_id__in=school_ids))


def get_self_assessment_or_404(user, pk) -> SelfAssessment:
    return get_object_or_404(
        visible_self_assessments(user).select_related("school__municipality", "uploaded_by", "decided_by"), pk=pk
    )


def visible_open_reports(user) -> QuerySet[OpenReport]:
    """The reports of the schools the user reaches, and those of the schools whose programme the user's school or
    organisation was given to review as a report (a step of the route that reviews the open report)."""
    reach = reach_of(user)
    if reach.reads_all:
        return OpenReport.objects.all()
    if not reach.roles:
        return OpenReport.objects.none()
    reviewed = reviews_given_to(user).filter(subject=StepSubject.REPORT).values("programme__school_id")
    return OpenReport.objects.filter(Q(school__in=visible_schools(user)) | Q(school_id__in=reviewed))


def open_reports_for_review(review) -> list[ReviewDocument]:
    """A review of a report looks at the open reports of the programme's school over the programme's years (the
    newest upload of each year); registered on `programs.review_subjects`."""
    if not review.programme.school_id:
        return []
    reports = OpenReport.objects.filter(
        school_id=review.programme.school_id, year__range=(review.programme.period_start, review.programme.period_end + 1)
    ).order_by("year", "-uploaded_at", "-pk")
    newest = {}
    for report in reports:
        newest.setdefault(report.year, report)
    return [
        ReviewDocument(
            title=f"Открытый доклад за {school_year_label(year)} учебный год ({report.original_name})",
            url=reverse("monitoring:open_report_file", args=[report.pk]),
            uploaded_on=report.uploaded_at.date(),
        )
        for year, report in newest.items()
    ]


def get_open_report_or_404(user, pk) -> OpenReport:
    return get_object_or_404(visible_open_reports(user).select_related("school"), pk=pk)


# --- acting ---------------------------------------------------------------------------------------------------------


def can_confirm_in(user, municipality_id: int) -> bool:
    """Confirming values and deciding on self-assessments: the municipality's department and coordinator."""
    return reach_of(user).oversees_municipality(municipality_id)


def can_confirm_any(user) -> bool:
    return reach_of(user).oversees


def confirmable_municipality_ids(user) -> frozenset[int]:
    """The municipalities whose values the user confirms: the department's territory, the coordinator's own."""
    return reach_of(user).overseen_municipality_ids


def confirms_at_once(user, school: School) -> bool:
    """Values entered by one who confirms values, for a school that is not their own, need no second step."""
    return can_confirm_any(user) and school.pk not in team_school_ids(user)


def can_enter_school_values(user, school: School) -> bool:
    return school.pk in team_school_ids(user) or can_confirm_in(user, school.municipality_id)


def can_enter_municipality_values(user, municipality: Municipality) -> bool:
    return can_confirm_in(user, municipality.pk)


def can_import_values(user) -> bool:
    return can_confirm_any(user)


def can_upload_self_assessment(user, school: School) -> bool:
    """The self-assessment is the school team's own work: only the team uploads it."""
    return school.pk in team_school_ids(user)


def can_decide_self_assessment(user, assessment: SelfAssessment) -> bool:
    return can_confirm_in(user, assessment.school.municipality_id)


def importable_schools(user) -> QuerySet[School]:
    """Schools whose values the user may import: the department's territory or the coordinator's municipalities."""
    return School.objects.filter(municipality_id__in=confirmable_municipality_ids(user))


def importable_municipalities(user) -> QuerySet[Municipality]:
    return Municipality.objects.filter(pk__in=confirmable_municipality_ids(user))


# --- dashboards and the yearly report -------------------------------------------------------------------------------


def can_see_dashboard(user) -> bool:
    """The municipal dashboard and the yearly report: the department, municipal coordinators, the institute and the
    federal operator."""
    return can_confirm_any(user) or reach_of(user).reads_territory


def dashboard_municipalities(user) -> QuerySet[Municipality]:
    """Municipalities whose figures the user reads: the territory's for the department and the institute, every one
    for the federal operator, the coordinator's own; none otherwise (a school team reaches its municipality's schools
    list, but not the municipality's figures)."""
    reach = reach_of(user)
    if reach.reads_all:
        return Municipality.objects.all()
    return Municipality.objects.filter(pk__in=reach.territory_municipality_ids | reach.coordinator_municipality_ids)


def can_compare_regions(user) -> bool:
    """The regions side by side (`monitoring:regions`) and the country's yearly report: those who read more than one
    region — the federal operator, a department or an institute of several regions."""
    reach = reach_of(user)
    return reach.reads_all or len(reach.territory_region_ids) > 1


def can_export_report(user, municipality: Municipality | None) -> bool:
    """The department exports its territory's municipalities or its whole region; the institute its territory's
    municipalities (it reads them); a coordinator only their municipality; the federal operator any."""
    reach = reach_of(user)
    if reach.reads_all:
        return True
    if municipality is None:
        return bool(reach.department_region_ids)
    return reach.oversees_municipality(municipality.pk) or municipality.pk in reach.territory_municipality_ids


def visible_report_exports(user):
    """Exports the user may see and download: the department and the institute those of their territory, the federal
    operator every export; a coordinator the exports of their municipality (their own and their colleagues'). A
    requester who is no longer its coordinator loses the file with the role; an export of the whole region is the
    department's only."""
    from .models import ReportExport

    reach = reach_of(user)
    if reach.reads_all:
        return ReportExport.objects.all()
    exports = ReportExport.objects.filter(
        municipality_id__in=reach.territory_municipality_ids | reach.coordinator_municipality_ids
    )
    if reach.department_region_ids:  # the whole region's, asked by a department of one of the user's regions
        askers = RoleAssignment.objects.filter(role=Role.DEPARTMENT, region_id__in=reach.department_region_ids)
        exports = exports | ReportExport.objects.filter(
            Q(region__isnull=True) | Q(region_id__in=reach.department_region_ids),
            municipality__isnull=True,
            requested_by__in=askers.values("user_id"),
        )
    return exports


def get_report_export_or_404(user, pk):
    return get_object_or_404(visible_report_exports(user).select_related("municipality", "requested_by"), pk=pk)


def get_value_or_404(user, pk) -> IndicatorValue:
    return get_object_or_404(visible_values(user).select_related("indicator"), pk=pk)


def can_restore_value(user, value: IndicatorValue) -> bool:
    """A value entered by hand is restored by whoever confirms values in its municipality; a computed one never."""
    return not value.is_computed and can_confirm_in(user, value.municipality_id)


def object_kinds() -> list[ObjectKind]:
    """This app's objects that notifications and history pages link to (`shnor_portal.object_kinds`)."""
    return [
        ObjectKind("monitoring.indicator", "показатель", get_indicator_or_404, page("monitoring:indicator_detail"),
                   history="indicator"),
        ObjectKind("monitoring.selfassessment", "самооценка", get_self_assessment_or_404,
                   page("monitoring:self_assessment_detail"), municipality_id=lambda obj: obj.school.municipality_id,
                   history="self-assessment"),
        ObjectKind("monitoring.indicatorvalue", "значение показателя", get_value_or_404,
                   page("monitoring:indicator_detail", "indicator_id"), history="indicator-value",
                   can_restore=can_restore_value,
                   restore_url=lambda obj, history_id: reverse("monitoring:value_restore", args=[obj.pk, history_id])),
    ]  # fmt: skip


# --- the monitoring calendar ------------------------------------------------------------------------------------------


def can_read_calendar(user) -> bool:
    """The calendar page: the department's, the institute's and the coordinators' (they read their territory's
    stages)."""
    return reach_of(user).oversees or reach_of(user).reads_territory


def can_edit_calendar(user, region: Region | None = None) -> bool:
    """Only a region's department names the stages of its region and their dates; the default calendar (no region)
    is the installation's, kept in the back office."""
    reach = reach_of(user)
    if region is None:
        return False
    return reach.acts_for_region(region.pk)


def edits_some_calendar(user) -> bool:
    """A regional department: it edits its region's calendar (asked before the territory is read)."""
    return bool(reach_of(user).department_region_ids)


def calendar_regions(user) -> QuerySet[Region]:
    """The territories whose calendar the user reads: every one for the federal operator, the regions of the
    department's, the institute's and a coordinator's municipalities (the default calendar is read by all)."""
    reach = reach_of(user)
    if reach.reads_all:
        return Region.objects.order_by("name")
    if not can_read_calendar(user):
        return Region.objects.none()
    return Region.objects.filter(
        pk__in=Municipality.objects.filter(
            pk__in=reach.coordinator_municipality_ids | reach.territory_municipality_ids
        ).values("region_id")
    ).order_by("name")


def get_calendar_region_or_404(user, value) -> Region | None:
    """The territory named by a query parameter (empty — the default calendar), among those the user reads."""
    text = str(value or "")
    if not text:
        return None
    region = calendar_regions(user).filter(pk=text).first() if text.isdigit() else None
    if region is None:
        raise Http404("Нет такой территории.")
    return region


def get_monitoring_stage_or_404(user, pk) -> MonitoringStage:
    """A stage of the default calendar or of a territory the user reads."""
    reach = reach_of(user)
    stages = MonitoringStage.objects.select_related("region")
    if not reach.reads_all:
        if not can_read_calendar(user):
            raise Http404("Нет такого этапа.")
        stages = stages.filter(Q(region__isnull=True) | Q(region__in=calendar_regions(user)))
    return get_object_or_404(stages, pk=pk)


def shift_municipalities(user) -> QuerySet[Municipality]:
    """The municipalities whose dates the user shifts: the department's territory, a coordinator's own."""
    return Municipality.objects.filter(pk__in=confirmable_municipality_ids(user)).order_by("name")


def get_shift_municipality_or_404(user, stage: MonitoringStage, pk) -> Municipality:
    """A municipality the user shifts dates for, of the stage's territory (any territory's for the default calendar):
    404 for one whose figures the user does not read, 403 for one it reads but does not shift (the institute, the
    federal operator)."""
    municipalities = dashboard_municipalities(user)
    if stage.region_id is not None:
        municipalities = municipalities.filter(region_id=stage.region_id)
    municipality = get_object_or_404(municipalities, pk=pk)
    require(shift_municipalities(user).filter(pk=pk).exists(), "Сроки муниципалитета сдвигают управление и координатор.")
    return municipality
