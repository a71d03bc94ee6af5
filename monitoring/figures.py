"""The figures of a school year, per municipality and in total: the one source of the dashboards and of the yearly
report (`monitoring.yearly_report`), so that both always show the same numbers (a test reconciles them).

What is counted is what the yearly report counts (DOMAIN, «What the yearly report counts»), for the school year
`year` (2027 is 2026/27, 1 September 2026 – 31 August 2027):

- the approved list: the newest approved list up to the year (as `monitoring.computed` reads it); ШНОР and ШНСУ
  include the schools that are both, as the registry's filter does;
- programmes: school programmes whose period covers the year; «passed review» is an accepted programme (the same
  rule as the computed indicator `accepted_programme_share`); programmes of the year by state count the municipal
  programme too, as the programme list filtered by year and state shows them;
- roadmaps: measures of the programmes covering the year (cancelled ones left out), done and overdue on the day
  the figures are read (for a finished year: on its last day);
- agreements signed and confirmed support sessions held within the school year, sessions by format;
- methodical events: ШНОР that took part (attended) in at least one event held in the school year;
- teachers: working teachers with an ИПРП for the year (active or completed) and with a tutor on that day;
- the practice bank: published practices and their downloads within the school year;
- self-assessments of the year's current uploads: missing (a listed school without an upload for a stage whose
  deadline has passed), waiting, returned, accepted;
- indicators: plan of the year against the actual (mean of the confirmed values of the latest stage that has any,
  as `monitoring.selectors.year_actuals`);
- results: mean scores of ЕГЭ/ОГЭ/ВПР by year, ШНОР against the other schools.

Every row is taken through the access modules (`schools.access`, `programs.access`, `partnerships.access`,
`monitoring.access`), restricted to the municipalities of the dashboard (`dashboard_municipalities`). The number of
queries is fixed whatever the number of schools: everything is aggregated in the database, grouped by municipality.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum
from django.utils import timezone

from partnerships.access import visible_agreements, visible_practices, visible_sessions, visible_teachers
from partnerships.models import (
    Agreement,
    DevelopmentPlan,
    EventInvitation,
    Practice,
    PracticeDownload,
    SessionFormat,
    SupportSession,
    Teacher,
    TutorAssignment,
)
from partnerships.targets import Targets, common_targets, targets_of_year
from programs.access import visible_programmes
from programs.models import MeasureStatus, Programme, RoadmapMeasure, overdue_q
from schools.access import visible_schools
from schools.models import Measure, Municipality, Region, School, SchoolResult, Status
from schools.school_year import school_year_label, school_year_period  # noqa: F401  (read from here too)
from schools.selectors import counted_statuses, list_years_for

from .access import dashboard_municipalities, visible_indicators, visible_self_assessments, visible_values
from .calendar import CalendarBook, rank_in
from .computed import compute
from .models import Indicator, IndicatorValue, SelfAssessment
from .selectors import plans_of

SHNOR_STATUSES = (Status.SHNOR, Status.BOTH)
SHNSU_STATUSES = (Status.SHNSU, Status.BOTH)
LISTED_STATUSES = (Status.SHNOR, Status.SHNSU, Status.BOTH)
DYNAMICS_YEARS = 5  # results of the year and the four before it

INT, PERCENT = "int", "percent"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str = INT  # INT: a count; PERCENT: a share 0–100 (None when there is nothing to divide by)
    section: str = ""


SECTION_LIST = "Перечень ШНОР и ШНСУ"
SECTION_PROGRAMMES = "Школьные программы и экспертиза"
SECTION_ROADMAPS = "Дорожные карты"
SECTION_PARTNERS = "Договоры и сопровождение"
SECTION_EVENTS = "Методические мероприятия"
SECTION_TEACHERS = "Педагоги: ИПРП и тьюторы"
SECTION_BANK = "Банк практик"
SECTION_SELF = "Самооценка"
SECTION_INDICATORS = "Целевые показатели"

PROGRAMME_STATES = list(Programme.State)

FIGURES: list[Figure] = [
    Figure("schools", "Школ всего", INT, SECTION_LIST),
    Figure("listed", "Школ в перечне (ШНОР и/или ШНСУ)", INT, SECTION_LIST),
    Figure("shnor", "ШНОР (включая ШНОР и ШНСУ одновременно)", INT, SECTION_LIST),
    Figure("shnsu", "ШНСУ (включая ШНОР и ШНСУ одновременно)", INT, SECTION_LIST),
    Figure("both", "ШНОР и ШНСУ одновременно", INT, SECTION_LIST),
    Figure("with_programme", "Школ перечня со школьной программой", INT, SECTION_PROGRAMMES),
    Figure("with_programme_share", "Доля школ перечня со школьной программой, %", PERCENT, SECTION_PROGRAMMES),
    Figure("accepted", "Школ перечня, чья программа прошла экспертизу (принята)", INT, SECTION_PROGRAMMES),
    Figure("accepted_share", "Доля школ перечня с принятой программой, %", PERCENT, SECTION_PROGRAMMES),
    *[
        Figure(
            f"programmes_{state.value}",
            f"Программ года (школьных и муниципальных): {state.label}",
            INT,
            SECTION_PROGRAMMES,
        )
        for state in PROGRAMME_STATES
    ],
    Figure("measures", "Мероприятий дорожных карт (без отменённых)", INT, SECTION_ROADMAPS),
    Figure("measures_done", "Мероприятий выполнено", INT, SECTION_ROADMAPS),
    Figure("measures_done_share", "Доля выполненных мероприятий, %", PERCENT, SECTION_ROADMAPS),
    Figure("measures_overdue", "Мероприятий просрочено", INT, SECTION_ROADMAPS),
    Figure("agreements_signed", "Договоров с кураторами подписано за год", INT, SECTION_PARTNERS),
    Figure("agreements_in_force", "Договоров действует", INT, SECTION_PARTNERS),
    Figure("sessions", "Сопровождающих мероприятий проведено (подтверждено школой)", INT, SECTION_PARTNERS),
    *[
        Figure(f"sessions_{value}", f"— из них: {label}", INT, SECTION_PARTNERS)
        for value, label in SessionFormat.choices
    ],
    Figure("sessions_pending", "Сопровождающих мероприятий ждут подтверждения школы", INT, SECTION_PARTNERS),
    Figure("events_took_part", "ШНОР, участвовавших в методических мероприятиях", INT, SECTION_EVENTS),
    Figure("events_share", "Доля ШНОР, участвовавших в методических мероприятиях, %", PERCENT, SECTION_EVENTS),
    Figure("teachers", "Педагогов (работают в школе)", INT, SECTION_TEACHERS),
    Figure("with_plan", "Педагогов с ИПРП на год", INT, SECTION_TEACHERS),
    Figure("plan_share", "Доля педагогов с ИПРП, %", PERCENT, SECTION_TEACHERS),
    Figure("with_tutor", "Педагогов с тьюторским сопровождением", INT, SECTION_TEACHERS),
    Figure("tutor_share", "Доля педагогов с тьютором, %", PERCENT, SECTION_TEACHERS),
    Figure("practices", "Практик опубликовано в банке", INT, SECTION_BANK),
    Figure("downloads", "Скачиваний практик за год", INT, SECTION_BANK),
    Figure("sa_missing", "Самооценок не сдано в срок (школа перечня × этап)", INT, SECTION_SELF),
    Figure("sa_submitted", "Самооценок ждут проверки", INT, SECTION_SELF),
    Figure("sa_returned", "Самооценок возвращено на доработку", INT, SECTION_SELF),
    Figure("sa_accepted", "Самооценок принято", INT, SECTION_SELF),
    Figure("indicators", "Показателей с планом на год", INT, SECTION_INDICATORS),
    Figure("indicators_met", "Показателей: план выполнен", INT, SECTION_INDICATORS),
    Figure("indicators_not_met", "Показателей: план не выполнен", INT, SECTION_INDICATORS),
    Figure("indicators_no_data", "Показателей: нет подтверждённого факта", INT, SECTION_INDICATORS),
]
FIGURES_BY_KEY = {f.key: f for f in FIGURES}

# Shares and what they divide: (share key, part key, whole key).
SHARES = [
    ("with_programme_share", "with_programme", "listed"),
    ("accepted_share", "accepted", "listed"),
    ("measures_done_share", "measures_done", "measures"),
    ("events_share", "events_took_part", "shnor"),
    ("plan_share", "with_plan", "teachers"),
    ("tutor_share", "with_tutor", "teachers"),
]


def share(part: int, whole: int) -> float | None:
    """A share in per cent, rounded to one decimal (as the partnerships summary shows it); None for 0 of 0."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class YearFigures:
    year: int
    year_label: str
    period: tuple[datetime.date, datetime.date]
    as_of: datetime.date
    list_year: int | None  # the newest of the regions' list years (`list_years`), for the page's words and links
    municipalities: list[Municipality]
    # region → the year of the list its figures count by: each region's own newest list up to the year
    list_years: dict[int, int] = field(default_factory=dict)
    rows: dict[int, dict] = field(default_factory=dict)  # municipality id → figures
    total: dict = field(default_factory=dict)
    indicator_rows: list[dict] = field(default_factory=list)
    stages_due: list[str] = field(default_factory=list)
    dynamics: list[dict] = field(default_factory=list)
    # The targets the figures are judged against: per municipality id, and under None those the page states for
    # the whole (`partnerships.targets.common_targets`).
    targets: dict[int | None, Targets] = field(default_factory=dict)
    # (measure, municipality, group, year) → [sum, n] behind `dynamics` (`dynamics_cells`)
    dynamics_cells: dict[tuple, list] = field(default_factory=dict)
    # Every change committed before this moment is in the figures: now for a live count; read from the summaries
    # (`monitoring.summaries`), the earliest change still waiting to be counted. The pages say «данные на ЧЧ:ММ».
    fresh_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def list_years_differ(self) -> bool:
        """The regions' figures count by lists of different years (each its own newest)."""
        return len(set(self.list_years.values())) > 1

    def row_list(self) -> list[tuple[Municipality, dict]]:
        return [(m, self.rows[m.pk]) for m in self.municipalities]


