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
from dataclasses import asdict, dataclass

import numpy as np
import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications import kinds as notice_kinds
from notifications import recipients as notice_recipients
from notifications.services import notify
from shnor_portal.background import start_after_commit
from shnor_portal.freshness import data_changed
from shnor_portal.pg_copy import copy_text

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

logger = logging.getLogger(__name__)

NO_CLUSTER = "без кластера"


class IdentificationError(Exception):
    """A run cannot be started or approved; the message is for the user, in Russian."""


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

    @property
    def years(self) -> list[int]:
        return list(range(self.year - self.window_years + 1, self.year + 1))

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
]


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
            compare_within=within,
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
    }


# Profile criteria computed from two stored fields: (numerator, denominator) → per 100.
DERIVED_PROFILE_FIELDS = {
    "share_on_register": ("pupils_on_register", "pupils"),
    "share_vacancies": ("vacancies", "teachers"),
}


def _profile_values(field: str, column) -> tuple[np.ndarray, np.ndarray]:
    """Which profiles have a value of the criterion's field, and the values; `column(name)` is a stored field's
    column with NaN for no value. The shares per 100 are rounded by Python's round() to two places."""
    if field == "share_on_register":
        count, pupils = column("pupils_on_register"), column("pupils")
        known = ~np.isnan(count) & ~np.isnan(pupils) & (pupils != 0)
        shares = 100 * count[known] / pupils[known]
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


def _number_rows(queryset, *, columns: int) -> np.ndarray:
    """The rows of a values_list of numbers as one array, NaN for NULL. PostgreSQL sends them by COPY, which
    numpy parses in C: half the time of a million rows fetched as Python tuples. Floats come back exact (shortest
    round-trip text, PostgreSQL 12 and later)."""
    if connection.vendor == "postgresql":
        sql, params = queryset.query.sql_with_params()
        buffer = io.StringIO()
        with connection.cursor() as cursor:
            cursor.copy_expert(cursor.mogrify(f"COPY ({sql}) TO STDOUT", params).decode(), buffer)
        if not buffer.tell():
            return np.empty((0, columns))
        text = buffer.getvalue().replace("\\N", "nan")
        return np.loadtxt(io.StringIO(text), delimiter="\t", dtype=np.float64, ndmin=2)
    rows = list(queryset.iterator(chunk_size=20000))
    return np.array(rows, dtype=np.float64).reshape(-1, columns)


