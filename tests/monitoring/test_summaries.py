"""The dashboards' figures kept in summaries (`monitoring.summaries`), the real way: a change marks them when it
commits, the worker's task counts them again, and a change in one municipality counts nothing else."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from monitoring.calendar import Stage
from monitoring.figures import FIGURES_BY_KEY, INT, count_figures, year_figures
from monitoring.models import FigureSummary, Indicator, IndicatorValue
from monitoring.summaries import dashboard_figures, figures_read, figures_refresh, summaries_count, summaries_mark
from programs.models import Programme
from schools.models import Municipality, Region, School, SchoolResult
from schools.signals import rows_changed_in

pytestmark = pytest.mark.django_db
INT_KEYS = [key for key, figure in FIGURES_BY_KEY.items() if figure.kind == INT]


@pytest.fixture
def real_way(settings):
    """Marks at the commit and a refresh by the task, as in production (the suite reads fresh figures otherwise)."""
    settings.FIGURES_READ_FRESH = False


def _programmes(municipality) -> int:
    return Programme.objects.filter(municipality=municipality).count()


def _new_programme(school: School, year: int) -> Programme:
    return Programme.objects.create(
        kind=Programme.Kind.TRANSITION, school=school, municipality=school.municipality, title="Новая программа",
        period_start=year, period_end=year + 1,
    )  # fmt: skip


def _shown_programmes(client, municipality, year) -> int:
    figures = client.get(reverse("monitoring:dashboard"), {"year": year}).context["figures"]
    return sum(figures.rows[municipality.pk][f"programmes_{state.value}"] for state in Programme.State)


def test_the_summaries_add_up_to_what_a_live_count_gives(mon):
    department = mon.users["department"]
    live = year_figures(user=department, year=mon.year)
    read = dashboard_figures(user=department, year=mon.year)
    assert FigureSummary.objects.filter(year=mon.year, municipality__isnull=False).count() == len(live.rows)
    for pk, row in live.rows.items():
        assert {k: read.rows[pk][k] for k in INT_KEYS} == {k: row[k] for k in INT_KEYS}, pk
    assert read.total == live.total
    shown = lambda rows: [(r["indicator"].pk, r["municipality"], r["actual"], r["met"]) for r in rows]  # noqa: E731
    whole = [r for r in live.indicator_rows if r["municipality"] is None]
    assert shown(read.indicator_rows) == shown(whole)  # over several municipalities: the scope's rows only
    one = dashboard_figures(user=department, year=mon.year, municipality=mon.municipality_a)
    mine = [r for r in live.indicator_rows if r["municipality"] == mon.municipality_a]
    assert [r for r in shown(one.indicator_rows) if r[1] is not None] == shown(mine)
    # the database sums a measure's scores in the order its plan takes: the means may differ in the last digit
    wanted = [d for d in live.dynamics if d["municipality_id"] is None]
    assert len(read.dynamics) == len(wanted) > 0
    for got, want in zip(read.dynamics, wanted, strict=True):
        assert (got["measure"], got["municipality_id"]) == (want["measure"], want["municipality_id"])
        for group in ("shnor", "other"):
            assert got[group] == pytest.approx(want[group], abs=0.011)


def _same_as_a_live_count(read, live):
    """The figures read from the summaries are those a live count of the same municipalities gives: every count,
    the totals, the scope's indicators and its results' dynamics."""
    for pk, row in live.rows.items():
        assert {k: read.rows[pk][k] for k in INT_KEYS} == {k: row[k] for k in INT_KEYS}, pk
    assert read.total == live.total
    shown = lambda rows: [(r["indicator"].pk, r["actual"], r["met"], r["stage"]) for r in rows]  # noqa: E731
    assert shown(read.indicator_rows) == shown(r for r in live.indicator_rows if r["municipality"] is None)
    wanted = [d for d in live.dynamics if d["municipality_id"] is None]
    assert [d["measure"] for d in read.dynamics] == [d["measure"] for d in wanted]
    for got, want in zip(read.dynamics, wanted, strict=True):
        for group in ("shnor", "other"):
            assert got[group] == pytest.approx(want[group], abs=0.011)


@pytest.mark.parametrize(
    "scope", ["the department's region", "two of its municipalities", "every region"],
)
def test_a_scope_of_whole_regions_or_of_a_part_reads_what_a_live_count_gives(mon, scope):
    """A scope of whole regions takes its indicators and dynamics from its regions' sums, a part of a region
    from each municipality's row: the same figures either way."""
    region = mon.municipality_a.region
    if scope == "every region":  # a second region, its school with the results of one of the first
        other = Municipality.objects.create(region=Region.objects.create(name="Другой край"), name="Другой район")
        school = School.objects.create(municipality=other, name="Школа другого края", short_name="Школа края")
        SchoolResult.objects.bulk_create(
            SchoolResult(school=school, year=r.year, measure_id=r.measure_id, value=r.value)
            for r in SchoolResult.objects.filter(school=mon.outsider_school)
        )
    municipalities = {
        "the department's region": Municipality.objects.filter(region=region),
        "two of its municipalities": Municipality.objects.filter(pk__in=[mon.municipality_a.pk, mon.municipality_b.pk]),
        "every region": Municipality.objects.all(),
    }[scope]
    municipalities = list(municipalities.order_by("name"))
    assert len({m.region_id for m in municipalities}) == (2 if scope == "every region" else 1)
    assert (len(municipalities) < Municipality.objects.filter(region=region).count()) == (scope.startswith("two"))
    read = figures_read(municipalities=municipalities, year=mon.year)
    _same_as_a_live_count(read, count_figures(user=None, year=mon.year, municipalities=municipalities))