def _grouped(queryset, key: str, **aggregates) -> dict[int, dict]:
    return {row.pop(key): row for row in queryset.order_by().values(key).annotate(**aggregates)}


@dataclass(frozen=True)
class _Scope:
    """What every count of `year_figures` is restricted to: the user's rows of the dashboard's municipalities, the
    school year, the approved list of the year and the day the figures are read on."""

    user: object
    year: int
    ids: list[int]
    list_years: dict[int, int]
    start: datetime.date
    end: datetime.date
    as_of: datetime.date
    today: datetime.date

    def visible(self, rows_of, model):
        """The user's rows (`rows_of(user)`, an access module's `visible_*`), or every row when the figures are
        counted for the summaries (`monitoring.summaries`, no user): the dashboards' readers read whole
        municipalities."""
        return model.objects.all() if self.user is None else rows_of(self.user)

    def schools(self):
        return self.visible(visible_schools, School).filter(municipality_id__in=self.ids)

    def statuses(self, statuses):
        """The ids of the schools whose status, on their region's list, is one of `statuses`."""
        return counted_statuses(self.list_years).filter(status__in=statuses).values("school_id")

    def listed(self):
        return self.schools().filter(pk__in=self.statuses(LISTED_STATUSES))

    def shnor(self):
        return self.schools().filter(pk__in=self.statuses(SHNOR_STATUSES))

    def programmes(self):
        """Programmes whose period covers the year, school and municipal ones."""
        return self.visible(visible_programmes, Programme).filter(
            municipality_id__in=self.ids, period_start__lte=self.year, period_end__gte=self.year
        )


