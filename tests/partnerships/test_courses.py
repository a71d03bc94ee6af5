"""Training courses recorded the same way as events (issue 18, item 7): dates from–to and hours, people enrolled,
«прошёл обучение» per person; the share of management teams and of municipal specialists trained.

Seed 004, roadmap item 5: «Обучение управленческих команд … на курсах повышения квалификации … Не менее 85 %
управленческих команд прошли обучение на курсах повышения квалификации»; seed 003: «программ повышения
квалификации для школьных команд и специалистов органов местного самоуправления … муниципальных методических служб»."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from monitoring.computed import compute
from partnerships.demo import COURSE
from partnerships.models import EventAttendee, MethodicalEvent
from partnerships.services.event_people import attendance_people_save, attendee_add
from partnerships.services.events import event_create
from schools.models import SchoolYearStatus, Status
from schools.school_year import school_year_of
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def _course_form(world, **changes):
    data = {
        "title": "Курсы «Управление на основе данных»", "format": "course",
        "held_on": (world.today - datetime.timedelta(days=30)).isoformat(),
        "ends_on": (world.today - datetime.timedelta(days=2)).isoformat(), "hours": 36, "starts_at": "",
        "municipality": world.seminar.municipality_id, "organiser": "ММС", "target_group": "management",
        "target_share": 85,
    }  # fmt: skip
    return data | changes


def test_a_course_ending_before_it_starts_is_refused_in_russian(client, world):
    client.force_login(world.users["coordinator"])
    url = reverse("partnerships:event_create")
    page = client.post(url, _course_form(world, ends_on=(world.today - datetime.timedelta(days=40)).isoformat()))
    assert "Курсы не могут закончиться раньше, чем начались." in page.content.decode()
    page = client.post(url, _course_form(world, format="seminar"))
    assert "указывают только для курсов повышения квалификации" in page.content.decode()
    assert not MethodicalEvent.objects.filter(title__startswith="Курсы «Управление").exists()
    assert client.post(url, _course_form(world)).status_code == 302


def _course(world, *, ends_in=-2, target=85):
    coordinator = world.users["coordinator"]
    course = event_create(
        actor=coordinator, title="Курсы «Управление на основе данных»", format=MethodicalEvent.Format.COURSE,
        held_on=world.today - datetime.timedelta(days=30), ends_on=world.today + datetime.timedelta(days=ends_in),
        hours=36, municipality=world.seminar.municipality, organiser="ММС",
        target_group=MethodicalEvent.TargetGroup.MANAGEMENT, target_share=target,
    )  # fmt: skip
    teams = {}
    for school, names in (
        (world.supported_school, ["Орлова Н. И.", "Зимина О. П."]),
        (world.curator_school, ["Белов Д. А."]),
    ):
        teams[school.pk] = [
            attendee_add(event=course, actor=coordinator, kind="management", school=school, full_name=name)
            for name in names
        ]
    return course, teams


def test_completion_is_marked_after_the_last_day_and_the_share_of_teams_is_judged(client, world):
    course, teams = _course(world)
    grid = reverse("partnerships:event_people", args=[course.pk])
    client.force_login(world.users["coordinator"])
    data = form_data(client.get(grid).content.decode())
    orlova, zimina = teams[world.supported_school.pk]
    (belov,) = teams[world.curator_school.pk]
    data[f"completed_{orlova.pk}"] = ["yes"]
    data[f"completed_{zimina.pk}"] = ["no"]
    data[f"completed_{belov.pk}"] = ["yes"]

    assert "прошли обучение 2 из 3" in client.post(grid, data, follow=True).content.decode()
    # Who completed took part; one member of «Покровская СОШ» did not complete, so its team is not trained: 1 of 2.
    assert EventAttendee.objects.get(pk=orlova.pk).attended is True
    page = client.get(reverse("partnerships:event", args=[course.pk])).content.decode()
    assert "2 команд" in page and "50 %" in page and "не менее 85 %: цель не достигнута" in page

    data = form_data(client.get(grid).content.decode())
    data[f"completed_{zimina.pk}"] = ["yes"]
    client.post(grid, data)
    page = client.get(reverse("partnerships:event", args=[course.pk])).content.decode()
    assert "100 %" in page and "не менее 85 %: цель достигнута" in page


def test_completion_before_the_course_ends_is_refused(client, world):
    course, teams = _course(world, ends_in=5)
    grid = reverse("partnerships:event_people", args=[course.pk])
    client.force_login(world.users["coordinator"])
    data = form_data(client.get(grid).content.decode())
    person = teams[world.supported_school.pk][0]
    data[f"completed_{person.pk}"] = ["yes"]
    page = client.post(grid, data).content.decode()
    assert "Курсы ещё не закончились: «прошёл обучение» отмечают после их последнего дня" in page
    assert EventAttendee.objects.get(pk=person.pk).completed is None
    # Taking part while the course runs can be marked.
    data[f"completed_{person.pk}"] = [""]
    data[f"attended_{person.pk}"] = ["yes"]
    assert client.post(grid, data).status_code == 302
    assert EventAttendee.objects.get(pk=person.pk).attended is True


def _shnor(municipality_id, year):
    from schools.selectors import list_year_for

    return set(
        SchoolYearStatus.objects.filter(
            year=list_year_for(year), school__municipality_id=municipality_id, status__in=(Status.SHNOR, Status.BOTH)
        ).values_list("school_id", flat=True)
    )


def test_the_share_of_management_teams_trained_is_pooled_over_the_scope(world):
    """The demo course trained every team of municipality A's list; B's teams were not enrolled. The region's share
    is A's ШНОР over all ШНОР — not the mean of A's 100 % and B's 0 %."""
    course = MethodicalEvent.objects.get(title=COURSE)
    year = school_year_of(course.held_on)
    a, b = world.seminar.municipality_id, world.school_b.municipality_id
    shnor_a, shnor_b = _shnor(a, year), _shnor(b, year)
    assert shnor_a and shnor_b, "the demo list has ШНОР in both municipalities"
    assert compute("management_teams_trained", year=year, municipality=world.seminar.municipality) == 100.0
    assert compute("management_teams_trained", year=year, municipality=[b]) == 0.0
    # No scope: the whole region, every ШНОР of the list (A's and B's, and any other municipality's) together.
    from schools.selectors import list_year_for

    everywhere = SchoolYearStatus.objects.filter(
        year=list_year_for(year), status__in=(Status.SHNOR, Status.BOTH)
    ).count()
    assert compute("management_teams_trained", year=year) == round(100 * len(shnor_a) / everywhere, 2)

    # A team with one member who did not complete is not trained.
    school_id = sorted(shnor_a)[0]
    member = EventAttendee.objects.filter(event=course, school_id=school_id).first()
    EventAttendee.objects.filter(pk=member.pk).update(completed=False)
    expected = round(100 * (len(shnor_a) - 1) / len(shnor_a), 2)
    assert compute("management_teams_trained", year=year, municipality=[a]) == expected


