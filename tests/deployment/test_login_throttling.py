"""Login throttling (django-axes): repeated wrong passwords lock the username out from that address, with a
Russian page; the right password does not get through during the lockout; other addresses and users are not hit."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from schools.demo import DEMO_PASSWORD
from shnor_portal.security import client_ip

HERE, ELSEWHERE = "10.1.1.1", "10.2.2.2"


def _login(client, username, password, address=HERE):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_limit_is_a_setting(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_wrong_passwords_lock_the_user_out_even_for_the_right_one(client, demo, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        response = _login(client, "coordinator", f"неверный-{attempt}")
        assert response.status_code == 200  # the form again, with its usual message
        assert "введите правильные имя пользователя и пароль" in response.content.decode()

    response = _login(client, "coordinator", "неверный-последний")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Вход временно заблокирован" in page
    assert "Слишком много неудачных попыток входа" in page
    assert "15 мин." in page
    assert "Content-Security-Policy" in response  # the lockout page is a portal page like any other

    response = _login(client, "coordinator", DEMO_PASSWORD)
    assert response.status_code == 429
    assert "Вход временно заблокирован" in response.content.decode()
    assert not _logged_in(client)


def test_lockout_is_per_user_and_address(client, demo, settings, django_user_model):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "coordinator", f"неверный-{attempt}")
    assert _login(client, "coordinator", DEMO_PASSWORD).status_code == 429

    # The same user from another address (an attacker elsewhere cannot lock them out of their own desk) …
    response = _login(client, "coordinator", DEMO_PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302
    assert _logged_in(client)
    client.logout()

    # … and another user from the locked address are let in.
    response = _login(client, "tutor", DEMO_PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_lockout_ends_after_the_cool_off(client, demo, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "school", f"неверный-{attempt}")
    assert _login(client, "school", DEMO_PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    response = _login(client, "school", DEMO_PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_a_success_resets_the_count(client, demo, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "curator", f"неверный-{attempt}")
    assert _login(client, "curator", DEMO_PASSWORD).status_code == 302
    client.logout()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "curator", f"снова-неверный-{attempt}").status_code == 200
    assert _login(client, "curator", DEMO_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy configured: the header is the client's word, ignored
        (1, "203.0.113.9", "203.0.113.9"),  # nginx appended the address it saw
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client put in front is ignored
        (1, "", "127.0.0.1"),
        (2, "203.0.113.9, 10.0.0.5", "203.0.113.9"),
    ],
)
def test_client_address_behind_the_proxy(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_password_validators_refuse_weak_passwords(demo):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["12345678", "password123", "coordinator1", "abc"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user=demo["coordinator"])
    validate_password("Заречье-весна-2026", user=demo["coordinator"])


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
