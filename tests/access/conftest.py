"""The world of the access matrix, built ONCE per test module: everything `make demo` seeds (municipality A) plus the
same kinds of objects in municipality B (the outsider's), made through the apps' services.

The module-scoped fixture opens a transaction that is rolled back when the module is done; each test runs inside it
(pytest-django's `db` nests a savepoint), and each request of the matrix in a savepoint of its own.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from tests.conftest import home_region_id

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
ROLES = ["department", "coordinator", "coordinator_b", "school", "curator", "tutor", "department_b", "institute", "federal",
         "district"]
# The roles held for an organisation of the registry: the demo's expert of the institute and the ДДТ's curator.
ORGANISATION_ROLES = ["expert", "curator_org"]
B_TEAM_SCHOOL = "СОШ № 7 г. Озёрск"  # the B school the B-side objects belong to (supported, team, teachers)


def pdf(name="документ.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(scope="session")
def access_media(tmp_path_factory):
    return tmp_path_factory.mktemp("access-media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, access_media):
    """Overrides the suite's per-test media folder: the files of the module-wide world live in one folder."""
    settings.MEDIA_ROOT = access_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, access_media):
    settings = override_settings(
        MEDIA_ROOT=access_media,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    with django_db_blocker.unblock(), settings:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _fresh(user):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)


def _build():
    from django.contrib.auth import get_user_model

    from portal.demo import DEMO_USERS, seed_full_demo
    from tests.seeding import seed_or_replay

    seed_or_replay(seed_full_demo)
    users = get_user_model().objects.in_bulk([row[0] for row in DEMO_USERS], field_name="username")
    w = SimpleNamespace(users=users, today=timezone.localdate())
    w.a = _side_a(users)
    w.b = _side_b(users)
    _draft_list(w, users)
    _surveys(w, users)
    # The demo gives every school a director; the supported schools' are blanked, so that each agreement's print
    # asks for the missing head (partnerships:agreement_print's POST row).
    from schools.models import School

    School.objects.filter(pk__in=[w.a.agreement.supported_school_id, w.b.agreement.supported_school_id]).update(
        director=""
    )
    # One logged-in client per role (its session row lives in the module's transaction), and an anonymous one.
    w.clients = {"anonymous": Client()}
    w.cookies = {"anonymous": {}}
    for role in ROLES + ORGANISATION_ROLES:
        client = Client()
        client.force_login(users[role])
        w.clients[role] = client
        w.cookies[role] = {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value}
    return w


def _surveys(w, users):
    """The region's survey of the year — the demo's (`surveys.demo`), else one launched here — with a link for a school
    of each side (B's school is made after the demo's campaign)."""
    from surveys.models import Audience, Campaign, SchoolLink
    from surveys.services import campaign_launch

    region = w.a.municipality.region
    campaign = Campaign.objects.filter(region=region, year=w.a.year).first() or campaign_launch(
        actor=_fresh(users["department"]), region=region, year=w.a.year, title="Опрос года", opens_on=w.today,
        closes_on=w.today + datetime.timedelta(days=30), audiences=list(Audience.values), min_answers=10,
    )
    w.a.campaign = w.b.campaign = campaign
    w.a.survey_link, _ = SchoolLink.objects.get_or_create(campaign=campaign, school=w.a.school)
    w.b.survey_link, _ = SchoolLink.objects.get_or_create(campaign=campaign, school=w.b.school)


