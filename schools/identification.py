"""Identification of ШНОР/ШНСУ: the yearly computation of the list, explained and reproducible.

The scale (documented for the department, see also docs/IDENTIFICATION.md):

* Each criterion gives a school a **score from 0 to 100**: its position among the schools it is
  compared with (its cluster, or all schools) — the share of those schools that do worse, counting
  ties as half. A value that is **low by the criterion's rule** (past a fixed line, among the worst
  N % of the group, or more than k σ worse than the group's mean) scores **0**.
* The **integral index of educational results (ОИП)** is the weighted mean of the scores of the
  result criteria. The **social well-being index** is the weighted share of the social-context
  criteria on which the school is *not* low (social risks add up; a position in the middle of
  the group is not a risk). Both run from 0 (worst) to 100 (best). A year is low when the index is below its line
  (seed 002: ОИП 21, social index 42.7).
* The verdict looks at a window of years (default 3) and needs a number of low years in it
  (default 2), using the years for which there are data and saying so.
* A school above the line whose ОИП fell by `preventive_drop` points within the window and is no
  more than `preventive_margin` above the line gets the preventive flag; a school with ОИП at or
  above `curator_threshold`, never low in the window and on no list, is a curator candidate.

The computation itself (`compute_verdicts`) works on plain data only — the criterion values per
school and year and the parameters — which a run stores; so an old run can be recomputed exactly
(`run_reproduce`) whatever has happened to the criteria since.
"""

import io
import json
import logging
import math
import zlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np
import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, IntegerField
from django.db.models.functions import Cast
from django.utils import timezone

from shnor_portal.background import start_after_commit
from shnor_portal.freshness import data_changed
from shnor_portal.pg_copy import copy_text, number_rows

from .models import (
    Criterion,
    IdentificationRun,
    IdentificationSettings,
    IdentificationVerdict,
    School,
    SchoolResult,
    SchoolYearProfile,
    SchoolYearStatus,
    Status,
)
from .objectivity import ObjectivitySettings, objectivity_signs

logger = logging.getLogger(__name__)

NO_CLUSTER = "без кластера"


class IdentificationError(Exception):
    """A run cannot be started or approved; the message is for the user, in Russian."""


# IdentificationSettings field → ObjectivitySettings line.
OBJECTIVITY_LINES = {
    "vpr_oge_gap": "oge_mean_gap", "vpr_top_share_ratio": "top_share_ratio", "vpr_top_share_min": "top_share_min",
    "vpr_boundary_share": "boundary_share", "vpr_term_gap": "term_gap", "vpr_ege_rank_gap": "ege_rank_gap",
    "vpr_min_region_schools": "min_region_schools", "vpr_min_participants": "min_participants",
}


@dataclass(frozen=True)
class Parameters:
    year: int
    oip_threshold: float = 21.0
    social_threshold: float = 42.7
    window_years: int = 3
    min_low_years: int = 2
    preventive_drop: float = 10.0
    preventive_margin: float = 15.0
    curator_threshold: float = 75.0
    # Years of the window with results that a ШНОР verdict needs; 0 — the years there are (runs made before the
    # setting existed decided so, and are reproduced so).
    min_result_years: int = 2
    index_scale: str = "relative"
    # The lines of the signs of non-objective ВПР (`ObjectivitySettings.as_dict`); empty — the defaults.
    objectivity: dict = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return list(range(self.year - self.window_years + 1, self.year + 1))

    @classmethod
    def from_stored(cls, stored: dict) -> "Parameters":
        """The parameters a run stored; a run stored before `min_result_years` existed decided by the years there
        were, and keeps doing so when it is reproduced."""
        return cls(**{"min_result_years": 0, **stored})

    @classmethod
    def for_year(cls, year: int) -> "Parameters":
        stored = IdentificationSettings.objects.filter(year=year).first()
        if stored is None:
            return cls(year=year)
        return cls(
            year=year,
            oip_threshold=stored.oip_threshold,
            social_threshold=stored.social_threshold,
            window_years=stored.window_years,
            min_low_years=stored.min_low_years,
            preventive_drop=stored.preventive_drop,
            preventive_margin=stored.preventive_margin,
            curator_threshold=stored.curator_threshold,
            min_result_years=stored.min_result_years,
            index_scale=stored.index_scale,
            objectivity={line: getattr(stored, name) for name, line in OBJECTIVITY_LINES.items()},
        )


# ---------------------------------------------------------------------------------------------
# Default criteria (seeds 001, 002: ЕГЭ results and the social passport of the school)