def test_a_region_s_sums_follow_a_change_in_one_of_its_municipalities(
    mon, real_way, django_capture_on_commit_callbacks
):
    department, a = mon.users["department"], mon.municipality_a
    municipalities = list(Municipality.objects.filter(region=a.region).order_by("name"))
    with django_capture_on_commit_callbacks(execute=True):
        indicator = Indicator.objects.create(
            code="events-held", name="Проведено мероприятий", level=Indicator.Level.SCHOOL,
            unit=Indicator.Unit.COUNT, aggregation=Indicator.Aggregation.SUM, region=a.region,
        )  # fmt: skip

    def shown():
        rows = dashboard_figures(user=department, year=mon.year).indicator_rows
        return next(r["actual"] for r in rows if r["indicator"] == indicator)

    assert shown() is None
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for school, value in ((mon.school, 2), (mon.neighbour, 3), (mon.outsider_school, 4)):
            IndicatorValue.objects.create(
                indicator=indicator, year=mon.year, stage=Stage.FINAL, municipality=school.municipality,
                school=school, value=Decimal(value), status=IndicatorValue.Status.CONFIRMED,
            )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # the commit: the marks, the task (run at once here)
        for callback in callbacks:
            callback()
    # the region's row summed again with the new values of both municipalities, counted one after the other
    assert shown() == 9.0
    _same_as_a_live_count(
        dashboard_figures(user=department, year=mon.year),
        count_figures(user=None, year=mon.year, municipalities=municipalities),
    )


def test_a_committed_change_is_seen_after_the_task_and_counts_only_its_municipality(
    client, mon, real_way, django_capture_on_commit_callbacks
):
    department, a, b = mon.users["department"], mon.municipality_a, mon.municipality_b
    client.force_login(department)
    before = _shown_programmes(client, a, mon.year)
    counted = {s.municipality_id: s.counted_at for s in FigureSummary.objects.filter(year=mon.year)}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _new_programme(mon.neighbour, mon.year)
    # not committed yet: nothing is marked, the page shows what was counted
    assert not FigureSummary.objects.filter(changed_at__isnull=False).exists()
    assert _shown_programmes(client, a, mon.year) == before
    with django_capture_on_commit_callbacks(execute=True):  # the commit: the mark, and the task (run at once here)
        for callback in callbacks:
            callback()
    assert _shown_programmes(client, a, mon.year) == before + 1
    again = {s.municipality_id: s.counted_at for s in FigureSummary.objects.filter(year=mon.year)}
    assert again[a.pk] > counted[a.pk] and again[None] > counted[None]  # its municipality, its region's row
    assert again[b.pk] == counted[b.pk]  # the other municipality was not counted again
    assert not FigureSummary.objects.filter(changed_at__isnull=False).exists()


def _stamp(client, year) -> tuple[datetime.datetime, str]:
    html = client.get(reverse("monitoring:dashboard"), {"year": year}).content.decode()
    return datetime.datetime.fromisoformat(re.search(r'data-figures-as-of="([^"]+)"', html)[1]), html


def test_a_marked_summary_is_shown_as_behind_since_the_change_until_the_worker_counts_it(client, mon, real_way):
    client.force_login(mon.users["department"])
    before = _shown_programmes(client, mon.municipality_a, mon.year)
    fresh, _html = _stamp(client, mon.year)
    assert abs(fresh - timezone.now()) < datetime.timedelta(seconds=30)  # nothing waits: the figures are current
    _new_programme(mon.neighbour, mon.year)
    summaries_mark(municipality_ids={mon.municipality_a.pk}, region_ids=set())  # what the commit does
    changed = FigureSummary.objects.get(municipality=mon.municipality_a, year=mon.year).stale_since
    FigureSummary.objects.filter(stale_since=changed).update(stale_since=changed - datetime.timedelta(hours=1))
    summaries_mark(municipality_ids={mon.municipality_a.pk}, region_ids=set())  # a later change keeps the first
    an_hour_ago = changed - datetime.timedelta(hours=1)
    stamp, html = _stamp(client, mon.year)
    assert stamp == an_hour_ago
    shown = re.escape(f'данные на <time datetime="{stamp.isoformat()}">{timezone.localtime(an_hour_ago):%H:%M}')
    assert re.search(shown + r"( \d\d\.\d\d\.\d{4})?</time>", html)  # the date too when it was not today
    assert _shown_programmes(client, mon.municipality_a, mon.year) == before
    assert figures_refresh.call() == 1  # the worker: one municipality marked, one counted
    assert _shown_programmes(client, mon.municipality_a, mon.year) == before + 1
    assert abs(_stamp(client, mon.year)[0] - timezone.now()) < datetime.timedelta(seconds=30)