def collect_inputs(*, parameters: Parameters, criteria: list[Criterion]) -> dict:
    """Read, in a few queries, everything the computation needs into plain data: per criterion, the columns
    `school`, `year` and `value` (arrays) of the schools that have a value, ordered by school and year."""
    years = parameters.years
    schools = {
        pk: cluster or NO_CLUSTER
        # A school in the archive (closed or reorganised) is not put on a new list; its old verdicts stay.
        for pk, cluster in School.objects.filter(archived_on__isnull=True).values_list("pk", "cluster__name").order_by()
    }
    snapshots = [criterion_snapshot(c) for c in criteria if c.is_active]
    measure_ids = {}
    for c in criteria:
        if c.is_active:
            for measure in (c.measure, c.per_measure):
                if measure is not None:
                    measure_ids[measure.code] = measure.pk
    results = np.empty((0, 4))
    if measure_ids:
        results = _number_rows(
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
        table = _number_rows(
            SchoolYearProfile.objects.filter(year__in=years)
            .values_list("school_id", "year", *stored)
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
    return {"years": years, "criteria": snapshots, "clusters": schools, "values": values}


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
    "threshold": "порог {line:g} {unit}",
    "percentile": "{line:g} % худших {within}",
    "zscore": "ниже среднего {within} более чем на {line:g} σ",
}
WITHIN_TEXT = {"cluster": "в кластере", "all": "среди всех школ"}


def _lookup(table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """table[key] for each key, −1 for a key outside the table."""
    inside = (keys >= 0) & (keys < len(table))
    found = np.full(len(keys), -1, dtype=np.int64)
    found[inside] = table[keys[inside]]
    return found


class _Judged:
    """The schools a run judges, as arrays indexed by school id: each school's place (0…n−1, in the order of
    the run's clusters) and its cluster as a number; −1 for a school the run does not judge."""

    def __init__(self, clusters: dict[int, str]):
        self.names = sorted(set(clusters.values()))
        number = {name: i for i, name in enumerate(self.names)}
        ids = np.fromiter(clusters, dtype=np.int64, count=len(clusters))
        size = int(ids.max()) + 1 if len(ids) else 0
        self.place = np.full(size, -1, dtype=np.int64)
        self.place[ids] = np.arange(len(ids))
        self.cluster = np.full(size, -1, dtype=np.int64)
        self.cluster[ids] = np.fromiter((number[c] for c in clusters.values()), dtype=np.int64, count=len(ids))


@dataclass
class Scored:
    """One criterion's values of the judged schools, each with its score (0 when low)."""

    school: np.ndarray
    year: np.ndarray
    value: np.ndarray
    score: np.ndarray
    low: np.ndarray


def _score_criterion(snap: dict, values, judged: _Judged) -> Scored:
    """Score one criterion's values within their groups (year × cluster, or year × all schools)."""
    school, year, value = _columns(values)
    cluster = _lookup(judged.cluster, school)
    kept = cluster >= 0
    school, year, value, cluster = school[kept], year[kept], value[kept], cluster[kept]
    group = cluster if snap["within"] == "cluster" else np.full(len(school), -1, dtype=np.int64)
    oriented = value if snap["direction"] == "higher_better" else -value
    n = len(school)
    if n == 0:
        empty = np.zeros(0)
        return Scored(school, year, value, empty, empty.astype(bool))
    # Sorted by group, then by the oriented value: a group is a run of equal keys, ties are runs inside it.
    key = (year - year.min()) * (len(judged.names) + 1) + (group + 1)
    order = np.lexsort((oriented, key))
    school, year, value, oriented, key = (a[order] for a in (school, year, value, oriented, key))
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = key[1:] != key[:-1]
    new_tie = new_group.copy()
    new_tie[1:] |= oriented[1:] != oriented[:-1]
    group_start = np.flatnonzero(new_group)
    group_size = np.diff(np.append(group_start, n))
    tie_start = np.flatnonzero(new_tie)
    tie_size = np.diff(np.append(tie_start, n))
    in_group = np.cumsum(new_group) - 1
    in_tie = np.cumsum(new_tie) - 1
    size = group_size[in_group]
    # The share of the group below the value plus half of its ties.
    score = 100.0 * ((tie_start[in_tie] - group_start[in_group]) + 0.5 * tie_size[in_tie]) / size
    line = snap["line"]
    if snap["rule"] == "threshold":
        low = value < line if snap["direction"] == "higher_better" else value > line
    elif snap["rule"] == "percentile":
        low = (size > 1) & (score < line)
    else:
        mean, sd = np.empty(len(group_start)), np.empty(len(group_start))
        for number, (start, count) in enumerate(zip(group_start.tolist(), group_size.tolist(), strict=True)):
            members = oriented[start : start + count]
            # fsum: exact whatever the order, as the earlier one-school-at-a-time computation was.
            mean[number] = math.fsum(members) / count
            sd[number] = math.sqrt(math.fsum((members - mean[number]) ** 2) / count) if count > 1 else 0.0
        sd_of, mean_of = sd[in_group], mean[in_group]
        spread = sd_of > 0
        low = np.zeros(n, dtype=bool)
        low[spread] = (oriented[spread] - mean_of[spread]) / sd_of[spread] < -line
    return Scored(school, year, value, np.where(low, 0.0, score), low)


def rule_text(snap: dict) -> str:
    return RULE_TEXT[snap["rule"]].format(line=snap["line"], unit=snap["unit"], within=WITHIN_TEXT[snap["within"]])


def low_criteria_rows(explanation, criteria: list[dict], cluster: str = "") -> list[dict]:
    """The low criteria of a verdict's explanation, each with what the run's criteria (`run.parameters["criteria"]`)
    say of it: name, unit, line, kind, the rule in words and the group the school was compared with (its
    `cluster`, or all schools). Rows stored whole by an earlier version pass as they are; a criterion the run does
    not know keeps its code for a name."""
    if not isinstance(explanation, dict) or not isinstance(explanation.get("criteria"), list):
        return []
    by_code = {snap["code"]: snap for snap in criteria or []}
    rows = []
    for row in explanation["criteria"]:
        if isinstance(row, list) and len(row) == 3:  # [year, code, value], as runs store them
            row = dict(zip(("year", "code", "value"), row, strict=True))
        if not isinstance(row, dict):
            continue
        snap = by_code.get(row.get("code"))
        if "name" in row or snap is None:
            rows.append({"name": row.get("code", ""), "unit": "", "rule_text": "", **row, "low": True})
            continue
        rows.append(
            {
                **row, "low": True, "name": snap["name"], "unit": snap["unit"], "line": snap["line"],
                "kind": snap["kind"], "rule_text": rule_text(snap),
                "cluster": row.get("cluster") or (cluster if snap["within"] == "cluster" else "все школы"),
            }
        )
    return rows


def compute_verdicts(inputs: dict, parameters: Parameters) -> dict[int, dict]:
    """Per school: status, indices, flags and the explanation. Pure: plain data in, plain data out.

    The criteria are scored as arrays; each index is summed criterion by criterion in the order of the run's
    criteria, as the one-school-at-a-time computation before did, so that old runs are reproduced exactly."""
    clusters = inputs["clusters"]
    years = list(inputs["years"])
    judged = _Judged(clusters)
    size = len(clusters) * len(years)
    first_year = min(years, default=0)
    year_number = np.full(max(years, default=0) - first_year + 1, -1, dtype=np.int64)
    year_number[np.asarray(years, dtype=np.int64) - first_year] = np.arange(len(years))
    kinds: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # kind -> (Σ weight·score, Σ weight, parts)
    criteria = inputs["criteria"]
    ranked = sorted(range(len(criteria)), key=lambda i: (criteria[i]["kind"], criteria[i]["code"]))
    rank = {criterion: position for position, criterion in enumerate(ranked)}
    lows = []  # per criterion: (place, year, value, group, rank) of the low values
    for position, snap in enumerate(inputs["criteria"]):
        scored = _score_criterion(snap, inputs["values"].get(snap["code"], []), judged)
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
        lows.append((place[low], scored.year[low], scored.value[low], np.full(len(low), rank[position])))

    def index(kind: str) -> list[float | None]:
        if kind not in kinds:
            return [None] * size
        weighted, weights, parts = kinds[kind]
        known = (parts > 0) & (weights != 0)
        mean = np.zeros(size)
        mean[known] = weighted[known] / weights[known]
        return [m if k else None for m, k in zip(_rounded(mean, 2), known.tolist(), strict=True)]

    # A low value is stored as [year, code, value]: what the run knows of the criterion (name, unit, line, rule,
    # kind, the group compared with) is stored once, with the run — repeated in each of 40,000 verdicts it made
    # most of an 85 MB write. A school's low values go by year, kind and code.
    low_criteria: list[list[dict]] = [[] for _ in clusters]
    if lows:
        place, year, value, order = (np.concatenate(column) for column in zip(*lows, strict=True))
        sort = np.lexsort((order, year, place))
        codes = [criteria[i]["code"] for i in ranked]
        columns = [a[sort].tolist() for a in (place, year, order)]
        for p, y, r, v in zip(*columns, _rounded(value[sort], 2), strict=True):
            low_criteria[p].append([y, codes[r], v])

    oip, social = index("results"), index("social")
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
            }
        verdicts[school_id] = _verdict(school_id, cluster, by_year, low_criteria[place], parameters)
    return verdicts


def _years_word(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "года"
    return "лет"


def _is_listed(by_year: dict, key: str, index: str, parameters: Parameters, notes: list[str], label: str) -> bool:
    with_data = [y for y, v in by_year.items() if v[index] is not None]
    low = [y for y in with_data if by_year[y][key]]
    if not with_data:
        return False
    if len(with_data) < len(by_year):
        notes.append(
            f"{label}: данные есть за {len(with_data)} {_years_word(len(with_data))} из {len(by_year)} "
            f"({', '.join(map(str, with_data))})."
        )
    if len(with_data) < parameters.min_low_years:
        notes.append(f"{label}: лет с данными меньше, чем нужно низких лет, — решение по имеющимся годам.")
        return len(low) == len(with_data)
    return len(low) >= parameters.min_low_years


def _listing(by_year: dict, parameters: Parameters) -> tuple[bool, bool, list[str]]:
    """Whether the years put the school on the list by results and by social context, and what the decision had to
    say about missing years."""
    notes: list[str] = []
    low_results = _is_listed(by_year, "low_results", "oip", parameters, notes, "Результаты")
    low_social = _is_listed(by_year, "low_social", "social", parameters, notes, "Социальный контекст")
    return low_results, low_social, notes


def _oip_series(by_year: dict) -> list[tuple[int, float]]:
    return [(y, v["oip"]) for y, v in sorted(by_year.items()) if v["oip"] is not None]


def _verdict(school_id, cluster, by_year, low_rows, parameters: Parameters) -> dict:
    low_results, low_social, _notes = _listing(by_year, parameters)
    status = (
        Status.BOTH if low_results and low_social
        else Status.SHNOR if low_results
        else Status.SHNSU if low_social
        else Status.NONE
    )
    oip_series = _oip_series(by_year)
    current = by_year.get(parameters.year, {})
    oip, social = current.get("oip"), current.get("social")
    latest_oip = oip_series[-1][1] if oip_series else None

    preventive = False
    if not low_results and latest_oip is not None and len(oip_series) > 1:
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
    return {
        "status": status,
        "oip": oip,
        "social_index": social,
        "preventive": preventive,
        "curator_candidate": curator,
        "cluster": cluster,
        # The indices of each year and the low criteria. The explanation in words follows from them, the verdict
        # and the run's parameters (`verdict_text`), and is written when a page shows it: stored with each of
        # 40,000 verdicts it was a third of what a run wrote.
        "explanation": {
            "years": {str(y): {"oip": v["oip"], "social": v["social"]} for y, v in sorted(by_year.items())},
            "criteria": low_rows,  # in order of year, kind and code (compute_verdicts)
        },
    }


def verdict_text(verdict: dict, parameters: Parameters | None) -> str:
    """A verdict's explanation in words: the cluster and window, the low years of each index, the flags and what
    the decision had to say about missing years. `verdict` is what `compute_verdicts` gives for a school (a stored
    verdict passes its fields, see `IdentificationVerdict.explanation_text`); an explanation stored whole by an
    earlier version keeps its text."""
    explanation = verdict.get("explanation")
    if not isinstance(explanation, dict):
        return str(explanation or "")
    if "text" in explanation:
        return explanation["text"] or ""
    if parameters is None:  # a run without its parameters cannot be explained
        return ""
    by_year = {}
    for year, indices in sorted((int(y), v) for y, v in (explanation.get("years") or {}).items()):
        oip, social = indices.get("oip"), indices.get("social")
        by_year[year] = {
            "oip": oip,
            "social": social,
            "low_results": oip is not None and oip < parameters.oip_threshold,
            "low_social": social is not None and social < parameters.social_threshold,
        }
    _low_results, _low_social, notes = _listing(by_year, parameters)
    oip_series = _oip_series(by_year)
    latest_oip = oip_series[-1][1] if oip_series else None
    low_result_years = [y for y, v in by_year.items() if v["low_results"]]
    low_social_years = [y for y, v in by_year.items() if v["low_social"]]
    sentences = [f"Кластер: {verdict.get('cluster')}. Окно: {parameters.years[0]}–{parameters.years[-1]}."]
    if low_result_years:
        sentences.append(
            f"ОИП ниже порога {parameters.oip_threshold:g} в {', '.join(map(str, low_result_years))} "
            f"(нужно лет: {parameters.min_low_years})."
        )
    if low_social_years:
        sentences.append(
            f"Индекс социального благополучия ниже порога {parameters.social_threshold:g} "
            f"в {', '.join(map(str, low_social_years))}."
        )
    if verdict.get("status") == Status.NONE and not low_result_years and not low_social_years:
        sentences.append("Ни в одном году окна показатели не опускались ниже порогов.")
    if verdict.get("preventive") and latest_oip is not None:
        sentences.append(
            f"Отрицательная динамика: ОИП снизился до {latest_oip:g} — рекомендуется профилактическая поддержка."
        )
    if verdict.get("curator_candidate") and verdict.get("oip") is not None:
        sentences.append(f"Высокие результаты (ОИП {verdict['oip']:g}): кандидат в школы-кураторы.")
    sentences.extend(notes)
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
    parameters = Parameters(**run.parameters["parameters"])
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
    return compute_verdicts(unpack_inputs(run.inputs), Parameters(**run.parameters["parameters"]))


@transaction.atomic
def run_approve(*, run: IdentificationRun, actor) -> int:
    """Make a finished run the list (перечень) of its year: every school's status for the year is set from it."""
    run = IdentificationRun.objects.select_for_update().get(pk=run.pk)
    if run.state != IdentificationRun.State.DONE:
        raise IdentificationError("Утвердить можно только завершённый запуск.")
    SchoolYearStatus.objects.filter(year=run.year).delete()
    statuses = [
        SchoolYearStatus(
            school_id=school_id, year=run.year, status=status, preventive=preventive,
            curator_candidate=curator, run=run,
        )
        for school_id, status, preventive, curator in run.verdicts.values_list(
            "school_id", "status", "preventive", "curator_candidate"
        )
    ]
    SchoolYearStatus.objects.bulk_create(statuses, batch_size=5000)
    run.approved_by, run.approved_at = actor, timezone.now()
    run.save(update_fields=["approved_by", "approved_at"])
    notify(
        kind=notice_kinds.LIST_APPROVED,
        recipients=notice_recipients.people_of_list(run),
        target=run,
        title=f"Утверждён перечень ШНОР/ШНСУ на {run.year} год",
        body=(
            f"Управление образования утвердило перечень: ШНОР — {run.shnor_count}, ШНСУ — {run.shnsu_count} "
            f"(из них и то и другое — {run.both_count}). Статусы школ, которые вы видите, с пояснениями — "
            "на странице перечня."
        ),
        actor=actor,
    )
    return len(statuses)


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