def test_the_share_of_municipal_specialists_trained_counts_people_of_the_scope(world):
    course = MethodicalEvent.objects.get(title=COURSE)
    year = school_year_of(course.held_on)
    municipality_b = world.school_b.municipality
    department = world.users["department"]
    for name, done in (("Петрова Анна", True), ("Сидоров Олег", False)):
        person = attendee_add(event=course, actor=department, kind="specialist", municipality=municipality_b,
                              full_name=name)  # fmt: skip
        attendance_people_save(event=course, actor=department, marks={person.pk: (True, done, None)})
    a = world.seminar.municipality
    assert compute("specialists_trained", year=year, municipality=a) == 100.0  # the demo's coordinator
    assert compute("specialists_trained", year=year, municipality=[municipality_b.pk]) == 50.0
    # 2 of 3 people, where the mean of the municipalities' shares would say 75 %.
    assert compute("specialists_trained", year=year) == pytest.approx(66.67)
    assert compute("specialists_trained", year=year, school=world.supported_school) is None


def test_the_share_of_teachers_of_shnor_at_events_comes_from_the_marks(world):
    from partnerships.demo import TEACHERS_WEBINAR
    from partnerships.models import Teacher

    webinar = MethodicalEvent.objects.get(title=TEACHERS_WEBINAR)
    year = school_year_of(webinar.held_on)
    # The demo webinar: 7 of the 8 teachers of «Покровская СОШ» took part.
    assert compute("teachers_at_events", year=year, school=world.supported_school) == 87.5
    shnor_a = _shnor(world.seminar.municipality_id, year)
    teachers = Teacher.objects.filter(school_id__in=shnor_a, is_active=True).count()
    assert compute("teachers_at_events", year=year, municipality=world.seminar.municipality) == round(700 / teachers, 2)
    # A course is no methodical event: completing one does not count here.
    assert compute("teachers_at_events", year=year, municipality=[world.school_b.municipality_id]) in (0.0, None)


def test_the_events_export_counts_each_group(client, world):
    client.force_login(world.users["department"])
    response = client.get(reverse("partnerships:events_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    course = next(r for r in rows if r[header.index("Название")] == COURSE)
    course_event = MethodicalEvent.objects.get(title=COURSE)
    teams = EventAttendee.objects.filter(event=course_event, kind="management").values("school_id").distinct().count()
    assert course[header.index("Управленческих команд приглашено")] == teams
    assert course[header.index("Команд участвовали (на курсах — прошли обучение)")] == teams
    assert course[header.index("Специалистов МОУО приглашено")] == 1
    assert course[header.index("Цель достигнута")] == "да"
    assert course[header.index("Часов")] == 72


def test_the_yearly_reports_events_sheet_shows_each_group(world, tmp_path):
    from django.core.management import call_command

    course_event = MethodicalEvent.objects.get(title=COURSE)
    out = tmp_path / "otchet.xlsx"
    call_command(
        "export_yearly_report",
        "--year",
        str(school_year_of(course_event.held_on)),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    header, *rows = openpyxl.load_workbook(out)["Мероприятия"].iter_rows(values_only=True)
    course = next(r for r in rows if r[header.index("Мероприятие")] == COURSE)
    teams = EventAttendee.objects.filter(event=course_event, kind="management").values("school_id").distinct().count()
    assert course[header.index("Управленческих команд приглашено")] == teams
    assert course[header.index("Команд участвовали / прошли обучение")] == teams
    assert course[header.index("Специалистов участвовали / прошли обучение")] == 1
    assert course[header.index("Цель достигнута")] == "да"
