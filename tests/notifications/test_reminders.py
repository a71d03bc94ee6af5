"""Daily reminders: what is due is reminded of, to the right people, once a day however often the command runs, in
a number of queries that does not grow with the number of schools."""

import datetime
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import kinds, reminders
from notifications.models import Notification
from notifications.reminders import reminders_create
from programs.deadlines import Deadline
from programs.models import Programme, Review, RoadmapMeasure, RoadmapSection
from schools.demo import CURATOR_SCHOOL, SCHOOL_TEAM_SCHOOL
from schools.models import RoleAssignment, School

from .conftest import received

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def programme_with(school=None, *, municipality=None, deadlines=(), status="planned", title="Программа для напоминаний"):
    programme = Programme.objects.create(
        kind=Programme.Kind.TRANSITION if school else Programme.Kind.MUNICIPAL, title=title,
        municipality=municipality or school.municipality, school=school, period_start=TODAY.year - 1,
        period_end=TODAY.year + 1, goal="Цель",
    )
    section = RoadmapSection.objects.create(programme=programme, position=1, title="Задача")
    RoadmapMeasure.objects.bulk_create(
        RoadmapMeasure(programme=programme, section=section, position=i + 1, name=f"Мероприятие {i + 1}",
                       deadline=deadline, status=status)
        for i, deadline in enumerate(deadlines)
    )
    return programme


_SECONDS = itertools.count()


def days_before_the_run(n: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(5))) - datetime.timedelta(days=n)


def run(on=TODAY):
    """One daily run on a day (its own moment: the run counts what it stored by it)."""
    moment = datetime.datetime.combine(on, datetime.time(6)) + datetime.timedelta(seconds=next(_SECONDS))
    return reminders_create(today=on, now=timezone.make_aware(moment))


@pytest.fixture
def pokrovskaya(demo):
    return School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)


@pytest.fixture
def quiet(clean):
    """Nothing of the demo is due: its measures done, its reviews decided — each test counts only its own."""
    RoadmapMeasure.objects.update(status="done")
    Review.objects.update(status=Review.Status.DONE)
    return clean


def test_send_reminders_twice_on_the_demo_sends_each_reminder_once(with_emails, clean):
    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    programme_with(school, deadlines=[days(3), days(-2)])
    Review.objects.filter(status__in=Review.OPEN_STATUSES).update(created_at=timezone.now() - datetime.timedelta(days=9))

    call_command("send_reminders", stdout=open("/dev/null", "w"))
    reminded = Notification.objects.filter(dedupe_key__isnull=False)
    stored = reminded.count()
    sent = len(mail.outbox)
    # Everybody has an address and wants e-mail at once: one e-mail per person listing their reminders.
    assert stored > sent > 0
    assert sent == len(set(reminded.values_list("recipient_id", flat=True)))
    assert set(reminded.values_list("email_state", flat=True)) == {Notification.EmailState.SENT}
    assert {n.kind for n in Notification.objects.all()} >= {kinds.MEASURE_DUE, kinds.MEASURE_OVERDUE, kinds.REVIEW_WAITING}

    call_command("send_reminders", stdout=open("/dev/null", "w"))
    assert Notification.objects.filter(dedupe_key__isnull=False).count() == stored
    assert len(mail.outbox) == sent


def test_measures_due_within_7_days_or_overdue_go_to_the_programme_owner(quiet, pokrovskaya, municipality_a):
    programme_with(pokrovskaya, deadlines=[days(7), days(0), days(8), days(-1)])
    programme_with(pokrovskaya, deadlines=[days(2)], status="done", title="Выполненная")
    programme_with(municipality=municipality_a, deadlines=[days(5)], title="Муниципальная")
    counts = run()
    assert counts == {kinds.MEASURE_DUE: 3, kinds.MEASURE_OVERDUE: 1}
    got = received()
    assert sorted(n.kind for n in got["school"]) == [kinds.MEASURE_DUE, kinds.MEASURE_DUE, kinds.MEASURE_OVERDUE]
    assert [n.kind for n in got["coordinator"]] == [kinds.MEASURE_DUE]
    assert set(got) == {"school", "coordinator"}
    overdue = got["school"][-1] if got["school"][-1].kind == kinds.MEASURE_OVERDUE else next(
        n for n in got["school"] if n.kind == kinds.MEASURE_OVERDUE)
    assert "срок был" in overdue.title and overdue.municipality_id == pokrovskaya.municipality_id
    today_one = next(n for n in got["school"] if "сегодня" in n.title)
    assert today_one.kind == kinds.MEASURE_DUE


