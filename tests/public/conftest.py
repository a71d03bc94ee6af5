"""A small region built by hand for the public pages: two municipalities, six schools, two approved lists, accepted
programmes, ЕГЭ results, practices, acts and events — and a second region beside it."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

PDF = b"%PDF-1.4\n%%EOF\n"
SECRET_NAME = "Засекреченная"  # a person's surname stored in the region's records, never on its public page
SECRET_FIRST_NAME = "Евлампия"
SECRET_EMAIL = "zasekr@example.org"


def add_schools(municipality, count, *, first=0):
    from schools.models import School

    return [
        School.objects.create(municipality=municipality, name=f"Школа № {n} {municipality.name}", short_name=f"Ш{n} {municipality.name}")
        for n in range(first, first + count)
    ]


def approve(region, year, statuses):
    """An approved list of the year: school → status."""
    from schools.models import IdentificationRun, SchoolYearStatus

    run = IdentificationRun.objects.create(
        region=region, year=year, state=IdentificationRun.State.DONE, approved_at=timezone.now()
    )
    SchoolYearStatus.objects.bulk_create(
        SchoolYearStatus(school=school, year=year, run=run, status=status) for school, status in statuses.items()
    )
    return run


def programme(school, *, start, end, state):
    from programs.models import Programme

    return Programme.objects.create(
        kind=Programme.Kind.TRANSITION, title=f"Программа {school.short_name}", municipality=school.municipality,
        school=school, period_start=start, period_end=end, state=state,
    )  # fmt: skip


def practice(school, title, status, *, author=None):
    from partnerships.models import Practice, PracticeFile

    made = Practice.objects.create(
        school=school, title=title, description=f"Описание: {title}.", status=status, created_by=author,
        moderated_by=author, published_at=timezone.now() if status == Practice.Status.PUBLISHED else None,
    )  # fmt: skip
    stored = PracticeFile.objects.create(
        practice=made, original_name=f"{title}.pdf", content_type="application/pdf", size=len(PDF),
        uploaded_by=author, file=ContentFile(PDF, name="practice.pdf"),
    )  # fmt: skip
    return made, stored


def event(region, title, held_on, *, municipality=None, cancelled=False, author=None):
    from partnerships.models import MethodicalEvent

    return MethodicalEvent.objects.create(
        title=title, format=MethodicalEvent.Format.SEMINAR, held_on=held_on, region=region, municipality=municipality,
        organiser="ИРО", place="Актовый зал", is_cancelled=cancelled, created_by=author,
    )  # fmt: skip


@pytest.fixture
def land(db):
    from django.contrib.auth import get_user_model

    from partnerships.models import Practice
    from programs.models import Programme
    from schools.models import Act, Measure, Municipality, Region, RoleAssignment, SchoolResult, Status
    from schools.school_year import current_school_year
    from schools.services import role_assign

    today = timezone.localdate()
    year = current_school_year()
    region = Region.objects.create(name="Открытая область", department_name="Министерство образования Открытой области")
    other = Region.objects.create(name="Соседний край")
    m1 = Municipality.objects.create(region=region, name="Первый район")
    m2 = Municipality.objects.create(region=region, name="Второй район")
    m_other = Municipality.objects.create(region=other, name="Чужой район")
    s1, s2, s3, s4 = add_schools(m1, 4)
    s5, s6 = add_schools(m2, 2)
    (foreign,) = add_schools(m_other, 1)
    # two years ago: s1 and s2 are ШНОР; the year between has no list of its own (it counts by that one)
    approve(region, year - 2, {s1: Status.SHNOR, s2: Status.SHNOR, s3: Status.NONE})
    # this year: s1, s5 ШНОР, s2 ШНСУ, s3 both; s4 and s6 not listed
    approve(region, year, {s1: Status.SHNOR, s2: Status.SHNSU, s3: Status.BOTH, s4: Status.NONE, s5: Status.SHNOR,
                           s6: Status.NONE})  # fmt: skip
    approve(other, year, {foreign: Status.SHNOR})
    accepted, submitted = Programme.State.ACCEPTED, Programme.State.SUBMITTED
    programme(s1, start=year - 1, end=year, state=accepted)
    programme(s3, start=year, end=year, state=accepted)
    programme(s4, start=year, end=year, state=accepted)  # not on the list: not counted
    programme(s5, start=year, end=year, state=submitted)  # not accepted: not counted
    measure = Measure.objects.create(
        code="ege-public-test", name="ЕГЭ: тестовый предмет", exam=Measure.Exam.EGE, metric=Measure.Metric.MEAN_SCORE
    )
    for school, result_year, value in ((s1, year - 2, 40), (s2, year - 2, 60), (s1, year - 1, 50), (s3, year - 1, 60),
                                       (s2, year - 1, 70), (s4, year - 1, 80), (foreign, year - 1, 10)):  # fmt: skip
        SchoolResult.objects.create(school=school, year=result_year, measure=measure, value=value)
    person = get_user_model().objects.create_user(
        "secret", first_name=SECRET_FIRST_NAME, last_name=SECRET_NAME, email=SECRET_EMAIL
    )
    role_assign(user=person, role=RoleAssignment.Role.COORDINATOR, municipality=m1)
    s1.director = f"{SECRET_NAME} {SECRET_FIRST_NAME} Петровна"
    s1.email = SECRET_EMAIL
    s1.save()
    published, published_file = practice(s1, "Опубликованная практика", Practice.Status.PUBLISHED, author=person)
    draft, draft_file = practice(s2, "Черновик практики", Practice.Status.DRAFT, author=person)
    waiting, waiting_file = practice(s4, "Практика на модерации", Practice.Status.SUBMITTED, author=person)
    foreign_practice, foreign_file = practice(foreign, "Чужая практика", Practice.Status.PUBLISHED)
    act = Act.objects.create(
        kind=Act.Kind.ORDER, number="15-од", date=today - datetime.timedelta(days=30), title="Об утверждении перечня",
        issuer="Министерство образования Открытой области", region=region, created_by=person,
        file=ContentFile(PDF, name="act.pdf"), file_name="приказ.pdf", file_size=len(PDF),
    )  # fmt: skip
    municipal_act = Act.objects.create(
        kind=Act.Kind.DIRECTIVE, number="7", date=today - datetime.timedelta(days=10), title="О кураторах",
        issuer="Управление образования Первого района", region=region, municipality=m1, created_by=person,
    )  # fmt: skip
    foreign_act = Act.objects.create(
        kind=Act.Kind.ORDER, number="1", date=today, title="Чужой приказ", issuer="Министерство соседнего края",
        region=other, file=ContentFile(PDF, name="act.pdf"), file_name="чужой.pdf",
    )  # fmt: skip
    upcoming = event(region, "Семинар для ШНОР", today + datetime.timedelta(days=10), author=person)
    municipal = event(region, "Районный круглый стол", today, municipality=m1)
    past = event(region, "Прошедший семинар", today - datetime.timedelta(days=10))
    cancelled = event(region, "Отменённый семинар", today + datetime.timedelta(days=5), cancelled=True)
    foreign_event = event(other, "Чужой семинар", today + datetime.timedelta(days=3))
    department = get_user_model().objects.create_user("open-department")
    role_assign(user=department, role=RoleAssignment.Role.DEPARTMENT, region=region)
    other_department = get_user_model().objects.create_user("other-department")
    role_assign(user=other_department, role=RoleAssignment.Role.DEPARTMENT, region=other)
    return SimpleNamespace(**locals())
