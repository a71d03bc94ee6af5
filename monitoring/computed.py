"""Indicators the portal computes from its own data instead of asking schools to type them.

`COMPUTED_INDICATORS` maps a key (kept in `Indicator.computed_by`) to a function
`(year, municipality | None, school | None) -> float | None`:

- with a school: the school's value for the year;
- with a municipality and no school: the municipality's value;
- with a list (or a queryset) of municipality ids: the value over those municipalities together (a coordinator's or the
  department's whole scope, pooled — not a mean of the municipalities' values);
- with neither: the value for the whole region.

A share is pooled at every level: the municipality's share of teachers with an ИПРП is its teachers with one over
all its teachers, not the mean of its schools' shares. Years are school years (2027 = 2026/27: 1 September 2026 to
31 August 2027).

`None` means the portal has no data for it yet (pages say «нет данных»). Every function runs a fixed number of
queries whatever the number of schools.

To add one, write the function and decorate it with `@computed("key", "Что считается")`.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from schools.school_year import school_year_period

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


def school_scope(municipality, school, *, via: str = "school") -> Q:
    """The rows of the scope, by the school they belong to (`via`: the path from the row to its school)."""
    if school is not None:
        return Q(**{f"{via}_id": school.pk})
    if isinstance(municipality, QuerySet):  # of municipality ids: stays a subquery
        return Q(**{f"{via}__municipality_id__in": municipality})
    if isinstance(municipality, list | tuple | set | frozenset):
        return Q(**{f"{via}__municipality_id__in": list(municipality)})
    if municipality is not None:
        return Q(**{f"{via}__municipality_id": municipality.pk})
    return Q()


def share_percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


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
        by_school = _results(year, school_scope(municipality, school), [mean, participants])
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


def _ege_below_minshare_percent(subject: str) -> ComputeFn:
    below, participants = f"ege-{subject}-below_min", f"ege-{subject}-participants"

    def function(year, municipality, school):
        by_school = _results(year, school_scope(municipality, school), [below, participants])
        took = sum(v.get(participants) or 0 for v in by_school.values() if below in v)
        failed = sum(v[below] for v in by_school.values() if below in v and v.get(participants))
        return 100.0 * failed / took if took else None

    return function


computed("ege_russian_mean", "Средний балл ЕГЭ по русскому языку (из загруженных результатов)")(_ege_mean("russian"))
computed("ege_math_profile_mean", "Средний балл ЕГЭ по профильной математике (из загруженных результатов)")(
    _ege_mean("math_profile")
)
computed("ege_russian_below_min_share", "Доля не преодолевших минимальный порог ЕГЭ по русскому языку, %")(
    _ege_below_minshare_percent("russian")
)
computed("ege_math_profile_below_min_share", "Доля не преодолевших минимальный порог ЕГЭ по профильной математике, %")(
    _ege_below_minshare_percent("math_profile")
)


# --- the satisfaction surveys (`surveys`) ------------------------------------------------------------------------


@computed("satisfaction_index", "Индекс удовлетворённости обучающихся, родителей и педагогов (опрос на портале), из 100")
def _satisfaction_index(year, municipality, school):
    """Only schools with enough answers count (the campaign's threshold), so no value reveals a school below it."""
    from surveys.results import pooled_index

    return pooled_index(year, school_scope(municipality, school))


# --- the approved list (`schools.models.SchoolYearStatus`) --------------------------------------------------------


def _statusshare_percent(statuses: tuple[str, ...]) -> ComputeFn:
    def function(year, municipality, school):
        from schools.models import SchoolYearStatus

        if school is not None:
            return None  # a share of schools has no value for one school
        rows = list(
            SchoolYearStatus.objects.filter(school_scope(municipality, None), year=year).values_list(
                "status", flat=True
            )
        )
        if not rows:
            return None  # no approved list for the year
        return 100.0 * sum(1 for status in rows if status in statuses) / len(rows)

    return function


computed("shnor_share", "Доля ШНОР среди школ по утверждённому перечню года, %")(_statusshare_percent(("shnor", "both")))
computed("shnsu_share", "Доля ШНСУ среди школ по утверждённому перечню года, %")(_statusshare_percent(("shnsu", "both")))


@computed("accepted_programme_share", "Доля ШНОР и ШНСУ с принятой школьной программой, %")
def accepted_programmeshare_percent(year, municipality, school):
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
        SchoolYearStatus.objects.filter(school_scope(municipality, None), year=list_year)
        .exclude(status=Status.NONE)
        .values_list("school_id", flat=True)
    )
    if not listed:
        return None
    with_programme = set(accepted.filter(school_id__in=listed).values_list("school_id", flat=True))
    return 100.0 * len(with_programme) / len(listed)


