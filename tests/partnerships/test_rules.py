"""Bad input is refused with a Russian message next to the field, and nothing stored is lost."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships.models import (
    Agreement,
    DevelopmentPlan,
    Practice,
    PracticeDownload,
    SessionEvidence,
    SupportSession,
)
from partnerships.services.agreements import (
    agreement_activate,
    agreement_create,
    agreement_finish,
    agreement_update,
    plan_item_add,
)
from partnerships.services.common import PartnershipError
from partnerships.services.practices import practice_update

from .helpers import days, docx, pdf, renamed_exe

pytestmark = pytest.mark.django_db


def _agreement_data(world, **changes):
    data = {
        "curator_school": world.curator_school.pk,
        "supported_school": world.supported_school.pk,
        "number": "7",
        "signed_on": "",
        "starts_on": days(400).isoformat(),
        "ends_on": days(700).isoformat(),
        "subject": "Сотрудничество.",
        "form_consulting": "on",
    }
    data.update(changes)
    return data


def _session_data(**changes):
    data = {
        "held_on": days(-1).isoformat(),
        "format": "consultation",
        "topic": "Разбор результатов ВПР",
        "teachers_count": "3",
        "managers_count": "1",
        "hours": "2",
        "outcome": "Рекомендации.",
    }
    data.update(changes)
    return data


def _errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- agreements -----------------------------------------------------------------------------------------------


def test_agreement_end_before_start_is_refused_next_to_the_field(client, world):
    client.force_login(world.users["coordinator"])
    before = Agreement.objects.count()
    response = client.post(
        reverse("partnerships:agreement_create"),
        _agreement_data(world, starts_on=days(100).isoformat(), ends_on=days(10).isoformat()),
    )
    assert response.status_code == 200
    assert "Окончание срока не может быть раньше его начала." in _errors(response, "ends_on")
    assert Agreement.objects.count() == before


def test_duplicate_agreement_for_the_same_pair_and_overlapping_term_is_refused(client, world):
    client.force_login(world.users["coordinator"])
    overlapping = _agreement_data(
        world, starts_on=(world.agreement.ends_on - datetime.timedelta(days=10)).isoformat(),
        ends_on=(world.agreement.ends_on + datetime.timedelta(days=300)).isoformat(),
    )  # fmt: skip
    response = client.post(reverse("partnerships:agreement_create"), overlapping)
    assert response.status_code == 200
    assert any("уже есть договор на пересекающийся срок" in e for e in _errors(response, "starts_on"))
    assert Agreement.objects.filter(supported_school=world.supported_school).count() == 1
    # The term right after the current one is fine.
    after = _agreement_data(
        world, starts_on=(world.agreement.ends_on + datetime.timedelta(days=1)).isoformat(),
        ends_on=(world.agreement.ends_on + datetime.timedelta(days=365)).isoformat(),
    )  # fmt: skip
    assert client.post(reverse("partnerships:agreement_create"), after).status_code == 302


def test_a_school_cannot_support_itself_nor_be_chosen_outside_the_municipality(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("partnerships:agreement_create"),
        _agreement_data(world, supported_school=world.curator_school.pk),
    )
    assert "Школа не может сопровождать сама себя: выберите другую школу." in _errors(response, "supported_school")
    response = client.post(reverse("partnerships:agreement_create"), _agreement_data(world, supported_school=world.school_b.pk))
    assert _errors(response, "supported_school")  # not among the choices
    assert not Agreement.objects.filter(supported_school=world.school_b).exists()


def test_changing_the_term_must_keep_the_held_sessions_inside(client, world):
    client.force_login(world.users["coordinator"])
    first_session = world.agreement.sessions.order_by("held_on").first()
    data = _agreement_data(
        world, number=world.agreement.number, signed_on=world.agreement.signed_on.isoformat(),
        starts_on=(first_session.held_on + datetime.timedelta(days=1)).isoformat(),
        ends_on=world.agreement.ends_on.isoformat(),
    )  # fmt: skip
    response = client.post(reverse("partnerships:agreement_edit", args=[world.agreement.pk]), data)
    assert response.status_code == 200
    assert any("новый срок должен его включать" in e for e in _errors(response, "starts_on"))
    world.agreement.refresh_from_db()
    assert world.agreement.starts_on < first_session.held_on


def test_activation_needs_number_and_date(world):
    draft = agreement_create(
        actor=world.users["coordinator"], curator_school=world.curator_school,
        supported_school=world.supported_school.municipality.schools.get(short_name="Ильинская СОШ"),
        number="", signed_on=None, starts_on=days(0), ends_on=days(100), subject="Сотрудничество.",
        form_consulting=True,
    )  # fmt: skip
    with pytest.raises(PartnershipError, match="укажите его номер и дату"):
        agreement_activate(agreement=draft, actor=world.users["coordinator"])
    draft.refresh_from_db()
    assert draft.status == Agreement.Status.DRAFT


def test_terminate_needs_a_reason_and_closed_agreement_cannot_change(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("partnerships:agreement_terminate", args=[world.agreement.pk]), {"reason": " "}, follow=True)
    assert "Укажите причину расторжения." in response.content.decode()
    world.agreement.refresh_from_db()
    assert world.agreement.status == Agreement.Status.ACTIVE

    agreement_finish(agreement=world.agreement, actor=world.users["coordinator"])
    with pytest.raises(PartnershipError, match="изменить его нельзя"):
        agreement_update(agreement=world.agreement, actor=world.users["coordinator"], number="99")
    with pytest.raises(PartnershipError, match="план больше не меняется"):
        plan_item_add(
            agreement=world.agreement, actor=world.users["coordinator"], planned_on=days(5), format="seminar", topic="Т"
        )


def test_plan_item_outside_the_term_is_refused(client, world):
    client.force_login(world.users["coordinator"])
    before = world.agreement.plan_items.count()
    response = client.post(
        reverse("partnerships:plan_item_create", args=[world.agreement.pk]),
        {"planned_on": (world.agreement.ends_on + datetime.timedelta(days=40)).isoformat(), "format": "seminar", "topic": "Итоги"},
    )
    assert any("вне срока договора" in e for e in _errors(response, "planned_on"))
    assert world.agreement.plan_items.count() == before


# --- sessions -------------------------------------------------------------------------------------------------


def test_session_dated_outside_the_agreement_term_is_refused(client, world):
    client.force_login(world.users["curator"])
    before = SupportSession.objects.count()
    response = client.post(
        reverse("partnerships:session_create", args=[world.agreement.pk]),
        _session_data(held_on=(world.agreement.starts_on - datetime.timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 200
    assert any("вне срока договора" in e for e in _errors(response, "held_on"))
    assert SupportSession.objects.count() == before


def test_session_in_the_future_or_without_participants_is_refused(client, world):
    client.force_login(world.users["curator"])
    url = reverse("partnerships:session_create", args=[world.agreement.pk])
    response = client.post(url, _session_data(held_on=days(3).isoformat()))
    assert any("ещё не наступила" in e for e in _errors(response, "held_on"))
    response = client.post(url, _session_data(teachers_count="0", managers_count="0"))
    assert _errors(response, "teachers_count") == ["Укажите, сколько педагогов и руководителей участвовало."]
    response = client.post(url, _session_data())
    session = SupportSession.objects.latest("pk")
    assert response.status_code == 302 and session.status == SupportSession.Status.PENDING
    assert session.logged_by == world.users["curator"]


@pytest.mark.parametrize("state", ["confirmed", "disputed"])
def test_curator_cannot_edit_a_session_the_school_has_decided(client, world, state):
    session = getattr(world, state)
    before = SupportSession.objects.filter(pk=session.pk).values().get()
    client.force_login(world.users["curator"])
    url = reverse("partnerships:session_edit", args=[session.pk])
    response = client.post(url, _session_data(held_on=session.held_on.isoformat(), topic="Переписанная тема"))
    assert response.status_code == 200
    message = " ".join(response.context["form"].non_field_errors())
    assert "изменить его нельзя" in message
    assert SupportSession.objects.filter(pk=session.pk).values().get() == before
    # Nor add or remove its files.
    client.post(reverse("partnerships:session_evidence_upload", args=[session.pk]), {"file": pdf()})
    assert session.evidence.count() == 1
    evidence = session.evidence.get()
    client.post(reverse("partnerships:session_evidence_delete", args=[evidence.pk]))
    assert SessionEvidence.objects.filter(pk=evidence.pk).exists()
    # Opening the form says so instead of offering it.
    response = client.get(url, follow=True)
    assert "изменить его нельзя" in response.content.decode()


def test_curator_corrects_a_pending_session(client, world):
    client.force_login(world.users["curator"])
    response = client.post(
        reverse("partnerships:session_edit", args=[world.pending.pk]),
        _session_data(held_on=world.pending.held_on.isoformat(), topic="Уточнённая тема", hours="3"),
    )
    assert response.status_code == 302
    world.pending.refresh_from_db()
    assert world.pending.topic == "Уточнённая тема" and world.pending.hours == Decimal("3")
    assert world.pending.history.first().history_user == world.users["curator"]


def test_school_confirms_and_disputes_once_and_dispute_needs_a_comment(client, world):
    client.force_login(world.users["school"])
    response = client.post(reverse("partnerships:session_dispute", args=[world.pending.pk]), {"comment": ""}, follow=True)
    assert "без комментария оспорить нельзя" in response.content.decode()
    world.pending.refresh_from_db()
    assert world.pending.status == SupportSession.Status.PENDING

    client.post(reverse("partnerships:session_confirm", args=[world.pending.pk]))
    world.pending.refresh_from_db()
    assert world.pending.status == SupportSession.Status.CONFIRMED
    assert world.pending.reviewed_by == world.users["school"]
    response = client.post(reverse("partnerships:session_dispute", args=[world.pending.pk]), {"comment": "Нет"}, follow=True)
    assert "решение принято раньше" in response.content.decode()
    world.pending.refresh_from_db()
    assert world.pending.status == SupportSession.Status.CONFIRMED


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (renamed_exe, "по содержимому это не"),
        (lambda: pdf(content=b""), "Файл пуст"),
    ],
)
def test_evidence_of_a_wrong_type_is_refused(client, world, upload, message):
    client.force_login(world.users["curator"])
    before = world.pending.evidence.count()
    response = client.post(reverse("partnerships:session_evidence_upload", args=[world.pending.pk]), {"file": upload()}, follow=True)
    assert message in response.content.decode()
    assert world.pending.evidence.count() == before


def test_evidence_over_the_size_limit_is_refused(client, world, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    client.force_login(world.users["curator"])
    response = client.post(
        reverse("partnerships:session_evidence_upload", args=[world.pending.pk]),
        {"file": pdf(content=b"%PDF-1.4\n" + b"0" * 200)},
        follow=True,
    )
    assert "больше допустимых" in response.content.decode()
    assert world.pending.evidence.count() == 1


def test_evidence_of_accepted_types_is_stored_under_a_random_name(client, world):
    client.force_login(world.users["curator"])
    client.post(reverse("partnerships:session_evidence_upload", args=[world.pending.pk]), {"file": docx("../../протокол.docx")})
    stored = world.pending.evidence.latest("pk")
    assert stored.original_name == "протокол.docx"
    assert stored.content_type.endswith("wordprocessingml.document")
    assert stored.file.name.startswith("partnerships/sessions/") and "протокол" not in stored.file.name


def test_agreement_scan_of_a_wrong_type_keeps_the_old_scan(client, world):
    old = world.agreement.scan.name
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("partnerships:agreement_scan_upload", args=[world.agreement.pk]), {"file": renamed_exe()}, follow=True)
    assert "Тип определяется по содержимому файла" in response.content.decode()
    world.agreement.refresh_from_db()
    assert world.agreement.scan.name == old
    client.post(reverse("partnerships:agreement_scan_upload", args=[world.agreement.pk]), {"file": pdf("скан договора.pdf")})
    world.agreement.refresh_from_db()
    assert world.agreement.scan_name == "скан договора.pdf" and world.agreement.scan.name != old


# --- teachers and plans ---------------------------------------------------------------------------------------


def test_second_plan_for_the_same_year_is_refused(client, world):
    client.force_login(world.users["tutor"])
    plan = world.plan
    response = client.post(
        reverse("partnerships:plan_create", args=[world.teacher.pk]),
        {"year": plan.year, "starts_on": plan.starts_on.isoformat(), "ends_on": plan.ends_on.isoformat(), "status": "active"},
    )
    assert any("уже есть ИПРП" in e for e in _errors(response, "year"))
    assert DevelopmentPlan.objects.filter(teacher=world.teacher).count() == 1


def test_plan_end_before_start_and_item_outside_the_plan_are_refused(client, world):
    client.force_login(world.users["tutor"])
    plan = world.plan
    response = client.post(
        reverse("partnerships:plan_edit", args=[plan.pk]),
        {"year": plan.year, "starts_on": plan.ends_on.isoformat(), "ends_on": plan.starts_on.isoformat(), "status": "active"},
    )
    assert "Окончание плана не может быть раньше его начала." in _errors(response, "ends_on")
    response = client.post(
        reverse("partnerships:ipr_item_create", args=[plan.pk]),
        {"action": "Курсы", "form": "course", "due_on": (plan.ends_on + datetime.timedelta(days=10)).isoformat(), "status": "planned"},
    )
    assert any("Срок вне ИПРП" in e for e in _errors(response, "due_on"))
    plan.refresh_from_db()
    assert plan.starts_on < plan.ends_on


def test_tutor_records_a_deficit_and_a_session_and_loses_the_teacher_when_unassigned(client, world):
    tutor = world.users["tutor"]
    client.force_login(tutor)
    response = client.post(
        reverse("partnerships:tutoring_create", args=[world.teacher.pk]),
        {"held_on": days(-1).isoformat(), "format": "consultation", "topic": "Разбор урока", "hours": "1"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("partnerships:deficit_create", args=[world.teacher.pk]),
        {"area": world.teacher.deficits.first().area_id, "level": "partial", "diagnosed_on": days(1).isoformat()},
    )
    assert "Дата диагностики не может быть в будущем." in _errors(response, "diagnosed_on")

    assignment = world.teacher.tutor_assignments.get(tutor=tutor)
    client.force_login(world.users["coordinator"])
    client.post(reverse("partnerships:tutor_unassign", args=[assignment.pk]))
    client.force_login(tutor)
    assert client.get(reverse("partnerships:teacher", args=[world.teacher.pk])).status_code == 404
    assert client.get(reverse("partnerships:plan", args=[world.plan.pk])).status_code == 404


def test_only_a_tutor_of_the_municipality_can_be_assigned(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("partnerships:tutor_assign", args=[world.untutored.pk]), {"tutor": world.users["coordinator_b"].pk}, follow=True
    )
    assert "Выберите тьютора из тьюторской команды муниципалитета" in response.content.decode()
    assert not world.untutored.tutor_assignments.exists()
    client.post(reverse("partnerships:tutor_assign", args=[world.untutored.pk]), {"tutor": world.users["tutor"].pk})
    assert world.untutored.tutor_assignments.get().tutor == world.users["tutor"]


# --- practices and events -------------------------------------------------------------------------------------


def test_practice_goes_from_draft_to_moderation_to_the_bank(client, world):
    school, coordinator = world.users["school"], world.users["coordinator"]
    client.force_login(school)
    response = client.post(
        reverse("partnerships:practice_create"),
        {"school": world.supported_school.pk, "title": "Школьный театр", "description": "Как театр вернул мотивацию."},
    )
    practice = Practice.objects.get(title="Школьный театр")
    assert response.status_code == 302 and practice.status == Practice.Status.DRAFT
    response = client.post(reverse("partnerships:practice_submit", args=[practice.pk]), follow=True)
    assert "Приложите хотя бы один файл" in response.content.decode()
    client.post(reverse("partnerships:practice_file_upload", args=[practice.pk]), {"file": pdf("сценарий.pdf")})
    client.post(reverse("partnerships:practice_submit", args=[practice.pk]))
    practice.refresh_from_db()
    assert practice.status == Practice.Status.SUBMITTED
    # Locked while on moderation.
    with pytest.raises(PartnershipError):
        practice_update(practice=practice, actor=school, title="Другое", description="Другое")

    client.force_login(coordinator)
    response = client.post(reverse("partnerships:practice_return", args=[practice.pk]), {"comment": ""}, follow=True)
    assert "Напишите замечания" in response.content.decode()
    client.post(reverse("partnerships:practice_publish", args=[practice.pk]))
    practice.refresh_from_db()
    assert practice.status == Practice.Status.PUBLISHED and practice.moderated_by == coordinator


def test_downloads_are_counted_for_published_practices_only(client, world):
    published_file = world.published.files.get()
    waiting_file = world.waiting.files.get()
    before = world.published.download_count
    client.force_login(world.users["coordinator_b"])
    client.get(reverse("partnerships:practice_file", args=[published_file.pk]))
    client.force_login(world.users["coordinator"])
    client.get(reverse("partnerships:practice_file", args=[waiting_file.pk]))
    world.published.refresh_from_db()
    world.waiting.refresh_from_db()
    assert world.published.download_count == before + 1
    assert world.waiting.download_count == 0
    assert PracticeDownload.objects.filter(practice=world.published, user=world.users["coordinator_b"]).exists()


def test_attendance_is_marked_after_the_event_and_people_make_a_school_present(client, world):
    client.force_login(world.users["department"])
    webinar = world.webinar
    invitation = webinar.invitations.first()
    response = client.post(reverse("partnerships:event_attendance", args=[webinar.pk]), {f"attended_{invitation.pk}": "yes"})
    assert "Мероприятие ещё не прошло" in " ".join(response.context["form"].non_field_errors())
    invitation.refresh_from_db()
    assert invitation.attended is None

    client.force_login(world.users["coordinator"])
    absent = world.seminar.invitations.filter(attended=False).first()
    response = client.post(
        reverse("partnerships:event_attendance", args=[world.seminar.pk]),
        {f"people_{absent.pk}": "Петров П. П. — учитель физики\nИванова И. И."},
    )
    assert response.status_code == 302
    absent.refresh_from_db()
    assert absent.attended is True
    assert [(p.full_name, p.position) for p in absent.participants.all()] == [
        ("Петров П. П.", "учитель физики"),
        ("Иванова И. И.", ""),
    ]


def test_coordinator_invites_only_schools_of_their_municipality(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("partnerships:event_create"),
        {
            "title": "Круглый стол", "format": "round_table", "held_on": days(10).isoformat(),
            "municipality": world.supported_school.municipality_id, "organiser": "Координатор",
            "schools": [world.supported_school.pk, world.school_b.pk],
        },
    )  # fmt: skip
    assert response.status_code == 200 and _errors(response, "schools")
    response = client.post(
        reverse("partnerships:event_create"),
        {
            "title": "Круглый стол", "format": "round_table", "held_on": days(10).isoformat(),
            "municipality": world.school_b.municipality_id, "organiser": "Координатор",
        },
    )  # fmt: skip
    assert _errors(response, "municipality")


def test_return_address_after_an_action_stays_on_the_portal(client, world):
    client.force_login(world.users["school"])
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = client.post(reverse("partnerships:session_confirm", args=[world.pending.pk]), {"next": target})
        assert response.url == reverse("partnerships:session", args=[world.pending.pk]), target
    here = reverse("partnerships:agreement", args=[world.agreement.pk])
    response = client.post(reverse("partnerships:session_dispute", args=[world.disputed.pk]), {"next": here, "comment": "x"})
    assert response.url == here


def test_agreement_form_marks_curator_candidates_and_listed_schools(client, world):
    client.force_login(world.users["department"])
    html = client.get(reverse("partnerships:agreement_create")).content.decode()
    assert f"{world.supported_school.short_name} ({world.supported_school.municipality.name}) — ШНОР и ШНСУ" in html
    assert "кандидат в кураторы" in html
