"""Every URL of the section × every role → the expected answer.

A new URL without a row here fails `test_every_url_has_a_row`. Outsiders get 404 for objects, a role that sees an
object but may not take the step gets 403, anonymous visitors are sent to the login page. Files are included: every
download goes through a view that checks the scope.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from partnerships import urls
from partnerships.models import Practice, PracticeFile, TutorAssignment
from partnerships.services.practices import practice_create, practice_file_add

from .helpers import pdf

pytestmark = pytest.mark.django_db

ROLES = ["department", "coordinator", "coordinator_b", "school", "curator", "tutor"]


def row(method, args, *codes):
    assert len(codes) == len(ROLES)
    return method, args, dict(zip(ROLES, codes, strict=True))


def no_args(w):
    return []


def agreement(w):
    return [w.agreement.pk]


def plan_item(w):
    return [w.agreement.plan_items.order_by("planned_on").last().pk]


def pending(w):
    return [w.pending.pk]


def evidence(w):
    return [w.evidence.pk]


def teacher(w):
    return [w.teacher.pk]


def deficit(w):
    return [w.teacher.deficits.first().pk]


def plan(w):
    return [w.plan.pk]


def ipr_item(w):
    return [w.plan.items.first().pk]


def assignment(w):
    return [TutorAssignment.objects.get(teacher=w.teacher, tutor=w.users["tutor"]).pk]


def tutor_profile(w):
    return [w.supported_school.municipality_id, w.users["tutor"].pk]


def waiting(w):
    return [w.waiting.pk]


def waiting_file(w):
    return [w.waiting.files.get().pk]


def draft(w):
    return [w.draft.pk]


def draft_file(w):
    return [w.draft_file.pk]


def published_file(w):
    return [w.published.files.get().pk]


def seminar(w):
    return [w.seminar.pk]


GET, POST = "get", "post"
#                                                   department coordinator coord_b school curator tutor
TABLE = {
    "index": row(GET, no_args, 302, 302, 302, 302, 302, 302),
    "agreements": row(GET, no_args, 200, 200, 200, 200, 200, 403),
    "agreements_export": row(GET, no_args, 200, 200, 200, 200, 200, 403),
    "agreement_create": row(GET, no_args, 200, 200, 200, 403, 403, 403),
    "agreement": row(GET, agreement, 200, 200, 404, 200, 200, 404),
    "agreement_edit": row(GET, agreement, 200, 200, 404, 403, 403, 404),
    "agreement_print": row(GET, agreement, 200, 200, 404, 200, 200, 404),
    "agreement_scan": row(GET, agreement, 200, 200, 404, 200, 200, 404),
    "agreement_scan_upload": row(POST, agreement, 302, 302, 404, 403, 403, 404),
    "agreement_activate": row(POST, agreement, 302, 302, 404, 403, 403, 404),
    "agreement_finish": row(POST, agreement, 302, 302, 404, 403, 403, 404),
    "agreement_terminate": row(POST, agreement, 302, 302, 404, 403, 403, 404),
    "plan_item_create": row(GET, agreement, 200, 200, 404, 403, 403, 404),
    "plan_item_edit": row(GET, plan_item, 200, 200, 404, 403, 403, 404),
    "plan_item_delete": row(POST, plan_item, 302, 302, 404, 403, 403, 404),
    "session_create": row(GET, agreement, 403, 403, 404, 403, 200, 404),
    "sessions": row(GET, no_args, 200, 200, 200, 200, 200, 403),
    "sessions_export": row(GET, no_args, 200, 200, 200, 200, 200, 403),
    "session": row(GET, pending, 200, 200, 404, 200, 200, 404),
    "session_edit": row(GET, pending, 403, 403, 404, 403, 200, 404),
    "session_confirm": row(POST, pending, 403, 403, 404, 302, 403, 404),
    "session_dispute": row(POST, pending, 403, 403, 404, 302, 403, 404),
    "session_evidence_upload": row(POST, pending, 403, 403, 404, 403, 302, 404),
    "session_evidence": row(GET, evidence, 200, 200, 404, 200, 200, 404),
    "session_evidence_delete": row(POST, evidence, 403, 403, 404, 403, 302, 404),
    "summary": row(GET, no_args, 200, 200, 200, 403, 403, 403),
    "summary_export": row(GET, no_args, 200, 200, 200, 403, 403, 403),
    "teachers": row(GET, no_args, 200, 200, 200, 200, 403, 200),
    "teachers_export": row(GET, no_args, 200, 200, 200, 200, 403, 200),
    "teacher_create": row(GET, no_args, 200, 200, 200, 200, 403, 403),
    "teacher": row(GET, teacher, 200, 200, 404, 200, 404, 200),
    "teacher_edit": row(GET, teacher, 200, 200, 404, 200, 404, 403),
    "tutor_assign": row(POST, teacher, 302, 302, 404, 403, 404, 403),
    "tutor_unassign": row(POST, assignment, 302, 302, 404, 403, 404, 403),
    "deficit_create": row(GET, teacher, 200, 200, 404, 403, 404, 200),
    "deficit_edit": row(GET, deficit, 200, 200, 404, 403, 404, 200),
    "plan_create": row(GET, teacher, 200, 200, 404, 403, 404, 200),
    "tutoring_create": row(GET, teacher, 403, 403, 404, 403, 404, 200),
    "plans": row(GET, no_args, 200, 200, 200, 200, 403, 200),
    "plans_export": row(GET, no_args, 200, 200, 200, 200, 403, 200),
    "plan": row(GET, plan, 200, 200, 404, 200, 404, 200),
    "plan_edit": row(GET, plan, 200, 200, 404, 403, 404, 200),
    "ipr_item_create": row(GET, plan, 200, 200, 404, 403, 404, 200),
    "ipr_item_edit": row(GET, ipr_item, 200, 200, 404, 403, 404, 200),
    "tutors": row(GET, no_args, 200, 200, 200, 403, 403, 200),
    "tutors_export": row(GET, no_args, 200, 200, 200, 403, 403, 200),
    "tutor_profile": row(GET, tutor_profile, 200, 200, 404, 403, 403, 403),
    "coverage": row(GET, no_args, 200, 200, 200, 200, 403, 200),
    "coverage_export": row(GET, no_args, 200, 200, 200, 200, 403, 200),
    "practices": row(GET, no_args, 200, 200, 200, 200, 200, 200),
    "practices_export": row(GET, no_args, 200, 200, 200, 200, 200, 200),
    "practice_create": row(GET, no_args, 200, 200, 200, 200, 200, 403),
    "practice": row(GET, waiting, 200, 200, 404, 200, 404, 404),
    "practice_edit": row(GET, draft, 200, 200, 404, 200, 404, 404),
    "practice_file_upload": row(POST, draft, 302, 302, 404, 302, 404, 404),
    "practice_submit": row(POST, draft, 302, 302, 404, 302, 404, 404),
    "practice_publish": row(POST, waiting, 302, 302, 404, 403, 404, 404),
    "practice_return": row(POST, waiting, 302, 302, 404, 403, 404, 404),
    "practice_file": row(GET, waiting_file, 200, 200, 404, 200, 404, 404),
    "practice_file_delete": row(POST, draft_file, 302, 302, 404, 302, 404, 404),
    "events": row(GET, no_args, 200, 200, 200, 200, 200, 200),
    "events_export": row(GET, no_args, 200, 200, 200, 200, 200, 200),
    "event_create": row(GET, no_args, 200, 200, 200, 403, 403, 403),
    "event": row(GET, seminar, 200, 200, 404, 200, 200, 200),
    "event_edit": row(GET, seminar, 200, 200, 404, 403, 403, 403),
    "event_attendance": row(GET, seminar, 200, 200, 404, 403, 403, 403),
}


def test_every_url_has_a_row():
    names = {pattern.name for pattern in urls.urlpatterns}
    assert names == set(TABLE), f"нет строки для {names - set(TABLE)}; лишние: {set(TABLE) - names}"


@pytest.fixture
def table_world(world):
    """The demo world plus a draft practice of the supported school with one file."""
    world.draft = practice_create(
        actor=world.users["school"], school=world.supported_school, title="Черновик практики", description="Описание."
    )
    world.draft_file = practice_file_add(practice=world.draft, actor=world.users["school"], file=pdf())
    return world


@pytest.mark.parametrize("name", sorted(TABLE))
def test_url_answers_each_role_as_expected(client, table_world, name):
    method, args, expected = TABLE[name]
    url = reverse(f"partnerships:{name}", args=args(table_world))
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login")), url
    answers = {}
    for role in ROLES:
        client.force_login(table_world.users[role])
        # Each request in its own savepoint, rolled back: a role's action does not change what the next one sees.
        with transaction.atomic():
            answers[role] = getattr(client, method)(url).status_code
            transaction.set_rollback(True)
    assert answers == expected, url


def test_published_practice_and_its_file_reach_everybody_with_a_role(client, world, django_user_model):
    stored = world.published.files.get()
    for role in ROLES:
        client.force_login(world.users[role])
        assert client.get(reverse("partnerships:practice", args=[world.published.pk])).status_code == 200
        assert client.get(reverse("partnerships:practice_file", args=[stored.pk])).status_code == 200
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("partnerships:practice", args=[world.published.pk])).status_code == 404
    assert client.get(reverse("partnerships:practice_file", args=[stored.pk])).status_code == 404
    assert client.get(reverse("partnerships:practices")).status_code == 403


def test_files_are_downloads_never_inline(client, world):
    client.force_login(world.users["school"])
    for url in (
        reverse("partnerships:session_evidence", args=[world.evidence.pk]),
        reverse("partnerships:agreement_scan", args=[world.agreement.pk]),
        reverse("partnerships:practice_file", args=[world.published.files.get().pk]),
    ):
        response = client.get(url)
        assert response["Content-Disposition"].startswith("attachment"), url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_media_is_not_served_from_a_public_url(client, world):
    client.force_login(world.users["department"])
    for name in (world.evidence.file.name, world.agreement.scan.name):
        assert client.get(f"/media/{name}").status_code == 404
        assert client.get(f"/media-is-not-served/{name}").status_code == 404


def test_outsider_lists_and_exports_hold_nothing_of_municipality_a(client, world):
    client.force_login(world.users["coordinator_b"])
    for name in ("agreements", "sessions", "teachers", "plans"):
        response = client.get(reverse(f"partnerships:{name}"))
        assert response.context["page"].paginator.count == 0, name
    html = client.get(reverse("partnerships:summary")).content.decode()
    assert world.supported_school.municipality.name not in html
    export = client.get(reverse("partnerships:agreements_export"))
    from shnor_portal.spreadsheets import read_xlsx_sheets

    rows = read_xlsx_sheets(export.content, max_bytes=10**7)[0].rows
    assert len(rows) == 1  # the header only


def test_curator_never_sees_teachers_even_of_the_school_it_supports(client, world):
    from partnerships.access import visible_plans, visible_teachers

    curator = world.users["curator"]
    assert not visible_teachers(curator).exists()
    assert not visible_plans(curator).exists()
    client.force_login(curator)
    assert client.get(reverse("partnerships:teachers")).status_code == 403
    assert client.get(reverse("partnerships:teacher", args=[world.teacher.pk])).status_code == 404
    page = client.get(reverse("partnerships:agreement", args=[world.agreement.pk])).content.decode()
    assert world.teacher.full_name not in page


def test_tutor_sees_only_the_teachers_assigned_to_them(client, world):
    client.force_login(world.users["tutor"])
    assert client.get(reverse("partnerships:teacher", args=[world.untutored.pk])).status_code == 404
    names = {t.full_name for t in client.get(reverse("partnerships:teachers")).context["page"].object_list}
    assert world.teacher.full_name in names and world.untutored.full_name not in names


def test_draft_practice_is_seen_only_by_its_school_coordinator_and_department(world):
    from partnerships.access import visible_practices

    draft = practice_create(
        actor=world.users["school"], school=world.supported_school, title="Черновик", description="Текст."
    )
    seen_by = {role for role in ROLES if visible_practices(world.users[role]).filter(pk=draft.pk).exists()}
    assert seen_by == {"department", "coordinator", "school"}
    assert Practice.objects.filter(pk=draft.pk, status=Practice.Status.DRAFT).exists()
    assert PracticeFile.objects.filter(practice=draft).count() == 0