# --- partnerships: teachers, agreements, sessions, events ----------------------------------------------------------


@computed("ipr_coverage", "Доля педагогов с ИПРП на учебный год, %")
def ipr_coverage(year, municipality, school):
    """Working teachers of the scope with an individual development plan (active or completed) for the year."""
    from partnerships.models import DevelopmentPlan, Teacher

    teachers = Teacher.objects.filter(school_scope(municipality, school), is_active=True)
    with_plan = teachers.filter(plans__year=year, plans__status__in=DevelopmentPlan.COUNTING).distinct()
    return share_percent(with_plan.count(), teachers.count())


@computed("tutoring_coverage", "Доля педагогов, закреплённых за тьютором в учебном году, %")
def tutoring_coverage(year, municipality, school):
    """Working teachers of the scope with a tutor assigned for some part of the school year."""
    from partnerships.models import Teacher

    first, last = school_year_period(year)
    teachers = Teacher.objects.filter(school_scope(municipality, school), is_active=True)
    tutored = teachers.filter(
        Q(tutor_assignments__ends_on__isnull=True) | Q(tutor_assignments__ends_on__gte=first),
        tutor_assignments__starts_on__lte=last,
    ).distinct()
    return share_percent(tutored.count(), teachers.count())


@computed("agreements_signed", "Договоров о сотрудничестве заключено за учебный год, ед.")
def agreements_signed(year, municipality, school):
    """Agreements of the scope's supported schools signed in the school year (drafts do not count), as the
    partnerships summary and the dashboard count them."""
    from partnerships.models import Agreement

    first, last = school_year_period(year)
    return float(
        Agreement.objects.filter(school_scope(municipality, school, via="supported_school"))
        .exclude(status=Agreement.Status.DRAFT)
        .filter(signed_on__range=(first, last))
        .count()
    )


@computed("sessions_confirmed", "Занятий школ-кураторов подтверждено за учебный год, ед.")
def sessions_confirmed(year, municipality, school):
    """Support sessions held in the school year and confirmed by the supported school."""
    from partnerships.models import SupportSession

    first, last = school_year_period(year)
    return float(
        SupportSession.objects.filter(
            school_scope(municipality, school, via="agreement__supported_school"),
            status=SupportSession.Status.CONFIRMED,
            held_on__range=(first, last),
        ).count()
    )


@computed("event_participation", "Доля приглашений на методические мероприятия года, по которым школа участвовала, %")
def event_participation(year, municipality, school):
    """Invitations of the scope's schools to events held in the school year (not cancelled, attendance marked)
    with the school taking part."""
    from partnerships.models import EventInvitation

    first, last = school_year_period(year)
    marked = EventInvitation.objects.filter(
        school_scope(municipality, school),
        event__held_on__range=(first, last),
        event__is_cancelled=False,
        attended__isnull=False,
    )
    return share_percent(marked.filter(attended=True).count(), marked.count())


# --- partnerships: people at events and on courses (`partnerships.models.EventAttendee`) ---------------------------


def _shnor_school_ids(year: int, municipality, school) -> set[int] | None:
    """The scope's ШНОР (with the schools that are both ШНОР and ШНСУ) of the newest approved list up to the year;
    for one school, the school itself. None: no list yet."""
    from schools.models import SchoolYearStatus, Status

    if school is not None:
        return {school.pk}
    list_year = (
        SchoolYearStatus.objects.filter(year__lte=year).order_by("-year").values_list("year", flat=True).first()
    )
    if list_year is None:
        return None
    return set(
        SchoolYearStatus.objects.filter(
            school_scope(municipality, None), year=list_year, status__in=(Status.SHNOR, Status.BOTH)
        ).values_list("school_id", flat=True)
    )


def _attendees_of_year(year: int, *, courses: bool):
    """People invited by name to the events (or the courses) held in the school year, cancelled ones left out; a
    course belongs to the year it starts in, as every event is counted by its date (the yearly report lists it so)."""
    from partnerships.models import EventAttendee, MethodicalEvent

    first, last = school_year_period(year)
    rows = EventAttendee.objects.filter(event__is_cancelled=False, event__held_on__range=(first, last))
    if courses:
        return rows.filter(event__format=MethodicalEvent.Format.COURSE)
    return rows.exclude(event__format=MethodicalEvent.Format.COURSE)


@computed("teachers_at_events", "Доля педагогов ШНОР, принявших участие в методических мероприятиях учебного года, %")
def teachers_at_events(year, municipality, school):
    """Seed 004, roadmap item 9: «Не менее 10 % педагогов ШНОР приняли участие в методических мероприятиях». Of the
    working teachers of the scope's ШНОР (registry), those marked as having taken part in at least one event of the
    year (courses are counted apart)."""
    from partnerships.models import Teacher

    schools = _shnor_school_ids(year, municipality, school)
    if schools is None:
        return None
    teachers = set(Teacher.objects.filter(school_id__in=schools, is_active=True).values_list("pk", flat=True))
    took_part = set(
        _attendees_of_year(year, courses=False)
        .filter(teacher_id__in=teachers, attended=True)
        .values_list("teacher_id", flat=True)
    )
    return share_percent(len(took_part), len(teachers))


@computed("management_teams_trained", "Доля управленческих команд ШНОР, прошедших обучение на курсах повышения квалификации, %")
def management_teams_trained(year, municipality, school):
    """Seed 004, roadmap item 5: «Не менее 85 % управленческих команд прошли обучение на курсах повышения
    квалификации». Of the scope's ШНОР, those whose team completed a course of the year: every member of the team
    enrolled on that course completed it."""
    schools = _shnor_school_ids(year, municipality, school)
    if not schools:
        return None
    teams: dict[tuple[int, int], list[bool]] = {}
    rows = _attendees_of_year(year, courses=True).filter(kind="management", school_id__in=schools)
    for school_id, event_id, completed in rows.values_list("school_id", "event_id", "completed"):
        teams.setdefault((school_id, event_id), []).append(bool(completed))
    trained = {school_id for (school_id, _event), members in teams.items() if all(members)}
    return share_percent(len(trained), len(schools))


def _specialistsshare_percent(*, courses: bool) -> ComputeFn:
    def function(year, municipality, school):
        if school is not None:
            return None  # municipal specialists belong to no school
        rows = _attendees_of_year(year, courses=courses).filter(kind="specialist")
        if municipality is not None:
            ids = [municipality.pk] if hasattr(municipality, "pk") else municipality
            rows = rows.filter(municipality_id__in=ids)
        # A person invited to several events is one person: by municipality and name.
        people: dict[tuple[int, str], bool] = {}
        done_field = "completed" if courses else "attended"
        for municipality_id, name, done in rows.values_list("municipality_id", "full_name", done_field):
            key = (municipality_id, " ".join(name.lower().split()))
            people[key] = people.get(key, False) or bool(done)
        return share_percent(sum(people.values()), len(people))

    return function


computed(
    "specialists_at_events",
    "Доля приглашённых специалистов муниципальных методических служб и МОУО, принявших участие в мероприятиях, %",
)(_specialistsshare_percent(courses=False))
computed(
    "specialists_trained",
    "Доля записанных на курсы специалистов муниципальных методических служб и МОУО, прошедших обучение, %",
)(_specialistsshare_percent(courses=True))


# --- programmes (the self-assessments on time are counted by `monitoring.selectors`, which reads the calendar) -------------------------------------------------------------------------------------