def _side_a(users):
    from monitoring.models import (
        Indicator,
        IndicatorValue,
        MonitoringStage,
        OpenReport,
        ReportExport,
        SelfAssessment,
        Stage,
    )
    from notifications.models import Notification
    from partnerships.demo import SUPPORTED_SCHOOL
    from partnerships.models import (
        Agreement,
        DevelopmentPlan,
        MethodicalEvent,
        Practice,
        Teacher,
        TutorAssignment,
    )
    from partnerships.services import practices as practices_services
    from programs.models import Evidence, Programme, Review
    from schools.demo import CURATOR_SCHOOL, MUNICIPALITY_A, SCHOOL_TEAM_SCHOOL
    from schools.models import IdentificationRun, Municipality, School, SchoolYearProfile
    from schools.school_year import current_school_year

    a = SimpleNamespace()
    a.municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    a.school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    a.curator_school = School.objects.get(short_name=CURATOR_SCHOOL)
    a.neighbour = (
        School.objects.filter(municipality=a.municipality).exclude(pk__in=[a.school.pk, a.curator_school.pk])
        .order_by("short_name").first()
    )  # fmt: skip
    a.year = current_school_year()
    a.profile = SchoolYearProfile.objects.filter(school=a.school).order_by("-year").first()
    a.run = IdentificationRun.objects.filter(approved_at__isnull=False).order_by("pk").first()
    # partnerships (as tests/partnerships/conftest.py `world`, with a draft practice)
    a.agreement = Agreement.objects.get(number="1-ШНОР")
    a.plan_item = a.agreement.plan_items.order_by("planned_on").last()
    a.session = a.agreement.sessions.get(status="pending")
    a.evidence = a.session.evidence.get()
    tutored = TutorAssignment.objects.current().filter(tutor=users["tutor"]).values("teacher_id")
    a.teacher = Teacher.objects.filter(pk__in=tutored, plans__isnull=False).order_by("full_name").first()
    a.deficit = a.teacher.deficits.order_by("pk").first()
    a.plan = DevelopmentPlan.objects.get(teacher=a.teacher)
    a.ipr_item = a.plan.items.order_by("pk").first()
    a.assignment = TutorAssignment.objects.get(teacher=a.teacher, tutor=users["tutor"])
    a.untutored_teacher = (
        Teacher.objects.filter(school=a.school).exclude(pk__in=tutored).order_by("full_name").first()
    )
    a.tutor = users["tutor"]
    a.waiting = Practice.objects.get(status=Practice.Status.SUBMITTED)
    a.waiting_file = a.waiting.files.get()
    a.published = Practice.objects.get(status=Practice.Status.PUBLISHED)  # the bank's: every role of the region
    a.published_file = a.published.files.get()
    a.draft = practices_services.practice_create(
        actor=users["school"], school=School.objects.get(short_name=SUPPORTED_SCHOOL), title="Черновик практики А",
        description="Описание.",
    )
    a.draft_file = practices_services.practice_file_add(practice=a.draft, actor=users["school"], file=pdf())
    a.event = MethodicalEvent.objects.get(municipality=a.municipality)
    from partnerships.services.event_people import attendee_add

    a.attendee = attendee_add(
        event=a.event, actor=users["coordinator"], kind="management", full_name="Зимина Ольга Петровна",
        position="заместитель директора", school=School.objects.get(short_name=SUPPORTED_SCHOOL),
    )  # fmt: skip
    # programmes (the demo's of tests/programs/conftest.py `programmes`)
    a.municipal = Programme.objects.get(kind=Programme.Kind.MUNICIPAL, municipality=a.municipality)
    a.own_draft = Programme.objects.get(school=a.school, kind=Programme.Kind.TRANSITION)
    a.returned = Programme.objects.get(school=a.school, kind=Programme.Kind.ANTI_RISK)
    a.submitted = Programme.objects.get(school__short_name="Никольская ООШ")
    a.accepted = Programme.objects.get(school__short_name="Берёзовская ООШ")
    a.in_review = Programme.objects.get(school__short_name="Ильинская СОШ")
    a.municipal_section = a.municipal.sections.get(position=2)
    a.municipal_measure = a.municipal.measures.order_by("pk").first()
    a.draft_section = a.own_draft.sections.get(position=1)
    a.draft_measure = a.own_draft.measures.filter(section__position=1).order_by("position").first()
    a.programme_evidence = Evidence.objects.get(measure__programme=a.municipal)
    a.in_review_municipal = a.in_review.reviews.get(kind=Review.Kind.MUNICIPAL)
    a.in_review_mutual = a.in_review.reviews.get(kind=Review.Kind.MUTUAL)
    a.submitted_municipal = a.submitted.reviews.get(kind=Review.Kind.MUNICIPAL)
    a.submitted_regional = a.submitted.reviews.get(kind=Review.Kind.REGIONAL)
    a.municipal_passport_version = a.municipal.history.order_by("history_id").first().history_id
    a.own_draft_passport_version = a.own_draft.history.order_by("history_id").first().history_id
    # the region's plan-schedule (a draft of the department's, one measure the institute reports on)
    from programs.services import MeasureData, measure_add, programme_create, section_add

    department = _fresh(users["department"])
    a.regional_plan = programme_create(
        actor=department, kind=Programme.Kind.REGIONAL, title="План-график реализации проекта региона А",
        period_start=a.year, period_end=a.year + 1, region=a.municipality.region,
    )  # fmt: skip
    section = section_add(programme=a.regional_plan, actor=department, title="Мероприятия")
    a.regional_measure = measure_add(
        section=section, actor=department, data=MeasureData(name="Информационное сопровождение Проекта",
                                                            executors="ЦНППМПР"),
    )  # fmt: skip
    # review routes: the route the demo region's school programmes follow (its coordinators read it) and a route of
    # a territory no coordinator of the demo belongs to, with a step no review has used (to delete and move)
    from programs.route_services import route_create
    from schools.models import Region, RoleAssignment
    from schools.services import role_assign

    a.mutual_step = a.in_review_mutual.step
    a.route = a.mutual_step.route  # the demo region's own (programs.demo_routes)
    a.step = a.route.steps.get(position=1)
    other = Region.objects.create(name="Другая территория")  # the department heads it too, no coordinator works there
    role_assign(user=users["department"], role=RoleAssignment.Role.DEPARTMENT, region=other)
    a.other_route = route_create(actor=_fresh(users["department"]), region=other, owner="school")
    a.spare_step = a.other_route.steps.order_by("position").last()
    # a step of the demo region's route given to the institute (issue 20): its review of the submitted programme
    from programs.review_flow import review_open_step
    from programs.review_routes import ReviewStep

    institute_step = ReviewStep.objects.create(
        route=a.route, position=a.route.steps.count() + 1, name="Экспертиза института", kind="regional",
        reviewer="institute", deciding=False, required=False, with_previous=True,
    )  # fmt: skip
    a.institute_review = review_open_step(programme=a.submitted, step=institute_step, actor=_fresh(users["department"]))
    # monitoring (the demo's of tests/monitoring/conftest.py `mon`)
    a.self_assessment = SelfAssessment.objects.get(school=a.school, year=a.year, stage=Stage.ENTRY, is_current=True)
    a.open_report = OpenReport.objects.filter(school=a.school).order_by("pk").first()
    a.indicator = Indicator.objects.get(code="teachers-training", municipality=a.municipality)
    a.indicator_value = IndicatorValue.objects.filter(school=a.school).order_by("pk").first()
    # an indicator of the region's level (seed 004, 3.1), its value entered by the region's department
    a.regional_indicator = Indicator.objects.create(
        code="municipal-reports", level=Indicator.Level.REGIONAL, region=a.municipality.region,
        name="Доля муниципальных образований, предоставивших информацию о реализации муниципальных программ",
    )  # fmt: skip
    a.report_export = _finished_export(ReportExport, a.year, a.municipality, users["coordinator"])
    # the monitoring calendar: a stage of the default calendar of the year (no values of this year's interim stage)
    a.calendar_stage = MonitoringStage.objects.get(region__isnull=True, year=a.year, code=Stage.INTERIM)
    a.region_id = a.municipality.region_id
    # and the region's own calendar of the next year, which its department edits (the default is the installation's)
    from monitoring.calendar_services import monitoring_stage_save

    for position, code, month in ((1, Stage.ENTRY, 10), (2, Stage.INTERIM, 12)):
        stage = monitoring_stage_save(
            actor=_fresh(users["department"]), region=a.municipality.region, year=a.year + 1,
            data={"code": code, "name": f"Этап {position}", "position": position, "basis": "",
                  "starts_on": datetime.date(a.year, month, 1), "due_on": datetime.date(a.year, month, 25)},
        )  # fmt: skip
    a.region_stage = stage  # the interim one: a calendar keeps at least one stage, so it may be deleted
    # notifications: one of the coordinator's
    a.notification = Notification.objects.filter(recipient=users["coordinator"]).order_by("pk").first()
    _acts(a, _fresh(users["coordinator"]), "А")
    # the registry of organisations: the demo's «ДДТ г. Заречный» of municipality A, curator of agreement 3-ДО
    from schools.demo import ORGANISATION_CURATOR
    from schools.models import Organisation

    a.organisation = Organisation.objects.get(short_name=ORGANISATION_CURATOR)
    a.invitation = _invitation(a.municipality, "invited-a")
    a.invitation_role = _school_role(a.invitation.user, a.neighbour)
    return a