def year_figures(
    *,
    user,
    year: int,
    municipality: Municipality | None = None,
    today: datetime.date | None = None,
    region: Region | None = None,
) -> YearFigures:
    """The year's figures for the municipalities of the user's dashboard (or one of them, or those of one region),
    counted step by step, each step one or two grouped queries, and the targets in one: twenty in all once the
    user's reach is read, whatever the number of schools."""
    municipalities = dashboard_municipalities(user).order_by("name")
    if municipality is not None:
        municipalities = municipalities.filter(pk=municipality.pk)
    if region is not None:
        municipalities = municipalities.filter(region_id=region.pk)
    return count_figures(user=user, year=year, municipalities=list(municipalities), today=today)


def figures_frame(
    *, year: int, municipalities: list[Municipality], today: datetime.date | None, list_years: dict | None = None
) -> YearFigures:
    """The figures of the year with nothing counted yet: the period, the day they are read on, the lists they
    count by (each region's own newest list up to the year, docs/TERRITORIES.md; one query unless given)."""
    today = today or timezone.localdate()
    start, end = school_year_period(year)
    if list_years is None:
        list_years = list_years_for(year, {m.region_id for m in municipalities})
    return YearFigures(
        year=year,
        year_label=school_year_label(year),
        period=(start, end),
        as_of=min(today, end),
        list_year=max(list_years.values(), default=None),
        municipalities=municipalities,
        list_years=list_years,
    )


