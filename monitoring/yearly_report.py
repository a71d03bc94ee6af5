"""The yearly report at every level: one xlsx of a school year for a municipality (a district's department's
district), a region (a department's, or one the federal operator chose) or the whole country (the federal operator;
a department of several regions: its regions), whose sheet «Регионы» sets the regions side by side
(`monitoring.regions`).

Sheets: summary; by municipality; by school; indicators (baseline, plan, actual, met); programmes and reviews;
roadmaps (completion) and overdue measures; agreements and support sessions by format; events and participation;
tutoring and ИПРП coverage; the practice bank and downloads; ЕГЭ/ОГЭ/ВПР dynamics of ШНОР against the others;
the targets of the school year each municipality is judged against (`partnerships.targets`), as they stood when the
report was written.

The summary and by-municipality sheets are written from `monitoring.figures.year_figures`, the very figures the
dashboards show. The other sheets are row generators over querysets of the access modules, iterated in chunks
and streamed into a write-only workbook, so the report of 40,000 schools keeps memory flat.

The export from the browser is a `ReportExport` written by a task of the worker (`monitoring.tasks`, queued with
the request's transaction, like the identification run; see shnor_portal/jobs.py). The page polls its progress
with htmx; every sheet is a heartbeat, so an export whose worker died is noticed and can be started again. The
file is stored under MEDIA_ROOT with a random name and served only by the download view, which checks scope.
"""

import datetime
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from partnerships.access import (
    visible_agreements,
    visible_events,
    visible_practices,
    visible_sessions,
    visible_teachers,
)
from partnerships.event_counts import attach_group_counts
from partnerships.models import (
    DevelopmentPlan,
    EventInvitation,
    MethodicalEvent,
    Practice,
    PracticeDownload,
    SessionFormat,
    SupportSession,
    TutorAssignment,
)
from partnerships.targets import Targets, common_targets, targets_of_year
from programs.access import visible_programmes
from programs.models import MeasureStatus, Programme, Rag, Review, RoadmapMeasure, overdue_q, rag_of
from schools.access import Reach, Role, reach_of, territory_of, visible_schools
from schools.act_exports import acts_sheet
from schools.models import Measure, Municipality, Region, Status
from schools.school_year import school_year_label
from schools.selectors import counted_statuses, with_counted_status
from shnor_portal import jobs
from shnor_portal.spreadsheets import Column, Formatted, Link, TypedSheet, xlsx_write_typed

from .access import visible_self_assessments
from .calendar import CalendarBook
from .figure_links import FigureLinks
from .figures import FIGURES, PERCENT, SHNOR_STATUSES, YearFigures, school_year_period, share, year_figures
from .models import ReportExport, SelfAssessment
from .regions import region_figures, regions_sheet

logger = logging.getLogger(__name__)

CHUNK = 2000
STATUS_LABELS = dict(Status.choices)
YES, NO = "да", "нет"


class ReportError(Exception):
    """The report cannot be made as asked; the message says why, in Russian."""


@dataclass
class DepartmentScope:
    """The reach of the command line (run by the operator on the server): it reads every territory, as the federal
    operator does."""

    is_authenticated: bool = True
    is_active: bool = True
    pk: None = None
    _portal_reach: Reach = Reach(roles=frozenset({Role.FEDERAL}), reads_all=True)


def department_scope() -> DepartmentScope:
    return DepartmentScope()


