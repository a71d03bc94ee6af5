"""Clusters of comparable schools, assigned by a rule the department keeps as data (`ClusterRule`).

Cluster-based criteria compare a school only with schools of its group inside its region, so a rural basic school
is never ranked against a city lyceum (seed 002: «рейтинг школ с использованием кластерного подхода»). A school
goes to the cluster of the first rule line, in order, whose conditions its card meets — kind, locality, whether it is
small, a size band by pupils. A school whose locality is not determined (a school the results import created from a
name that does not tell) matches only a line that asks nothing of the locality; with no line matching it has no
cluster and is compared with the schools of its region, which its explanation says. A cluster set by hand in the back
office (`cluster_set_by_hand`) is never overwritten.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery

from .models import Cluster, ClusterRule, School, SchoolYearProfile

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

# The default rule, in order: (cluster, kinds, locality, small). Written when a database has no rule yet.
DEFAULT_RULES: list[tuple[str, list[str], str, str]] = [
    (BOARDING, [School.Kind.BOARDING], "", ""),
    (RURAL_SMALL, [], "", ClusterRule.Small.YES),
    (RURAL_SMALL, [School.Kind.OOSH, School.Kind.NOSH], School.Locality.RURAL, ""),
    (RURAL, [], School.Locality.RURAL, ""),
    (URBAN_ADVANCED, [School.Kind.GYMNASIUM, School.Kind.LYCEUM], School.Locality.URBAN, ""),
    (URBAN, [], School.Locality.URBAN, ""),
]

# Pupils of a school without a profile, estimated from its graduates of grade 11 (one class a year of eleven).
PUPILS_PER_GRADUATE = 11


@dataclass(frozen=True)
class Line:
    cluster_id: int
    kinds: frozenset
    locality: str
    small: str
    min_pupils: int | None
    max_pupils: int | None

    def accepts(self, school: School, pupils: int | None) -> bool:
        if self.kinds and school.kind not in self.kinds:
            return False
        if self.locality and school.locality != self.locality:
            return False
        if self.small == ClusterRule.Small.YES and not school.is_small:
            return False
        if self.small == ClusterRule.Small.NO and school.is_small:
            return False
        if self.min_pupils is not None or self.max_pupils is not None:
            if pupils is None:
                return False
            if self.min_pupils is not None and pupils < self.min_pupils:
                return False
            if self.max_pupils is not None and pupils > self.max_pupils:
                return False
        return True


def clusters_ensure_defaults() -> dict[str, Cluster]:
    """The default clusters by code, creating the missing ones (existing names are left as edited); the default
    rule is written when there is no rule at all."""
    existing = {c.code: c for c in Cluster.objects.filter(code__in=DEFAULT_CLUSTERS)}
    missing = [
        Cluster(code=code, name=name, description=description)
        for code, (name, description) in DEFAULT_CLUSTERS.items()
        if code not in existing
    ]
    if missing:
        Cluster.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {c.code: c for c in Cluster.objects.filter(code__in=DEFAULT_CLUSTERS)}
    if not ClusterRule.objects.exists():
        ClusterRule.objects.bulk_create(
            ClusterRule(cluster=existing[code], order=10 * (number + 1), kinds=list(kinds), locality=locality,
                        small=small)
            for number, (code, kinds, locality, small) in enumerate(DEFAULT_RULES)
        )  # fmt: skip
    return existing


def cluster_code_for(school: School) -> str | None:
    """The code of the cluster the default rule puts a school in, without the database (the scale generator)."""
    for code, kinds, locality, small in DEFAULT_RULES:
        if Line(code, frozenset(kinds), locality, small, None, None).accepts(school, None):
            return code
    return None


def rule_lines() -> list[Line]:
    return [
        Line(rule.cluster_id, frozenset(rule.kinds or ()), rule.locality, rule.small, rule.min_pupils,
             rule.max_pupils)
        for rule in ClusterRule.objects.order_by("order", "pk")
    ]  # fmt: skip


def cluster_for(school: School, lines: list[Line], pupils: int | None = None) -> int | None:
    """The id of the cluster the rule puts a school in, or None when no line accepts it."""
    return next((line.cluster_id for line in lines if line.accepts(school, pupils)), None)


def _pupils_of(school_ids) -> dict[int, int]:
    """The latest known pupils of each school, or its graduates of grade 11 × 11 when only those are known."""
    latest = SchoolYearProfile.objects.filter(school=OuterRef("pk")).order_by("-year")
    rows = (
        School.objects.filter(pk__in=school_ids)
        .annotate(
            pupils=Subquery(latest.exclude(pupils=None).values("pupils")[:1]),
            graduates=Subquery(latest.exclude(graduates_11=None).values("graduates_11")[:1]),
        )
        .values_list("pk", "pupils", "graduates")
    )
    return {
        pk: pupils if pupils is not None else graduates * PUPILS_PER_GRADUATE
        for pk, pupils, graduates in rows
        if pupils is not None or graduates is not None
    }


@transaction.atomic
def clusters_assign(*, schools: Iterable[School] | None = None) -> int:
    """Put every school (or the given ones) into its cluster by the rule; returns how many schools changed.

    Schools whose cluster was set by hand keep it. Writes in one bulk update.
    """
    clusters_ensure_defaults()
    lines = rule_lines()
    if schools is None:
        candidates = list(
            School.objects.filter(cluster_set_by_hand=False).only(
                "pk", "kind", "locality", "is_small", "cluster_id", "cluster_set_by_hand"
            )
        )
    else:
        candidates = [school for school in schools if not school.cluster_set_by_hand]
    sized = any(line.min_pupils is not None or line.max_pupils is not None for line in lines)
    pupils = _pupils_of([s.pk for s in candidates]) if sized else {}
    changed = []
    for school in candidates:
        cluster_id = cluster_for(school, lines, pupils.get(school.pk))
        if school.cluster_id != cluster_id:
            school.cluster_id = cluster_id
            changed.append(school)
    if changed:
        School.objects.bulk_update(changed, ["cluster"], batch_size=1000)
    return len(changed)
