"""Lists filter, search and paginate in a constant number of queries, and export the same scoped rows to xlsx."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import (
    Agreement,
    AgreementPlanItem,
    DeficitArea,
    DevelopmentPlan,
    DevelopmentPlanItem,
    EventInvitation,
    EventParticipant,
    MethodicalEvent,
    Practice,
    PracticeFile,
    SessionEvidence,
    Subject,
    SupportSession,
    Teacher,
    TeacherDeficit,
    TutorAssignment,
    TutoringSession,
)
from partnerships.selectors import home_items
from programs.models import RiskFactor
from schools.models import School
from schools.school_year import school_year_of
from shnor_portal.uploads.workbook import read_workbook

from .helpers import days, fresh

pytestmark = pytest.mark.django_db


def grow(world, n: int) -> None:
    """n more of everything in municipality A: schools under agreements with plans and sessions, teachers with
    tutors, deficits and plans, published practices with tags and files, events with attendance."""
    municipality = world.supported_school.municipality
    start = School.objects.count()
    schools = School.objects.bulk_create(
        School(municipality=municipality, short_name=f"Школа роста {start + i}", name=f"Школа {start + i}")
        for i in range(n)
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(
            number=f"Р-{start + i}", signed_on=days(-60), starts_on=days(-50), ends_on=days(300),
            curator_school=world.curator_school, supported_school=school, subject="Сотрудничество.",
            status=Agreement.Status.ACTIVE,
        )  # fmt: skip
        for i, school in enumerate(schools)
    )
    factor = RiskFactor.objects.first()
    items = AgreementPlanItem.objects.bulk_create(
        AgreementPlanItem(agreement=a, planned_on=days(offset), format="seminar", topic="Тема", risk_factor=factor)
        for a in agreements
        for offset in (-20, 20)
    )
    sessions = SupportSession.objects.bulk_create(
        SupportSession(
            agreement=item.agreement, plan_item=item, held_on=days(-20), format="seminar", topic="Тема",
            risk_factor=factor, teachers_count=3, hours=Decimal(2), status=status,
        )  # fmt: skip
        for item in items
        if item.planned_on < days(0)
        for status in ("pending", "confirmed")
    )
    SessionEvidence.objects.bulk_create(
        SessionEvidence(session=s, file="partnerships/sessions/x.pdf", original_name="x.pdf", content_type="application/pdf", size=1)
        for s in sessions
    )
    subject = Subject.objects.first()
    teachers = Teacher.objects.bulk_create(
        Teacher(school=world.supported_school, full_name=f"Педагог {start + i}", subject=subject, experience="3_10")
        for i in range(n)
    )
    TutorAssignment.objects.bulk_create(
        TutorAssignment(teacher=t, tutor=world.users["tutor"], starts_on=days(-10)) for t in teachers
    )
    area = DeficitArea.objects.first()
    deficits = TeacherDeficit.objects.bulk_create(
        TeacherDeficit(teacher=t, area=area, diagnosed_on=days(-5)) for t in teachers
    )
    plans = DevelopmentPlan.objects.bulk_create(
        DevelopmentPlan(teacher=t, tutor=world.users["tutor"], year=world.plan.year, starts_on=world.plan.starts_on,
                        ends_on=world.plan.ends_on, status="active")  # fmt: skip
        for t in teachers
    )
    DevelopmentPlanItem.objects.bulk_create(
        DevelopmentPlanItem(plan=p, deficit=d, action="Курсы", due_on=days(5)) for p, d in zip(plans, deficits, strict=True)
    )
    TutoringSession.objects.bulk_create(
        TutoringSession(teacher=t, tutor=world.users["tutor"], held_on=days(-3), topic="Т", hours=1) for t in teachers
    )
    practices = Practice.objects.bulk_create(
        Practice(school=school, title=f"Практика {start + i}", description="Описание", status="published",
                 published_at=world.published.published_at)  # fmt: skip
        for i, school in enumerate(schools)
    )
    for practice in practices:
        practice.subjects.add(subject)
        practice.risk_factors.add(factor)
    PracticeFile.objects.bulk_create(
        PracticeFile(practice=p, file="partnerships/practices/x.pdf", original_name="x.pdf", content_type="application/pdf", size=1)
        for p in practices
    )
    events = MethodicalEvent.objects.bulk_create(
        MethodicalEvent(title=f"Семинар {start + i}", format="seminar", held_on=days(-i - 1), municipality=municipality,
                        region_id=municipality.region_id,
                        organiser="Координатор")  # fmt: skip
        for i in range(n)
    )
    invitations = EventInvitation.objects.bulk_create(
        EventInvitation(event=e, school=s, attended=True) for e in events for s in schools[:3]
    )
    EventParticipant.objects.bulk_create(EventParticipant(invitation=i, full_name="Участник") for i in invitations)


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(context)


LISTS = [
    ("partnerships:agreements", {}),
    ("partnerships:agreements", {"q": "гимназия", "state": "in_force"}),
    ("partnerships:agreements_export", {}),
    ("partnerships:sessions", {}),
    ("partnerships:sessions", {"status": "pending", "q": "а"}),
    ("partnerships:sessions_export", {}),
    ("partnerships:teachers", {}),
    ("partnerships:teachers", {"with_plan": "yes", "with_tutor": "yes", "q": "а"}),
    ("partnerships:teachers_export", {}),
    ("partnerships:plans", {}),
    ("partnerships:plans", {"due": "soon"}),
    ("partnerships:plans_export", {}),
    ("partnerships:tutors", {}),
    ("partnerships:tutors_export", {}),
    ("partnerships:coverage", {}),
    ("partnerships:coverage_export", {}),
    ("partnerships:summary", {}),
    ("partnerships:summary_export", {}),
    ("partnerships:targets", {}),
    ("partnerships:practices", {}),
    ("partnerships:practices", {"status": "published", "q": "а"}),
    ("partnerships:practices_export", {}),
    ("partnerships:events", {}),
    ("partnerships:events", {"when": "past", "format": "seminar"}),
    ("partnerships:events_export", {}),
]


@pytest.mark.parametrize("username", ["department", "coordinator"])
def test_lists_and_exports_keep_their_query_count_as_data_grows(client, world, settings, username):
    settings.PAGE_SIZE = 10
    client.force_login(world.users[username])
    small = {(name, tuple(params.items())): count_queries(client, reverse(name), params) for name, params in LISTS}
    grow(world, 30)
    large = {(name, tuple(params.items())): count_queries(client, reverse(name), params) for name, params in LISTS}
    assert large == small


@pytest.mark.parametrize(
    ("username", "name", "obj"),
    [
        ("coordinator", "partnerships:agreement", "agreement"),
        ("curator", "partnerships:agreement", "agreement"),
        ("school", "partnerships:session", "pending"),
        ("tutor", "partnerships:teacher", "teacher"),
        ("tutor", "partnerships:plan", "plan"),
        ("coordinator", "partnerships:event", "seminar"),
        ("coordinator", "partnerships:practice", "published"),
    ],
)
def test_detail_pages_keep_their_query_count(client, world, username, name, obj):
    target = getattr(world, obj)
    client.force_login(world.users[username])
    url = reverse(name, args=[target.pk])
    before = count_queries(client, url)
    factor = RiskFactor.objects.first()
    agreement = world.agreement
    SupportSession.objects.bulk_create(
        SupportSession(agreement=agreement, held_on=days(-2), format="seminar", topic="Ещё", risk_factor=factor,
                       teachers_count=1, hours=1)  # fmt: skip
        for _ in range(20)
    )
    AgreementPlanItem.objects.bulk_create(
        AgreementPlanItem(agreement=agreement, planned_on=days(3), format="seminar", topic="Ещё") for _ in range(20)
    )
    SessionEvidence.objects.bulk_create(
        SessionEvidence(session=world.pending, file="x.pdf", original_name="x.pdf", content_type="application/pdf", size=1)
        for _ in range(10)
    )
    area = DeficitArea.objects.first()
    TeacherDeficit.objects.bulk_create(
        TeacherDeficit(teacher=world.teacher, area=area, diagnosed_on=days(-i - 100)) for i in range(10)
    )
    DevelopmentPlanItem.objects.bulk_create(
        DevelopmentPlanItem(plan=world.plan, action="Ещё", due_on=world.plan.ends_on) for _ in range(10)
    )
    TutoringSession.objects.bulk_create(
        TutoringSession(teacher=world.teacher, tutor=world.users["tutor"], held_on=days(-1), topic="Т", hours=1)
        for _ in range(10)
    )
    schools = School.objects.filter(municipality=world.supported_school.municipality).exclude(
        pk__in=world.seminar.invitations.values("school_id")
    )
    for school in schools:
        invitation = EventInvitation.objects.create(event=world.seminar, school=school, attended=True)
        EventParticipant.objects.create(invitation=invitation, full_name="Участник")
    PracticeFile.objects.bulk_create(
        PracticeFile(practice=world.published, file="x.pdf", original_name="x.pdf", content_type="application/pdf", size=1)
        for _ in range(5)
    )
    assert count_queries(client, url) == before


@pytest.mark.parametrize("username", ["department", "coordinator", "school", "curator", "tutor", "coordinator_b"])
def test_home_items_keep_their_query_count(world, username, django_assert_max_num_queries):
    user = fresh(world.users[username])
    home_items(user=user)  # roles read and cached
    with CaptureQueriesContext(connection) as context:
        home_items(user=user)
    grow(world, 15)
    user = fresh(world.users[username])
    home_items(user=user)
    with django_assert_max_num_queries(len(context)):
        home_items(user=user)


def test_filters_search_and_paginate(client, world, settings):
    settings.PAGE_SIZE = 5
    grow(world, 12)
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("partnerships:agreements"), {"q": "Р-", "page": 2})
    assert response.context["page"].number == 2 and len(response.context["page"].object_list) == 5
    assert "Страница 2 из 3" in response.content.decode()
    response = client.get(reverse("partnerships:agreements"), {"q": world.supported_school.short_name.lower()})
    assert [a.pk for a in response.context["page"].object_list] == [world.agreement.pk]
    response = client.get(reverse("partnerships:sessions"), {"status": "disputed"})
    assert [s.pk for s in response.context["page"].object_list] == [world.disputed.pk]
    response = client.get(reverse("partnerships:teachers"), {"with_plan": "no", "school": world.supported_school.pk})
    assert world.untutored.pk in [t.pk for t in response.context["page"].object_list]
    assert world.teacher.pk not in [t.pk for t in response.context["page"].object_list]
    response = client.get(reverse("partnerships:practices"), {"status": "submitted"})
    assert [p.pk for p in response.context["page"].object_list] == [world.waiting.pk]
    # A municipality outside the user's reach is refused, not obeyed.
    response = client.get(reverse("partnerships:agreements"), {"municipality": world.school_b.municipality_id})
    assert response.context["filter"].errors and response.context["page"].paginator.count == 0


def test_a_lists_filters_in_use_show_as_chips_that_remove_them(client, world):
    """The lists share the registry's folded filters: each filter in use is a chip linking to the list without it."""
    client.force_login(world.users["coordinator"])
    html = client.get(
        reverse("partnerships:teachers"), {"with_plan": "no", "school": world.supported_school.pk, "page": 2}
    ).content.decode()
    assert re.search(r'<form method="get" class="[^"]*\bcollapse\b[^"]*" id="list-filters"', html)  # folded
    assert f'aria-label="Школа: {world.supported_school.short_name} — убрать"' in html
    assert f'href="?school={world.supported_school.pk}"' in html  # «ИПРП на этот год: нет» removed, and the page
    assert 'aria-label="ИПРП на этот год: нет — убрать"' in html


