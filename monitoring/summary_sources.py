"""What the dashboards' figures count, and where each saved or deleted row marks them (`monitoring.summaries`).

Every model whose rows a figure counts is listed with the path from a row to the municipality it counts in (or to
the region, for what a whole region shares: its calendar, its events, its indicators). Saving or deleting one row —
by a view, a form, the back office, a command — marks that municipality's summary once the transaction commits.
Writes that send no model signal (COPY, `QuerySet.update`, `bulk_create`) send `schools.signals.rows_changed`: the
list's approval, results imports (the only writers of statuses and results, so neither model is listed: a
million rows deleted one signal at a time would cost a query each), the registry import, a roadmap's import,
indicator values' import.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_save, pre_delete

from monitoring.models import (
    Indicator,
    IndicatorPlan,
    IndicatorValue,
    MonitoringStage,
    MunicipalStageShift,
    SelfAssessment,
)
from partnerships.models import (
    Agreement,
    DevelopmentPlan,
    EventInvitation,
    MethodicalEvent,
    Practice,
    PracticeDownload,
    SupportSession,
    Teacher,
    TutorAssignment,
)
from programs.models import Programme, RoadmapMeasure
from schools.models import Region, School
from schools.signals import rows_changed
from surveys.models import Response

from .summaries import figures_changed

# model → path of attributes from a row to the id of the municipality whose figures count it
MUNICIPALITY_OF = {
    School: "municipality_id",
    Programme: "municipality_id",
    RoadmapMeasure: "programme.municipality_id",
    Agreement: "supported_school.municipality_id",
    SupportSession: "agreement.supported_school.municipality_id",
    EventInvitation: "school.municipality_id",
    Teacher: "school.municipality_id",
    DevelopmentPlan: "teacher.school.municipality_id",
    TutorAssignment: "teacher.school.municipality_id",
    Practice: "school.municipality_id",
    PracticeDownload: "practice.school.municipality_id",
    SelfAssessment: "school.municipality_id",
    IndicatorValue: "municipality_id",
    MunicipalStageShift: "municipality_id",
    Response: "link.school.municipality_id",  # the satisfaction index, a computed indicator
}
# model → path to the region all of whose municipalities' figures count it
REGION_OF = {
    MethodicalEvent: "region_id",
    MonitoringStage: "region_id",
    Indicator: "region_id",
    IndicatorPlan: "indicator.region_id",
    IndicatorValue: "region_id",  # a regional value (no municipality)
}
EVERY_REGION = {Indicator, IndicatorPlan}  # an indicator of no region is every region's


def _follow(instance, path: str):
    value = instance
    for name in path.split("."):
        try:
            value = getattr(value, name)
        except ObjectDoesNotExist:  # a parent deleted before the row (a cascade): its own signal marks the same
            return None
        if value is None:
            return None
    return value


def _changed(sender, instance, **kwargs):
    if kwargs.get("raw"):  # loaddata: fixtures, not changes
        return
    municipality_id = _follow(instance, MUNICIPALITY_OF[sender]) if sender in MUNICIPALITY_OF else None
    region_id = _follow(instance, REGION_OF[sender]) if sender in REGION_OF else None
    if municipality_id is not None:
        figures_changed(municipality_ids=[municipality_id])
    elif region_id is not None:
        figures_changed(region_ids=[region_id])
    elif sender in EVERY_REGION:
        figures_changed(region_ids=list(Region.objects.values_list("pk", flat=True)))


def _rows_changed(sender, *, school_ids, municipality_ids, region_ids, **kwargs):
    if school_ids:
        municipality_ids = {*municipality_ids, *School.objects.filter(pk__in=school_ids).values_list(
            "municipality_id", flat=True
        ).distinct()}  # fmt: skip
    figures_changed(municipality_ids=municipality_ids, region_ids=region_ids)


def connect() -> None:
    rows_changed.connect(_rows_changed, dispatch_uid="summaries-rows-changed")
    for model in {*MUNICIPALITY_OF, *REGION_OF}:
        post_save.connect(_changed, sender=model, dispatch_uid=f"summaries-save-{model._meta.label}")
        pre_delete.connect(_changed, sender=model, dispatch_uid=f"summaries-delete-{model._meta.label}")
