"""Setting the targets of a territory for a school year: the department's step, with history and Russian messages for
an impossible value (a negative count, a share over 100 %)."""

from django.db import transaction

from schools.models import Region

from ..access import can_edit_targets_of, require
from ..models import SupportTarget
from .common import full_clean, require_unchanged, stamp

NOT_DEPARTMENT = "Цели сопровождения устанавливает управление образования."
TARGET_FIELDS = ["agreements_per_year", "event_participation", "teacher_coverage", "basis"]


@transaction.atomic
def support_target_save(*, actor, year: int, region: Region | None, seen: int | None = None, **fields) -> SupportTarget:
    """Create or change the targets of the territory (None: the installation's default) for the school year. A past
    year's pages then read the changed row; a report already generated keeps the targets it printed."""
    require(can_edit_targets_of(actor, region), NOT_DEPARTMENT)
    target = SupportTarget.objects.select_for_update().filter(region=region, year=year).order_by("pk").first()
    if target is None:
        target = SupportTarget(region=region, year=year)
    else:
        require_unchanged(target, seen)
    for name in TARGET_FIELDS:
        if name in fields:
            setattr(target, name, fields[name])
    full_clean(target)
    stamp(target, actor).save()
    return target