def count_figures(
    *, user, year: int, municipalities: list[Municipality], today: datetime.date | None = None
) -> YearFigures:
    """Count the figures of these municipalities: the user's rows of them, or every row with `user=None` (the
    summaries, `monitoring.summaries`)."""
    today = today or timezone.localdate()
    result = figures_frame(year=year, municipalities=municipalities, today=today)
    ids = [m.pk for m in municipalities]
    start, end = result.period
    scope = _Scope(
        user=user, year=year, ids=ids, list_years=result.list_years, start=start, end=end, as_of=result.as_of,
        today=today,
    )  # fmt: skip
    rows: dict[int, dict] = {m.pk: {key: 0 for key in FIGURES_BY_KEY} for m in municipalities}
    _count_list(rows, scope)
    _count_programmes(rows, scope)
    _count_measures(rows, scope)
    _count_agreements_and_sessions(rows, scope)
    _count_events(rows, scope)
    _count_teachers(rows, scope)
    _count_practices(rows, scope)
    book = CalendarBook([year])  # the monitoring calendar of the year, one query for both steps
    result.stages_due = _count_self_assessments(rows, scope, municipalities, book)
    result.indicator_rows = _indicator_rows(user=user, year=year, municipalities=municipalities, book=book)
    _count_indicators(rows, result.indicator_rows)
    for row in rows.values():
        shares_fill(row)
    result.rows = rows
    result.total = figures_total(rows, result.indicator_rows)
    result.dynamics_cells = dynamics_cells(schools=scope.schools(), year=year, list_years=result.list_years)
    result.dynamics = dynamics_of(result.dynamics_cells, year=year, ids=ids)
    result.targets = figures_targets(year, municipalities)
    return result


def figures_targets(year: int, municipalities: list[Municipality]) -> dict[int | None, Targets]:
    """The targets of each municipality, and under None those the page states for the whole. One query."""
    book = targets_of_year(year)
    targets: dict[int | None, Targets] = {m.pk: book.of_municipality(m, year) for m in municipalities}
    targets[None] = common_targets(book, year, municipalities)
    return targets


def _count_list(rows: dict[int, dict], scope: _Scope) -> None:
    """Schools, and those on the approved list: ШНОР and ШНСУ each include the schools that are both."""
    def on_list(statuses):
        return Q(pk__in=scope.statuses(statuses))

    for municipality_id, counts in _grouped(
        scope.schools(),
        "municipality_id",
        schools=Count("pk", distinct=True),
        listed=Count("pk", distinct=True, filter=on_list(LISTED_STATUSES)),
        shnor=Count("pk", distinct=True, filter=on_list(SHNOR_STATUSES)),
        shnsu=Count("pk", distinct=True, filter=on_list(SHNSU_STATUSES)),
        both=Count("pk", distinct=True, filter=on_list([Status.BOTH])),
    ).items():
        rows[municipality_id].update(counts)


def _count_programmes(rows: dict[int, dict], scope: _Scope) -> None:
    """Listed schools with a school programme of the year and with an accepted one; and every programme of the year,
    municipal ones too, by state — exactly the rows of the programme list's filter. One query."""
    of_listed = Q(kind__in=Programme.SCHOOL_KINDS, school__in=scope.listed().values("pk"))
    for municipality_id, counts in _grouped(
        scope.programmes(),
        "municipality_id",
        with_programme=Count("school", distinct=True, filter=of_listed),
        accepted=Count("school", distinct=True, filter=of_listed & Q(state=Programme.State.ACCEPTED)),
        **{f"programmes_{state.value}": Count("pk", filter=Q(state=state)) for state in PROGRAMME_STATES},
    ).items():
        rows[municipality_id].update(counts)


def _count_measures(rows: dict[int, dict], scope: _Scope) -> None:
    """Measures of every programme covering the year (municipal ones included), done and overdue on the day."""
    for municipality_id, counts in _grouped(
        RoadmapMeasure.objects.filter(programme__in=scope.programmes()),
        "programme__municipality_id",
        measures=Count("pk", filter=~Q(status=MeasureStatus.CANCELLED)),
        measures_done=Count("pk", filter=Q(status=MeasureStatus.DONE)),
        measures_overdue=Count("pk", filter=overdue_q(scope.as_of)),
    ).items():
        rows[municipality_id].update(counts)