def test_a_due_measure_is_reminded_once_and_an_overdue_one_weekly(quiet, pokrovskaya):
    programme_with(pokrovskaya, deadlines=[days(6)])
    programme_with(pokrovskaya, deadlines=[days(-1)], title="Просроченная")
    assert run() == {kinds.MEASURE_DUE: 1, kinds.MEASURE_OVERDUE: 1}
    assert run() == {}  # the same day again
    assert run(days(1)) == {}  # next day: nothing new
    assert run(days(6)) == {}  # due day itself: already reminded of
    assert run(days(7)) == {kinds.MEASURE_OVERDUE: 2}  # a week later: both overdue now (the first is new overdue)
    assert run(days(8)) == {}


def test_a_month_deadline_is_reminded_of_by_its_last_day_and_named_as_written(quiet, pokrovskaya):
    """«май» is due by 31 May: no reminder while May has just begun, «через 3 дня» on the 28th, overdue on 1 June."""
    year = TODAY.year + 1
    programme = programme_with(pokrovskaya)
    RoadmapMeasure.objects.create(
        programme=programme, section=programme.sections.get(), position=1, name="Вебинар для управленческих команд",
        **Deadline.in_months(year, [5]).fields(),
    )

    def measures_reminded(on):  # other reminders (stages of next year's monitoring) are not this test's
        return {k: n for k, n in run(on).items() if k in (kinds.MEASURE_DUE, kinds.MEASURE_OVERDUE)}

    assert measures_reminded(datetime.date(year, 5, 20)) == {}
    assert measures_reminded(datetime.date(year, 5, 28)) == {kinds.MEASURE_DUE: 1}
    due = received(kinds.MEASURE_DUE)["school"][0]
    assert due.title == (
        f"Срок мероприятия 1.1 «Вебинар для управленческих команд» — май {year} (последний день 31.05.{year}, "
        "через 3 дня)"
    )
    assert measures_reminded(datetime.date(year, 5, 31)) == {}
    assert measures_reminded(datetime.date(year, 6, 1)) == {kinds.MEASURE_OVERDUE: 1}
    overdue = received(kinds.MEASURE_OVERDUE)["school"][0]
    assert overdue.title == f"Просрочено мероприятие 1.1 «Вебинар для управленческих команд»: срок был май {year}"


def test_reviews_waiting_more_than_5_days_go_to_whom_they_wait_for(clean, programmes):
    open_reviews = Review.objects.filter(status__in=Review.OPEN_STATUSES)
    assert open_reviews.filter(kind=Review.Kind.MUNICIPAL).exists() and open_reviews.filter(kind=Review.Kind.MUTUAL).exists()
    # Days count from the run's own day (TODAY, fixed at import), not from the clock: no flake around midnight.
    open_reviews.update(created_at=days_before_the_run(4))
    assert kinds.REVIEW_WAITING not in run()
    open_reviews.update(created_at=days_before_the_run(6))
    run()
    got = received(kinds.REVIEW_WAITING)
    # municipal, mutual, regional (the region's and the district's department), and the demo's evidence review given
    # to the institute (its expert)
    assert set(got) == {"coordinator", "curator", "department", "district", "expert"}
    assert all("ждёт 6 дней" in n.title for rows in got.values() for n in rows)
    assert "coordinator_b" not in got


def test_sessions_unconfirmed_for_7_days_go_to_the_supported_school_team(quiet, pokrovskaya):
    from partnerships.models import Agreement, SupportSession

    curator_school = School.objects.get(short_name=CURATOR_SCHOOL)
    agreement = Agreement.objects.create(
        number="Т-1", starts_on=days(-60), ends_on=days(200), curator_school=curator_school,
        supported_school=pokrovskaya, subject="Сотрудничество", status=Agreement.Status.ACTIVE,
    )
    fresh = SupportSession.objects.create(agreement=agreement, held_on=days(-3), format="consultation",
                                          topic="Анализ ВПР", hours=2)
    old = SupportSession.objects.create(agreement=agreement, held_on=days(-10), format="consultation",
                                        topic="Посещение уроков", hours=2)
    SupportSession.objects.filter(pk=old.pk).update(logged_at=days_before_the_run(8))
    run()
    mine = Notification.objects.filter(kind=kinds.SESSION_UNCONFIRMED, target_id__in=[old.pk, fresh.pk])
    assert list(mine.values_list("recipient__username", "target_id")) == [("school", old.pk)]
    assert "Посещение уроков" in mine.get().title


