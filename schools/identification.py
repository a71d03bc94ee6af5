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

import csv
import io
import json
import logging
import math
import zlib
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications import kinds as notice_kinds
from notifications import recipients as notice_recipients
from notifications.services import notify
from shnor_portal.background import start_after_commit
from shnor_portal.freshness import data_changed

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


def _profile_value(field: str, record: dict):
    if field == "share_on_register":
        count, pupils = record["pupils_on_register"], record["pupils"]
        return None if count is None or not pupils else round(100 * count / pupils, 2)
    if field == "share_vacancies":
        vacancies, teachers = record["vacancies"], record["teachers"]
        return None if vacancies is None or not teachers else round(100 * vacancies / (teachers + vacancies), 2)
    return record[field]


def collect_inputs(*, parameters: Parameters, criteria: list[Criterion]) -> dict:
    """Read, in a few queries, everything the computation needs into plain data."""
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
                    measure_ids[measure.pk] = measure.code
    raw = defaultdict(dict)  # (school, year) -> {measure code: value}
    if measure_ids:
        rows = SchoolResult.objects.filter(year__in=years, measure_id__in=measure_ids).values_list(
            "school_id", "year", "measure_id", "value"
        ).order_by()
        for school_id, year, measure_id, value in rows.iterator(chunk_size=20000):
            raw[(school_id, year)][measure_ids[measure_id]] = value

    profile_fields = sorted({s["profile_field"] for s in snapshots if s["profile_field"]})
    profiles = {}  # (school, year) -> {field: value}
    if profile_fields:
        stored = sorted({f for field in profile_fields for f in DERIVED_PROFILE_FIELDS.get(field, (field,))})
        rows = SchoolYearProfile.objects.filter(year__in=years).values_list("school_id", "year", *stored).order_by()
        for school_id, year, *row in rows.iterator(chunk_size=20000):
            record = dict(zip(stored, row, strict=True))
            profiles[(school_id, year)] = {field: _profile_value(field, record) for field in profile_fields}

    values: dict[str, list[list]] = {}
    for snap in snapshots:
        rows = []
        if snap["profile_field"]:
            field = snap["profile_field"]
            for (school_id, year), profile in profiles.items():
                value = profile[field]
                if value is not None:
                    rows.append([school_id, year, float(value)])
        else:
            numerator, denominator = snap["measure"], snap["per_measure"]
            for (school_id, year), measured in raw.items():
                if denominator:
                    base = measured.get(denominator)
                    if not base:
                        continue  # the school did not take this exam that year
                    rows.append([school_id, year, round(100.0 * measured.get(numerator, 0.0) / base, 4)])
                elif numerator in measured:
                    rows.append([school_id, year, measured[numerator]])
        rows.sort()
        values[snap["code"]] = rows
    return {"years": years, "criteria": snapshots, "clusters": schools, "values": values}


def pack_inputs(inputs: dict) -> bytes:
    return zlib.compress(json.dumps(inputs, ensure_ascii=False, separators=(",", ":")).encode(), 1)


def unpack_inputs(blob: bytes) -> dict:
    inputs = json.loads(zlib.decompress(bytes(blob)))
    inputs["clusters"] = {int(k): v for k, v in inputs["clusters"].items()}
    return inputs


# ---------------------------------------------------------------------------------------------
# The computation

RULE_TEXT = {
    "threshold": "порог {line:g} {unit}",
    "percentile": "{line:g} % худших {within}",
    "zscore": "ниже среднего {within} более чем на {line:g} σ",
}
WITHIN_TEXT = {"cluster": "в кластере", "all": "среди всех школ"}


def _score_criterion(snap: dict, rows: list[list], clusters: dict[int, str]):
    """Yield (school, year, value, score, low, group) for one criterion."""
    better_high = snap["direction"] == "higher_better"
    groups = defaultdict(list)
    for school_id, year, value in rows:
        if school_id not in clusters:
            continue
        group = clusters[school_id] if snap["within"] == "cluster" else "все школы"
        groups[(year, group)].append((school_id, value))
    for (year, group), members in groups.items():
        oriented = sorted(v if better_high else -v for _, v in members)
        n = len(oriented)
        mean = math.fsum(oriented) / n
        # statistics.pstdev computes in exact fractions: a third of a 40,000-school run; fsum keeps it accurate.
        sd = math.sqrt(math.fsum((x - mean) ** 2 for x in oriented) / n) if n > 1 else 0.0
        # The score of a value: the share of the group below it plus half of its ties (one pass over the sorted).
        scores, start = {}, 0
        for end in range(1, n + 1):
            if end == n or oriented[end] != oriented[start]:
                scores[oriented[start]] = 100.0 * (start + 0.5 * (end - start)) / n
                start = end
        for school_id, value in members:
            o = value if better_high else -value
            score = scores[o]
            if snap["rule"] == "threshold":
                low = value < snap["line"] if better_high else value > snap["line"]
            elif snap["rule"] == "percentile":
                low = n > 1 and score < snap["line"]
            else:
                low = sd > 0 and (o - mean) / sd < -snap["line"]
            yield school_id, year, value, (0.0 if low else score), low, group


def rule_text(snap: dict) -> str:
    return RULE_TEXT[snap["rule"]].format(line=snap["line"], unit=snap["unit"], within=WITHIN_TEXT[snap["within"]])


