"""The partnerships' reference lists of a region (`schools.region_lists`): subjects and areas of professional
deficits — its own if it has them, else the installation's defaults. Every choice list of a teacher, a tutor or a
practice reads its school's (municipality's) region's list here."""

from collections.abc import Iterable

from django.db.models import QuerySet

from schools.region_lists import regions_rows, with_current

from .models import DeficitArea, Subject


def _ids(region_ids) -> list:
    return [region_ids] if region_ids is None or isinstance(region_ids, int) else list(region_ids)


def subjects_of(region_ids: int | None | Iterable[int | None], current=None) -> QuerySet:
    """The active subjects of a region's list (or of several regions' lists), with the value a row holds."""
    found = regions_rows(Subject.objects.all(), _ids(region_ids)).filter(is_active=True)
    return with_current(found, current).order_by("position", "name")


def deficit_areas_of(region_ids: int | None | Iterable[int | None], current=None) -> QuerySet:
    found = regions_rows(DeficitArea.objects.all(), _ids(region_ids)).filter(is_active=True)
    return with_current(found, current).order_by("position", "name")
