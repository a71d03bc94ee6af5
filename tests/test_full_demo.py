"""What `make demo` gives each role: the whole demo seeded by `seed_demo`, each person's work on their home page,
the school page's support section, and the notifications the apps send to one another."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.models import IndicatorValue, RiskProfile, SelfAssessment
from notifications import kinds
from notifications.models import Notification
from partnerships.agreement_print import name_signature
from partnerships.models import Agreement, DevelopmentPlan, EventInvitation, Practice, SupportSession, Teacher
from partnerships.services.agreements import session_dispute, session_log
from programs.models import Programme
from schools.demo import CURATOR_SCHOOL, SCHOOL_TEAM_SCHOOL
from schools.models import School

pytestmark = pytest.mark.django_db


def home_html(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def counts() -> dict[str, int]:
    models = [School, Programme, Agreement, SupportSession, Teacher, DevelopmentPlan, Practice, EventInvitation,
              IndicatorValue, SelfAssessment, RiskProfile, Notification]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_command_fills_every_app_and_a_second_run_changes_nothing(settings, tmp_path):
    call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))
    first = counts()
    for name in ("Programme", "Agreement", "SupportSession", "Teacher", "DevelopmentPlan", "Practice",
                 "EventInvitation", "IndicatorValue", "SelfAssessment", "RiskProfile", "Notification"):  # fmt: skip
        assert first[name] > 0, f"демо без данных: {name}"
    assert Agreement.objects.in_force().filter(curator_school__short_name=CURATOR_SCHOOL).count() >= 2
    assert Practice.objects.filter(status=Practice.Status.PUBLISHED, download_count__gt=0).exists()
    assert EventInvitation.objects.filter(attended=True).exists()
    call_command("seed_demo", stdout=open(tmp_path / "out2.txt", "w"))
    assert counts() == first
    assert "curator" in (tmp_path / "out.txt").read_text()


def test_the_curator_finds_its_agreements_and_what_to_log_on_its_home_page(client, full_demo):
    html = home_html(client, full_demo["curator"])
    assert 'data-panel="partnerships"' in html
    for agreement in Agreement.objects.in_force().filter(curator_school__short_name=CURATOR_SCHOOL):
        assert reverse("partnerships:agreement", args=[agreement.pk]) in html
        assert agreement.supported_school.short_name in html
    assert "Оспорено школами" in html  # the demo holds one disputed session


def test_the_school_finds_sessions_to_confirm_and_its_self_assessment_on_its_home_page(client, full_demo):
    html = home_html(client, full_demo["school"])
    pending = SupportSession.objects.filter(
        agreement__supported_school__short_name=SCHOOL_TEAM_SCHOOL, status=SupportSession.Status.PENDING
    )
    assert pending.exists()
    assert "Занятия куратора, ожидающие подтверждения" in html
    for session in pending:
        assert reverse("partnerships:session", args=[session.pk]) in html
    assert 'data-panel="monitoring"' in html


def test_the_tutor_finds_its_teachers_and_the_coordinator_the_municipal_counts(client, full_demo):
    html = home_html(client, full_demo["tutor"])
    assert "Закреплённые за вами педагоги" in html
    teacher = Teacher.objects.filter(tutor_assignments__tutor=full_demo["tutor"]).first()
    assert reverse("partnerships:teacher", args=[teacher.pk]) in html

    html = home_html(client, full_demo["coordinator"])
    assert "договоров подписано / цель" in html
    assert "Самооценки школ ждут проверки" in html
    # The outsider coordinator of the other municipality sees none of it.
    html = home_html(client, full_demo["coordinator_b"])
    assert CURATOR_SCHOOL not in html
    assert "1-ШНОР" not in html


def test_the_home_page_lists_the_newest_unread_notifications_and_opens_them(client, full_demo):
    user = full_demo["school"]
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at", "-pk")
    assert unread.exists()
    html = home_html(client, user)
    assert "Новые уведомления" in html
    assert reverse("notifications:open", args=[unread.first().pk]) in html
    unread.update(read_at=timezone.now())
    assert "Новые уведомления" not in home_html(client, user)


@pytest.mark.parametrize("username", ["department", "coordinator", "school", "curator", "tutor"])
def test_the_home_page_costs_the_same_queries_with_more_data(client, full_demo, username):
    client.force_login(full_demo[username])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx)

    before = queries()
    agreement = Agreement.objects.get(number="1-ШНОР")
    for day in range(3):
        session_log(
            agreement=agreement, actor=full_demo["curator"],
            held_on=max(agreement.starts_on, timezone.localdate() - datetime.timedelta(days=day + 1)),
            format="consultation", topic=f"Консультация {day}", hours=1, teachers_count=2,
        )  # fmt: skip
    School.objects.bulk_create(
        School(municipality=agreement.supported_school.municipality, short_name=f"Новая {i}", name=f"Школа {i}")
        for i in range(30)
    )
    assert queries() == before


def test_the_school_page_shows_who_supports_the_school(client, full_demo):
    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    agreement = Agreement.objects.in_force().get(supported_school=school)
    client.force_login(full_demo["coordinator"])
    html = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert f"договор № {agreement.number}" in html
    assert agreement.curator_school.short_name in html
    assert "из них с ИПРП" in html
    tutor = full_demo["tutor"]
    assert (tutor.get_full_name() or tutor.username) in html


def test_the_demo_agreements_print_with_the_directors_of_their_schools(client, full_demo):
    """Every school of the demo has a director, so an agreement prints its signatories instead of asking for them."""
    assert not School.objects.filter(director="").exists()
    agreement = Agreement.objects.filter(curator_school__isnull=False).order_by("pk").first()
    client.force_login(full_demo["department"])
    html = client.get(reverse("partnerships:agreement_print", args=[agreement.pk])).content.decode()
    assert "Кто подписывает договор" not in html
    for school in (agreement.curator_school, agreement.supported_school):
        assert name_signature(school.director) in html, school.director


def test_a_session_logged_disputed_and_a_self_assessment_returned_reach_the_right_people(client, full_demo):
    from monitoring.services import self_assessment_return

    agreement = Agreement.objects.get(number="1-ШНОР")
    Notification.objects.all().delete()
    session = session_log(
        agreement=agreement, actor=full_demo["curator"], held_on=timezone.localdate(), format="seminar",
        topic="Семинар по функциональной грамотности", hours=2, teachers_count=5,
    )  # fmt: skip
    assert set(Notification.objects.filter(kind=kinds.SESSION_LOGGED).values_list("recipient__username", flat=True)) == {
        "school"
    }
    session_dispute(session=session, actor=full_demo["school"], comment="Семинар не проводился.")
    disputed = Notification.objects.filter(kind=kinds.SESSION_DISPUTED)
    assert set(disputed.values_list("recipient__username", flat=True)) == {"curator", "coordinator"}
    assert "Семинар не проводился" in disputed.first().body

    # Everybody told can open what they were told about; the outsider cannot, not even by the notification's id.
    for notification in Notification.objects.select_related("recipient"):
        client.force_login(notification.recipient)
        assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 302
        client.force_login(full_demo["coordinator_b"])
        assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404

    waiting = SelfAssessment.objects.get(
        school__short_name=SCHOOL_TEAM_SCHOOL, is_current=True, status=SelfAssessment.Status.SUBMITTED
    )
    self_assessment_return(actor=full_demo["coordinator"], assessment=waiting, comment="Заполните раздел 3.")
    returned = Notification.objects.get(kind=kinds.SELF_ASSESSMENT_RETURNED)
    assert returned.recipient.username == "school"
    assert "Заполните раздел 3" in returned.body


def test_send_reminders_twice_on_the_whole_demo_sends_each_reminder_once(full_demo):
    from django.core import mail

    for user in full_demo.values():
        user.email = f"{user.username}@shnor.example.ru"
        user.save(update_fields=["email"])
    # A session of the demo waits for the school for more than a week: the school is reminded of it.
    waiting = SupportSession.objects.filter(status=SupportSession.Status.PENDING).first()
    SupportSession.objects.filter(pk=waiting.pk).update(logged_at=timezone.now() - datetime.timedelta(days=9))

    call_command("send_reminders", stdout=open("/dev/null", "w"))
    reminded = Notification.objects.filter(dedupe_key__isnull=False)
    stored, sent = reminded.count(), len(mail.outbox)
    assert stored > 0 and sent > 0
    assert reminded.filter(kind=kinds.SESSION_UNCONFIRMED, recipient__username="school").exists()

    call_command("send_reminders", stdout=open("/dev/null", "w"))
    assert Notification.objects.filter(dedupe_key__isnull=False).count() == stored
    assert len(mail.outbox) == sent


def test_the_demo_shows_the_coordinator_and_the_department_an_invitation_in_each_state(client, full_demo):
    """`make demo` holds invitations of municipality A: accepted, sent and waiting, expired, not sent — the list and
    its counters have something to show before anybody loads a file, and the accepted person logs in."""
    from people.demo import INVITED

    for username in ("coordinator", "department"):
        client.force_login(full_demo[username])
        response = client.get(reverse("people:invitations"))
        assert response.status_code == 200
        assert response.context["counts"] == {"sent": 2, "accepted": 1, "expired": 1, "queued": 0, "failed": 1}
        html = response.content.decode()
        assert all(email in html for email, *_rest in INVITED)
        assert "550 5.1.1" in html  # why the letter did not go
    people = get_user_model().objects.in_bulk([email for email, *_rest in INVITED], field_name="username")
    assert people[INVITED[0][0]].check_password("demo12345")  # accepted: the person set a password
    assert not people[INVITED[1][0]].has_usable_password()  # not yet
    client.force_login(full_demo["coordinator_b"])  # another municipality's coordinator sees none of them
    assert not any(email in client.get(reverse("people:invitations")).content.decode() for email, *_rest in INVITED)
