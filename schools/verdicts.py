"""The verdicts of identification: plain data in, plain data out — the scale, the decision and its words.

* Each criterion gives a school a **score from 0 to 100**: on the relative scale its position among the schools it
  is compared with (its cluster inside its region, or its region) — the share of those schools that do worse,
  counting ties as half; on the absolute scale the value between the criterion's fixed lines. A value that is **low
  by the criterion's rule** (past a fixed line, among the worst N % of the group, or more than k σ worse than the
  group's mean) scores **0**.
* The **integral index of educational results (ОИП)** is the weighted mean of the scores of the result criteria. The
  **social well-being index** is the weighted share of the social-context criteria on which the school is *not* low
  (social risks add up; a position in the middle of the group is not a risk). A year is low when the index is below
  its line (seed 002: ОИП 21, social index 42.7).
* The verdict looks at a window of years (default 3) and needs a number of low years in it (default 2) out of a
  number of years with results (default 2); with fewer, «недостаточно данных» and, when those years are low,
  «на контроле».
* A school above the line whose ОИП fell by `preventive_drop` points within the window and is no more than
  `preventive_margin` above the line gets the preventive flag; a school with ОИП at or above `curator_threshold`,
  never low in the window and on no list, is a curator candidate.

`compute_verdicts` reads nothing from the database: a run stores its inputs (`schools.identification`), so an old run
is recomputed exactly whatever has happened to the criteria since. The explanation in words (`verdict_text`,
`low_criteria_rows`) is written when a page shows a verdict.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import models

NO_CLUSTER = "без кластера"

# IdentificationSettings field → ObjectivitySettings line.
class Status(models.TextChoices):
    """What a verdict decides for a school and a year (stored on verdicts and on the year's statuses)."""

    SHNOR = "shnor", "ШНОР"
    SHNSU = "shnsu", "ШНСУ"
    BOTH = "both", "ШНОР и ШНСУ"
    NONE = "none", "не входит"
    NO_DATA = "no_data", "недостаточно данных"


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


def rounded(values: np.ndarray, digits: int) -> list[float]:
    """Python's round() of each value (numpy's rounds through a multiplication and differs in the last digit),
    once per distinct value: a million criterion values repeat a lot."""
    distinct, where = np.unique(values, return_inverse=True)
    rounded = [round(x, digits) for x in distinct.tolist()]
    return [rounded[i] for i in where.tolist()]


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
    criteria = inputs["criteria"]
    judged = _Judged(clusters, inputs.get("regions"))
    size = len(clusters) * len(years)
    ranked = sorted(range(len(criteria)), key=lambda i: (criteria[i]["kind"], criteria[i]["code"]))
    kinds, lows = _scored_kinds(inputs, judged, parameters, years, ranked)
    low_criteria = _low_criteria(lows, len(clusters), [criteria[i]["code"] for i in ranked], judged.legacy)
    oip, social = _index(kinds, "results", size), _index(kinds, "social", size)
    result_parts = kinds["results"][2].tolist() if "results" in kinds else [0] * size
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


def _scored_kinds(inputs: dict, judged: _Judged, parameters: Parameters, years: list[int], ranked: list[int]):
    """Every criterion scored and summed into its kind's arrays (Σ weight·score, Σ weight, parts), one cell per
    school and year of the window (place × number of years + year's number), criterion after criterion in the run's
    order; and per criterion its low values as (place, year, value, rank, place in group, group size)."""
    size = len(inputs["clusters"]) * len(years)
    first_year = min(years, default=0)
    year_number = np.full(max(years, default=0) - first_year + 1, -1, dtype=np.int64)
    year_number[np.asarray(years, dtype=np.int64) - first_year] = np.arange(len(years))
    rank = {criterion: position for position, criterion in enumerate(ranked)}
    kinds: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    lows = []
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
    return kinds, lows


def _low_criteria(lows: list, schools: int, codes: list[str], legacy: bool) -> list[list[list]]:
    """Per school (by place), its low values by year, kind and code.

    A low value is stored as [year, code, value, place, of]: what the run knows of the criterion (name, unit, line,
    rule, kind, the group compared with) is stored once, with the run — repeated in each of 40,000 verdicts it made
    most of an 85 MB write."""
    low_criteria: list[list[list]] = [[] for _ in range(schools)]
    if lows:
        place, year, value, order, in_group, of = (np.concatenate(column) for column in zip(*lows, strict=True))
        sort = np.lexsort((order, year, place))
        columns = [a[sort].tolist() for a in (place, year, order, in_group, of)]
        for p, y, r, g, o, v in zip(*columns, rounded(value[sort], 2), strict=True):
            low_criteria[p].append([y, codes[r], v] if legacy else [y, codes[r], v, g, o])
    return low_criteria


def _index(kinds: dict, kind: str, size: int) -> list[float | None]:
    """The index of a kind per school and year: the weighted mean of its scores, None where nothing was scored."""
    if kind not in kinds:
        return [None] * size
    weighted, weights, parts = kinds[kind]
    known = (parts > 0) & (weights != 0)
    mean = np.zeros(size)
    mean[known] = weighted[known] / weights[known]
    return [m if k else None for m, k in zip(rounded(mean, 2), known.tolist(), strict=True)]


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