def _count(queryset, outer: str = "school"):
    """The number of rows of `queryset` pointing at the outer row (0 when none), as a correlated subquery."""
    return Coalesce(
        Subquery(
            queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _per_school(queryset, field: str = "school") -> dict[int, int]:
    """school id → the number of rows of `queryset` pointing at it, in one grouped query."""
    return dict(queryset.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n"))


def _yes(value) -> str:
    return YES if value else NO


def _chunks(queryset) -> Iterator:
    return queryset.iterator(chunk_size=CHUNK)


def _batches(queryset) -> Iterator[list]:
    """The rows in lists of CHUNK, for counts that are read per batch (a fixed number of queries per batch)."""
    batch = []
    for row in _chunks(queryset):
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


# The invited groups counted by name on the events sheet: (invited, took part — on a course, completed).
PEOPLE_GROUPS = [
    ("Педагогов приглашено", "Педагогов участвовали / прошли обучение"),
    ("Управленческих команд приглашено", "Команд участвовали / прошли обучение"),
    ("Специалистов МОУО приглашено", "Специалистов участвовали / прошли обучение"),
]


# --- the sheets ------------------------------------------------------------------------------------------------------


class Report:
    """The sheets of one report: built lazily, each a row generator, so that the writer pulls one row at a time."""

    def __init__(
        self, *, user, year: int, municipality: Municipality | None = None, today=None, region: Region | None = None
    ):
        self.user = user
        self.year = year
        self.today = today or timezone.localdate()
        self.figures: YearFigures = year_figures(
            user=user, year=year, municipality=municipality, today=self.today, region=region
        )
        if municipality is not None and not self.figures.municipalities:
            raise ReportError("Этот муниципалитет вне вашей зоны доступа.")
        if region is not None and not self.figures.municipalities:
            raise ReportError("Этот регион вне вашей зоны доступа.")
        self.municipality = municipality
        self.region = region
        # the regions the report covers: a country's (or a department's of several) gets the sheet «Регионы»
        self.region_ids = sorted({m.region_id for m in self.figures.municipalities})
        self.ids = [m.pk for m in self.figures.municipalities]
        self.start, self.end = school_year_period(year)
        self.as_of = self.figures.as_of
        self.schools = visible_schools(user).filter(municipality_id__in=self.ids)
        self.programmes = visible_programmes(user).filter(
            municipality_id__in=self.ids, period_start__lte=year, period_end__gte=year
        )

    def sheets(self) -> list[TypedSheet]:
        regions = [regions_sheet(region_figures(self.figures))] if len(self.region_ids) > 1 else []
        return [
            self.summary(),
            *regions,
            self.by_municipality(),
            self.by_school(),
            self.indicators(),
            self.programmes_sheet(),
            self.roadmaps(),
            self.overdue_measures(),
            self.partnerships(),
            self.events(),
            self.tutoring(),
            self.practices(),
            self.dynamics(),
            acts_sheet(user=self.user, start=self.start, end=self.end, municipality_ids=self.ids),
            self.targets_sheet(),
        ]

    def territory(self) -> str:
        """What the report covers, for its summary and the running header of its pages: the municipality (a
        district's department's district), the region (a department's, or the one the federal operator chose), the
        regions of a department of several, or the whole country for the federal operator."""
        if not hasattr(self, "_territory"):
            self._territory = report_territory(self.user, municipality=self.municipality, region=self.region)
        return self._territory

    # summary and by municipality: the dashboards' figures

    def summary(self) -> TypedSheet:
        f = self.figures
        scope = self.territory()

        def rows():
            yield ("Отчёт", "Учебный год", f.year_label, "year")
            yield ("Отчёт", "Охват", scope, "scope")
            yield ("Отчёт", "Начало учебного года", Formatted(f.period[0], "date"), "period_start")
            yield ("Отчёт", "Окончание учебного года", Formatted(f.period[1], "date"), "period_end")
            yield ("Отчёт", "Данные на дату", Formatted(f.as_of, "date"), "as_of")
            yield (
                "Отчёт", "Перечень ШНОР/ШНСУ (утверждён за год)", f.list_year or "нет утверждённого перечня", "list_year"
            )
            yield ("Отчёт", "Сформирован", Formatted(timezone.now(), "datetime"), "generated_at")
            yield ("Отчёт", "Цели, по которым оценено (лист «Цели»)", self.targets().describe(), "targets")
            # each number links to the portal's list of exactly the rows it counts (`monitoring.figure_links`)
            link, base = FigureLinks(f), settings.PORTAL_BASE_URL.rstrip("/")
            for figure in FIGURES:
                url = link(figure.key, self.municipality.pk if self.municipality else None)
                yield (
                    figure.section,
                    figure.label,
                    Formatted(f.total[figure.key], figure.kind),
                    figure.key,
                    Link("открыть список", base + url) if url else None,
                )

        return TypedSheet(
            "Сводка",
            [
                Column("Раздел", 30),
                Column("Показатель", 62),
                Column("Значение", 18),
                Column("Код", 24, hidden=True),
                Column("Строки на портале", 20),
            ],
            rows(),
        )

    def by_municipality(self) -> TypedSheet:
        f = self.figures
        columns = [Column("Муниципалитет", 30)] + [
            Column(figure.label, 16, "percent" if figure.kind == PERCENT else "int") for figure in FIGURES
        ]

        def rows():
            for municipality, row in f.row_list():
                yield [municipality.name, *[row[figure.key] for figure in FIGURES]]
            yield ["Итого", *[f.total[figure.key] for figure in FIGURES]]

        return TypedSheet("По муниципалитетам", columns, rows())

    # by school

    def _teacher_figures(self) -> dict[str, dict[int, int]]:
        """school id → active teachers, those with a counting ИПРП of the year, those with a tutor now."""
        teachers = visible_teachers(self.user).filter(is_active=True, school__municipality_id__in=self.ids)
        return {
            "teachers": _per_school(teachers),
            "plans": _per_school(teachers.filter(plans__year=self.year, plans__status__in=DevelopmentPlan.COUNTING)),
            "tutored": _per_school(
                teachers.filter(pk__in=TutorAssignment.objects.current(self.as_of).values("teacher_id"))
            ),
        }

    def _school_figures(self) -> dict[str, dict]:
        """The by-school sheet's figures, each as school id → value from one grouped query over the whole scope:
        at a country's scale correlated subqueries per school took minutes (docs/PERFORMANCE.md)."""
        year, as_of, ids = self.year, self.as_of, self.ids
        programmes = self.programmes.filter(kind__in=Programme.SCHOOL_KINDS)
        measures = RoadmapMeasure.objects.filter(programme__in=programmes)
        sessions = visible_sessions(self.user).filter(
            status=SupportSession.Status.CONFIRMED, held_on__gte=self.start, held_on__lte=self.end
        )
        figures = {
            "measures": _per_school(measures.exclude(status=MeasureStatus.CANCELLED), "programme__school"),
            "done": _per_school(measures.filter(status=MeasureStatus.DONE), "programme__school"),
            "overdue": _per_school(measures.filter(overdue_q(as_of)), "programme__school"),
            "sessions": _per_school(
                sessions.filter(agreement__supported_school__municipality_id__in=ids), "agreement__supported_school"
            ),
            "events": _per_school(
                EventInvitation.objects.filter(
                    school__municipality_id__in=ids, attended=True, event__is_cancelled=False,
                    event__held_on__gte=self.start, event__held_on__lte=self.end,
                )
            ),
            **self._teacher_figures(),
            "practices": _per_school(
                visible_practices(self.user).filter(status=Practice.Status.PUBLISHED, school__municipality_id__in=ids)
            ),
            "in_force": set(
                visible_agreements(self.user)
                .filter(supported_school__municipality_id__in=ids, status="active", starts_on__lte=as_of,
                        ends_on__gte=as_of)
                .values_list("supported_school_id", flat=True)
            ),
            "accepted": set(programmes.filter(state=Programme.State.ACCEPTED).values_list("school_id", flat=True)),
            "programme_state": {},
            "self_assessments": {
                (school_id, stage): status
                for school_id, stage, status in visible_self_assessments(self.user)
                .filter(year=year, is_current=True, school__municipality_id__in=ids)
                .values_list("school_id", "stage", "status")
            },
        }  # fmt: skip
        # The school's programme of the year: the latest by period, then by creation.
        for school_id, state in programmes.order_by("school_id", "period_start", "pk").values_list("school_id", "state"):
            figures["programme_state"][school_id] = state
        return figures

    def _calendar(self) -> list:
        """The stages of the report's territory (its first municipality's; the default calendar for none)."""
        municipalities = self.figures.municipalities
        region_id = municipalities[0].region_id if municipalities else None
        return CalendarBook([self.figures.year]).stages(self.figures.year, region_id)

    def by_school(self) -> TypedSheet:
        states = dict(Programme.State.choices)
        sa_states = dict(SelfAssessment.Status.choices)
        calendar = self._calendar()
        columns = [
            Column("Муниципалитет", 26),
            Column("Школа", 34),
            Column("Статус в перечне", 16),
            Column("Школьная программа", 26),
            Column("Программа принята", 12),
            Column("Мероприятий дорожной карты", 14, "int"),
            Column("Выполнено", 12, "int"),
            Column("Доля выполненных", 12, "percent"),
            Column("Просрочено", 12, "int"),
            Column("Договор с куратором действует", 14),
            Column("Сопровождающих мероприятий проведено", 16, "int"),
            Column("Участие в методических мероприятиях", 16, "int"),
            Column("Педагогов", 11, "int"),
            Column("С ИПРП", 10, "int"),
            Column("С тьютором", 11, "int"),
            Column("Практик в банке", 11, "int"),
            *[Column(f"Самооценка: {stage.name}", 18) for stage in calendar],
        ]

        def rows():
            figures = self._school_figures()
            count = {name: figures[name] for name in (
                "measures", "done", "overdue", "sessions", "events", "teachers", "plans", "tutored", "practices"
            )}  # fmt: skip
            schools = (
                with_counted_status(self.schools, self.figures.list_years)
                .order_by("municipality__name", "short_name", "pk")
                .values_list("pk", "municipality__name", "short_name", "year_status")
            )
            for pk, municipality, name, status in _chunks(schools):
                measures, done = count["measures"].get(pk, 0), count["done"].get(pk, 0)
                yield [
                    municipality,
                    name,
                    STATUS_LABELS.get(status, "не входит") if status else "не входит",
                    states.get(figures["programme_state"].get(pk), "нет"),
                    _yes(pk in figures["accepted"]),
                    measures,
                    done,
                    share(done, measures),
                    count["overdue"].get(pk, 0),
                    _yes(pk in figures["in_force"]),
                    *[count[name].get(pk, 0) for name in ("sessions", "events", "teachers", "plans", "tutored", "practices")],
                    *[
                        sa_states.get(figures["self_assessments"].get((pk, stage.code)), "не загружена")
                        for stage in calendar
                    ],
                ]

        return TypedSheet("По школам", columns, rows())

    # indicators

    def indicators(self) -> TypedSheet:
        columns = [
            Column("Код", 18), Column("Показатель", 60), Column("Единица", 9), Column("Направление", 22),
            Column("Муниципалитет", 26), Column("Базовый год", 10, "int"), Column("Базовое значение", 12, "number"),
            Column(f"План {self.figures.year_label}", 12, "number"), Column("Факт", 12, "number"),
            Column("Этап факта", 14), Column("План выполнен", 12), Column("Как сводится", 24), Column("Инструмент", 24),
            Column("Источник данных", 24),
        ]

        def rows():
            for item in self.figures.indicator_rows:
                indicator = item["indicator"]
                met = {True: YES, False: NO}.get(item["met"], "нет данных")
                yield [
                    indicator.code, indicator.name, indicator.unit_label, indicator.get_direction_display(),
                    item["municipality"].name if item["municipality"] else "Итого по охвату отчёта",
                    item["baseline_year"], item["baseline"], item["planned"], item["actual"], item["stage_label"], met,
                    indicator.get_aggregation_display(), indicator.instrument, indicator.data_source,
                ]

        return TypedSheet("Показатели", columns, rows())

    # programmes and reviews

    def programmes_sheet(self) -> TypedSheet:
        kinds, states = dict(Programme.Kind.choices), dict(Programme.State.choices)
        verdicts = dict(Review.Verdict.choices)
        done = Review.objects.filter(status=Review.Status.DONE)
        deciding = done.filter(kind__in=[Review.Kind.MUNICIPAL, Review.Kind.REGIONAL]).order_by("-completed_at", "-pk")
        queryset = (
            self.programmes.select_related("municipality", "school")
            .annotate(
                reviews_done=_count(done, "programme"),
                mutual_done=_count(done.filter(kind=Review.Kind.MUTUAL), "programme"),
                last_verdict=Subquery(deciding.filter(programme=OuterRef("pk")).values("verdict")[:1]),
                last_decided=Subquery(deciding.filter(programme=OuterRef("pk")).values("completed_at")[:1]),
            )
            .order_by("municipality__name", "school__short_name", "title", "pk")
        )
        columns = [
            Column("Муниципалитет", 26), Column("Школа", 30), Column("Вид программы", 30), Column("Наименование", 50),
            Column("Срок", 11), Column("Состояние", 22), Column("Раунд экспертизы", 10, "int"),
            Column("Отправлена", 12, "date"), Column("Принята", 12, "date"), Column("Экспертиз завершено", 12, "int"),
            Column("Из них взаимоэкспертиз", 12, "int"), Column("Последнее решение", 22),
            Column("Дата решения", 12, "date"),
        ]

        def rows():
            for p in _chunks(queryset):
                yield [
                    p.municipality.name, p.school.short_name if p.school_id else "", kinds.get(p.kind, p.kind),
                    p.title, p.period_label, states.get(p.state, p.state), p.round,
                    _local_date(p.submitted_at), _local_date(p.accepted_at), p.reviews_done, p.mutual_done,
                    verdicts.get(p.last_verdict, ""), _local_date(p.last_decided),
                ]

        return TypedSheet("Программы и экспертиза", columns, rows())

    # roadmaps

    def roadmaps(self) -> TypedSheet:
        queryset = (
            self.programmes.with_progress(self.as_of)
            .select_related("municipality", "school")
            .order_by("municipality__name", "school__short_name", "title", "pk")
        )
        columns = [
            Column("Муниципалитет", 26), Column("Владелец", 30), Column("Программа", 50),
            Column("Мероприятий", 12, "int"), Column("Выполнено", 12, "int"), Column("Доля выполненных", 12, "percent"),
            Column("Просрочено", 12, "int"), Column("Оценка", 18),
        ]

        def rows():
            for p in _chunks(queryset):
                yield [
                    p.municipality.name, p.owner_label, p.title, p.measure_count, p.done_count,
                    share(p.done_count, p.measure_count), p.overdue_count,
                    Rag(rag_of(active=p.measure_count, overdue=p.overdue_count)).label,
                ]

        return TypedSheet("Дорожные карты", columns, rows())

    def overdue_measures(self) -> TypedSheet:
        statuses = dict(MeasureStatus.choices)
        queryset = (
            RoadmapMeasure.objects.filter(overdue_q(self.as_of), programme__in=self.programmes)
            .select_related("programme__municipality", "programme__school", "section")
            .order_by("programme__municipality__name", "deadline", "pk")
        )
        columns = [
            Column("Муниципалитет", 26), Column("Владелец", 30), Column("Программа", 40), Column("№", 7),
            Column("Мероприятие", 50), Column("Срок", 16), Column("Дней просрочки", 10, "int"),
            Column("Статус", 16), Column("Исполнители", 30),
        ]

        def rows():
            for m in _chunks(queryset):
                yield [
                    m.programme.municipality.name if m.programme.municipality_id else "", m.programme.owner_label, m.programme.title,
                    f"{m.section.position}.{m.position}", m.name, m.deadline_label, (self.as_of - m.deadline).days,
                    statuses.get(m.status, m.status), m.executors,
                ]

        return TypedSheet("Просроченные мероприятия", columns, rows())

    # agreements and sessions

    def partnerships(self) -> TypedSheet:
        f = self.figures
        formats = list(SessionFormat.choices)
        hours = dict(
            visible_sessions(self.user)
            .filter(
                status=SupportSession.Status.CONFIRMED, held_on__gte=self.start, held_on__lte=self.end,
                agreement__supported_school__municipality_id__in=self.ids,
            )
            .order_by()
            .values_list("agreement__supported_school__municipality_id")
            .annotate(h=Sum("hours"))
        )
        columns = [
            Column("Муниципалитет", 28), Column("Договоров подписано за год", 14, "int"),
            Column("Договоров действует", 14, "int"), Column("Проведено мероприятий (подтверждено)", 16, "int"),
            *[Column(label.capitalize(), 13, "int") for _value, label in formats],
            Column("Ждут подтверждения", 13, "int"), Column("Часов сопровождения", 13, "number"),
        ]

        def line(name, row, h):
            return [
                name, row["agreements_signed"], row["agreements_in_force"], row["sessions"],
                *[row[f"sessions_{value}"] for value, _label in formats], row["sessions_pending"], h,
            ]

        def rows():
            for municipality, row in f.row_list():
                yield line(municipality.name, row, hours.get(municipality.pk) or 0)
            yield line("Итого", f.total, sum((h or 0 for h in hours.values()), 0))

        return TypedSheet("Договоры и сопровождение", columns, rows())

    # events

    def events(self) -> TypedSheet:
        formats = dict(MethodicalEvent.Format.choices)
        invitations = EventInvitation.objects.filter(school__in=self.schools.values("pk"))
        shnor = invitations.filter(
            attended=True,
            school_id__in=counted_statuses(self.figures.list_years).filter(status__in=SHNOR_STATUSES).values("school_id"),
        )
        queryset = (
            visible_events(self.user)
            .filter(held_on__gte=self.start, held_on__lte=self.end, is_cancelled=False)
            .filter(Q(municipality__isnull=True) | Q(municipality_id__in=self.ids))
            .select_related("municipality")
            .annotate(
                invited=_count(invitations, "event"),
                attended_count=_count(invitations.filter(attended=True), "event"),
                shnor_attended=_count(shnor, "event"),
            )
            .order_by("held_on", "pk")
        )
        columns = [
            Column("Дата", 12, "date"), Column("Мероприятие", 50), Column("Форма", 16), Column("Уровень", 24),
            Column("Организатор", 30), Column("Приглашено школ", 12, "int"), Column("Приняли участие", 12, "int"),
            Column("Из них ШНОР", 12, "int"),
            *[Column(title, 14, "int") for group in PEOPLE_GROUPS for title in group],
            Column("Цель считается по", 28), Column("Цель: не менее, %", 12, "int"),
            Column("Доля группы цели", 12, "percent"), Column("Цель достигнута", 12),
        ]  # fmt: skip

        def rows():
            for events in _batches(queryset):
                attach_group_counts(events)
                for e in events:
                    target = e.target_share is not None
                    yield [
                        e.held_on, e.title, formats.get(e.format, e.format),
                        e.municipality.name if e.municipality_id else "региональное", e.organiser,
                        e.invited, e.attended_count, e.shnor_attended,
                        *[n for key in ("teachers", "management", "specialists")
                          for n in (e.groups[key].invited, e.groups[key].took_part)],
                        e.get_target_group_display() if target else "", e.target_share,
                        e.target_count.share if target else None,
                        {True: "да", False: "нет"}.get(e.target_reached, ""),
                    ]  # fmt: skip

        return TypedSheet("Мероприятия", columns, rows())

    # tutoring and ИПРП

    def tutoring(self) -> TypedSheet:
        columns = [
            Column("Муниципалитет", 26), Column("Школа", 34), Column("Статус в перечне", 16),
            Column("Педагогов", 11, "int"), Column("С ИПРП на год", 11, "int"), Column("Доля с ИПРП", 11, "percent"),
            Column("С тьютором", 11, "int"), Column("Доля с тьютором", 11, "percent"),
        ]

        def rows():
            figures = self._teacher_figures()
            teachers, plans, tutored = figures["teachers"], figures["plans"], figures["tutored"]
            schools = (
                with_counted_status(self.schools, self.figures.list_years)
                .filter(
                    Q(pk__in=visible_teachers(self.user).filter(is_active=True).values("school_id"))
                    | Q(year_status__in=[Status.SHNOR, Status.SHNSU, Status.BOTH])
                )
                .order_by("municipality__name", "short_name", "pk")
                .values_list("pk", "municipality__name", "short_name", "year_status")
            )
            for pk, municipality, name, status in _chunks(schools):
                count, planned, with_tutor = teachers.get(pk, 0), plans.get(pk, 0), tutored.get(pk, 0)
                yield [
                    municipality, name, STATUS_LABELS.get(status, "не входит") if status else "не входит",
                    count, planned, share(planned, count), with_tutor, share(with_tutor, count),
                ]

        return TypedSheet("Тьюторство и ИПРП", columns, rows())

    # the practice bank

    def practices(self) -> TypedSheet:
        downloads = PracticeDownload.objects.all()
        queryset = (
            visible_practices(self.user)
            .filter(status=Practice.Status.PUBLISHED, school__municipality_id__in=self.ids)
            .select_related("school__municipality")
            .annotate(
                downloads_total=_count(downloads, "practice"),
                downloads_year=_count(
                    downloads.filter(downloaded_at__date__gte=self.start, downloaded_at__date__lte=self.end),
                    "practice",
                ),
            )
            .order_by("school__municipality__name", "school__short_name", "title", "pk")
        )
        columns = [
            Column("Муниципалитет", 26), Column("Школа", 30), Column("Практика", 50),
            Column("Опубликована", 12, "date"), Column("Скачиваний всего", 12, "int"),
            Column(f"Скачиваний за {self.figures.year_label}", 13, "int"),
        ]

        def rows():
            for p in _chunks(queryset):
                yield [
                    p.school.municipality.name, p.school.short_name, p.title, _local_date(p.published_at),
                    p.downloads_total, p.downloads_year,
                ]

        return TypedSheet("Банк практик", columns, rows())

    # results dynamics

    def dynamics(self) -> TypedSheet:
        f = self.figures
        names = {m.pk: m.name for m in f.municipalities}
        years = list(range(f.year - 4, f.year + 1))
        exams = dict(Measure.Exam.choices)
        columns = [
            Column("Муниципалитет", 26), Column("Процедура", 9), Column("Результат", 40), Column("Группа школ", 16),
            *[Column(school_year_label(y), 10, "number") for y in years], Column("Изменение за период", 12, "number"),
        ]

        def change(series):
            known = [v for v in series if v is not None]
            return round(known[-1] - known[0], 2) if len(known) >= 2 else None

        def rows():
            for item in f.dynamics:
                scope = names.get(item["municipality_id"], "Итого по охвату отчёта")
                measure = item["measure"]
                for group, label in (("shnor", "ШНОР"), ("other", "остальные школы")):
                    yield [
                        scope, exams.get(measure.exam, measure.exam), measure.name, label, *item[group],
                        change(item[group]),
                    ]

        return TypedSheet("Динамика результатов", columns, rows())

    # the targets judged against: as they stood when the report was generated, printed into it (a later change of a
    # target does not touch a file already written)

    def targets(self) -> Targets:
        if not hasattr(self, "_book"):
            self._book = targets_of_year(self.year)
        return common_targets(self._book, self.year, self.figures.municipalities)

    def targets_sheet(self) -> TypedSheet:
        f = self.figures
        columns = [
            Column("Муниципалитет", 28), Column("Цель", 52), Column("Не менее", 11, "number"),
            Column("Факт", 11, "number"), Column("Выполнена", 11), Column("Чьи цели", 40),
        ]
        marks = {True: YES, False: NO, None: "нет данных"}

        def lines(name, row, targets: Targets):
            items = [
                ("Договоров с кураторами подписано за учебный год", targets.agreements_per_year,
                 row["agreements_signed"], targets.agreements_met(row["agreements_signed"])),
                ("Доля ШНОР, участвовавших в методических мероприятиях, %", targets.event_participation,
                 row["events_share"], Targets.share_met(row["events_share"], targets.event_participation)),
                ("Доля педагогов с ИПРП, %", targets.teacher_coverage, row["plan_share"],
                 Targets.share_met(row["plan_share"], targets.teacher_coverage)),
                ("Доля педагогов с тьютором, %", targets.teacher_coverage, row["tutor_share"],
                 Targets.share_met(row["tutor_share"], targets.teacher_coverage)),
            ]  # fmt: skip
            source = targets.source + (f"; {targets.basis}" if targets.basis else "")
            for label, target, actual, met in items:
                yield [name, label, target, actual, marks[met], source]

        def rows():
            self.targets()
            for municipality, row in f.row_list():
                yield from lines(municipality.name, row, self._book.of_municipality(municipality, self.year))

        return TypedSheet("Цели", columns, rows())


def report_territory(user, *, municipality=None, region=None) -> str:
    """The name of what a report covers: the municipality, the region, «все регионы» for the federal operator's
    country (or the command line's), else the user's territory (`schools.access.territory_of`)."""
    if municipality is not None:
        return str(municipality)
    if region is not None:
        return str(region)
    if reach_of(user).reads_all:
        return "все регионы"
    return territory_of(user) or "все муниципалитеты"  # a department's region(s), a district's department's district


def _local_date(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def report_write(
    target, *, user, year: int, municipality: Municipality | None = None, on_progress=None, today=None,
    region: Region | None = None,
):
    """Write the yearly report to `target` (a path or a binary file). `on_progress(percent, stage)` is told
    before each sheet."""
    report = Report(user=user, year=year, municipality=municipality, today=today, region=region)
    sheets = report.sheets()

    def on_sheet(index, title):
        if on_progress is not None:
            on_progress(5 + round(90 * index / len(sheets)), f"Лист «{title}»")

    xlsx_write_typed(target, sheets, on_sheet=on_sheet, territory=report.territory())
    return report


# --- the export from the browser -------------------------------------------------------------------------------------


def _set(export_pk: int, **fields) -> None:
    ReportExport.objects.filter(pk=export_pk).update(**fields)


def report_export_run(export_pk: int) -> None:
    """Write the report of an export with the requester's reach, storing progress, the file or the error."""
    export = ReportExport.objects.select_related("municipality", "region", "requested_by").get(pk=export_pk)
    _set(
        export.pk, status=ReportExport.Status.RUNNING, started_at=timezone.now(), beat_at=timezone.now(), progress=1,
        stage="Подсчёт показателей",
    )
    user = export.requested_by
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="yearly-report-")
    os.close(handle)
    try:
        if user is None:
            raise ReportError("Пользователь, запросивший отчёт, удалён.")
        report_write(
            path,
            user=user,
            year=export.year,
            municipality=export.municipality,
            region=export.region,
            # each sheet is a heartbeat (shnor_portal.jobs); an export marked interrupted meanwhile stops here
            on_progress=lambda percent, stage: jobs.beat(
                ReportExport.objects.filter(pk=export.pk), state="status", progress=percent, stage=stage
            ),
        )
        with open(path, "rb") as stored:
            export.file.save(export.file_name, File(stored), save=False)
        _set(
            export.pk,
            file=export.file.name,
            size=os.path.getsize(path),
            status=ReportExport.Status.DONE,
            progress=100,
            stage="Готово",
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("Yearly report export %s failed", export.pk)
        message = str(exc) if isinstance(exc, ReportError) else "не удалось сформировать отчёт; подробности в журнале сервера"
        _set(export.pk, status=ReportExport.Status.FAILED, error=message, finished_at=timezone.now())
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass

