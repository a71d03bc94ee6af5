"""Password reset by e-mail (issue 21 item 3): the letter arrives at a real SMTP server, its link sets a new password
once, the answer is the same whether or not the address exists, weak passwords are refused in Russian, and the reset
opens an account the lockouts had closed."""


import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone

from people.models import LoginThrottle
from schools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Заречье-весна-2027"


@pytest.fixture
def coordinator(demo):
    user = demo["coordinator"]
    user.email = "ivanova@zarechye.example"
    user.save(update_fields=["email"])
    return user


def _ask(client, address):
    return client.post(reverse("password_reset"), {"email": address}, follow=True)


def _without_tokens(page: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page)


def _logs_in(client, password) -> bool:
    response = client.post(reverse("login"), {"username": "coordinator", "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_the_login_page_offers_the_reset(client, db):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_the_letter_arrives_in_russian_with_a_working_link(client, coordinator, smtp_inbox):
    response = _ask(client, "ivanova@zarechye.example")
    assert "Проверьте почту" in response.content.decode()
    (letter,) = smtp_inbox.to("ivanova@zarechye.example")
    assert letter["Subject"].strip() == "Портал ШНОР: восстановление пароля"
    assert "«coordinator»" in smtp_inbox.text(letter)

    form_page = client.get(_path(smtp_inbox.link("ivanova@zarechye.example")), follow=True)
    assert "Новый пароль" in form_page.content.decode()
    answer = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == reverse("password_reset_complete")

    assert _logs_in(client, NEW_PASSWORD)
    client.logout()
    again = client.get(_path(smtp_inbox.link("ivanova@zarechye.example")), follow=True)
    assert "Ссылка недействительна" in again.content.decode()  # one use only


def test_an_unknown_address_gets_the_same_answer_and_no_letter(client, coordinator, smtp_inbox):
    known = _without_tokens(_ask(client, "ivanova@zarechye.example").content.decode())
    unknown = _without_tokens(_ask(client, "nobody@example.org").content.decode())
    assert "Проверьте почту" in unknown
    assert known == unknown
    assert smtp_inbox.to("nobody@example.org") == []


def test_an_expired_link_is_refused(client, coordinator, smtp_inbox, settings, monkeypatch):
    _ask(client, "ivanova@zarechye.example")
    link = _path(smtp_inbox.link("ivanova@zarechye.example"))
    later = datetime.datetime.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)  # the days of the setting have passed
    page = client.get(link, follow=True).content.decode()
    assert "Ссылка недействительна" in page


def test_weak_passwords_are_refused_in_russian(client, coordinator, smtp_inbox):
    _ask(client, "ivanova@zarechye.example")
    form_page = client.get(_path(smtp_inbox.link("ivanova@zarechye.example")), follow=True)
    page = client.post(form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"})
    text = page.content.decode()
    assert "Введённый пароль слишком широко распространён." in text
    assert "Введённый пароль состоит только из цифр." in text
    assert _logs_in(client, DEMO_PASSWORD)  # the old one still works


def test_the_reset_opens_an_account_the_lockouts_closed(client, coordinator, smtp_inbox):
    for attempt in range(12):
        client.post(reverse("login"), {"username": "coordinator", "password": f"x{attempt}"},
                    REMOTE_ADDR="10.9.0.1" if attempt < 6 else f"10.9.1.{attempt}")
    assert LoginThrottle.objects.get(username="coordinator").locked_until > timezone.now()
    assert AccessAttempt.objects.filter(username="coordinator").exists()

    _ask(client, "ivanova@zarechye.example")
    form_page = client.get(_path(smtp_inbox.link("ivanova@zarechye.example")), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert not LoginThrottle.objects.filter(username="coordinator").exists()
    assert not AccessAttempt.objects.filter(username="coordinator").exists()
    response = client.post(reverse("login"), {"username": "coordinator", "password": NEW_PASSWORD}, REMOTE_ADDR="10.9.0.1")
    assert response.status_code == 302


def test_the_sent_page_says_how_long_the_link_lives(client, coordinator, settings):
    settings.PASSWORD_RESET_TIMEOUT = 5 * 24 * 60 * 60
    assert "Ссылка действует 5 дн." in _ask(client, "x@example.org").content.decode()