def test_exports_hold_the_filtered_scoped_rows_with_a_header(client, world):
    client.force_login(world.users["school"])
    sheet = read_workbook(
        client.get(reverse("partnerships:sessions_export"), {"status": "confirmed"}).content)[0]
    header, *rows = sheet.rows
    assert header[0] == "Дата" and "Подтверждение" in header
    assert rows and {r[header.index("Подтверждение")] for r in rows} == {"подтверждено"}
    assert {r[header.index("Сопровождаемая школа")] for r in rows} == {world.supported_school.short_name}

    client.force_login(world.users["coordinator"])
    sheet = read_workbook(client.get(reverse("partnerships:teachers_export")).content)[0]
    assert len(sheet.rows) == 1 + Teacher.objects.filter(school__municipality=world.supported_school.municipality).count()


def test_export_escapes_formulas_typed_into_the_portal(client, world):
    SupportSession.objects.filter(pk=world.pending.pk).update(topic="=HYPERLINK(\"http://evil\")")
    client.force_login(world.users["coordinator"])
    sheet = read_workbook(client.get(reverse("partnerships:sessions_export")).content)[0]
    topics = [row[2] for row in sheet.rows[1:]]
    assert "=HYPERLINK(\"http://evil\")" in topics  # a quote-prefixed text cell, read as shown