DEFAULT_CRITERIA = [
    # code, name, kind, measure, per_measure, profile_field, unit, direction, weight, rule, line, within
    ("ege_russian_below_min", "Доля участников ЕГЭ по русскому языку, не преодолевших минимальный порог",
     "results", "ege-russian-below_min", "ege-russian-participants", "", "%", "higher_worse", 1.0,
     "threshold", 4.0, "all"),
    ("ege_math_below_min", "Доля участников ЕГЭ по профильной математике, не преодолевших минимальный порог",
     "results", "ege-math_profile-below_min", "ege-math_profile-participants", "", "%", "higher_worse", 1.0,
     "threshold", 20.0, "all"),
    ("ege_russian_mean", "Средний балл ЕГЭ по русскому языку", "results", "ege-russian-mean_score", None, "",
     "балл", "higher_better", 1.5, "percentile", 20.0, "cluster"),
    ("ege_math_mean", "Средний балл ЕГЭ по профильной математике", "results", "ege-math_profile-mean_score", None,
     "", "балл", "higher_better", 1.5, "percentile", 20.0, "cluster"),
    ("oge_math_below_min", "Доля участников ОГЭ по математике, получивших отметку «2»", "results",
     "oge-math-below_min", "oge-math-participants", "", "%", "higher_worse", 1.0, "threshold", 15.0, "all"),
    ("oge_russian_mean", "Средняя отметка ОГЭ по русскому языку", "results", "oge-russian-mean_score", None, "",
     "балл", "higher_better", 1.0, "percentile", 20.0, "cluster"),
    ("low_income", "Доля детей из малообеспеченных семей", "social", None, None, "share_low_income", "%",
     "higher_worse", 1.0, "percentile", 25.0, "all"),
    ("single_parent", "Доля детей из неполных семей", "social", None, None, "share_single_parent", "%",
     "higher_worse", 1.0, "percentile", 25.0, "all"),
    ("on_register", "Обучающиеся на учёте в КДН/ПДН на 100 обучающихся", "social", None, None, "share_on_register",
     "на 100", "higher_worse", 1.0, "percentile", 25.0, "all"),
    ("special_needs", "Доля обучающихся с ОВЗ", "social", None, None, "share_special_needs", "%", "higher_worse",
     1.0, "percentile", 25.0, "all"),
    ("parents_higher_education", "Доля родителей с высшим образованием", "social", None, None,
     "share_parents_higher_education", "%", "higher_better", 1.0, "percentile", 25.0, "all"),
    # The seeds' other criteria: created switched off; the department switches on those whose data it loads.
    ("vpr_math_fail", "Доля участников ВПР по математике, получивших «2»", "results", "vpr-math-below_min",
     "vpr-math-participants", "", "%", "higher_worse", 1.0, "percentile", 20.0, "cluster"),
    ("vpr_russian_fail", "Доля участников ВПР по русскому языку, получивших «2»", "results",
     "vpr-russian-below_min", "vpr-russian-participants", "", "%", "higher_worse", 1.0, "percentile", 20.0,
     "cluster"),
    ("vpr_math_mean", "Средняя отметка ВПР по математике", "results", "vpr-math-mean_score", None, "", "балл",
     "higher_better", 1.0, "percentile", 20.0, "cluster"),
    ("vpr_russian_mean", "Средняя отметка ВПР по русскому языку", "results", "vpr-russian-mean_score", None, "",
     "балл", "higher_better", 1.0, "percentile", 20.0, "cluster"),
    ("contingent_left", "Выбыло обучающихся за год на 100 обучающихся (сохранность контингента)", "results", None,
     None, "share_left", "на 100", "higher_worse", 1.0, "percentile", 20.0, "cluster"),
    ("olympiad_participation", "Доля обучающихся — участников муниципального этапа ВсОШ", "results",
     "other-olympiad-value", None, "", "%", "higher_better", 0.5, "percentile", 20.0, "cluster"),
    ("olympiad_winners", "Победители и призёры муниципального этапа ВсОШ", "results", "other-olympiad-winners",
     None, "", "чел.", "higher_better", 0.5, "threshold", 0.5, "all"),
    ("satisfaction", "Удовлетворённость обучающихся, родителей и педагогов", "results", "other-satisfaction-value",
     None, "", "%", "higher_better", 1.0, "percentile", 20.0, "all"),
    ("parents_educated", "Доля родителей с высшим или средним специальным образованием (менее 15 %)", "social",
     None, None, "share_parents_educated", "%", "higher_better", 1.0, "threshold", 15.0, "all"),
    ("zpr", "Доля обучающихся с ЗПР", "social", None, None, "share_zpr", "%", "higher_worse", 1.0, "percentile",
     25.0, "all"),
    ("difficult_situation", "Доля детей из семей в трудной жизненной ситуации", "social", None, None,
     "share_difficult_situation", "%", "higher_worse", 1.0, "percentile", 25.0, "all"),
    ("on_register_present", "Есть обучающиеся на учёте в КДН/ПДН", "social", None, None, "has_on_register", "",
     "higher_worse", 1.0, "threshold", 0.5, "all"),
    ("on_register_limit", "Обучающиеся на учёте в КДН/ПДН — не более 5 на 100 обучающихся", "social", None, None,
     "share_on_register", "на 100", "higher_worse", 1.0, "threshold", 5.0, "all"),
    ("remote_small_rural", "Малокомплектная школа в удалённой сельской местности", "social", None, None,
     "remote_small_rural", "", "higher_worse", 1.0, "threshold", 0.5, "all"),
]
SWITCHED_OFF_BY_DEFAULT = {
    "vpr_math_fail", "vpr_russian_fail", "vpr_math_mean", "vpr_russian_mean", "contingent_left",
    "olympiad_participation", "olympiad_winners", "satisfaction", "parents_educated", "zpr", "difficult_situation",
    "on_register_present", "on_register_limit", "remote_small_rural",
}
# Fixed lines of the absolute index (the value worth 0 and the value worth 100); the department edits them.
ABSOLUTE_LINES = {
    "ege_russian_below_min": (20.0, 0.0), "ege_math_below_min": (40.0, 0.0), "ege_russian_mean": (50.0, 85.0),
    "ege_math_mean": (30.0, 80.0), "oge_math_below_min": (30.0, 0.0), "oge_russian_mean": (3.0, 4.6),
    "vpr_math_fail": (30.0, 0.0), "vpr_russian_fail": (30.0, 0.0), "vpr_math_mean": (3.0, 4.6),
    "vpr_russian_mean": (3.0, 4.6), "contingent_left": (15.0, 0.0), "olympiad_participation": (0.0, 30.0),
    "satisfaction": (40.0, 95.0),
}


@transaction.atomic
def criteria_ensure_for_year(*, year: int) -> list[Criterion]:
    """The year's criteria; when the year has none, copy the latest earlier year's, or the defaults."""
    existing = list(Criterion.objects.filter(year=year))
    if existing:
        return existing
    previous_year = Criterion.objects.filter(year__lt=year).order_by("-year").values_list("year", flat=True).first()
    if previous_year is not None:
        copies = []
        for criterion in Criterion.objects.filter(year=previous_year):
            criterion.pk = None
            criterion.year = year
            copies.append(criterion)
        return Criterion.objects.bulk_create(copies)

    from .measures import measures_by_code

    codes = {row[3] for row in DEFAULT_CRITERIA if row[3]} | {row[4] for row in DEFAULT_CRITERIA if row[4]}
    measures = measures_by_code(codes)
    created = [
        Criterion(
            year=year, code=code, name=name, kind=kind,
            measure=measures.get(measure) if measure else None,
            per_measure=measures.get(per) if per else None,
            profile_field=field, unit=unit, direction=direction, weight=weight, rule=rule, line=line,
            compare_within=within, is_active=code not in SWITCHED_OFF_BY_DEFAULT,
            scale_worst=ABSOLUTE_LINES.get(code, (None, None))[0], scale_best=ABSOLUTE_LINES.get(code, (None, None))[1],
        )
        for code, name, kind, measure, per, field, unit, direction, weight, rule, line, within in DEFAULT_CRITERIA
    ]
    return Criterion.objects.bulk_create(created)


# ---------------------------------------------------------------------------------------------
# Inputs: the criterion values of every school for every year of the window

def criterion_snapshot(criterion: Criterion) -> dict:
    return {
        "code": criterion.code,
        "name": criterion.name,
        "kind": criterion.kind,
        "unit": criterion.unit,
        "direction": criterion.direction,
        "weight": criterion.weight,
        "rule": criterion.rule,
        "line": criterion.line,
        "within": criterion.compare_within,
        "measure": criterion.measure.code if criterion.measure_id else None,
        "per_measure": criterion.per_measure.code if criterion.per_measure_id else None,
        "profile_field": criterion.profile_field or None,
        "scale_worst": criterion.scale_worst,
        "scale_best": criterion.scale_best,
    }


# Profile criteria computed from two stored fields: (numerator, denominator) → per 100.
DERIVED_PROFILE_FIELDS = {
    "share_on_register": ("pupils_on_register", "pupils"),
    "share_vacancies": ("vacancies", "teachers"),
    "share_left": ("pupils_left", "pupils"),
    "has_on_register": ("pupils_on_register",),
}
# Yes/no fields of the profile, read as 1/0.
BOOLEAN_PROFILE_FIELDS = {"remote_small_rural"}