def _invitation(municipality, username):
    """A person invited to a school of the municipality who has not answered yet (issue 21)."""
    from django.contrib.auth import get_user_model

    from people.invitations import invitations_create

    person = get_user_model().objects.create(username=username, email=f"{username}@example.org", last_name=username)
    (invitation,) = invitations_create([(person, municipality.region, municipality)], actor=None)
    return invitation


def _acts(side, coordinator, letter):
    """The side's acts: one of its municipality with a PDF, approving the side's school team's draft programme, and
    one of its municipality linked to nothing yet."""
    from schools import act_targets
    from schools.act_services import act_create

    common = {"kind": "order", "date": timezone.localdate() - datetime.timedelta(days=3), "note": "",
              "issuer": f"Управление образования {letter}", "municipality": side.municipality}  # fmt: skip
    side.act = act_create(
        actor=coordinator, fields=common | {"number": f"{letter}-1", "title": "Об утверждении программы перехода"},
        file=ContentFile(PDF, name=f"приказ-{letter}.pdf"), link_to=(act_targets.target("programme"), side.own_draft),
    )  # fmt: skip
    side.act_link = side.act.links.get()
    side.act_unlinked = act_create(actor=coordinator, fields=common | {"number": f"{letter}-2", "title": "О кураторах"})


