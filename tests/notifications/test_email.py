"""E-mail: Russian, plain text and HTML with a link back; per-person choice of kinds and of a daily digest; a mail
server that fails breaks nothing, is logged, and the next run sends what was left."""

import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from notifications import kinds
from notifications.emails import digests_send, emails_send
from notifications.models import EmailPreference, Notification
from notifications.services import notify, preference_save
from programs import services
from programs.models import Programme

from . import failing_backend
from .conftest import FAILING, LOCMEM, UNREACHABLE

pytestmark = pytest.mark.django_db
EmailState = Notification.EmailState


def submit(programme, user, capture):
    with capture(execute=True):
        services.programme_submit(programme=programme, actor=user)


def test_the_e_mail_is_russian_with_text_html_and_a_link_back(with_emails, clean, programmes,
                                                              django_capture_on_commit_callbacks):
    submit(programmes["draft"], clean["school"], django_capture_on_commit_callbacks)
    [message] = mail.outbox
    notification = Notification.objects.get()
    assert message.to == ["coordinator@shnor.example.ru"]
    assert "отправлена на экспертизу" in message.subject and "\n" not in message.subject
    link = f"https://shnor.example.ru/notifications/{notification.pk}/"
    assert "Здравствуйте, Михайлов Андрей Сергеевич!" in message.body or "Здравствуйте, Андрей Сергеевич Михайлов!" in message.body
    assert link in message.body and "Открыть на портале" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and f'href="{link}"' in html and "<!doctype html>" in html
    assert "https://shnor.example.ru/notifications/settings/" in html
    assert Notification.objects.get().email_state == EmailState.SENT


def test_no_address_means_the_portal_only(clean, programmes, django_capture_on_commit_callbacks):
    submit(programmes["draft"], clean["school"], django_capture_on_commit_callbacks)
    assert Notification.objects.get().email_state == EmailState.NONE
    assert mail.outbox == []


