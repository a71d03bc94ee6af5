"""Signs of non-objective ВПР results («признаки необъективности»), per school and year.

The signs follow what Rosobrnadzor and ФИОКО describe publicly (see docs/IDENTIFICATION.md, «Признаки
необъективности ВПР»): ВПР results that the same school's ГИА does not confirm, a share of «5» far above the rest of
the region, many participants exactly at a mark boundary, ВПР marks far from the term marks. A sign is a reason to
look, never a verdict: the identification run shows the signs beside its verdict and changes nothing by them.

`objectivity_signs_from` works on plain rows only, so a run can store its thresholds (`ObjectivitySettings.as_dict`)
and explain itself later; `objectivity_signs` reads a year's rows in one query and calls it.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

import numpy as np

from shnor_portal.pg_copy import number_rows

from .measures import EGE_SUBJECTS
from .models import Measure, School, SchoolResult

CODE_PATTERN = r"^(vpr|oge|ege)-.+-(participants|mean_score|mark_5|at_boundary|term_mean)$"

# ВПР and ОГЭ speak of mathematics without a level; at ЕГЭ its counterpart is the profile level.
EGE_SUBJECT_FOR = {"math": "math_profile"}

SUBJECT_DATIVE = {
    "russian": "русскому языку",
    "math": "математике",
    "physics": "физике",
    "chemistry": "химии",
    "biology": "биологии",
    "history": "истории",
    "geography": "географии",
    "social": "обществознанию",
    "literature": "литературе",
    "informatics": "информатике",
    "english": "английскому языку",
    "german": "немецкому языку",
    "french": "французскому языку",
    "spanish": "испанскому языку",
    "chinese": "китайскому языку",
    "foreign": "иностранному языку",
}

SUBJECT_ORDER = {code: number for number, (code, _name, _words) in enumerate(EGE_SUBJECTS)}

# Absorbs float noise such as 4.1 - 3.1 = 0.9999999999999996 when a value sits exactly on its line.
EPSILON = 1e-9


@dataclass(frozen=True)
class ObjectivitySettings:
    """The lines of the signs; a sign fires when the school's value reaches its line."""

    oge_mean_gap: float = 1.0  # ВПР mean mark above the ОГЭ mean mark by this much (marks of the 5-point scale)
    top_share_ratio: float = 2.5  # share of «5» this many times the share of the rest of the region …
    top_share_min: float = 30.0  # … and at least this share, %
    boundary_share: float = 25.0  # share of participants exactly at a mark boundary, %
    term_gap: float = 0.8  # ВПР mean mark away from the term (year) mean mark by this much, either way
    ege_rank_gap: float = 50.0  # position in the region by ВПР above the position by ЕГЭ by this many points
    min_region_schools: int = 5  # schools of the region with both results needed to speak of positions
    min_participants: int = 10  # participants of each compared result needed to judge a school

    @classmethod
    def from_dict(cls, data: dict | None) -> "ObjectivitySettings":
        """Settings stored by `as_dict`; a missing or empty value keeps its default, an unknown key is ignored."""
        data = data or {}
        values = {}
        for field in fields(cls):
            value = data.get(field.name)
            if value is not None and value != "":
                values[field.name] = type(field.default)(float(value))
        return cls(**values)

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# Words and numbers


def _number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _mark(value: float) -> str:
    """A mean mark or score with one or two decimals, as returns give them: 4.6 → «4,6», 3.87 → «3,87»."""
    text = _number(value, 2)
    return text[:-1] if text.endswith("0") else text


def _line(value: float, *, marks: bool = False) -> str:
    """A line as the department wrote it: 25 → «25», 2.5 → «2,5»; a line in marks keeps one decimal, 1 → «1,0»."""
    for digits in (0, 1, 2, 3):
        if abs(round(value, digits) - value) < EPSILON:
            return _number(value, max(digits, 1) if marks else digits)
    return _number(value, 3)


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def _vpr(subject: str) -> str:
    dative = SUBJECT_DATIVE.get(subject)
    return f"ВПР по {dative}" if dative else f"ВПР ({subject})"


