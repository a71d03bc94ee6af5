"""Clusters of comparable schools, assigned by rule from the school card.

Cluster-based criteria compare a school only with schools of its group, so a rural
basic school is never ranked against a city lyceum. The rule reads the kind, the
locality and whether the school is small; a cluster set by hand in the back office
(`cluster_set_by_hand`) is never overwritten.
"""

from collections.abc import Iterable

from django.db import transaction

from .models import Cluster, School

URBAN_ADVANCED = "urban_advanced"
URBAN = "urban"
RURAL = "rural"
RURAL_SMALL = "rural_small"
BOARDING = "boarding"

# code → (name, who belongs); created when missing, never renamed once the department has edited them.
DEFAULT_CLUSTERS: dict[str, tuple[str, str]] = {
    URBAN_ADVANCED: ("Городские гимназии и лицеи", "Гимназии и лицеи в городской местности."),
    URBAN: ("Городские школы", "Средние, основные и иные школы в городской местности, кроме малокомплектных."),
    RURAL: ("Сельские школы", "Средние школы, гимназии и лицеи в сельской местности, кроме малокомплектных."),
    RURAL_SMALL: (
        "Малокомплектные и сельские основные/начальные школы",
        "Малокомплектные школы, а также основные и начальные школы в сельской местности.",
    ),
    BOARDING: ("Школы-интернаты", "Общеобразовательные школы-интернаты."),
}

_BASIC_KINDS = {School.Kind.OOSH, School.Kind.NOSH}
_ADVANCED_KINDS = {School.Kind.GYMNASIUM, School.Kind.LYCEUM}


def cluster_code_for(school: School) -> str:
    """The code of the cluster the rule puts a school in (from its kind, locality and size)."""
    if school.kind == School.Kind.BOARDING:
        return BOARDING
    rural = school.locality == School.Locality.RURAL
    if school.is_small or (rural and school.kind in _BASIC_KINDS):
        return RURAL_SMALL
    if rural:
        return RURAL
    if school.kind in _ADVANCED_KINDS:
        return URBAN_ADVANCED
    return URBAN


def clusters_ensure_defaults() -> dict[str, Cluster]:
    """The default clusters by code, creating the missing ones (existing names are left as edited)."""
    existing = {c.code: c for c in Cluster.objects.filter(code__in=DEFAULT_CLUSTERS)}
    missing = [
        Cluster(code=code, name=name, description=description)
        for code, (name, description) in DEFAULT_CLUSTERS.items()
        if code not in existing
    ]
    if missing:
        Cluster.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {c.code: c for c in Cluster.objects.filter(code__in=DEFAULT_CLUSTERS)}
    return existing


@transaction.atomic
def clusters_assign(*, schools: Iterable[School] | None = None) -> int:
    """Put every school (or the given ones) into its cluster by rule; returns how many schools changed.

    Schools whose cluster was set by hand keep it. Writes in one bulk update.
    """
    clusters = clusters_ensure_defaults()
    if schools is None:
        candidates = School.objects.filter(cluster_set_by_hand=False).only(
            "pk", "kind", "locality", "is_small", "cluster_id", "cluster_set_by_hand"
        )
    else:
        candidates = [school for school in schools if not school.cluster_set_by_hand]
    changed = []
    for school in candidates:
        cluster = clusters[cluster_code_for(school)]
        if school.cluster_id != cluster.pk:
            school.cluster = cluster
            changed.append(school)
    if changed:
        School.objects.bulk_update(changed, ["cluster"], batch_size=1000)
    return len(changed)