def test_a_failing_mail_server_does_not_break_the_action_and_the_next_run_sends(
    with_emails, clean, programmes, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    failing_backend.ATTEMPTS.clear()
    programme = programmes["draft"]
    with caplog.at_level(logging.ERROR, logger="notifications.services"):
        submit(programme, clean["school"], django_capture_on_commit_callbacks)
    assert Programme.objects.get(pk=programme.pk).state == Programme.State.SUBMITTED  # the action went through
    notification = Notification.objects.get()
    assert len(failing_backend.ATTEMPTS) == 1
    assert notification.email_state == EmailState.PENDING and notification.email_attempts == 1
    assert "SMTPServerDisconnected" in notification.email_error
    assert "will be retried" in caplog.text

    settings.EMAIL_BACKEND = LOCMEM
    call_command("send_notifications", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_state, notification.email_error) == (EmailState.SENT, "")
    call_command("send_notifications", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1  # sent once


def test_an_unreachable_server_leaves_everything_queued_without_using_up_attempts(with_emails, clean, programmes,
                                                                                   settings, caplog):
    for programme in (programmes["draft"], programmes["returned"]):
        services.programme_submit(programme=programme, actor=clean["school"])
    settings.EMAIL_BACKEND = UNREACHABLE
    result = emails_send()
    assert result == {"sent": 0, "emails": 0, "failed": 0, "waiting": 2}
    assert "Mail server unavailable" in caplog.text
    assert set(Notification.objects.values_list("email_state", "email_attempts")) == {(EmailState.PENDING, 0)}
    settings.EMAIL_BACKEND = LOCMEM
    assert emails_send()["sent"] == 2


def test_after_five_failures_an_e_mail_is_given_up_but_the_notification_stays(with_emails, clean, programmes, settings):
    services.programme_submit(programme=programmes["draft"], actor=clean["school"])
    settings.EMAIL_BACKEND = FAILING
    for _ in range(5):
        emails_send()
    notification = Notification.objects.get()
    assert (notification.email_state, notification.email_attempts) == (EmailState.FAILED, 5)
    settings.EMAIL_BACKEND = LOCMEM
    assert emails_send()["sent"] == 0


def test_a_failing_server_in_send_reminders_is_retried_by_the_next_run(with_emails, clean, programmes, settings):
    services.programme_submit(programme=programmes["draft"], actor=clean["school"])  # queued, not yet sent
    settings.EMAIL_BACKEND = FAILING
    call_command("send_reminders", stdout=open("/dev/null", "w"))
    assert Notification.objects.filter(kind=kinds.PROGRAMME_SUBMITTED).get().email_state == EmailState.PENDING
    settings.EMAIL_BACKEND = LOCMEM
    call_command("send_reminders", stdout=open("/dev/null", "w"))
    assert Notification.objects.filter(kind=kinds.PROGRAMME_SUBMITTED).get().email_state == EmailState.SENT
    [to_coordinator] = [m for m in mail.outbox if m.to == ["coordinator@shnor.example.ru"]]
    assert "отправлена на экспертизу" in to_coordinator.body


def test_queued_e_mails_go_one_per_person_over_one_connection(with_emails, clean, programmes, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    opened = []
    original = EmailBackend.open
    monkeypatch.setattr(EmailBackend, "open", lambda self: opened.append(1) or original(self))
    people = [clean["coordinator"], clean["school"], clean["tutor"]]
    for index in range(10):
        notify(kind=kinds.MEASURE_DUE, recipients=people, target=programmes["draft"], title=f"Срок мероприятия {index}")
    notify(kind=kinds.LIST_APPROVED, recipients=[clean["department"]], target=programmes["draft"], title="Перечень")
    assert emails_send() == {"sent": 31, "emails": 4, "failed": 0, "waiting": 0}
    assert len(mail.outbox) == 4 and len(opened) == 1
    by_address = {m.to[0]: m for m in mail.outbox}
    single = by_address["department@shnor.example.ru"]
    assert single.subject == "Перечень — портал ШНОР"
    bundle = by_address["school@shnor.example.ru"]
    assert bundle.subject == "Новые уведомления портала ШНОР: 10"
    assert all(f"Срок мероприятия {index}" in bundle.body for index in range(10))


# --- preferences and the digest ---------------------------------------------------------------------------------------


def test_a_kind_turned_off_comes_only_in_the_portal(with_emails, clean, programmes, django_capture_on_commit_callbacks):
    preference_save(user=clean["coordinator"], emailed_kinds=[k for k in kinds.KINDS if k != kinds.PROGRAMME_SUBMITTED],
                    digest=False)
    submit(programmes["draft"], clean["school"], django_capture_on_commit_callbacks)
    assert Notification.objects.get().email_state == EmailState.NONE
    assert mail.outbox == []


def test_the_digest_is_one_e_mail_per_person_with_the_days_notifications(with_emails, clean, programmes,
                                                                        django_capture_on_commit_callbacks):
    preference_save(user=clean["coordinator"], emailed_kinds=list(kinds.KINDS), digest=True)
    submit(programmes["draft"], clean["school"], django_capture_on_commit_callbacks)
    submit(programmes["returned"], clean["school"], django_capture_on_commit_callbacks)
    assert mail.outbox == []  # nothing at once
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.DIGEST}

    assert digests_send() == {"sent": 2, "emails": 1, "failed": 0, "waiting": 0, "people": 1}
    [message] = mail.outbox
    assert message.to == ["coordinator@shnor.example.ru"]
    assert "Сводка уведомлений портала ШНОР: 2" == message.subject
    for notification in Notification.objects.all():
        assert notification.title in message.body
        assert f"https://shnor.example.ru/notifications/{notification.pk}/" in message.alternatives[0][0]
    assert digests_send()["people"] == 0  # nothing twice
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def test_switching_to_the_digest_moves_queued_e_mails_into_it(with_emails, clean, programmes):
    services.programme_submit(programme=programmes["draft"], actor=clean["school"])
    assert Notification.objects.get().email_state == EmailState.PENDING
    preference_save(user=clean["coordinator"], emailed_kinds=list(kinds.KINDS), digest=True)
    assert Notification.objects.get().email_state == EmailState.DIGEST


def test_the_settings_page_saves_the_choice(with_emails, client):
    user = with_emails["school"]
    client.force_login(user)
    page = client.get(reverse("notifications:settings"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Программа возвращена на доработку" in html and "Раз в день" in html
    assert html.count('type="checkbox"') == len(kinds.KINDS) and html.count(" checked") >= len(kinds.KINDS)

    response = client.post(
        reverse("notifications:settings"),
        {"email": "orlova@school.example.ru", "delivery": "digest",
         "emailed_kinds": [kinds.PROGRAMME_RETURNED, kinds.PROGRAMME_ACCEPTED]},
    )
    assert response.status_code == 302
    preference = EmailPreference.objects.get(user=user)
    assert preference.digest is True
    assert kinds.PROGRAMME_RETURNED not in preference.muted_kinds and kinds.MEASURE_DUE in preference.muted_kinds
    user.refresh_from_db()
    assert user.email == "orlova@school.example.ru"

    bad = client.post(reverse("notifications:settings"), {"email": "не адрес", "delivery": "now"})
    assert bad.status_code == 200 and "Введите правильный адрес электронной почты" in bad.content.decode()