def _profile_values(field: str, column) -> tuple[np.ndarray, np.ndarray]:
    """Which profiles have a value of the criterion's field, and the values; `column(name)` is a stored field's
    column with NaN for no value. The shares per 100 are rounded by Python's round() to two places."""
    if field == "share_on_register":
        count, pupils = column("pupils_on_register"), column("pupils")
        known = ~np.isnan(count) & ~np.isnan(pupils) & (pupils != 0)
        shares = 100 * count[known] / pupils[known]
    elif field == "share_left":
        left, pupils = column("pupils_left"), column("pupils")
        known = ~np.isnan(left) & ~np.isnan(pupils) & (pupils != 0)
        shares = 100 * left[known] / pupils[known]
    elif field == "has_on_register":
        count = column("pupils_on_register")
        known = ~np.isnan(count)
        return known, (count[known] > 0).astype(np.float64)
    elif field == "share_vacancies":
        vacancies, teachers = column("vacancies"), column("teachers")
        known = ~np.isnan(vacancies) & ~np.isnan(teachers) & (teachers != 0)
        shares = 100 * vacancies[known] / (teachers[known] + vacancies[known])
    else:
        value = column(field)
        known = ~np.isnan(value)
        return known, value[known]
    return known, np.asarray(_rounded(shares, 2), dtype=np.float64)


def _rounded(values: np.ndarray, digits: int) -> list[float]:
    """Python's round() of each value (numpy's rounds through a multiplication and differs in the last digit),
    once per distinct value: a million criterion values repeat a lot."""
    distinct, where = np.unique(values, return_inverse=True)
    rounded = [round(x, digits) for x in distinct.tolist()]
    return [rounded[i] for i in where.tolist()]