def _draft_list(w, users):
    """A draft list: the newest finished run of the approved year, not approved, with one proposal of each side's
    coordinator for the side's school (runs are region-wide: both sides share the run)."""
    from schools.identification import run_execute, run_start
    from schools.models import Status
    from schools.selection import list_change_add

    run = run_execute(run_start(region_id=home_region_id(), year=w.a.run.year, actor=_fresh(users["department"]), note="Проект перечня"))
    w.a.draft_run = w.b.draft_run = run
    for side, coordinator in ((w.a, users["coordinator"]), (w.b, users["coordinator_b"])):
        verdict = run.verdicts.get(school=side.school)
        if verdict.status in (Status.SHNOR, Status.SHNSU, Status.BOTH):
            kind, status = "select", ""
        else:
            kind, status = ("curator_remove", "") if verdict.curator_candidate else ("add", Status.SHNOR)
        side.proposal = list_change_add(
            run=run, school=side.school, kind=kind, status=status, reason="Предложение координатора",
            actor=_fresh(coordinator),
        )  # fmt: skip


def _finished_export(model, year, municipality, actor):
    export = model.objects.create(
        year=year, municipality=municipality, requested_by=actor, status=model.Status.DONE, progress=100
    )
    export.file.save(export.file_name, ContentFile(b"PK\x03\x04 yearly report"))
    return export


def _school_role(person, school):
    from schools.services import role_assign

    return role_assign(user=person, role="school_team", school=school)