@computed("measures_done", "Доля выполненных мероприятий школьных дорожных карт со сроком в учебном году, %")
def measures_done(year, municipality, school):
    """Measures of the scope's school programmes whose deadline falls in the school year, and of them those done."""
    from programs.models import MeasureStatus, RoadmapMeasure

    first, last = school_year_period(year)
    due = RoadmapMeasure.objects.filter(
        school_scope(municipality, school, via="programme__school"), deadline__range=(first, last)
    ).exclude(status=MeasureStatus.CANCELLED)
    return share_percent(due.filter(status=MeasureStatus.DONE).count(), due.count())


# --- the region's level (seed 004, «Показатели эффективности реализации Проекта на региональном уровне») ----------


def _municipalities_with_and_listed(year: int, region_ids, municipality_ids=None) -> tuple[dict, set[int]]:
    """Per region, its municipalities with a ШНОР or ШНСУ on the region's newest approved list up to the year (a
    region without a list is absent); and which municipalities have a municipal programme whose period covers the
    year. Three queries."""
    from django.db.models import Max

    from programs.models import Programme
    from schools.models import SchoolYearStatus, Status

    statuses = SchoolYearStatus.objects.filter(school__municipality__region_id__in=region_ids)
    programmes = Programme.objects.filter(
        kind=Programme.Kind.MUNICIPAL, municipality__region_id__in=region_ids, period_start__lte=year,
        period_end__gte=year,
    )  # fmt: skip
    if municipality_ids is not None:
        statuses = statuses.filter(school__municipality_id__in=municipality_ids)
        programmes = programmes.filter(municipality_id__in=municipality_ids)
    # the region's list year (`schools.selectors.list_year_for` per region), not another region's
    list_years = dict(
        SchoolYearStatus.objects.filter(year__lte=year, school__municipality__region_id__in=region_ids)
        .values_list("school__municipality__region_id")
        .annotate(newest=Max("year"))
        .order_by()
    )
    listed: dict[int, set[int]] = {region_id: set() for region_id in list_years}
    if list_years:
        of_list = Q()
        for region_id, list_year in list_years.items():
            of_list |= Q(school__municipality__region_id=region_id, year=list_year)
        rows = statuses.filter(of_list).exclude(status=Status.NONE).values_list(
            "school__municipality__region_id", "school__municipality_id"
        )
        for region_id, municipality_id in rows.distinct():
            listed[region_id].add(municipality_id)
    return listed, set(programmes.values_list("municipality_id", flat=True))


def municipal_programme_share_by_region(year: int, region_ids) -> dict[int, float | None]:
    """Seed 004, plan-schedule п. 7: «Не менее чем в 50% муниципальных образованиях разработаны муниципальные
    программы/планы мероприятий (дорожные карты) по сопровождению школ с низкими образовательными результатами».
    Per region: of its municipalities with a ШНОР or ШНСУ on the region's newest approved list up to the year («в
    которых имеются ШНОР», п. 11), the share with a municipal programme whose period covers the year, in any state —
    «разработаны», not yet accepted. None for a region without an approved list. Three queries, whatever the number
    of regions and municipalities."""
    region_ids = list(region_ids)
    listed, with_programme = _municipalities_with_and_listed(year, region_ids)
    return {
        region_id: share_percent(len(listed[region_id] & with_programme), len(listed[region_id]))
        if region_id in listed
        else None
        for region_id in region_ids
    }


@computed(
    "municipal_programme_share",
    "Доля муниципальных образований (с ШНОР), в которых разработаны муниципальные программы/планы мероприятий "
    "(дорожные карты), %",
)
def municipal_programme_share(year, municipality, school):
    """The share above over the scope's municipalities together (pooled, each region by its own list); a school has
    none."""
    from schools.models import Municipality

    if school is not None:
        return None
    municipalities = Municipality.objects.all()
    ids = None
    if municipality is not None:
        ids = [municipality.pk] if hasattr(municipality, "pk") else municipality
        municipalities = municipalities.filter(pk__in=ids)
    region_ids = list(municipalities.values_list("region_id", flat=True).distinct())
    listed, with_programme = _municipalities_with_and_listed(year, region_ids, ids)
    if not listed:
        return None
    every = set().union(*listed.values())
    return share_percent(len(every & with_programme), len(every))
