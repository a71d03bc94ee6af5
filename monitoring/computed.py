"""Indicators the portal computes from its own data instead of asking schools to type them.

`COMPUTED_INDICATORS` maps a key (kept in `Indicator.computed_by`) to a function
`(year, municipality | None, school | None) -> float | None`:

- with a school: the school's value for the year;
- with a municipality and no school: the municipality's value;
- with neither: the value for the whole region.

`None` means the portal has no data for it yet (pages say «нет данных»). Every function runs a fixed number of
queries whatever the number of schools.

To add one, write the function and decorate it with `@computed("key", "Что считается")`. Agreements signed,
teachers with an ИПРП and participation in events belong here once `partnerships` has its models.
"""

from collections.abc import Callable

from django.db.models import Q

ComputeFn = Callable[[int, object, object], float | None]

COMPUTED_INDICATORS: dict[str, ComputeFn] = {}
COMPUTED_LABELS: dict[str, str] = {}


def computed(key: str, label: str):
    """Register a computed indicator under `key`."""

    def register(function: ComputeFn) -> ComputeFn:
        COMPUTED_INDICATORS[key] = function
        COMPUTED_LABELS[key] = label
        return function

    return register


def computed_choices() -> list[tuple[str, str]]:
    """The choices of `Indicator.computed_by` (a callable, so a new computation needs no migration)."""
    return [(key, COMPUTED_LABELS[key]) for key in COMPUTED_INDICATORS]


def compute(key: str, *, year: int, municipality=None, school=None) -> float | None:
    function = COMPUTED_INDICATORS.get(key)
    if function is None:
        return None
    value = function(year, municipality, school)
    return None if value is None else round(float(value), 2)


def _school_scope(municipality, school) -> Q:
    if school is not None:
        return Q(school_id=school.pk)
    if municipality is not None:
        return Q(school__municipality_id=municipality.pk)
    return Q()


# --- ЕГЭ (from the imported results, `schools.models.SchoolResult`) -------------------------------------------------


def _results(year: int, scope: Q, codes: list[str]) -> dict[int, dict[str, float]]:
    from schools.models import SchoolResult

    by_school: dict[int, dict[str, float]] = {}
    rows = SchoolResult.objects.filter(scope, year=year, measure__code__in=codes).values_list(
        "school_id", "measure__code", "value"
    )
    for school_id, code, value in rows:
        by_school.setdefault(school_id, {})[code] = value
    return by_school


def _ege_mean(subject: str) -> ComputeFn:
    mean, participants = f"ege-{subject}-mean_score", f"ege-{subject}-participants"

    def function(year, municipality, school):
        by_school = _results(year, _school_scope(municipality, school), [mean, participants])
        # A municipality's mean is the schools' means weighted by their participants, as the regional returns do.
        total = weight = 0.0
        for values in by_school.values():
            if mean not in values:
                continue
            w = values.get(participants) or 1.0
            total += values[mean] * w
            weight += w
        return total / weight if weight else None

    return function


def _ege_below_min_share(subject: str) -> ComputeFn:
    below, participants = f"ege-{subject}-below_min", f"ege-{subject}-participants"

    def function(year, municipality, school):
        by_school = _results(year, _school_scope(municipality, school), [below, participants])
        took = sum(v.get(participants) or 0 for v in by_school.values() if below in v)
        failed = sum(v[below] for v in by_school.values() if below in v and v.get(participants))
        return 100.0 * failed / took if took else None

    return function


computed("ege_russian_mean", "Средний балл ЕГЭ по русскому языку (из загруженных результатов)")(_ege_mean("russian"))
computed("ege_math_profile_mean", "Средний балл ЕГЭ по профильной математике (из загруженных результатов)")(
    _ege_mean("math_profile")
)
computed("ege_russian_below_min_share", "Доля не преодолевших минимальный порог ЕГЭ по русскому языку, %")(
    _ege_below_min_share("russian")
)
computed("ege_math_profile_below_min_share", "Доля не преодолевших минимальный порог ЕГЭ по профильной математике, %")(
    _ege_below_min_share("math_profile")
)


# --- the approved list (`schools.models.SchoolYearStatus`) --------------------------------------------------------


def _status_share(statuses: tuple[str, ...]) -> ComputeFn:
    def function(year, municipality, school):
        from schools.models import SchoolYearStatus

        if school is not None:
            return None  # a share of schools has no value for one school
        rows = list(
            SchoolYearStatus.objects.filter(_school_scope(municipality, None), year=year).values_list(
                "status", flat=True
            )
        )
        if not rows:
            return None  # no approved list for the year
        return 100.0 * sum(1 for status in rows if status in statuses) / len(rows)

    return function


computed("shnor_share", "Доля ШНОР среди школ по утверждённому перечню года, %")(_status_share(("shnor", "both")))
computed("shnsu_share", "Доля ШНСУ среди школ по утверждённому перечню года, %")(_status_share(("shnsu", "both")))


@computed("accepted_programme_share", "Доля ШНОР и ШНСУ с принятой школьной программой, %")
def accepted_programme_share(year, municipality, school):
    """Of the schools on the newest approved list up to the year (ШНОР, ШНСУ or both), the share with an accepted
    school programme whose period covers the year; for one school, 100 or 0."""
    from programs.models import Programme
    from schools.models import SchoolYearStatus, Status

    accepted = Programme.objects.filter(
        kind__in=Programme.SCHOOL_KINDS,
        state=Programme.State.ACCEPTED,
        period_start__lte=year,
        period_end__gte=year,
    )
    if school is not None:
        return 100.0 if accepted.filter(school_id=school.pk).exists() else 0.0
    list_year = (
        SchoolYearStatus.objects.filter(year__lte=year).order_by("-year").values_list("year", flat=True).first()
    )
    if list_year is None:
        return None
    listed = set(
        SchoolYearStatus.objects.filter(_school_scope(municipality, None), year=list_year)
        .exclude(status=Status.NONE)
        .values_list("school_id", flat=True)
    )
    if not listed:
        return None
    with_programme = set(accepted.filter(school_id__in=listed).values_list("school_id", flat=True))
    return 100.0 * len(with_programme) / len(listed)
