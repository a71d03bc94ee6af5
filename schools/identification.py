"""Identification of ШНОР/ШНСУ: the yearly run that computes the list, stored with its inputs and reproducible.

A run takes the year's criteria (defaults from the seeds), reads every school's values for the window into plain
arrays (`collect_inputs`), computes the verdicts (`schools.verdicts`, which explains the scale and the decision) and
stores them with the packed inputs, so that `run_reproduce` gives the same verdicts whatever has changed since. See
docs/IDENTIFICATION.md for the department's account of every rule.
"""

import io
import json
import logging
import zlib
from collections import defaultdict
from dataclasses import asdict

import numpy as np
import orjson
from django.db import connection, transaction
from django.db.models import F, IntegerField
from django.db.models.functions import Cast
from django.utils import timezone

from shnor_portal import jobs
from shnor_portal.pg_copy import copy_from, copy_text, number_rows

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
from .verdicts import NO_CLUSTER, Parameters, compute_verdicts, rounded

logger = logging.getLogger(__name__)

class IdentificationError(Exception):
    """A run cannot be started or approved; the message is for the user, in Russian."""


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
def criteria_ensure_for_year(*, region_id: int, year: int) -> list[Criterion]:
    """The region's criteria of the year; when it has none, copy its latest earlier year's, or the defaults."""
    own = Criterion.objects.filter(region_id=region_id)
    existing = list(own.filter(year=year))
    if existing:
        return existing
    previous_year = own.filter(year__lt=year).order_by("-year").values_list("year", flat=True).first()
    if previous_year is not None:
        copies = []
        for criterion in own.filter(year=previous_year):
            criterion.pk = None
            criterion.year = year
            copies.append(criterion)
        return Criterion.objects.bulk_create(copies)

    from .measures import measures_by_code

    codes = {row[3] for row in DEFAULT_CRITERIA if row[3]} | {row[4] for row in DEFAULT_CRITERIA if row[4]}
    measures = measures_by_code(codes)
    created = [
        Criterion(
            region_id=region_id, year=year, code=code, name=name, kind=kind,
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
    return known, np.asarray(rounded(shares, 2), dtype=np.float64)


def collect_inputs(
    *, region_id: int, parameters: Parameters, criteria: list[Criterion], municipality_id: int | None = None
) -> dict:
    """Read, in a few queries, everything the computation needs into plain data: per criterion, the columns
    `school`, `year` and `value` (arrays) of the territory's schools that have a value, ordered by school and year.
    The territory is the region, or one district of it (`municipality_id`: a district's own list, where the region
    allows), so that ranks, percentiles and clusters are computed within it.

    The territory's school ids are read once and the results and profiles then by school id: filtering the country's
    results by region through joins made a region's run 22× its floor (docs/PERFORMANCE.md «A region's run»)."""
    years = parameters.years
    schools, regions, read_ids = _schools_to_judge(IdentificationRun.territory_schools(region_id, municipality_id))
    snapshots = [criterion_snapshot(c) for c in criteria if c.is_active]
    measure_ids = _measure_ids(criteria)
    results = _result_rows(read_ids, years, measure_ids)
    profiles = _profile_columns(read_ids, snapshots, years)
    values: dict[str, dict[str, list]] = {}
    for snap in snapshots:
        if snap["profile_field"]:
            school, year, value = profiles[snap["profile_field"]]
            values[snap["code"]] = _typed_columns({"school": school, "year": year, "value": value})
        else:
            values[snap["code"]] = _typed_columns(_measured_columns(snap, results, measure_ids, first_year=years[0]))
    # The signs of non-objective ВПР of the run's year, read now and kept with the inputs, so that the run explains
    # itself later whatever is imported since; the region's figures are its own schools' (a district's run too).
    signs = objectivity_signs(
        year=parameters.year, region_id=region_id, settings=ObjectivitySettings.from_dict(parameters.objectivity)
    )
    objectivity = {str(pk): signs[pk] for pk in schools if pk in signs}
    return {
        "years": years, "criteria": snapshots, "clusters": schools, "regions": regions, "values": values,
        "objectivity": objectivity,
    }  # fmt: skip


def _schools_to_judge(territory) -> tuple[dict[int, str], dict[int, int], list[int]]:
    """school → its cluster (or «без кластера») and school → its region, of the schools a run judges: those of its
    territory (issue 20: a run covers one territory); and the ids whose rows the run reads — the territory's
    schools in the archive too, so that the stored inputs are what they were when the rows were joined by region."""
    schools, regions, read_ids = {}, {}, []
    for pk, cluster, region, archived_on in (
        territory.values_list("pk", "cluster__name", "municipality__region_id", "archived_on").order_by("pk")
    ):
        read_ids.append(pk)
        # A school in the archive (closed or reorganised) is not put on a new list; its old verdicts stay.
        if archived_on is None:
            schools[pk] = cluster or NO_CLUSTER
            regions[pk] = region
    return schools, regions, read_ids


def _measure_ids(criteria: list[Criterion]) -> dict[str, int]:
    """measure code → id, of the measures the active criteria read (numerators and denominators)."""
    measure_ids = {}
    for c in criteria:
        if c.is_active:
            for measure in (c.measure, c.per_measure):
                if measure is not None:
                    measure_ids[measure.code] = measure.pk
    return measure_ids


def _result_rows(school_ids: list[int], years: list[int], measure_ids: dict[str, int]) -> np.ndarray:
    """The results of those measures in the window, of the territory's schools: rows of (school, year, measure,
    value)."""
    if not measure_ids or not school_ids:
        return np.empty((0, 4))
    return number_rows(
        SchoolResult.objects.filter(year__in=years, measure_id__in=measure_ids.values(), school_id__in=school_ids)
        .values_list("school_id", "year", "measure_id", "value")
        .order_by(),
        columns=4,
    )


def _measured(results: np.ndarray, measure_id: int, first_year: int) -> tuple[np.ndarray, np.ndarray]:
    """One measure's values keyed by (school, year) as one integer, to match a numerator with its denominator."""
    rows = results[results[:, 2] == measure_id]
    keys = rows[:, 0].astype(np.int64) * 64 + (rows[:, 1].astype(np.int64) - first_year)
    order = np.argsort(keys, kind="stable")
    return keys[order], rows[order, 3]


def _measured_columns(snap: dict, results: np.ndarray, measure_ids: dict[str, int], *, first_year: int) -> dict:
    """A result criterion's columns: its measure's values or, with a denominator, their share of it in per cent (a
    school that did not take the denominator's exam that year has no value)."""
    numerator, denominator = snap["measure"], snap["per_measure"]
    keys, numbers = _measured(results, measure_ids[numerator], first_year)
    if denominator:
        keys_base, base = _measured(results, measure_ids[denominator], first_year)
        taken = base != 0  # the school did not take this exam that year
        keys_base, base = keys_base[taken], base[taken]
        at = np.searchsorted(keys, keys_base)
        found = at < len(keys)
        found[found] = keys[at[found]] == keys_base[found]
        counted = np.zeros(len(keys_base))
        counted[found] = numbers[at[found]]
        keys = keys_base
        numbers = rounded(100.0 * counted / base, 4)
    return {"school": keys // 64, "year": keys % 64 + first_year, "value": numbers}


def _profile_columns(school_ids: list[int], snapshots: list[dict], years: list[int]) -> dict[str, tuple]:
    """profile field → (schools, years, values) of the profiles with a value, for the profile criteria."""
    profile_fields = sorted({s["profile_field"] for s in snapshots if s["profile_field"]})
    profiles = {}
    if profile_fields:
        stored = sorted({f for field in profile_fields for f in DERIVED_PROFILE_FIELDS.get(field, (field,))})
        table = number_rows(
            SchoolYearProfile.objects.filter(year__in=years, school_id__in=school_ids)
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
    return profiles


# Packed inputs: the years, criteria and clusters as JSON and each criterion's columns as arrays, in one numpy
# archive, compressed: JSON text of every value was a large share of a country's run (docs/PERFORMANCE.md). Runs
# packed before are zlib-compressed JSON and are read as they are.
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


# ---------------------------------------------------------------------------------------------
# Runs

def _set_progress(run: IdentificationRun, progress: int, stage: str) -> None:
    """A step of the run, with its heartbeat (shnor_portal.jobs); stops the computation if the run was marked
    interrupted or queued again meanwhile."""
    jobs.beat(IdentificationRun.objects.filter(pk=run.pk), state="state", progress=progress, stage=stage)


@transaction.atomic
def run_start(
    *, region_id: int, year: int, actor, parameters: Parameters | None = None, note: str = "",
    municipality_id: int | None = None,
) -> IdentificationRun:
    """Create a queued run of a region (or of a district of it, `municipality_id`, where the region allows) for a
    year with its parameters and criteria (copied into the run)."""
    parameters = parameters or IdentificationSettings.parameters_for(region_id, year)
    if parameters.year != year:
        raise IdentificationError("Год параметров не совпадает с годом запуска.")
    if parameters.min_low_years > parameters.window_years:
        raise IdentificationError("Низких лет не может быть больше, чем лет в окне.")
    if municipality_id is None:
        criteria = criteria_ensure_for_year(region_id=region_id, year=year)
    else:
        criteria = _district_criteria(region_id, municipality_id, year)
    if not any(c.is_active for c in criteria):
        raise IdentificationError(f"На {year} год нет ни одного действующего критерия.")
    return IdentificationRun.objects.create(
        region_id=region_id, municipality_id=municipality_id, year=year,
        parameters={"parameters": asdict(parameters)}, created_by=actor, note=note,
    )  # fmt: skip


def _district_criteria(region_id: int, municipality_id: int, year: int) -> list[Criterion]:
    """A district's run judges by its region's criteria of the year: the district neither keeps its own nor creates
    the region's (they are the regional department's)."""
    if not School.objects.filter(municipality_id=municipality_id, municipality__region_id=region_id).exists():
        raise IdentificationError("В районе нет школ этого региона: запускать идентификацию не по чему.")
    if not IdentificationSettings.districts_may_identify(region_id, year):
        raise IdentificationError(
            f"Регион не разрешил районам формировать свои перечни на {year} год: перечень формирует министерство."
        )
    criteria = list(Criterion.objects.filter(region_id=region_id, year=year))
    if not criteria:
        raise IdentificationError(f"Критерии региона на {year} год ещё не созданы: их создаёт министерство образования.")
    return criteria


def run_execute(run: IdentificationRun) -> IdentificationRun:
    """Compute the verdicts of a queued run, reporting progress as it goes."""
    parameters = Parameters.from_stored(run.parameters["parameters"])
    try:
        IdentificationRun.objects.filter(pk=run.pk).update(state=IdentificationRun.State.RUNNING, beat_at=timezone.now())
        _set_progress(run, 5, "Чтение результатов и профилей школ")
        criteria = list(
            Criterion.objects.filter(region_id=run.region_id, year=run.year, is_active=True)
            .select_related("measure", "per_measure")
        )
        inputs = collect_inputs(
            region_id=run.region_id, parameters=parameters, criteria=criteria, municipality_id=run.municipality_id
        )
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
            run.summary = run_summary(verdicts, parameters, territory=run.schools)
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


def run_summary(verdicts: dict[int, dict], parameters: Parameters, *, territory=None) -> dict:
    """What a department reads before it signs: per year, the share of schools at or above the ОИП line and the
    social index line (seed 002: «доля школ, преодолевших порог ОИП не менее 21», «… индекса социального
    благополучия не менее 42,7»), the schools without a cluster and without a social passport, and the passport's
    completeness per municipality. `territory`: the schools the run covers (its region's), read instead of the
    country's."""
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
    # The territory's schools in service, filtered here: an IN list of a country's 40,000 ids costs more than the rows.
    schools = School.objects.all() if territory is None else territory
    for school_id, municipality_id, name in schools.filter(archived_on__isnull=True).values_list(
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
            # orjson, not the json module: the explanations of a country's run (docs/PERFORMANCE.md).
            buffer.write(
                f"{run.pk}\t{school_id}\t{v['status']}\t{copy_text(v['oip'])}\t{copy_text(v['social_index'])}\t"
                f"{'t' if v['preventive'] else 'f'}\t{'t' if v['curator_candidate'] else 'f'}\t"
                f"{'t' if v.get('on_watch') else 'f'}\t{'t' if v.get('objectivity_flag') else 'f'}\t"
                f"{copy_text(v['cluster'])}\t{copy_text(orjson.dumps(v['explanation']).decode())}\n"
            )
        buffer.seek(0)
        table = IdentificationVerdict._meta.db_table
        with connection.cursor() as cursor:
            copy_from(cursor, f"COPY {table} ({', '.join(VERDICT_COLUMNS)}) FROM STDIN", buffer.getvalue())
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


def run_reproduce(run: IdentificationRun) -> dict[int, dict]:
    """Recompute a finished run from its stored inputs and parameters."""
    return compute_verdicts(unpack_inputs(run.inputs), Parameters.from_stored(run.parameters["parameters"]))


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