def _reaches(value: float, line: float) -> bool:
    return value >= line - EPSILON


# ---------------------------------------------------------------------------------------------
# The signs. `values` maps a school's measure codes to values; each sign gives a sentence or None.


class _Year:
    """One year's rows arranged for the signs: values per school, the school's region, region totals."""

    def __init__(self, rows: Iterable, settings: ObjectivitySettings):
        self.settings = settings
        self.values: dict[int, dict[str, float]] = defaultdict(dict)
        self.region: dict[int, int] = {}
        for school_id, region_id, code, value in rows:
            if value is None:
                continue
            self.values[school_id][code] = float(value)
            self.region[school_id] = region_id
        self.subjects = sorted(
            {_subject(code) for values in self.values.values() for code in values if code.startswith("vpr-")} - {""},
            key=lambda subject: (SUBJECT_ORDER.get(subject, len(SUBJECT_ORDER)), subject),
        )
        self.top_totals = self._top_totals()
        self.positions = self._ege_positions()

    def enough(self, school_id: int, exam: str, subject: str) -> bool:
        participants = self.values[school_id].get(f"{exam}-{subject}-participants")
        return participants is not None and participants >= self.settings.min_participants

    def _top_totals(self) -> dict[tuple[int, str], tuple[float, float]]:
        """(region, subject) → (number of «5», participants) over the region's schools that report both."""
        totals: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for school_id, values in self.values.items():
            for subject in self.subjects:
                top, participants = values.get(f"vpr-{subject}-mark_5"), values.get(f"vpr-{subject}-participants")
                if top is not None and participants:
                    total = totals[(self.region[school_id], subject)]
                    total[0] += top
                    total[1] += participants
        return {key: (top, participants) for key, (top, participants) in totals.items()}

    def _ege_positions(self) -> dict[tuple[int, str], tuple[float, float]]:
        """(school, subject) → positions (0–100) by the ВПР mean mark and by the ЕГЭ mean score among the schools of
        the region judged on both; a region with fewer such schools than `min_region_schools` gives none."""
        groups: dict[tuple[int, str], dict[int, tuple[float, float]]] = defaultdict(dict)
        for school_id, values in self.values.items():
            for subject in self.subjects:
                ege = EGE_SUBJECT_FOR.get(subject, subject)
                vpr_mean, ege_mean = values.get(f"vpr-{subject}-mean_score"), values.get(f"ege-{ege}-mean_score")
                if vpr_mean is None or ege_mean is None:
                    continue
                if self.enough(school_id, "vpr", subject) and self.enough(school_id, "ege", ege):
                    groups[(self.region[school_id], subject)][school_id] = (vpr_mean, ege_mean)
        positions = {}
        for (_region, subject), members in groups.items():
            if len(members) < max(self.settings.min_region_schools, 2):
                continue
            by_vpr = _positions({school: pair[0] for school, pair in members.items()})
            by_ege = _positions({school: pair[1] for school, pair in members.items()})
            for school_id in members:
                positions[(school_id, subject)] = (by_vpr[school_id], by_ege[school_id])
        return positions


def _subject(code: str) -> str:
    """The subject of a `<exam>-<subject>-<metric>` code; "" for a code without one."""
    parts = code.split("-")
    return "-".join(parts[1:-1])


def _positions(values: dict[int, float]) -> dict[int, float]:
    """Each school's share of the other schools with a lower value, ties counting half, in %."""
    ordered = sorted(values.values())
    others = len(ordered) - 1
    result = {}
    for school_id, value in values.items():
        lower = bisect_left(ordered, value)
        equal = bisect_right(ordered, value) - lower - 1
        result[school_id] = (lower + equal / 2) / others * 100
    return result