def test_a_mark_made_while_a_summary_is_counted_stays_for_the_next_run(mon, real_way):
    a = mon.municipality_a
    dashboard_figures(user=mon.users["department"], year=mon.year)
    summary = FigureSummary.objects.get(municipality=a, year=mon.year)
    later = timezone.now() + datetime.timedelta(seconds=5)  # a change that commits after the count began
    FigureSummary.objects.filter(pk=summary.pk).update(changed_at=later, stale_since=later)
    summaries_count(municipalities=[a], year=mon.year)
    summary.refresh_from_db()
    assert summary.changed_at == later and summary.stale_since < later  # behind since the count began, at most
    summary.changed_at = timezone.now() - datetime.timedelta(seconds=5)  # one before it began: counted, cleared
    summary.save()
    summaries_count(municipalities=[a], year=mon.year)
    summary.refresh_from_db()
    assert summary.changed_at is None and summary.stale_since is None


def test_summaries_of_an_earlier_day_are_counted_again_by_the_task(mon, real_way):
    dashboard_figures(user=mon.users["department"], year=mon.year)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    FigureSummary.objects.filter(municipality=mon.municipality_b).update(as_of=yesterday)
    assert figures_refresh.call() == 1
    assert FigureSummary.objects.get(municipality=mon.municipality_b, year=mon.year).as_of == timezone.localdate()


def test_bulk_writes_mark_the_figures_they_change(mon, real_way, django_capture_on_commit_callbacks):
    dashboard_figures(user=mon.users["department"], year=mon.year)
    with django_capture_on_commit_callbacks() as callbacks:
        rows_changed_in(school_ids=[mon.outsider_school.pk])  # a bulk write of municipality B's school
        for _ in range(3):  # and saves in A: all marked by one callback at the commit
            programme = Programme.objects.filter(municipality=mon.municipality_a).first()
            programme.title = "Программа с новым названием"
            programme.save()
    assert len(callbacks) == 1
    assert not FigureSummary.objects.filter(changed_at__isnull=False).exists()
    callbacks[0]()
    marked = set(FigureSummary.objects.filter(changed_at__isnull=False).values_list("municipality_id", flat=True))
    assert marked == {mon.municipality_a.pk, mon.municipality_b.pk, None}  # and their region's row


def test_many_changes_queue_one_refresh_while_it_waits(mon, real_way, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    dashboard_figures(user=mon.users["department"], year=mon.year)
    settings.FIGURES_REFRESH_AFTER = 5
    started = timezone.now()
    for _ in range(5):
        summaries_mark(municipality_ids={mon.municipality_a.pk}, region_ids=set())
    (queued,) = DBTaskResult.objects.filter(task_path=figures_refresh.module_path)
    # counted once, a few seconds after the first change: the changes of those seconds in one count
    assert started + datetime.timedelta(seconds=5) <= queued.run_after <= timezone.now() + datetime.timedelta(seconds=5)


def test_a_mark_cancelled_by_a_deadlock_is_made_again_and_the_save_stands(
    client, mon, real_way, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    from monitoring import summaries

    client.force_login(mon.users["department"])
    before = _shown_programmes(client, mon.municipality_a, mon.year)
    tries = []

    def cancelled(times):
        def mark(**marked):
            tries.append(marked)
            if len(tries) <= times:
                raise OperationalError("deadlock detected")
            return real(**marked)

        return mark

    real = summaries.summaries_mark
    monkeypatch.setattr(summaries, "summaries_mark", cancelled(1))
    with django_capture_on_commit_callbacks(execute=True):  # the commit: PostgreSQL cancels the first mark
        _new_programme(mon.neighbour, mon.year)
    assert len(tries) == 2
    assert _shown_programmes(client, mon.municipality_a, mon.year) == before + 1
    monkeypatch.setattr(summaries, "summaries_mark", cancelled(10))
    with django_capture_on_commit_callbacks(execute=True):  # cancelled twice: logged, the save is not undone
        programme = _new_programme(mon.neighbour, mon.year)
    assert Programme.objects.filter(pk=programme.pk).exists()