def _count_agreements_and_sessions(rows: dict[int, dict], scope: _Scope) -> None:
    """Agreements signed in the year and in force, sessions held in it: by the supported school's municipality, as
    the partnerships summary counts them."""
    start, end, as_of = scope.start, scope.end, scope.as_of
    agreements = scope.visible(visible_agreements, Agreement).filter(supported_school__municipality_id__in=scope.ids)
    for municipality_id, counts in _grouped(
        agreements,
        "supported_school__municipality_id",
        agreements_signed=Count(
            "pk", filter=~Q(status=Agreement.Status.DRAFT) & Q(signed_on__gte=start, signed_on__lte=end)
        ),
        agreements_in_force=Count(
            "pk", filter=Q(status=Agreement.Status.ACTIVE, starts_on__lte=as_of, ends_on__gte=as_of)
        ),
    ).items():
        rows[municipality_id].update(counts)
    sessions = scope.visible(visible_sessions, SupportSession).filter(
        agreement__supported_school__municipality_id__in=scope.ids, held_on__gte=start, held_on__lte=end
    )
    for municipality_id, status, session_format, n in (
        sessions.order_by()
        .values_list("agreement__supported_school__municipality_id", "status", "format")
        .annotate(n=Count("pk"))
    ):
        if status == SupportSession.Status.CONFIRMED:
            rows[municipality_id]["sessions"] += n
            rows[municipality_id][f"sessions_{session_format}"] += n
        elif status == SupportSession.Status.PENDING:
            rows[municipality_id]["sessions_pending"] += n


def _count_events(rows: dict[int, dict], scope: _Scope) -> None:
    """ШНОР that attended at least one methodical event held in the year."""
    for municipality_id, counts in _grouped(
        EventInvitation.objects.filter(
            attended=True,
            event__is_cancelled=False,
            event__held_on__gte=scope.start,
            event__held_on__lte=scope.end,
            school__in=scope.shnor().values("pk"),
        ),
        "school__municipality_id",
        events_took_part=Count("school", distinct=True),
    ).items():
        rows[municipality_id].update(counts)


def _count_teachers(rows: dict[int, dict], scope: _Scope) -> None:
    """Working teachers, those with an ИПРП for the year (active or completed) and those with a tutor on the day."""
    teachers = scope.visible(visible_teachers, Teacher).filter(is_active=True, school__municipality_id__in=scope.ids)
    for municipality_id, counts in _grouped(
        teachers,
        "school__municipality_id",
        teachers=Count("pk", distinct=True),
        with_plan=Count(
            "pk", distinct=True, filter=Q(plans__year=scope.year, plans__status__in=DevelopmentPlan.COUNTING)
        ),
        with_tutor=Count(
            "pk",
            distinct=True,
            filter=Q(pk__in=TutorAssignment.objects.current(scope.as_of).values("teacher_id")),
        ),
    ).items():
        rows[municipality_id].update(counts)


def _count_practices(rows: dict[int, dict], scope: _Scope) -> None:
    """Published practices of the bank, and their downloads within the year."""
    published = scope.visible(visible_practices, Practice).filter(
        status=Practice.Status.PUBLISHED, school__municipality_id__in=scope.ids
    )
    for municipality_id, counts in _grouped(published, "school__municipality_id", practices=Count("pk")).items():
        rows[municipality_id].update(counts)
    for municipality_id, counts in _grouped(
        PracticeDownload.objects.filter(
            practice__in=published.values("pk"),
            downloaded_at__date__gte=scope.start,
            downloaded_at__date__lte=scope.end,
        ),
        "practice__school__municipality_id",
        downloads=Count("pk"),
    ).items():
        rows[municipality_id].update(counts)


def stages_due_of(
    book: CalendarBook, year: int, municipalities: list[Municipality], today: datetime.date
) -> dict[int, set[str]]:
    """Per municipality, the codes of the stages whose deadline in its calendar has passed on the day."""
    return {m.pk: {s.code for s in book.stages(year, m.region_id, m.pk) if s.overdue(today)} for m in municipalities}


def _count_self_assessments(
    rows: dict[int, dict], scope: _Scope, municipalities: list[Municipality], book: CalendarBook
) -> list[str]:
    """The year's current self-assessments waiting, returned and accepted, and those missing: a listed school without
    an upload for a stage whose deadline — in its municipality's calendar (`monitoring.calendar`) — has passed.
    Returns the codes of the stages due somewhere. One grouped query."""
    due = stages_due_of(book, scope.year, municipalities, scope.today)
    stages_due = sorted({code for codes in due.values() for code in codes})
    current = scope.visible(visible_self_assessments, SelfAssessment).filter(
        is_current=True, year=scope.year, school__municipality_id__in=scope.ids
    )
    status_key = {
        SelfAssessment.Status.SUBMITTED: "sa_submitted",
        SelfAssessment.Status.RETURNED: "sa_returned",
        SelfAssessment.Status.ACCEPTED: "sa_accepted",
    }
    uploaded = defaultdict(int)
    for row in rows.values():
        row.update({"sa_submitted": 0, "sa_returned": 0, "sa_accepted": 0})
    for municipality_id, stage, status, n, listed in (
        current.order_by()
        .values_list("school__municipality_id", "stage", "status")
        .annotate(n=Count("pk"), listed=Count("pk", filter=Q(school__in=scope.listed().values("pk"))))
    ):
        if status in status_key:
            rows[municipality_id][status_key[status]] += n
        if stage in due.get(municipality_id, ()):
            uploaded[municipality_id] += listed
    for municipality_id, row in rows.items():
        row["sa_missing"] = max(0, row["listed"] * len(due.get(municipality_id, ())) - uploaded[municipality_id])
    return stages_due


def _count_indicators(rows: dict[int, dict], indicator_rows: list[dict]) -> None:
    """Per municipality: its indicators with a plan for the year, met, not met and without a confirmed actual."""
    for item in indicator_rows:
        if item["municipality"] is None or item["planned"] is None:
            continue
        row = rows[item["municipality"].pk]
        row["indicators"] += 1
        if item["met"] is True:
            row["indicators_met"] += 1
        elif item["met"] is False:
            row["indicators_not_met"] += 1
        else:
            row["indicators_no_data"] += 1


def figures_total(rows: dict[int, dict], indicator_rows: list[dict]) -> dict:
    """The counts summed over the municipalities, the shares of those sums, and the indicators of the whole scope:
    each indicator once, against its actual over the whole scope."""
    total = {
        key: sum(row[key] for row in rows.values()) for key, figure in FIGURES_BY_KEY.items() if figure.kind == INT
    }
    for key in ("indicators", "indicators_met", "indicators_not_met", "indicators_no_data"):
        total[key] = 0
    for item in indicator_rows:
        if item["municipality"] is None and item["planned"] is not None:
            total["indicators"] += 1
            met_key = {True: "indicators_met", False: "indicators_not_met"}.get(item["met"], "indicators_no_data")
            total[met_key] += 1
    shares_fill(total)
    return total


def shares_fill(row: dict) -> None:
    for key, part, whole in SHARES:
        row[key] = share(row[part], row[whole])


# --- indicators ------------------------------------------------------------------------------------------------------


def _indicator_rows(*, user, year: int, municipalities: list[Municipality], book: CalendarBook) -> list[dict]:
    """Per indicator of the region or of a municipal programme: per municipality and for the whole scope, baseline,
    plan of the year, the actual of the latest stage that has confirmed values, summed up as the indicator says
    (`Indicator.aggregation`: the mean or the sum of the level's values, or — for what the portal computes — the
    municipality's own pooled value, and over the whole scope one more computation), and whether the plan is met.
    Four queries, and a computation per pooled indicator."""
    ids = [m.pk for m in municipalities]
    by_id = {m.pk: m for m in municipalities}
    # the place of each stage in the cycle of each region (a municipality's row by its region's calendar; the row of
    # the whole scope by the indicator's region, else the first municipality's; else the default calendar)
    first_region_id = municipalities[0].region_id if municipalities else None
    calendars = {rid: book.stages(year, rid) for rid in {m.region_id for m in municipalities} | {first_region_id}}
    ranks = {rid: rank_in(calendar) for rid, calendar in calendars.items()}
    labels = {rid: {stage.code: stage.name for stage in calendar} for rid, calendar in calendars.items()}
    if user is None:  # the summaries: the indicators of the municipalities' regions and those of every region
        readable = Indicator.objects.filter(
            Q(region__isnull=True) | Q(region_id__in={m.region_id for m in municipalities})
        )
    else:
        readable = visible_indicators(user)
    indicators = list(
        readable.filter(is_active=True)
        .filter(Q(programme__isnull=True) | Q(programme__school__isnull=True))
        .filter(Q(municipality__isnull=True) | Q(municipality_id__in=ids))
        .select_related("municipality")
        .order_by("position", "code", "pk")
    )
    plans = plans_of(indicators)
    values = (IndicatorValue.objects.all() if user is None else visible_values(user)).filter(
        indicator__in=indicators, year=year, status=IndicatorValue.Status.CONFIRMED, municipality_id__in=ids
    )
    # (indicator, municipality, the municipality's own row?) → {stage: (sum, count)}
    per_municipality: dict[tuple[int, int, bool], dict[str, tuple[Decimal, int]]] = defaultdict(dict)
    for indicator_id, municipality_id, own, stage, total, n in (
        values.order_by()
        .annotate(own=ExpressionWrapper(Q(school__isnull=True), output_field=BooleanField()))
        .values_list("indicator_id", "municipality_id", "own", "stage")
        .annotate(total=Sum("value"), n=Count("pk"))
    ):
        per_municipality[(indicator_id, municipality_id, own)][stage] = (total, n)

    def summed_up(indicator: Indicator, municipality_id: int) -> dict[str, tuple[Decimal, int]]:
        """The stages of the values that make the municipality's fact: its schools' for a school-level indicator
        summed as a mean or a sum, its own row for a municipal one or a pooled one."""
        own = indicator.level == Indicator.Level.MUNICIPAL or indicator.aggregation == Indicator.Aggregation.POOLED
        return per_municipality.get((indicator.pk, municipality_id, own), {})

    rows = []
    for indicator in indicators:
        planned = plans.get(indicator.pk, {}).get(year)
        scope: dict[str, tuple[Decimal, int]] = {}
        # a municipal indicator's municipality; a region's indicator, the scope's municipalities of its region
        if indicator.municipality_id is not None:
            scope_ids = [indicator.municipality_id] if indicator.municipality_id in by_id else []
        else:
            scope_ids = [pk for pk in ids if indicator.region_id in (None, by_id[pk].region_id)]
        for municipality_id in scope_ids:
            region_id = by_id[municipality_id].region_id
            stages = summed_up(indicator, municipality_id)
            stages_add(scope, stages)
            actual = indicator_actual(indicator, stages, ranks[region_id])
            row = indicator_row(
                indicator, by_id[municipality_id], planned, actual, stages, ranks[region_id], labels[region_id]
            )
            rows.append(row)
        region_id = indicator.region_id if indicator.region_id in ranks else first_region_id
        if indicator.aggregation == Indicator.Aggregation.POOLED and scope:
            # Pooled over the whole scope, not a mean of the municipalities' shares.
            actual = compute(indicator.computed_by, year=year, municipality=scope_ids)
        else:
            actual = indicator_actual(indicator, scope, ranks[region_id])
        rows.append(indicator_row(indicator, None, planned, actual, scope, ranks[region_id], labels[region_id]))
    return rows


