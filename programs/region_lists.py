"""The programmes' reference lists of a region (`schools.region_lists`): its risk factors and its common review
checklist — its own if it has them, else the installation's defaults. Every choice list and checklist of a programme
reads its municipality's region's list here."""

from collections.abc import Iterable

from django.db.models import QuerySet

from schools.region_lists import region_rows, regions_rows, with_current

from .models import ReviewCriterion, RiskFactor


def risk_factors_of(region_ids: int | None | Iterable[int | None], current: RiskFactor | None = None) -> QuerySet:
    """The active risk factors of a region's list (or of several regions' lists), with the value a row holds."""
    ids = [region_ids] if region_ids is None or isinstance(region_ids, int) else list(region_ids)
    found = regions_rows(RiskFactor.objects.all(), ids).filter(is_active=True)
    return with_current(found, current).order_by("position", "name")


def in_risk_factors_of(region_id: int | None, factor: RiskFactor) -> bool:
    return region_rows(RiskFactor.objects.all(), region_id).filter(pk=factor.pk).exists()


def common_checklist(region_id: int | None) -> list[ReviewCriterion]:
    """The common checklist of the region (for a step without its own): its own, else the default one."""
    rows = region_rows(ReviewCriterion.objects.filter(step__isnull=True), region_id)
    return list(rows.filter(is_active=True).order_by("position", "pk"))
