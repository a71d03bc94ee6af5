"""The per-account throttle (people/throttle.py): a guesser who changes address for every password is stopped as
surely as one who does not, the person gets a Russian message saying until when and how to get in sooner, and a
stranger cannot keep them out for long."""

import datetime
import http.client
import re
import urllib.parse

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import LoginThrottle
from schools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _guess_from_many_addresses(client, username, count=12):
    for attempt in range(count):
        response = _login(client, username, f"неверный-{attempt}", f"10.0.{attempt}.{attempt + 1}")
        assert response.status_code == 200  # axes never sees five failures from one address


def test_twelve_addresses_do_not_get_a_guesser_in(client, demo, settings):
    assert settings.LOGIN_ACCOUNT_FAILURE_LIMIT == 10
    _guess_from_many_addresses(client, "coordinator")

    response = _login(client, "coordinator", DEMO_PASSWORD, "10.0.99.99")
    assert response.status_code == 200
    assert not _logged_in(client)
    page = response.content.decode()
    assert "слишком много неудачных попыток входа" in page
    until = timezone.localtime(LoginThrottle.objects.get(username="coordinator").locked_until)
    assert f"Вход закрыт до {until:%H:%M}" in page
    assert reverse("password_reset") in page


def test_the_pause_is_short_and_grows(client, demo):
    for attempt in range(10):
        _login(client, "tutor", f"неверный-{attempt}", f"10.1.0.{attempt + 1}")
    row = LoginThrottle.objects.get(username="tutor")
    first = row.locked_until - row.last_failure_at
    assert first == datetime.timedelta(minutes=1)  # a stranger keeps a colleague out for a minute, not for hours

    # While closed, tries are refused without counting; after the pause each further failure doubles it.
    _login(client, "tutor", "неверный-ещё", "10.1.1.1")
    assert LoginThrottle.objects.get(username="tutor").failures == 10
    LoginThrottle.objects.filter(username="tutor").update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    _login(client, "tutor", "неверный-снова", "10.1.1.2")
    row = LoginThrottle.objects.get(username="tutor")
    assert row.failures == 11
    assert row.locked_until - row.last_failure_at == datetime.timedelta(minutes=2)


def test_the_pause_has_a_ceiling(client, demo, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 1
    for attempt in range(12):
        LoginThrottle.objects.filter(username="school").update(locked_until=None)
        _login(client, "school", f"неверный-{attempt}", "10.2.0.1" if attempt % 2 else "10.2.0.2")
    row = LoginThrottle.objects.get(username="school")
    assert row.locked_until - row.last_failure_at == datetime.timedelta(minutes=settings.LOGIN_ACCOUNT_DELAY_MAX_MINUTES)


def test_after_the_pause_the_right_password_gets_in_and_clears_the_count(client, demo):
    _guess_from_many_addresses(client, "curator")
    LoginThrottle.objects.filter(username="curator").update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    response = _login(client, "curator", DEMO_PASSWORD, "10.3.0.1")
    assert response.status_code == 302
    assert _logged_in(client)
    assert not LoginThrottle.objects.filter(username="curator").exists()


def test_old_failures_are_forgotten(client, demo):
    for attempt in range(9):
        _login(client, "coordinator_b", f"неверный-{attempt}", f"10.4.0.{attempt + 1}")
    LoginThrottle.objects.filter(username="coordinator_b").update(
        last_failure_at=timezone.now() - datetime.timedelta(hours=25)
    )
    _login(client, "coordinator_b", "неверный-после-перерыва", "10.4.1.1")
    row = LoginThrottle.objects.get(username="coordinator_b")
    assert (row.failures, row.locked_until) == (1, None)


def test_the_back_office_login_is_closed_too(client, demo):
    _guess_from_many_addresses(client, "department")
    response = client.post(
        reverse("admin:login"), {"username": "department", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.5.0.1"
    )
    assert response.status_code == 200
    assert not _logged_in(client)


def test_other_accounts_are_not_touched(client, demo):
    _guess_from_many_addresses(client, "coordinator")
    assert _login(client, "tutor", DEMO_PASSWORD, "10.0.1.2").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_real_connections_from_twelve_loopback_addresses(live_server, demo):
    """Over real sockets: each guess comes from another 127.0.0.x (the loopback network has many), so the server
    sees twelve clients — and the right password from a thirteenth still does not get in."""
    host, port = urllib.parse.urlsplit(live_server.url).hostname, urllib.parse.urlsplit(live_server.url).port

    def log_in(password: str, source: str) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection(host, port, source_address=(source, 0), timeout=20)
        connection.request("GET", "/accounts/login/")
        page = connection.getresponse()
        cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
        body = urllib.parse.urlencode({"username": "coordinator", "password": password, "csrfmiddlewaretoken": token})
        connection.request("POST", "/accounts/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
            "Referer": f"{live_server.url}/accounts/login/",
        })
        answer = connection.getresponse()
        result = answer.status, answer.getheader("Location") or "", answer.read().decode()
        connection.close()
        return result

    for attempt in range(12):
        status, _, _ = log_in(f"неверный-{attempt}", f"127.0.0.{attempt + 2}")
        assert status == 200
    status, location, page = log_in(DEMO_PASSWORD, "127.0.0.77")
    assert (status, location) == (200, "")
    assert "Вход закрыт до" in page