def test_coverage_and_summary_count_the_municipal_picture(client, world):
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("partnerships:coverage"))
    row = next(r for r in response.context["rows"] if r["school"] == world.supported_school)
    teachers = Teacher.objects.filter(school=world.supported_school, is_active=True).count()
    assert row["teachers"] == teachers and row["with_plan"] == 3 and row["with_tutor"] == 4
    assert row["plan_share"] == round(100 * 3 / teachers, 1)

    year = school_year_of(world.agreement.signed_on)  # the summary counts school years
    summary = client.get(reverse("partnerships:summary"), {"year": year}).context["page"][0]
    assert summary["target"] == 1  # the demo's seed 002 target: one agreement a year
    assert summary["signed"] == 3  # two of the curator school and the ДДТ's (an organisation as curator)
    assert summary["in_force"] == 3
    without = {s.short_name for s in summary["without_curator"]}
    assert world.supported_school.short_name not in without
    assert without and all(s.municipality_id == world.supported_school.municipality_id for s in summary["without_curator"])


def test_summary_counts_only_confirmed_sessions_as_held(client, world):
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("partnerships:agreements"))
    row = next(a for a in response.context["page"].object_list if a.pk == world.agreement.pk)
    confirmed = world.agreement.sessions.filter(status="confirmed").count()
    assert row.held_count == confirmed and row.pending_count == 1 and row.disputed_count == 1
    assert row.planned_count == world.agreement.plan_items.count()
    assert row.next_planned_on >= days(0)


