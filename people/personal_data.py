"""The access log of teachers' personal data (152-ФЗ; docs/PEOPLE.md «Персональные данные»).

Every opening of a teacher's card (deficits, ИПРП, tutoring notes), of an ИПРП and every export of them writes one row:
who, when, what. The department reads its territory's rows; each region keeps them for its own number of days
(`PersonalDataPolicy`, 365 by default) and `purge_personal_data_log` (daily, from cron) deletes the older ones.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from schools.models import Municipality, Region

from .models import PersonalDataAccess, PersonalDataPolicy

Kind = PersonalDataAccess.Kind


def access_log(user, kind: str, *, municipality, obj=None, label: str = "") -> None:
    PersonalDataAccess.objects.create(
        user=user if user.is_authenticated else None, kind=kind, object_id=getattr(obj, "pk", None),
        label=(label or str(obj or ""))[:300], municipality=municipality, region_id=municipality.region_id,
    )  # fmt: skip


def retention_days(region_id: int) -> int:
    days = PersonalDataPolicy.objects.filter(region_id=region_id).values_list("retention_days", flat=True).first()
    return days or PersonalDataPolicy.DEFAULT_RETENTION_DAYS


def access_log_purge(now: datetime.datetime | None = None) -> int:
    """Delete every region's rows older than its retention period, in one statement."""
    now = now or timezone.now()
    policies = dict(PersonalDataPolicy.objects.values_list("region_id", "retention_days"))
    by_days: dict[int, list[int]] = {}
    for region_id in Region.objects.values_list("pk", flat=True):
        by_days.setdefault(policies.get(region_id, PersonalDataPolicy.DEFAULT_RETENTION_DAYS), []).append(region_id)
    old = Q()
    for days, region_ids in by_days.items():
        old |= Q(region_id__in=region_ids, at__lt=now - datetime.timedelta(days=days))
    if not by_days:
        return 0
    deleted, _ = PersonalDataAccess.objects.filter(old).delete()
    return deleted


def export_log(user, kind: str, counts: dict[int, int]) -> None:
    """An export of personal data: one row per municipality whose teachers it holds (`counts`: municipality id → how
    many rows), so each territory's department sees what left the portal about its people."""
    municipalities = Municipality.objects.in_bulk(list(counts))
    PersonalDataAccess.objects.bulk_create(
        PersonalDataAccess(
            user=user, kind=kind, label=f"записей в выгрузке: {count}", municipality=municipalities[pk],
            region_id=municipalities[pk].region_id,
        )  # fmt: skip
        for pk, count in counts.items()
        if pk in municipalities
    )