def _side_b(users):
    """The same kinds of objects in municipality B, by its coordinator and a B school team, curator and tutor that
    only exist here (they are not roles of the matrix: they make the objects)."""
    from django.contrib.auth import get_user_model

    from monitoring import demo as monitoring_demo
    from monitoring.models import (
        Indicator,
        IndicatorValue,
        MonitoringStage,
        OpenReport,
        ReportExport,
        SelfAssessment,
        Stage,
    )
    from notifications import kinds
    from notifications.models import Notification
    from notifications.services import notify
    from partnerships import demo as partnerships_demo
    from partnerships.models import MethodicalEvent, Subject, TeacherDeficit, TutorAssignment
    from partnerships.services import events as events_services
    from partnerships.services import practices as practices_services
    from partnerships.services import teachers as teachers_services
    from programs import services as programme_services
    from programs.models import Programme
    from schools.demo import MUNICIPALITY_B
    from schools.models import Municipality, RoleAssignment, School, SchoolYearProfile
    from schools.school_year import current_school_year
    from schools.services import role_assign
    from tests.programs.conftest import make_programme

    Role = RoleAssignment.Role
    User = get_user_model()
    b = SimpleNamespace()
    b.municipality = Municipality.objects.get(name=MUNICIPALITY_B)
    b.school = School.objects.get(municipality=b.municipality, short_name=B_TEAM_SCHOOL)
    b.curator_school = School.objects.filter(municipality=b.municipality).exclude(pk=b.school.pk).order_by("pk").first()
    b.neighbour = b.curator_school
    b.year = current_school_year()
    b.profile = SchoolYearProfile.objects.get_or_create(school=b.school, year=b.year, defaults={"pupils": 300})[0]
    coordinator_b = users["coordinator_b"]
    team_b = User.objects.create_user("team_b", last_name="Школа", first_name="Б")
    curator_b = User.objects.create_user("curator_b", last_name="Куратор", first_name="Б")
    tutor_b = User.objects.create_user("tutor_b", last_name="Тьютор", first_name="Б")
    role_assign(user=team_b, role=Role.SCHOOL_TEAM, school=b.school)
    role_assign(user=curator_b, role=Role.CURATOR, school=b.curator_school)
    role_assign(user=tutor_b, role=Role.TUTOR, municipality=b.municipality)
    b.tutor = tutor_b
    today = timezone.localdate()
    factors = partnerships_demo.ensure_reference_data()
    # an agreement between two B schools, in force, with a plan, a scan and one pending session with evidence
    b.agreement = partnerships_demo._seed_agreement(
        number="Б-1", file_key="b1", curator_school=b.curator_school, supported_school=b.school,
        coordinator=coordinator_b, curator=curator_b, school_user=team_b, factors=factors, today=today,
        statuses=["pending"],
    )  # fmt: skip
    b.plan_item = b.agreement.plan_items.order_by("planned_on").last()
    b.session = b.agreement.sessions.get(status="pending")
    b.evidence = b.session.evidence.get()
    # a teacher with a tutor, a deficit, a plan and a step
    coordinator_b = _fresh(coordinator_b)
    b.teacher = teachers_services.teacher_create(
        actor=coordinator_b, school=b.school, full_name="Озёрская Вера Павловна", subject=Subject.objects.get(code="math"),
        category="first", experience="over_20",
    )  # fmt: skip
    b.assignment = teachers_services.tutor_assign(
        teacher=b.teacher, actor=coordinator_b, tutor=tutor_b, starts_on=today - datetime.timedelta(days=60)
    )
    from partnerships.models import DeficitArea

    b.deficit = teachers_services.deficit_add(
        teacher=b.teacher, actor=coordinator_b, area=DeficitArea.objects.get(code="methods"), level="partial",
        diagnosed_on=today - datetime.timedelta(days=30), source="Диагностика", note="",
    )  # fmt: skip
    year = today.year + 1 if today.month >= 9 else today.year
    b.plan = teachers_services.plan_create(
        teacher=b.teacher, actor=coordinator_b, year=year, starts_on=datetime.date(year - 1, 9, 1),
        ends_on=datetime.date(year, 6, 30), status="active", goal="Преодолеть дефицит.",
    )  # fmt: skip
    b.ipr_item = teachers_services.ipr_item_add(
        plan=b.plan, actor=coordinator_b, deficit=b.deficit, action="Курсы", form="course",
        due_on=datetime.date(year, 3, 1), status="planned", result="",
    )  # fmt: skip
    assert isinstance(b.deficit, TeacherDeficit) and isinstance(b.assignment, TutorAssignment)
    teachers_services.tutor_profile_save(
        actor=coordinator_b, user=tutor_b, municipality=b.municipality, direction="teachers", note="Тьютор Б"
    )
    # practices of the B school: one waiting for moderation (with a file), one draft (with a file)
    b.waiting = practices_services.practice_create(
        actor=team_b, school=b.school, title="Практика Озёрска на модерации", description="Описание."
    )
    b.waiting_file = practices_services.practice_file_add(practice=b.waiting, actor=team_b, file=pdf("практика-б.pdf"))
    practices_services.practice_submit(practice=b.waiting, actor=team_b)
    team_b = _fresh(team_b)
    b.draft = practices_services.practice_create(actor=team_b, school=b.school, title="Черновик практики Б", description="Текст.")
    b.draft_file = practices_services.practice_file_add(practice=b.draft, actor=team_b, file=pdf("черновик-б.pdf"))
    b.event = events_services.event_create(
        actor=coordinator_b, schools=[b.school, b.curator_school], title="Семинар Озёрского округа",
        format=MethodicalEvent.Format.SEMINAR, held_on=today - datetime.timedelta(days=10),
        starts_at=datetime.time(10, 0), municipality=b.municipality, organiser="УО Озёрска", place="Актовый зал",
        description="Для школ округа.",
    )  # fmt: skip
    from partnerships.services.event_people import attendee_add

    b.attendee = attendee_add(
        event=b.event, actor=coordinator_b, kind="management", full_name="Лесной Пётр Ильич", position="директор",
        school=b.school,
    )  # fmt: skip
    # a municipal programme of B with a measure and evidence; a school programme draft of the B school
    b.municipal = make_programme(municipality=b.municipality, measures=3, sections=2, title="Программа Озёрского округа")
    b.municipal_section = b.municipal.sections.get(position=2)
    b.municipal_measure = b.municipal.measures.order_by("pk").first()
    b.programme_evidence = programme_services.evidence_add(
        measure=b.municipal_measure, actor=coordinator_b, title="Приказ Б", file=ContentFile(PDF, name="b.pdf")
    )
    b.own_draft = make_programme(school=b.school, measures=2, sections=1, title="Программа перехода СОШ № 7")
    b.draft_section = b.own_draft.sections.get(position=1)
    b.draft_measure = b.own_draft.measures.order_by("position", "pk").first()
    b.municipal_passport_version = b.municipal.history.order_by("history_id").first().history_id
    b.own_draft_passport_version = b.own_draft.history.order_by("history_id").first().history_id
    # B school programmes under review, as the demo's in A: one submitted with its regional review opened, one in
    # review with the municipal review started and a mutual review given to the B curator school
    from programs.models import Review

    department = _fresh(users["department"])
    others = School.objects.filter(municipality=b.municipality).exclude(pk__in=[b.school.pk, b.curator_school.pk])
    third, fourth = others.order_by("pk")[:2]
    b.submitted = make_programme(school=third, measures=2, sections=1, title="Программа на экспертизе Б")
    programme_services.programme_submit(programme=b.submitted, actor=department)
    programme_services.review_open_regional(programme=b.submitted, actor=department)
    b.in_review = make_programme(school=fourth, measures=2, sections=1, title="Программа на взаимоэкспертизе Б")
    programme_services.programme_submit(programme=b.in_review, actor=department)
    programme_services.review_start(review=b.in_review.reviews.get(round=1), actor=coordinator_b)
    programme_services.review_assign_mutual(programme=b.in_review, actor=coordinator_b, school=b.curator_school)
    b.submitted_municipal = b.submitted.reviews.get(kind=Review.Kind.MUNICIPAL)
    b.submitted_regional = b.submitted.reviews.get(kind=Review.Kind.REGIONAL)
    b.in_review_municipal = b.in_review.reviews.get(kind=Review.Kind.MUNICIPAL)
    b.in_review_mutual = b.in_review.reviews.get(kind=Review.Kind.MUTUAL)
    b.mutual_step = b.in_review_mutual.step  # the default route's: both sides follow it
    assert Programme.objects.filter(municipality=b.municipality).count() == 4
    # monitoring: indicators and values of B, a self-assessment (accepted last year, this year's entry submitted)
    # and an open report of the B school, a finished yearly-report export of B
    indicators = monitoring_demo._indicators(b.municipality, b.municipal, b.year - 2)
    monitoring_demo._values(
        indicators, [b.school], b.municipality, {"school": team_b, "coordinator": coordinator_b}, b.year - 2, b.year
    )
    monitoring_demo._self_assessments(b.school, {"school": team_b, "coordinator": coordinator_b}, b.year)
    b.self_assessment = SelfAssessment.objects.get(school=b.school, year=b.year, stage=Stage.ENTRY, is_current=True)
    b.open_report = OpenReport.objects.get(school=b.school)
    b.indicator = Indicator.objects.get(code="teachers-training", municipality=b.municipality)
    b.indicator_value = IndicatorValue.objects.filter(school=b.school).order_by("pk").first()
    b.report_export = _finished_export(ReportExport, b.year, b.municipality, coordinator_b)
    b.calendar_stage = MonitoringStage.objects.get(region__isnull=True, year=b.year, code=Stage.INTERIM)
    b.region_id = b.municipality.region_id
    notify(
        kind=kinds.PROGRAMME_SUBMITTED, recipients=[coordinator_b], target=b.own_draft, title="Программа СОШ № 7 ждёт"
    )
    b.notification = Notification.objects.get(recipient=coordinator_b, title="Программа СОШ № 7 ждёт")
    b.users = {"team_b": team_b, "curator_b": curator_b, "tutor_b": tutor_b}
    _acts(b, _fresh(coordinator_b), "Б")
    assert b.indicator_value is not None and b.self_assessment.file
    # an organisation of B's registry (the department registers it)
    from schools.models import Organisation

    b.organisation = Organisation.objects.create(
        region=b.municipality.region, municipality=b.municipality, short_name="ДДТ г. Озёрск",
        name="Дом детского творчества г. Озёрск", kind=Organisation.Kind.SUPPLEMENTARY,
    )  # fmt: skip
    b.invitation = _invitation(b.municipality, "invited-b")
    b.invitation_role = _school_role(b.invitation.user, b.school)
    return b