def low_criteria_rows(explanation, criteria: list[dict]) -> list[dict]:
    """The low criteria of a verdict's explanation, each with what the run's criteria (`run.parameters["criteria"]`)
    say of it: name, unit, line, kind and the rule in words. Rows stored whole by an earlier version pass as they
    are; a criterion the run does not know keeps its code for a name."""
    if not isinstance(explanation, dict) or not isinstance(explanation.get("criteria"), list):
        return []
    by_code = {snap["code"]: snap for snap in criteria or []}
    rows = []
    for row in explanation["criteria"]:
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
            }
        )
    return rows


def _weighted_mean(parts):
    total_weight = sum(w for w, _ in parts)
    if not total_weight:
        return None
    return round(sum(w * s for w, s in parts) / total_weight, 2)


def compute_verdicts(inputs: dict, parameters: Parameters) -> dict[int, dict]:
    """Per school: status, indices, flags and the explanation. Pure: plain data in, plain data out."""
    clusters = inputs["clusters"]
    years = inputs["years"]
    parts = defaultdict(list)  # (school, year, kind) -> [(weight, score)]
    low_criteria = defaultdict(list)  # school -> [explanation rows]
    for snap in inputs["criteria"]:
        for school_id, year, value, score, low, group in _score_criterion(
            snap, inputs["values"].get(snap["code"], []), clusters
        ):
            if snap["kind"] == "social":
                # Social risks add up: the index counts the criteria on which the school is not low.
                score = 0.0 if low else 100.0
            parts[(school_id, year, snap["kind"])].append((snap["weight"], score))
            if low:
                # What the run knows of the criterion (name, unit, line, rule) is stored once, with the run:
                # repeated in each of 40,000 verdicts it made three quarters of an 85 MB write.
                low_criteria[school_id].append(
                    {"year": year, "code": snap["code"], "value": round(value, 2), "cluster": group, "kind": snap["kind"]}
                )

    verdicts = {}
    for school_id, cluster in clusters.items():
        by_year = {}
        for year in years:
            oip = _weighted_mean(parts.get((school_id, year, "results"), []))
            social = _weighted_mean(parts.get((school_id, year, "social"), []))
            by_year[year] = {
                "oip": oip,
                "social": social,
                "low_results": oip is not None and oip < parameters.oip_threshold,
                "low_social": social is not None and social < parameters.social_threshold,
            }
        verdicts[school_id] = _verdict(school_id, cluster, by_year, low_criteria.get(school_id, []), parameters)
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


def _verdict(school_id, cluster, by_year, low_rows, parameters: Parameters) -> dict:
    notes: list[str] = []
    low_results = _is_listed(by_year, "low_results", "oip", parameters, notes, "Результаты")
    low_social = _is_listed(by_year, "low_social", "social", parameters, notes, "Социальный контекст")
    status = (
        Status.BOTH if low_results and low_social
        else Status.SHNOR if low_results
        else Status.SHNSU if low_social
        else Status.NONE
    )
    oip_series = [(y, v["oip"]) for y, v in sorted(by_year.items()) if v["oip"] is not None]
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

    window = f"{parameters.years[0]}–{parameters.years[-1]}"
    low_result_years = [y for y, v in sorted(by_year.items()) if v["low_results"]]
    low_social_years = [y for y, v in sorted(by_year.items()) if v["low_social"]]
    sentences = [f"Кластер: {cluster}. Окно: {window}."]
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
    if status == Status.NONE and not low_result_years and not low_social_years:
        sentences.append("Ни в одном году окна показатели не опускались ниже порогов.")
    if preventive:
        sentences.append(
            f"Отрицательная динамика: ОИП снизился до {latest_oip:g} — рекомендуется профилактическая поддержка."
        )
    if curator:
        sentences.append(f"Высокие результаты (ОИП {oip:g}): кандидат в школы-кураторы.")
    sentences.extend(notes)
    return {
        "status": status,
        "oip": oip,
        "social_index": social,
        "preventive": preventive,
        "curator_candidate": curator,
        "cluster": cluster,
        "explanation": {
            "text": " ".join(sentences),
            "years": {str(y): v for y, v in sorted(by_year.items())},
            "criteria": sorted(low_rows, key=lambda r: (r["year"], r["kind"], r["code"])),
            "notes": notes,
        },
    }


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
    "run_id", "school_id", "status", "oip", "social_index", "preventive", "curator_candidate", "cluster_name",
    "explanation",
)


def _save_verdicts(run: IdentificationRun, verdicts: dict[int, dict]) -> None:
    """Tens of thousands of rows: PostgreSQL takes them by COPY, other databases by bulk insert."""
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for school_id, v in verdicts.items():
            writer.writerow(
                (
                    run.pk, school_id, v["status"], _csv_number(v["oip"]), _csv_number(v["social_index"]),
                    "t" if v["preventive"] else "f", "t" if v["curator_candidate"] else "f", v["cluster"],
                    json.dumps(v["explanation"], ensure_ascii=False, separators=(",", ":")),
                )
            )
        buffer.seek(0)
        table = IdentificationVerdict._meta.db_table
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({', '.join(VERDICT_COLUMNS)}) FROM STDIN WITH (FORMAT csv)", buffer)
        data_changed()  # COPY bypasses the cursor wrapper that notices writes
        return
    IdentificationVerdict.objects.bulk_create(
        (
            IdentificationVerdict(
                run=run, school_id=school_id, status=v["status"], oip=v["oip"], social_index=v["social_index"],
                preventive=v["preventive"], curator_candidate=v["curator_candidate"], cluster_name=v["cluster"],
                explanation=v["explanation"],
            )
            for school_id, v in verdicts.items()
        ),
        batch_size=2000,
    )


def _csv_number(value):
    return "" if value is None else repr(value)


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
