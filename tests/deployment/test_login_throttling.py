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
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], "127.0.0.1", "203.0.113.9", "127.0.0.1"),  # no proxy configured: the header is the client's word, ignored
        (["127.0.0.1"], "127.0.0.1", "203.0.113.9", "203.0.113.9"),  # nginx appended the address it saw
        (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client put in front: ignored
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "203.0.113.9, 10.0.0.5", "203.0.113.9"),  # balancer, then nginx
        (["127.0.0.1"], "198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not from the proxy: the header is not read
    ],
)
def test_client_address_behind_the_proxy(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_client_that_bypasses_the_proxy_cannot_choose_its_address(client, demo, settings):
    """Production's profile believes X-Forwarded-For from the proxy only: 12 wrong passwords sent straight to gunicorn,
    each with another forged header, are all counted for the sender's own address, and the lock holds."""
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    for attempt in range(12):
        client.post(
            reverse("login"), {"username": "coordinator", "password": f"неверный-{attempt}"},
            REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt + 1}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    response = client.post(
        reverse("login"), {"username": "coordinator", "password": DEMO_PASSWORD},
        REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.200",
    )
    assert response.status_code != 302  # refused: by the address's lock and the account's pause alike
    assert not _logged_in(client)


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
