"""A region's reference list: its own rows if it has any, else the installation's default rows (no region).

The rule the calendars, targets and review routes follow (issue 18), for whole lists: risk factors, the common review
checklist, subjects, areas of professional deficits (issue 20: «nothing a department owns is shared between
territories»). A region's department starts its own list as a copy of the defaults (`region_list_start`) and edits
the copy; the installation's defaults stay the operator's (docs/TERRITORIES.md «What belongs to a region»).

A model of such a list has a nullable `region` foreign key; its code (if any) is unique per region.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, Q, QuerySet

from .models import Region


def region_rows(rows: QuerySet, region_id: int | None) -> QuerySet:
    """The region's own rows among `rows` if it has any, else the rows of no region — one query, lazily; filter the
    result further (`is_active`) rather than `rows`, so that a region whose rows are all retired keeps its own list."""
    if region_id is None:
        return rows.filter(region__isnull=True)
    return rows.filter(Q(region_id=region_id) | Q(region__isnull=True) & ~Exists(rows.filter(region_id=region_id)))


def regions_rows(rows: QuerySet, region_ids: Iterable[int | None]) -> QuerySet:
    """The union of the lists of several regions (a form whose owner is chosen among several regions' schools)."""
    found = rows.none()
    for region_id in sorted(set(region_ids), key=lambda r: (r is None, r)):
        found = found | region_rows(rows, region_id)
    return found


def with_current(choices: QuerySet, current) -> QuerySet:
    """A choice list that still offers the value a row holds (retired, or of the defaults the region replaced): a row,
    or a queryset of the rows a many-to-many field holds."""
    if current is None:
        return choices
    held = current.values("pk") if isinstance(current, QuerySet) else [current.pk]
    return choices | choices.model._default_manager.filter(pk__in=held)


def in_region_list(rows: QuerySet, region_id: int | None, row) -> bool:
    """Whether the row is in the region's list (a form whose choices cover several regions checks the one chosen)."""
    return row is None or region_rows(rows, region_id).filter(pk=row.pk).exists()


def has_own_list(rows: QuerySet, region_id: int) -> bool:
    return rows.filter(region_id=region_id).exists()


@transaction.atomic
def region_list_start(*, rows: QuerySet, region) -> int:
    """Start the region's own list as a copy of the default rows among `rows` («начать со списка по умолчанию»);
    nothing when the region has its own already. Returns the number of rows copied. Each copy is saved one by one, so
    that its history records who made it (the lists are short)."""
    Region.objects.select_for_update().filter(pk=region.pk).first()  # two clicks at once copy once
    if has_own_list(rows, region.pk):
        return 0
    copied = 0
    for row in rows.filter(region__isnull=True).order_by("pk"):
        row.pk = row.id = None
        row._state.adding = True
        row.region = region
        row.save()
        copied += 1
    return copied