def _oge_sign(year: _Year, school_id: int, subject: str) -> str | None:
    values, line = year.values[school_id], year.settings.oge_mean_gap
    vpr, oge = values.get(f"vpr-{subject}-mean_score"), values.get(f"oge-{subject}-mean_score")
    if vpr is None or oge is None or not year.enough(school_id, "oge", subject) or not _reaches(vpr - oge, line):
        return None
    return (
        f"{_vpr(subject)}: средняя отметка {_mark(vpr)} при средней отметке ОГЭ {_mark(oge)} — "
        f"выше на {_mark(vpr - oge)} балла (граница {_line(line, marks=True)})"
    )


def _ege_sign(year: _Year, school_id: int, subject: str) -> str | None:
    positions = year.positions.get((school_id, subject))
    if positions is None:
        return None
    by_vpr, by_ege = positions
    line = year.settings.ege_rank_gap
    if not _reaches(by_vpr - by_ege, line):
        return None
    values = year.values[school_id]
    vpr, ege = values[f"vpr-{subject}-mean_score"], values[f"ege-{EGE_SUBJECT_FOR.get(subject, subject)}-mean_score"]
    return (
        f"{_vpr(subject)}: средняя отметка {_mark(vpr)} выше, чем у {by_vpr:.0f} % остальных школ региона, а средний "
        f"балл ЕГЭ {_mark(ege)} — чем у {by_ege:.0f} % (разница позиций {by_vpr - by_ege:.0f}, граница {_line(line)})"
    )


def _top_share_sign(year: _Year, school_id: int, subject: str) -> str | None:
    values, settings = year.values[school_id], year.settings
    top, participants = values.get(f"vpr-{subject}-mark_5"), values.get(f"vpr-{subject}-participants")
    if top is None or not participants:
        return None
    region_top, region_participants = year.top_totals[(year.region[school_id], subject)]
    rest_top, rest_participants = region_top - top, region_participants - participants
    if rest_participants <= 0:  # no other school of the region to compare with
        return None
    share, rest_share = top / participants, rest_top / rest_participants
    if not _reaches(share * 100, settings.top_share_min) or not _reaches(share, settings.top_share_ratio * rest_share):
        return None
    return (
        f"доля «5» по {_vpr(subject)} {_percent(share)} при {_percent(rest_share)} по остальным школам региона "
        f"(граница: в {_line(settings.top_share_ratio)} раза выше и не меньше {_line(settings.top_share_min)} %)"
    )


def _boundary_sign(year: _Year, school_id: int, subject: str) -> str | None:
    values, line = year.values[school_id], year.settings.boundary_share
    at_boundary, participants = values.get(f"vpr-{subject}-at_boundary"), values.get(f"vpr-{subject}-participants")
    if at_boundary is None or not participants or not _reaches(at_boundary / participants * 100, line):
        return None
    share = _percent(at_boundary / participants)
    return f"{_vpr(subject)}: на границе отметки {share} участников (граница {_line(line)} %)"


def _term_sign(year: _Year, school_id: int, subject: str) -> str | None:
    values, line = year.values[school_id], year.settings.term_gap
    vpr, term = values.get(f"vpr-{subject}-mean_score"), values.get(f"vpr-{subject}-term_mean")
    if vpr is None or term is None or not _reaches(abs(vpr - term), line):
        return None
    return (
        f"{_vpr(subject)} расходится с четвертными отметками на {_mark(abs(vpr - term))} балла: средняя отметка "
        f"{_mark(vpr)}, средняя четвертная (годовая) {_mark(term)} (граница {_line(line, marks=True)})"
    )


SIGNS = (_oge_sign, _ege_sign, _top_share_sign, _boundary_sign, _term_sign)