def stages_add(scope: dict[str, tuple[Decimal, int]], stages: dict[str, tuple[Decimal, int]]) -> None:
    """Add an indicator's values by stage (stage → (sum, number)) into those of a wider scope."""
    for stage, (total, n) in stages.items():
        before = scope.get(stage, (Decimal(0), 0))
        scope[stage] = (before[0] + total, before[1] + n)


def indicator_actual(indicator: Indicator, stages: dict[str, tuple[Decimal, int]], rank: dict) -> float | None:
    """The actual of the latest stage (by `rank`) that has values: their mean, or their sum as the indicator says."""
    if not stages:
        return None
    total, n = stages[max(stages, key=lambda code: rank.get(code, -1))]
    if not n:
        return None
    return round(float(total if indicator.aggregation == Indicator.Aggregation.SUM else total / n), 2)


def indicator_rows_of(*, user, year: int, municipality: Municipality | None) -> list[dict]:
    """The indicator rows of the user's dashboard for the year (of one municipality or of all), as `year_figures`
    counts them: for the indicator list's filter «План года», so that the list holds what a dashboard counts."""
    municipalities = dashboard_municipalities(user).order_by("name")
    if municipality is not None:
        municipalities = municipalities.filter(pk=municipality.pk)
    return _indicator_rows(user=user, year=year, municipalities=list(municipalities), book=CalendarBook([year]))


def indicator_row(indicator: Indicator, municipality, planned, actual, stages, rank, labels) -> dict:
    met = indicator.met(actual, planned)
    stage = max(stages, key=lambda code: rank.get(code, -1)) if stages else None
    return {
        "indicator": indicator,
        "municipality": municipality,
        "baseline_year": indicator.baseline_year,
        "baseline": float(indicator.baseline_value) if indicator.baseline_value is not None else None,
        "planned": float(planned) if planned is not None else None,
        "actual": actual,
        "stage_label": labels.get(stage, stage) if stage else "",
        "met": met,
        "stage": stage,
        "stages": stages,  # stage → (sum, number) of the values the actual is taken from
    }


# --- results dynamics ------------------------------------------------------------------------------------------------


def results_dynamics(*, schools, year: int, ids: list[int], list_years: dict[int, int]) -> list[dict]:
    """Mean scores of ЕГЭ/ОГЭ/ВПР per measure and year, ШНОР (by the list of the year) against the other schools of
    `schools` (a queryset: a user's visible schools of the dashboard, or a region's for its public page), per
    municipality of `ids` and for the whole scope (None). Three queries."""
    return dynamics_of(dynamics_cells(schools=schools, year=year, list_years=list_years), year=year, ids=ids)