def test_agreements_about_to_end_go_to_both_schools_and_the_coordinator(quiet, pokrovskaya):
    from partnerships.models import Agreement

    curator_school = School.objects.get(short_name=CURATOR_SCHOOL)
    Agreement.objects.create(
        number="Т-2", starts_on=days(-300), ends_on=days(20), curator_school=curator_school,
        supported_school=pokrovskaya, subject="Сотрудничество", status=Agreement.Status.ACTIVE,
    )
    agreement = Agreement.objects.get(number="Т-2")
    run()
    mine = Notification.objects.filter(kind=kinds.AGREEMENT_ENDING, target_id=agreement.pk)
    assert set(mine.values_list("recipient__username", flat=True)) == {"curator", "school", "coordinator"}
    assert kinds.AGREEMENT_ENDING not in run(days(1))


def test_a_self_assessment_missing_after_the_due_date_goes_to_the_school_team(quiet, pokrovskaya):
    from monitoring.models import MonitoringStage, SelfAssessment
    from schools.school_year import school_year_of

    MonitoringStage.objects.all().delete()  # only this test's stages
    year = school_year_of(TODAY)
    MonitoringStage.objects.create(
        year=year, code="entry", name="Входной мониторинг", position=1, starts_on=days(-40), due_on=days(-1)
    )
    MonitoringStage.objects.create(
        year=year, code="interim", name="Промежуточный мониторинг", position=2, starts_on=days(-10), due_on=days(30)
    )
    run()
    [reminder] = received(kinds.SELF_ASSESSMENT_MISSING)["school"]
    assert reminder.target == pokrovskaya and "«Входной мониторинг»" in reminder.body
    assert reminder.url == f"/monitoring/schools/{pokrovskaya.pk}/"

    Notification.objects.all().delete()
    SelfAssessment.objects.create(school=pokrovskaya, year=year, stage="entry", original_name="с.xlsx", file="x.xlsx")
    run()
    assert kinds.SELF_ASSESSMENT_MISSING not in received()


def test_a_failing_provider_is_logged_and_the_others_still_run(quiet, pokrovskaya, monkeypatch, caplog):
    programme_with(pokrovskaya, deadlines=[days(1)])

    def broken(**kwargs):
        raise RuntimeError("provider bug")

    monkeypatch.setitem(reminders.PROVIDERS, "broken", broken)
    counts = run()
    assert counts[kinds.MEASURE_DUE] == 1
    assert counts["failed_providers"] == ["broken"]
    assert "provider bug" in caplog.text


def _grow(municipality, n, offset):
    schools = School.objects.bulk_create(
        School(municipality=municipality, short_name=f"Школа {offset + i}", name=f"Школа {offset + i}") for i in range(n)
    )
    users = get_user_model().objects.bulk_create(get_user_model()(username=f"team-{offset + i}") for i in range(n))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, school=s, role=RoleAssignment.Role.SCHOOL_TEAM) for u, s in zip(users, schools, strict=True)
    )
    for school in schools:
        programme_with(school, deadlines=[days(2), days(-3), days(30)])


def test_reminders_cost_the_same_number_of_queries_for_5_or_60_schools(quiet, municipality_b):
    def count(on):
        """Queries other than the bulk inserts (whose batches follow the database's parameter limit)."""
        with CaptureQueriesContext(connection) as queries:
            stored = run(on)
        reads = [q for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("INSERT")]
        return len(reads), sum(stored.values())

    _grow(municipality_b, 5, 0)
    small, stored_small = count(TODAY)
    Notification.objects.all().delete()
    _grow(municipality_b, 55, 100)
    large, stored_large = count(TODAY)
    assert (stored_small, stored_large) == (10, 120)
    assert large == small, (small, large)
    assert small < 40