def _capitalized(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def objectivity_signs_from(rows: Iterable, *, year: int, settings: ObjectivitySettings) -> dict[int, list[str]]:
    """The signs of non-objective ВПР results of each school, as Russian sentences with the values and the lines.

    `rows` are (school_id, region_id, measure_code, value) of one `year` — ВПР, ОГЭ and ЕГЭ measures, codes
    `<exam>-<subject>-<metric>`. A school is judged on a ВПР subject only when the number of its ВПР participants
    in it is known and reaches `settings.min_participants` (and so for the ОГЭ or ЕГЭ result it is compared with);
    a sign needs both of the numbers it compares. The region's figures come from the school's own region only.
    Schools with no sign are left out of the result; the order is that of the subjects, then of the signs.
    """
    arranged = _Year(rows, settings)
    signs: dict[int, list[str]] = {}
    for school_id in sorted(arranged.values):
        sentences = [
            _capitalized(sentence)
            for subject in arranged.subjects
            if arranged.enough(school_id, "vpr", subject)
            for sign in SIGNS
            if (sentence := sign(arranged, school_id, subject))
        ]
        if sentences:
            signs[school_id] = sentences
    return signs


def objectivity_signs(
    *,
    year: int,
    school_ids: Iterable[int] | None = None,
    settings: ObjectivitySettings | None = None,
    region_id: int | None = None,
) -> dict[int, list[str]]:
    """`objectivity_signs_from` on the year's results, read in a constant number of queries. With `school_ids`,
    only those schools are returned, but every school of their regions is read, since the region's figures are made
    of them. With `region_id` (a run's), only that region's schools are read: their ids once, then their results by
    id — no join of the country's results to the schools.

    A year without ВПР loaded reads one index entry, not a country's million ЕГЭ values. The measures are looked up
    first and passed as literal ids: a semi-join on a regular expression over freshly written tables made the planner
    loop for minutes.
    """
    measures = dict(Measure.objects.filter(code__regex=CODE_PATTERN).values_list("pk", "code"))
    vpr = [pk for pk, code in measures.items() if code.startswith("vpr-")]
    if not vpr or not SchoolResult.objects.filter(year=year, measure_id__in=vpr).exists():
        return {}
    # Only the ОГЭ and ЕГЭ subjects a ВПР measure can be compared with: a country's other ЕГЭ subjects are most of
    # its rows and no sign reads them.
    subjects = {_subject(measures[pk]) for pk in vpr}
    subjects |= {EGE_SUBJECT_FOR.get(subject, subject) for subject in subjects}
    wanted_measures = [pk for pk, code in measures.items() if _subject(code) in subjects]
    results = SchoolResult.objects.filter(year=year, measure_id__in=wanted_measures)
    if region_id is not None:
        ids = list(School.objects.filter(municipality__region_id=region_id).values_list("pk", flat=True).order_by())
        columns = results.filter(school_id__in=ids).values_list("school_id", "measure_id", "value")
        table = number_rows(columns.order_by(), columns=3) if ids else np.empty((0, 3))
        rows = ((int(school_id), region_id, measures[int(measure_id)], value) for school_id, measure_id, value in table.tolist())
    else:
        if school_ids is not None:
            regions = list(School.objects.filter(pk__in=set(school_ids)).values_list("municipality__region_id", flat=True))
            results = results.filter(school__municipality__region_id__in=regions)
        # By COPY into an array: a country with ВПР loaded has some 300,000 such rows, slow to build as Django's tuples.
        table = number_rows(
            results.values_list("school_id", "school__municipality__region_id", "measure_id", "value").order_by(),
            columns=4,
        )
        rows = (
            (int(school_id), int(region_id), measures[int(measure_id)], value)
            for school_id, region_id, measure_id, value in table.tolist()
        )
    signs = objectivity_signs_from(rows, year=year, settings=settings or ObjectivitySettings())
    if school_ids is not None:
        wanted = set(school_ids)
        signs = {school_id: sentences for school_id, sentences in signs.items() if school_id in wanted}
    return signs