def collect_inputs(*, parameters: Parameters, criteria: list[Criterion]) -> dict:
    """Read, in a few queries, everything the computation needs into plain data: per criterion, the columns
    `school`, `year` and `value` (arrays) of the schools that have a value, ordered by school and year."""
    years = parameters.years
    schools, regions = {}, {}
    # A school in the archive (closed or reorganised) is not put on a new list; its old verdicts stay.
    for pk, cluster, region in (
        School.objects.filter(archived_on__isnull=True)
        .values_list("pk", "cluster__name", "municipality__region_id")
        .order_by()
    ):
        schools[pk] = cluster or NO_CLUSTER
        regions[pk] = region
    snapshots = [criterion_snapshot(c) for c in criteria if c.is_active]
    measure_ids = {}
    for c in criteria:
        if c.is_active:
            for measure in (c.measure, c.per_measure):
                if measure is not None:
                    measure_ids[measure.code] = measure.pk
    results = np.empty((0, 4))
    if measure_ids:
        results = number_rows(
            SchoolResult.objects.filter(year__in=years, measure_id__in=measure_ids.values())
            .values_list("school_id", "year", "measure_id", "value")
            .order_by(),
            columns=4,
        )
    # (school, year) as one integer, to match a numerator with its denominator
    first_year = years[0]

    def measured(code):
        rows = results[results[:, 2] == measure_ids[code]]
        keys = rows[:, 0].astype(np.int64) * 64 + (rows[:, 1].astype(np.int64) - first_year)
        order = np.argsort(keys, kind="stable")
        return keys[order], rows[order, 3]

    profile_fields = sorted({s["profile_field"] for s in snapshots if s["profile_field"]})
    profiles = {}  # field -> (schools, years, values)
    if profile_fields:
        stored = sorted({f for field in profile_fields for f in DERIVED_PROFILE_FIELDS.get(field, (field,))})
        table = number_rows(
            SchoolYearProfile.objects.filter(year__in=years)
            .values_list(
                "school_id", "year",
                *(Cast(name, IntegerField()) if name in BOOLEAN_PROFILE_FIELDS else F(name) for name in stored),
            )
            .order_by("school_id", "year"),
            columns=2 + len(stored),
        )
        for field in profile_fields:
            known, value = _profile_values(field, lambda name: table[:, 2 + stored.index(name)])
            profiles[field] = (table[known, 0], table[known, 1], value)

    values: dict[str, dict[str, list]] = {}
    for snap in snapshots:
        if snap["profile_field"]:
            school, year, value = profiles[snap["profile_field"]]
            values[snap["code"]] = _typed_columns({"school": school, "year": year, "value": value})
            continue
        numerator, denominator = snap["measure"], snap["per_measure"]
        keys, numbers = measured(numerator)
        if denominator:
            keys_base, base = measured(denominator)
            taken = base != 0  # the school did not take this exam that year
            keys_base, base = keys_base[taken], base[taken]
            at = np.searchsorted(keys, keys_base)
            found = at < len(keys)
            found[found] = keys[at[found]] == keys_base[found]
            counted = np.zeros(len(keys_base))
            counted[found] = numbers[at[found]]
            keys = keys_base
            numbers = _rounded(100.0 * counted / base, 4)
        values[snap["code"]] = _typed_columns({"school": keys // 64, "year": keys % 64 + first_year, "value": numbers})
    # The signs of non-objective ВПР of the run's year, read now and kept with the inputs, so that the run explains
    # itself later whatever is imported since.
    signs = objectivity_signs(year=parameters.year, settings=ObjectivitySettings.from_dict(parameters.objectivity))
    objectivity = {str(pk): signs[pk] for pk in schools if pk in signs}
    return {
        "years": years, "criteria": snapshots, "clusters": schools, "regions": regions, "values": values,
        "objectivity": objectivity,
    }  # fmt: skip


# Packed inputs: the years, criteria and clusters as JSON and each criterion's columns as arrays, in one numpy
# archive, compressed. Writing 1.2 million values as JSON text took 0.7 s of a 40,000-school run; runs packed
# before are zlib-compressed JSON and are read as they are.
_ARRAYS_PACKED = b"npz1"
_COLUMN_TYPES = {"school": np.int64, "year": np.int16, "value": np.float64}


def _typed_columns(columns: dict) -> dict[str, np.ndarray]:
    return {column: np.asarray(columns[column], dtype=kind) for column, kind in _COLUMN_TYPES.items()}


def pack_inputs(inputs: dict) -> bytes:
    described = {key: inputs[key] for key in ("years", "criteria")}
    described["clusters"] = inputs["clusters"]
    for key in ("regions", "objectivity"):
        if key in inputs:
            described[key] = inputs[key]
    described["values"] = list(inputs["values"])
    arrays = {
        f"{number}.{column}": np.asarray(values[column], dtype=kind)
        for number, values in enumerate(inputs["values"].values())
        for column, kind in _COLUMN_TYPES.items()
    }
    buffer = io.BytesIO()
    np.savez(buffer, described=np.array(json.dumps(described, ensure_ascii=False, separators=(",", ":"))), **arrays)
    return _ARRAYS_PACKED + zlib.compress(buffer.getvalue(), 1)


def unpack_inputs(blob: bytes) -> dict:
    blob = bytes(blob)
    if not blob.startswith(_ARRAYS_PACKED):
        inputs = json.loads(zlib.decompress(blob))
    else:
        with np.load(io.BytesIO(zlib.decompress(blob[len(_ARRAYS_PACKED) :])), allow_pickle=False) as archive:
            inputs = json.loads(str(archive["described"]))
            inputs["values"] = {
                code: {column: archive[f"{number}.{column}"] for column in _COLUMN_TYPES}
                for number, code in enumerate(inputs["values"])
            }
    inputs["clusters"] = {int(k): v for k, v in inputs["clusters"].items()}
    if "regions" in inputs:
        inputs["regions"] = {int(k): v for k, v in inputs["regions"].items()}
    return inputs


def _columns(values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A criterion's (schools, years, values) arrays, from the columns a run stores or from the [school, year,
    value] rows stored by earlier versions."""
    if isinstance(values, dict):
        return (
            np.asarray(values["school"], dtype=np.int64),
            np.asarray(values["year"], dtype=np.int64),
            np.asarray(values["value"], dtype=np.float64),
        )
    rows = np.asarray(values, dtype=np.float64).reshape(-1, 3)
    return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64), rows[:, 2]


# ---------------------------------------------------------------------------------------------
# The computation

RULE_TEXT = {
    "threshold": "порог {line} {unit}",
    "percentile": "{line} % худших {within}",
    "zscore": "ниже среднего {within} более чем на {line} σ",
}
WITHIN_TEXT = {"cluster": "в кластере", "all": "среди школ региона"}


def _lookup(table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """table[key] for each key, −1 for a key outside the table."""
    inside = (keys >= 0) & (keys < len(table))
    found = np.full(len(keys), -1, dtype=np.int64)
    found[inside] = table[keys[inside]]
    return found


class _Judged:
    """The schools a run judges, as arrays indexed by school id: each school's place (0…n−1, in the order of the
    run's clusters), its region and its cluster as numbers; −1 for a school the run does not judge, and a cluster
    of −1 for a school without one, which is compared with the schools of its region.

    Inputs stored before runs knew regions hold one region, and a school without a cluster was compared with the
    other schools without one; they are reproduced so (`legacy`)."""

    def __init__(self, clusters: dict[int, str], regions: dict[int, int] | None = None):
        self.legacy = regions is None
        self.names = sorted(set(clusters.values()) - (set() if self.legacy else {NO_CLUSTER}))
        number = {name: i for i, name in enumerate(self.names)}
        region_number = {region: i for i, region in enumerate(sorted(set((regions or {}).values()), key=str))}
        ids = np.fromiter(clusters, dtype=np.int64, count=len(clusters))
        size = int(ids.max()) + 1 if len(ids) else 0
        self.place = np.full(size, -1, dtype=np.int64)
        self.place[ids] = np.arange(len(ids))
        self.cluster = np.full(size, -1, dtype=np.int64)
        self.cluster[ids] = np.fromiter((number.get(c, -1) for c in clusters.values()), dtype=np.int64, count=len(ids))
        self.region = np.full(size, -1, dtype=np.int64)
        self.region[ids] = (
            0 if self.legacy
            else np.fromiter((region_number[regions[pk]] for pk in clusters), dtype=np.int64, count=len(ids))
        )  # fmt: skip


@dataclass
class Scored:
    """One criterion's values of the judged schools, each with its score (0 when low) and its place in its group
    (1 — the best; equal values share a place) of `of` schools."""

    school: np.ndarray
    year: np.ndarray
    value: np.ndarray
    score: np.ndarray
    low: np.ndarray
    place: np.ndarray
    of: np.ndarray


def _rank_within(group: np.ndarray, year: np.ndarray, value: np.ndarray, snap: dict):
    """Position, low flag and place of each value within its group of the same year, in the order given.

    A group is a run of equal keys after sorting; ties are runs inside it, so equal values always get the same score,
    the same place and fall on the same side of every line."""
    n = len(value)
    oriented = value if snap["direction"] == "higher_better" else -value
    key = (year - year.min()) * (int(group.max()) + 2) + (group + 1)
    order = np.lexsort((oriented, key))
    oriented_sorted, key_sorted, value_sorted = oriented[order], key[order], value[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = key_sorted[1:] != key_sorted[:-1]
    new_tie = new_group.copy()
    new_tie[1:] |= oriented_sorted[1:] != oriented_sorted[:-1]
    group_start = np.flatnonzero(new_group)
    group_size = np.diff(np.append(group_start, n))
    tie_start = np.flatnonzero(new_tie)
    tie_size = np.diff(np.append(tie_start, n))
    in_group = np.cumsum(new_group) - 1
    in_tie = np.cumsum(new_tie) - 1
    size = group_size[in_group]
    worse = tie_start[in_tie] - group_start[in_group]
    # The share of the group below the value plus half of its ties.
    score = 100.0 * (worse + 0.5 * tie_size[in_tie]) / size
    place = size - worse - tie_size[in_tie] + 1
    line = snap["line"]
    if snap["rule"] == "threshold":
        low = value_sorted < line if snap["direction"] == "higher_better" else value_sorted > line
    elif snap["rule"] == "percentile":
        low = (size > 1) & (score < line)
    else:
        mean, sd = np.empty(len(group_start)), np.empty(len(group_start))
        for number, (start, count) in enumerate(zip(group_start.tolist(), group_size.tolist(), strict=True)):
            members = oriented_sorted[start : start + count]
            # fsum: exact whatever the order, as the earlier one-school-at-a-time computation was.
            mean[number] = math.fsum(members) / count
            sd[number] = math.sqrt(math.fsum((members - mean[number]) ** 2) / count) if count > 1 else 0.0
        sd_of, mean_of = sd[in_group], mean[in_group]
        spread = sd_of > 0
        low = np.zeros(n, dtype=bool)
        low[spread] = (oriented_sorted[spread] - mean_of[spread]) / sd_of[spread] < -line
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    return score[back], low[back], place[back], size[back]


def _absolute_score(snap: dict, value: np.ndarray) -> np.ndarray | None:
    """The value between the criterion's fixed lines on 0…100, or None when the criterion has none."""
    worst, best = snap.get("scale_worst"), snap.get("scale_best")
    if worst is None or best is None or worst == best:
        return None
    return np.clip(100.0 * (value - worst) / (best - worst), 0.0, 100.0)


def _score_criterion(snap: dict, values, judged: _Judged, scale: str = "relative") -> Scored:
    """Score one criterion's values within their groups: year × region × cluster, or year × region. A school
    without a cluster is scored within its region, as a criterion «среди всех школ региона» is."""
    school, year, value = _columns(values)
    region = _lookup(judged.region, school)
    kept = region >= 0
    school, year, value, region = school[kept], year[kept], value[kept], region[kept]
    n = len(school)
    if n == 0:
        empty = np.zeros(0)
        return Scored(school, year, value, empty, empty.astype(bool), empty.astype(np.int64), empty.astype(np.int64))
    cluster = judged.cluster[school]
    unclustered = np.flatnonzero(cluster < 0)
    if snap["within"] == "cluster" and len(unclustered) < n:
        group = region * (len(judged.names) + 1) + (cluster + 1)
        score, low, place, of = _rank_within(group, year, value, snap)
        if len(unclustered):  # ranked again, among all the schools of their region
            in_region = _rank_within(region, year, value, snap)
            for mine, theirs in zip((score, low, place, of), in_region, strict=True):
                mine[unclustered] = theirs[unclustered]
    else:
        score, low, place, of = _rank_within(region, year, value, snap)
    if scale == "absolute":
        fixed = _absolute_score(snap, value)
        if fixed is not None:
            score = fixed
    return Scored(school, year, value, np.where(low, 0.0, score), low, place, of)


def rule_text(snap: dict) -> str:
    return RULE_TEXT[snap["rule"]].format(
        line=number_ru(snap["line"]), unit=snap["unit"], within=WITHIN_TEXT[snap["within"]]
    )


def number_ru(value) -> str:
    """A number as Russian text: a decimal comma, no trailing zeros (20,73; 21; 42,7)."""
    if value is None:
        return "—"
    return f"{value:g}".replace(".", ",").replace("-", "−")


def _group_words(snap: dict, cluster: str, legacy_all: bool, of: int) -> str:
    """«школ кластера «…»», «школы региона» — the noun agrees with the number before it (из 31 школы, из 34 школ)."""
    schools = "школы" if of % 10 == 1 and of % 100 != 11 else "школ"
    if snap["within"] == "cluster" and cluster and cluster != NO_CLUSTER:
        return f"{schools} кластера «{cluster}»"
    return f"всех {schools}" if legacy_all else f"{schools} региона"


def low_criteria_rows(explanation, criteria: list[dict], cluster: str = "") -> list[dict]:
    """The low criteria of a verdict's explanation, each with what the run's criteria (`run.parameters["criteria"]`)
    say of it: name, unit, line, kind, the rule in words, the group the school was compared with (its `cluster`,
    or its region) and its place there. Rows stored whole by an earlier version pass as they are; a criterion the
    run does not know keeps its code for a name."""
    if not isinstance(explanation, dict) or not isinstance(explanation.get("criteria"), list):
        return []
    by_code = {snap["code"]: snap for snap in criteria or []}
    rows = []
    for row in explanation["criteria"]:
        # [year, code, value, place, of], as runs store them; [year, code, value] — a run made before regions, in
        # which «all schools» were all the schools of the database.
        legacy = isinstance(row, list) and len(row) == 3
        if isinstance(row, list) and len(row) in (3, 5):
            row = dict(zip(("year", "code", "value", "place", "of"), row, strict=False))
        if not isinstance(row, dict):
            continue
        snap = by_code.get(row.get("code"))
        if "name" in row or snap is None:
            rows.append({"name": row.get("code", ""), "unit": "", "rule_text": "", **row, "low": True})
            continue
        in_cluster = snap["within"] == "cluster" and cluster and cluster != NO_CLUSTER
        place = ""
        if row.get("place"):
            place = f"{row['place']}-е место из {row['of']} {_group_words(snap, cluster, legacy, row['of'])}"
        rows.append(
            {
                **row, "low": True, "name": snap["name"], "unit": snap["unit"], "line": snap["line"],
                "kind": snap["kind"], "rule_text": rule_text(snap), "value_text": number_ru(row.get("value")),
                "cluster": row.get("cluster") or (cluster if in_cluster else ("все школы" if legacy else "школы региона")),
                "place_text": place,
            }
        )
    return rows


def compute_verdicts(inputs: dict, parameters: Parameters) -> dict[int, dict]:
    """Per school: status, indices, flags and the explanation. Pure: plain data in, plain data out.

    The criteria are scored as arrays; each index is summed criterion by criterion in the order of the run's
    criteria, as the one-school-at-a-time computation before did, so that old runs are reproduced exactly."""
    clusters = inputs["clusters"]
    years = list(inputs["years"])
    judged = _Judged(clusters, inputs.get("regions"))
    size = len(clusters) * len(years)
    first_year = min(years, default=0)
    year_number = np.full(max(years, default=0) - first_year + 1, -1, dtype=np.int64)
    year_number[np.asarray(years, dtype=np.int64) - first_year] = np.arange(len(years))
    kinds: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # kind -> (Σ weight·score, Σ weight, parts)
    criteria = inputs["criteria"]
    ranked = sorted(range(len(criteria)), key=lambda i: (criteria[i]["kind"], criteria[i]["code"]))
    rank = {criterion: position for position, criterion in enumerate(ranked)}
    lows = []  # per criterion: (place, year, value, rank, place in group, group size) of the low values
    for position, snap in enumerate(inputs["criteria"]):
        scored = _score_criterion(snap, inputs["values"].get(snap["code"], []), judged, parameters.index_scale)
        place = _lookup(judged.place, scored.school)
        in_window = _lookup(year_number, scored.year - first_year)
        inside = in_window >= 0
        key = place[inside] * len(years) + in_window[inside]
        # Social risks add up: the index counts the criteria on which the school is not low.
        score = np.where(scored.low, 0.0, 100.0) if snap["kind"] == "social" else scored.score
        weighted, weights, parts = kinds.setdefault(
            snap["kind"], (np.zeros(size), np.zeros(size), np.zeros(size, dtype=np.int64))
        )
        weighted += np.bincount(key, weights=snap["weight"] * score[inside], minlength=size)
        weights += np.bincount(key, weights=np.full(len(key), float(snap["weight"])), minlength=size)
        parts += np.bincount(key, minlength=size)
        low = np.flatnonzero(scored.low)
        lows.append(
            (place[low], scored.year[low], scored.value[low], np.full(len(low), rank[position]), scored.place[low],
             scored.of[low])
        )  # fmt: skip

    def index(kind: str) -> list[float | None]:
        if kind not in kinds:
            return [None] * size
        weighted, weights, parts = kinds[kind]
        known = (parts > 0) & (weights != 0)
        mean = np.zeros(size)
        mean[known] = weighted[known] / weights[known]
        return [m if k else None for m, k in zip(_rounded(mean, 2), known.tolist(), strict=True)]

    def counted(kind: str) -> list[int]:
        return kinds[kind][2].tolist() if kind in kinds else [0] * size

    # A low value is stored as [year, code, value, place, of]: what the run knows of the criterion (name, unit,
    # line, rule, kind, the group compared with) is stored once, with the run — repeated in each of 40,000 verdicts
    # it made most of an 85 MB write. A school's low values go by year, kind and code.
    low_criteria: list[list[list]] = [[] for _ in clusters]
    if lows:
        place, year, value, order, in_group, of = (np.concatenate(column) for column in zip(*lows, strict=True))
        sort = np.lexsort((order, year, place))
        codes = [criteria[i]["code"] for i in ranked]
        columns = [a[sort].tolist() for a in (place, year, order, in_group, of)]
        for p, y, r, g, o, v in zip(*columns, _rounded(value[sort], 2), strict=True):
            low_criteria[p].append([y, codes[r], v] if judged.legacy else [y, codes[r], v, g, o])

    oip, social = index("results"), index("social")
    result_parts = counted("results")
    results_of = sum(1 for snap in criteria if snap["kind"] == "results") if not judged.legacy else 0
    signs = inputs.get("objectivity") or {}
    verdicts = {}
    for place, (school_id, cluster) in enumerate(clusters.items()):
        by_year = {}
        for number, year in enumerate(years):
            at = place * len(years) + number
            by_year[year] = {
                "oip": oip[at],
                "social": social[at],
                "low_results": oip[at] is not None and oip[at] < parameters.oip_threshold,
                "low_social": social[at] is not None and social[at] < parameters.social_threshold,
                "results_counted": result_parts[at],
            }
        verdict = _verdict(school_id, cluster, by_year, low_criteria[place], parameters, judged.legacy, results_of)
        if str(school_id) in signs:
            verdict["objectivity_flag"] = True
            verdict["explanation"]["objectivity"] = signs[str(school_id)]
        verdicts[school_id] = verdict
    return verdicts


def _years_word(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "года"
    return "лет"


def _years_list(years: list[int]) -> str:
    """2022 / 2022 и 2023 / 2022, 2023 и 2024."""
    words = [str(y) for y in years]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} и {words[-1]}"


LOW, FINE, MISSING = "low", "fine", "missing"


@dataclass
class Listing:
    """What the years of the window decide: by results and by social context each LOW, FINE or MISSING (not
    enough data to decide), whether a school short of years is to be watched, and what the text must say."""

    results: str
    social: str
    on_watch: bool
    notes: list[str]


def _listing(by_year: dict, parameters: Parameters, explain: bool = True) -> Listing:
    """The decision of the window's years; with `explain`, also what the text must say (a run decides 40,000 schools
    without writing sentences nobody reads: `verdict_text` writes them when a page shows one)."""
    with_results = [y for y, v in by_year.items() if v["oip"] is not None]
    low_results = [y for y, v in by_year.items() if v["low_results"]]
    with_social = [y for y, v in by_year.items() if v["social"] is not None]
    low_social = [y for y, v in by_year.items() if v["low_social"]]
    on_watch = False
    if parameters.min_result_years == 0:  # a run made before the setting: the years there were decided
        needed = min(parameters.min_low_years, len(with_results))
        results = LOW if with_results and len(low_results) >= needed else FINE
    elif len(with_results) < parameters.min_result_years:
        results = MISSING
        on_watch = bool(low_results)
    else:
        results = LOW if len(low_results) >= parameters.min_low_years else FINE
    # A passport is one document a year, often loaded for the current year only: the years there are decide.
    social = MISSING if not with_social else (
        LOW if len(low_social) >= min(parameters.min_low_years, len(with_social)) else FINE
    )  # fmt: skip
    listing = Listing(results, social, on_watch, [])
    if explain:
        listing.notes = _listing_notes(by_year, parameters, listing, with_results, with_social)
    return listing


def _listing_notes(by_year, parameters: Parameters, listing: Listing, with_results, with_social) -> list[str]:
    notes = []
    if parameters.min_result_years == 0:
        if with_results and len(with_results) < parameters.min_low_years:
            notes.append("Результатов меньше, чем нужно низких лет, — решение по имеющимся годам.")
    elif listing.results == MISSING:
        have = (
            f"результаты есть только за {_years_list(with_results)}" if with_results
            else "результатов нет ни за один год окна"
        )  # fmt: skip
        notes.append(
            f"Недостаточно данных о результатах: {have}, а для решения нужны результаты не меньше чем за "
            f"{parameters.min_result_years} {_years_word(parameters.min_result_years)}."
        )
    partial = defaultdict(list)  # criteria with a value → the years with that many
    for year in with_results:
        counted, of = by_year[year].get("results_counted"), by_year[year].get("results_of")
        if counted and of and counted < of:
            partial[counted, of].append(year)
    for (counted, of), partial_years in partial.items():
        notes.append(f"Результаты есть по {counted} из {of} критериев ({_years_list(partial_years)}).")
    if not with_social:
        window = f"{parameters.years[0]}–{parameters.years[-1]}"
        notes.append(f"Социальный паспорт не загружен ни за один год окна {window} — ШНСУ не определялся.")
    elif len(with_social) < len(by_year):
        notes.append(f"Социальный паспорт есть за {_years_list(with_social)} — решение по ШНСУ по этим годам.")
    return notes


def _status(listing: Listing) -> str:
    if listing.results == LOW:
        return Status.BOTH if listing.social == LOW else Status.SHNOR
    if listing.social == LOW:
        return Status.SHNSU
    return Status.NO_DATA if listing.results == MISSING else Status.NONE


def _oip_series(by_year: dict) -> list[tuple[int, float]]:
    """(year, ОИП) of the years with one; `by_year` goes by year, as both of its builders write it."""
    return [(y, v["oip"]) for y, v in by_year.items() if v["oip"] is not None]


def _verdict(
    school_id, cluster, by_year, low_rows, parameters: Parameters, legacy: bool = False, results_of: int = 0
) -> dict:
    listing = _listing(by_year, parameters, explain=False)
    status = _status(listing)
    oip_series = _oip_series(by_year)
    current = by_year.get(parameters.year, {})
    oip, social = current.get("oip"), current.get("social")
    latest_oip = oip_series[-1][1] if oip_series else None

    preventive = False
    if listing.results == FINE and latest_oip is not None and len(oip_series) > 1:
        best_before = max(value for _, value in oip_series[:-1])
        preventive = (
            latest_oip >= parameters.oip_threshold
            and best_before - latest_oip >= parameters.preventive_drop
            and latest_oip <= parameters.oip_threshold + parameters.preventive_margin
        )
    curator = (
        status == Status.NONE
        and oip is not None
        and oip >= parameters.curator_threshold
        and not any(v["low_results"] for v in by_year.values())
    )
    explanation = {
        "years": {str(y): {"oip": v["oip"], "social": v["social"]} for y, v in sorted(by_year.items())},
        "criteria": low_rows,  # in order of year, kind and code (compute_verdicts)
    }
    if not legacy and cluster == NO_CLUSTER:
        explanation["no_cluster"] = True
    for y, v in by_year.items():
        if v["results_counted"] < results_of:  # «результаты есть по 4 из 6 критериев»; all of them is not stored
            explanation["years"][str(y)]["r"] = v["results_counted"]
    return {
        "status": status,
        "oip": oip,
        "social_index": social,
        "preventive": preventive,
        "curator_candidate": curator,
        "on_watch": listing.on_watch,
        "objectivity_flag": False,
        "cluster": cluster,
        # The indices of each year and the low criteria. The explanation in words follows from them, the verdict
        # and the run's parameters (`verdict_text`), and is written when a page shows it: stored with each of
        # 40,000 verdicts it was a third of what a run wrote.
        "explanation": explanation,
    }


def latest_oip(explanation) -> tuple[int, float] | None:
    """The last year of the window with an ОИП and its value: what the table shows beside the text."""
    years = (explanation or {}).get("years") if isinstance(explanation, dict) else None
    known = sorted((int(y), v["oip"]) for y, v in (years or {}).items() if v.get("oip") is not None)
    return known[-1] if known else None


def verdict_text(verdict: dict, parameters: Parameters | None, criteria: list[dict] | None = None) -> str:
    """A verdict's explanation in words: the cluster and window, the low years of each index, the flags and what
    is missing. `verdict` is what `compute_verdicts` gives for a school (a stored verdict passes its fields, see
    `IdentificationVerdict.explanation_text`); `criteria` — the run's, to count the criteria a year lacks; an
    explanation stored whole by an earlier version keeps its text."""
    explanation = verdict.get("explanation")
    if not isinstance(explanation, dict):
        return str(explanation or "")
    if "text" in explanation:
        return explanation["text"] or ""
    if parameters is None:  # a run without its parameters cannot be explained
        return ""
    of = {
        "results": sum(1 for c in criteria or [] if c["kind"] == "results"),
        "social": sum(1 for c in criteria or [] if c["kind"] == "social"),
    }
    by_year = {}
    for year, indices in sorted((int(y), v) for y, v in (explanation.get("years") or {}).items()):
        oip, social = indices.get("oip"), indices.get("social")
        by_year[year] = {
            "oip": oip,
            "social": social,
            "low_results": oip is not None and oip < parameters.oip_threshold,
            "low_social": social is not None and social < parameters.social_threshold,
            "results_counted": indices.get("r", of["results"]),
            "results_of": of["results"],
        }
    listing = _listing(by_year, parameters)
    oip_series = _oip_series(by_year)
    latest = oip_series[-1][1] if oip_series else None
    low_result_years = [y for y, v in by_year.items() if v["low_results"]]
    low_social_years = [y for y, v in by_year.items() if v["low_social"]]
    with_results = [y for y, v in by_year.items() if v["oip"] is not None]
    window = f"окно {parameters.years[0]}–{parameters.years[-1]}"
    if explanation.get("no_cluster"):
        sentences = ["Кластер не определён — школа сравнивается со всеми школами своего региона."]
    else:
        sentences = [f"Кластер: {verdict.get('cluster')}."]
    if with_results:
        sentences.append(f"{window.capitalize()}; результаты есть за {_years_list(with_results)}.")
    else:
        sentences.append(f"{window.capitalize()}; результатов нет ни за один год.")
    if low_result_years:
        sentences.append(
            f"ОИП ниже порога {number_ru(parameters.oip_threshold)} в {_years_list(low_result_years)} "
            f"(нужно низких лет: {parameters.min_low_years})."
        )
    if low_social_years:
        sentences.append(
            f"Индекс социального благополучия ниже порога {number_ru(parameters.social_threshold)} "
            f"в {_years_list(low_social_years)}."
        )
    status = verdict.get("status")
    if status == Status.NONE and not low_result_years and not low_social_years:
        if listing.social == MISSING:
            sentences.append("ОИП ни в одном году окна не опускался ниже порога.")
        else:
            sentences.append("Ни в одном году окна показатели не опускались ниже порогов.")
    if verdict.get("on_watch"):
        sentences.append(
            "На контроле: результаты низкие, но лет с результатами меньше, чем нужно для включения в перечень."
        )
    if verdict.get("preventive") and latest is not None:
        sentences.append(
            f"Отрицательная динамика: ОИП снизился до {number_ru(latest)} — рекомендуется профилактическая поддержка."
        )
    if verdict.get("curator_candidate") and verdict.get("oip") is not None:
        sentences.append(f"Высокие результаты (ОИП {number_ru(verdict['oip'])}): кандидат в школы-кураторы.")
    sentences.extend(listing.notes)
    signs = explanation.get("objectivity") or []
    if signs:
        sentences.append("Признаки необъективности ВПР: " + "; ".join(signs) + ".")
    return " ".join(sentences)


# ---------------------------------------------------------------------------------------------
# Runs

def _set_progress(run: IdentificationRun, progress: int, stage: str) -> None:
    IdentificationRun.objects.filter(pk=run.pk).update(progress=progress, stage=stage)


@transaction.atomic
def run_start(*, year: int, actor, parameters: Parameters | None = None, note: str = "") -> IdentificationRun:
    """Create a queued run for a year with its parameters and criteria (copied into the run)."""
    parameters = parameters or Parameters.for_year(year)
    if parameters.year != year:
        raise IdentificationError("Год параметров не совпадает с годом запуска.")
    if parameters.min_low_years > parameters.window_years:
        raise IdentificationError("Низких лет не может быть больше, чем лет в окне.")
    criteria = criteria_ensure_for_year(year=year)
    if not any(c.is_active for c in criteria):
        raise IdentificationError(f"На {year} год нет ни одного действующего критерия.")
    return IdentificationRun.objects.create(
        year=year, parameters={"parameters": asdict(parameters)}, created_by=actor, note=note
    )


def run_execute(run: IdentificationRun) -> IdentificationRun:
    """Compute the verdicts of a queued run, reporting progress as it goes."""
    parameters = Parameters.from_stored(run.parameters["parameters"])
    try:
        IdentificationRun.objects.filter(pk=run.pk).update(state=IdentificationRun.State.RUNNING)
        _set_progress(run, 5, "Чтение результатов и профилей школ")
        criteria = list(Criterion.objects.filter(year=run.year, is_active=True).select_related("measure", "per_measure"))
        inputs = collect_inputs(parameters=parameters, criteria=criteria)
        _set_progress(run, 40, "Расчёт ОИП и индекса социального благополучия")
        verdicts = compute_verdicts(inputs, parameters)
        _set_progress(run, 70, "Сохранение решений")
        with transaction.atomic():
            IdentificationVerdict.objects.filter(run=run).delete()
            _save_verdicts(run, verdicts)
            counts = defaultdict(int)
            for v in verdicts.values():
                counts[v["status"]] += 1
                counts["preventive"] += v["preventive"]
                counts["curator"] += v["curator_candidate"]
                counts["watch"] += v["on_watch"]
                counts["objectivity"] += v["objectivity_flag"]
            run.summary = run_summary(verdicts, parameters)
            run.no_data_count = counts[Status.NO_DATA]
            run.watch_count = counts["watch"]
            run.objectivity_count = counts["objectivity"]
            run.inputs = pack_inputs(inputs)
            run.parameters = {"parameters": asdict(parameters), "criteria": inputs["criteria"]}
            run.state = IdentificationRun.State.DONE
            run.progress, run.stage = 100, "Готово"
            run.finished_at = timezone.now()
            run.school_count = len(verdicts)
            run.shnor_count = counts[Status.SHNOR] + counts[Status.BOTH]
            run.shnsu_count = counts[Status.SHNSU] + counts[Status.BOTH]
            run.both_count = counts[Status.BOTH]
            run.preventive_count = counts["preventive"]
            run.curator_count = counts["curator"]
            run.save()
    except Exception as error:  # the run page must say what happened instead of spinning forever
        IdentificationRun.objects.filter(pk=run.pk).update(
            state=IdentificationRun.State.FAILED, stage="Ошибка", error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    return run


def run_summary(verdicts: dict[int, dict], parameters: Parameters) -> dict:
    """What a department reads before it signs: per year, the share of schools at or above the ОИП line and the
    social index line (seed 002: «доля школ, преодолевших порог ОИП не менее 21», «… индекса социального
    благополучия не менее 42,7»), the schools without a cluster and without a social passport, and the passport's
    completeness per municipality."""
    lines = {"oip": parameters.oip_threshold, "social": parameters.social_threshold}
    at_or_above = {index: defaultdict(int) for index in lines}
    judged = {index: defaultdict(int) for index in lines}
    without_passport = set()
    for school_id, verdict in verdicts.items():
        years = verdict["explanation"]["years"]
        for year, indices in years.items():
            for index, line in lines.items():
                if indices[index] is not None:
                    judged[index][year] += 1
                    at_or_above[index][year] += indices[index] >= line
        if all(indices["social"] is None for indices in years.values()):
            without_passport.add(school_id)

    def shares(index):
        return [
            {
                "year": int(year), "at_or_above": at_or_above[index][year], "judged": judged[index][year],
                "share": round(100 * at_or_above[index][year] / judged[index][year], 1),
            }
            for year in sorted(judged[index])
        ]  # fmt: skip

    municipalities: dict[int, dict] = {}
    # Every school in service, filtered here: an IN list of a country's 40,000 ids costs more than the rows.
    for school_id, municipality_id, name in School.objects.filter(archived_on__isnull=True).values_list(
        "pk", "municipality_id", "municipality__name"
    ).order_by():
        if school_id not in verdicts:
            continue
        row = municipalities.setdefault(
            municipality_id, {"municipality_id": municipality_id, "name": name, "schools": 0, "with_passport": 0}
        )
        row["schools"] += 1
        row["with_passport"] += school_id not in without_passport
    return {
        "threshold_shares": shares("oip"),
        # Seed 002's second target: «доля школ, преодолевших порог показателя индекса социального благополучия».
        "social_threshold_shares": shares("social"),
        "no_cluster": sum(1 for v in verdicts.values() if v["cluster"] == NO_CLUSTER),
        "no_passport": len(without_passport),
        "passport_by_municipality": sorted(municipalities.values(), key=lambda row: row["name"]),
    }  # fmt: skip


VERDICT_COLUMNS = (
    "run_id", "school_id", "status", "oip", "social_index", "preventive", "curator_candidate", "on_watch",
    "objectivity_flag", "cluster_name", "explanation",
)


def _save_verdicts(run: IdentificationRun, verdicts: dict[int, dict]) -> None:
    """Tens of thousands of rows: PostgreSQL takes them by COPY, other databases by bulk insert."""
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for school_id, v in verdicts.items():
            # The ids, flags and status need no escaping; the rest goes through copy_text.
            # orjson writes the 40,000 explanations in a tenth of the json module's 0.55 s.
            buffer.write(
                f"{run.pk}\t{school_id}\t{v['status']}\t{copy_text(v['oip'])}\t{copy_text(v['social_index'])}\t"
                f"{'t' if v['preventive'] else 'f'}\t{'t' if v['curator_candidate'] else 'f'}\t"
                f"{'t' if v.get('on_watch') else 'f'}\t{'t' if v.get('objectivity_flag') else 'f'}\t"
                f"{copy_text(v['cluster'])}\t{copy_text(orjson.dumps(v['explanation']).decode())}\n"
            )
        buffer.seek(0)
        table = IdentificationVerdict._meta.db_table
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({', '.join(VERDICT_COLUMNS)}) FROM STDIN", buffer)
        data_changed()  # COPY bypasses the cursor wrapper that notices writes
        return
    IdentificationVerdict.objects.bulk_create(
        (
            IdentificationVerdict(
                run=run, school_id=school_id, status=v["status"], oip=v["oip"], social_index=v["social_index"],
                preventive=v["preventive"], curator_candidate=v["curator_candidate"],
                on_watch=v.get("on_watch", False), objectivity_flag=v.get("objectivity_flag", False),
                cluster_name=v["cluster"],
                explanation=v["explanation"],
            )
            for school_id, v in verdicts.items()
        ),
        batch_size=2000,
    )


def run_execute_in_background(run: IdentificationRun) -> None:
    """Start the computation once the run is committed; the run page polls its progress meanwhile.

    On SQLite (the embedded demo database, one writer at a time) and when IDENTIFICATION_INLINE is set,
    the run is computed in the request itself.
    """
    start_after_commit(
        _run_quietly, run.pk, name="identification", inline=getattr(settings, "IDENTIFICATION_INLINE", False)
    )


def _run_quietly(run_pk: int) -> None:
    run = IdentificationRun.objects.get(pk=run_pk)
    try:
        run_execute(run)
    except Exception:  # already recorded on the run as FAILED
        logger.exception("Identification run %s failed", run_pk)


def run_reproduce(run: IdentificationRun) -> dict[int, dict]:
    """Recompute a finished run from its stored inputs and parameters."""
    return compute_verdicts(unpack_inputs(run.inputs), Parameters.from_stored(run.parameters["parameters"]))


def run_approve(*, run: IdentificationRun, actor, order_number: str = "", order_date=None) -> int:
    """Make a finished run the list (перечень) of its year, with the department's changes (`schools.selection`)."""
    from .selection import list_approve  # the list builds on this module

    return list_approve(run=run, actor=actor, order_number=order_number, order_date=order_date)


def approved_run_ids() -> set[int]:
    """Runs whose list is in force for their year."""
    return set(SchoolYearStatus.objects.values_list("run_id", flat=True).distinct().order_by())


def runs_compare(*, old: IdentificationRun, new: IdentificationRun, schools) -> dict[str, list]:
    """Who entered the list, who left it and whose status changed between two runs (within `schools`)."""
    def listed(run):
        return dict(
            run.verdicts.filter(school__in=schools).exclude(status=Status.NONE).values_list("school_id", "status")
        )

    before, after = listed(old), listed(new)
    names = dict(schools.filter(pk__in=before.keys() | after.keys()).values_list("pk", "short_name"))
    label = dict(Status.choices)

    def rows(ids):
        return sorted(
            ({"school_id": pk, "name": names.get(pk, ""), "before": label.get(before.get(pk), "—"),
              "after": label.get(after.get(pk), "—")} for pk in ids),
            key=lambda r: r["name"],
        )

    return {
        "entered": rows(after.keys() - before.keys()),
        "left": rows(before.keys() - after.keys()),
        "changed": rows(pk for pk in before.keys() & after.keys() if before[pk] != after[pk]),
    }