def test_printable_agreement_is_generated_from_the_entered_data(client, world):
    client.force_login(world.users["curator"])
    heads = {"curator": "Сидоров Семён Семёнович", "school": "Иванов Иван Иванович"}  # the demo registry has none
    html = client.get(reverse("partnerships:agreement_print", args=[world.agreement.pk]), heads).content.decode()
    assert "ДОГОВОР О СОТРУДНИЧЕСТВЕ № 1-ШНОР" in html
    assert world.agreement.curator_school.name in html and world.agreement.supported_school.name in html
    assert f"{world.agreement.starts_on:%d.%m.%Y}" in html and f"{world.agreement.ends_on:%d.%m.%Y}" in html
    for item in world.agreement.plan_items.all():
        assert item.topic in html
    assert "консультационная поддержка; методическая поддержка; организационная поддержка" in html
    assert "М. П." in html and "Директор" in html
    assert datetime.date.today().year > 2000


def test_tutor_team_and_coverage_filter_and_search(client, world):
    client.force_login(world.users["department"])
    response = client.get(reverse("partnerships:tutors"), {"q": "егорова", "direction": "teachers"})
    assert [r["user"] for r in response.context["page"].object_list] == [world.users["tutor"]]
    response = client.get(reverse("partnerships:tutors"), {"direction": "gifted"})
    assert response.context["page"].paginator.count == 0
    response = client.get(reverse("partnerships:coverage"), {"q": "покровская"})
    assert [r["school"] for r in response.context["page"].object_list] == [world.supported_school]
    sheet = read_workbook(client.get(reverse("partnerships:tutors_export"), {"q": "егорова"}).content)[0]
    assert len(sheet.rows) == 2 and sheet.rows[1][0] == "Светлана Николаевна Егорова"


@pytest.mark.parametrize("username", ["department", "district", "coordinator", "coordinator_b", "school", "curator",
                                      "curator_org", "federal", "institute"])  # fmt: skip
def test_the_lists_by_agreement_ids_hold_exactly_the_agreements_and_sessions_each_user_sees(full_demo, username):
    """The sessions' list reads the agreements' ids first (for the plan: docs/PERFORMANCE.md); its rows and the
    agreements' list's are still those of the reach — no more, no fewer — and its agreement filter offers the same
    agreements."""
    from partnerships.access import visible_agreements, visible_sessions
    from partnerships.selectors import agreement_list, session_list

    user = full_demo[username]
    _filter, agreements = agreement_list(user=user, data={})
    session_filter, sessions = session_list(user=user, data={})
    assert set(agreements) == set(visible_agreements(user))
    assert set(sessions) == set(visible_sessions(user))
    assert set(session_filter.filters["agreement"].queryset) == set(visible_agreements(user))
    if username in ("department", "curator"):
        assert agreements and sessions  # the demo gives them some, so the equality says something