def dynamics_cells(*, schools, year: int, list_years: dict[int, int]) -> dict[tuple, list]:
    """The sums behind `results_dynamics`: (measure id, municipality id, "shnor" or "other", year) → [sum of the
    mean scores, their number]. Sums, not means, so that the cells of several municipalities add up. Two queries."""
    years = list(range(year - DYNAMICS_YEARS + 1, year + 1))
    results = SchoolResult.objects.filter(
        school__in=schools.values("pk"),
        year__in=years,
        measure__metric=Measure.Metric.MEAN_SCORE,
        measure__exam__in=[Measure.Exam.EGE, Measure.Exam.OGE, Measure.Exam.VPR],
    )
    # The ШНОР and the others in two grouped queries (a hashed semi-join and anti-join): a flag annotated per result
    # row probed the list once for each of a country's million results.
    shnor = counted_statuses(list_years).filter(status__in=SHNOR_STATUSES).values("school_id")
    cells: dict[tuple, list] = {}
    for group, rows in (("shnor", results.filter(school__in=shnor)), ("other", results.exclude(school__in=shnor))):
        for measure_id, result_year, municipality_id, total, n in (
            rows.order_by()
            .values_list("measure_id", "year", "school__municipality_id")
            .annotate(total=Sum("value"), n=Count("pk"))
        ):
            cells[(measure_id, municipality_id, group, result_year)] = [float(total), n]
    return cells


def dynamics_of(cells: dict[tuple, list], *, year: int, ids: list[int]) -> list[dict]:
    """The series of `results_dynamics` from its cells: per municipality of `ids` and summed for the whole scope
    (None). One query (the measures)."""
    years = list(range(year - DYNAMICS_YEARS + 1, year + 1))
    parts: dict[tuple, list] = defaultdict(list)
    wanted = set(ids)
    for (measure_id, municipality_id, group, result_year), cell in cells.items():
        parts[(measure_id, None, group, result_year)].append(cell)
        if municipality_id in wanted:
            parts[(measure_id, municipality_id, group, result_year)].append(cell)
    # summed exactly, rounded once: the same mean whatever order and grouping the municipalities come in (a live
    # count adds them up one by one, the summaries by region, and a plain sum could round 50.075 either way)
    summed = {key: [_sum_exact([t for t, _ in items]), sum(n for _, n in items)] for key, items in parts.items()}
    measure_ids = sorted({key[0] for key in cells})
    if not measure_ids:
        return []
    measures = Measure.objects.in_bulk(measure_ids)
    ordered = sorted(measures.values(), key=lambda m: ([e for e, _ in Measure.Exam.choices].index(m.exam), m.name))
    dynamics = []
    for measure in ordered:
        for scope in [*ids, None]:
            series = {}
            for group in ("shnor", "other"):
                series[group] = [
                    round(summed[(measure.pk, scope, group, y)][0] / summed[(measure.pk, scope, group, y)][1], 2)
                    if summed.get((measure.pk, scope, group, y), [0, 0])[1]
                    else None
                    for y in years
                ]
            if any(v is not None for s in series.values() for v in s):
                dynamics.append({"measure": measure, "municipality_id": scope, "years": years, **series})
    return dynamics


def _sum_exact(totals: list) -> float:
    """The sum of the cells' sums rounded once (`math.fsum`), exact also over the regions' stored sums (Fractions)."""
    if any(isinstance(total, Fraction) for total in totals):
        return float(sum(map(Fraction, totals)))
    return math.fsum(totals)


def dynamics_charts(figures: YearFigures, *, municipality_id: int | None = None) -> list[dict]:
    """Chart.js data of the results dynamics of one scope (a municipality or, with None, the whole scope)."""
    labels = [school_year_label(y) for y in range(figures.year - DYNAMICS_YEARS + 1, figures.year + 1)]
    charts = []
    for item in figures.dynamics:
        if item["municipality_id"] != municipality_id:
            continue
        charts.append(
            {
                "title": item["measure"].name,
                "labels": labels,
                "series": [
                    {"label": "ШНОР", "kind": "shnor", "data": item["shnor"]},
                    {"label": "Остальные школы", "kind": "other", "data": item["other"]},
                ],
                "note": _dynamics_note(item["shnor"], item["other"]),
            }
        )
    return charts


def _dynamics_note(shnor: list, other: list) -> str:
    """Why a chart would show no dynamics (then the page says so instead of drawing it), or an empty string."""
    if all(value is None for value in shnor):
        return "Результатов ШНОР за эти годы нет: сравнивать не с чем."
    if min(sum(v is not None for v in shnor), sum(v is not None for v in other)) < 2:
        return "Для динамики нужно два учебных года с результатами: пока есть только один."
    return ""
