"""Two-factor authentication (issue 21 item 5): required of the department, the institute, the federal operator and
the back office when TWO_FACTOR_REQUIRED is on; optional for the others, and then asked of those who enrolled."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from schools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def password_login(client, username):
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return response


def code_of(device: TOTPDevice, *, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = totp.time + later * device.step
    return f"{totp.token():06d}"


def wait_out_the_pause(username):
    """django-otp pauses a device after a wrong code (1 s, 2 s, 4 s…): the test waits by moving the failure back."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user__username=username).update(
            throttling_failure_timestamp=timezone.now() - datetime.timedelta(hours=1)
        )


def enrol(client, username) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("people:otp_setup"))
    assert "Подключите приложение-аутентификатор" in page.content.decode()
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    answer = client.post(reverse("people:otp_setup"), {"code": code_of(device), "next": "/"})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("people:otp_codes"))
    codes_page = client.get(answer["Location"]).content.decode()
    tokens = list(StaticToken.objects.filter(device__user__username=username).values_list("token", flat=True))
    assert len(tokens) == 10 and all(token in codes_page for token in tokens)
    assert client.get(reverse("people:otp_codes"))["Location"] == reverse("people:otp_settings")  # shown once
    return device, tokens


def test_the_department_must_enrol_before_any_page(client, demo, required):
    password_login(client, "department")
    response = client.get(reverse("schools:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:otp_setup"))
    page = client.get(response["Location"]).content.decode()
    assert "Ваша роль видит данные всей территории" in page
    assert "<svg" in page  # the QR code, drawn in the page
    assert "Не сейчас" not in page

    device = TOTPDevice.objects.get(user__username="department")
    wrong = client.post(reverse("people:otp_setup"), {"code": "000000"}).content.decode()
    assert "Код не подошёл" in wrong
    device.refresh_from_db()
    assert not device.confirmed

    wait_out_the_pause("department")
    enrol(client, "department")
    assert client.get(reverse("schools:list")).status_code == 200


def test_next_login_asks_for_the_code_and_a_recovery_code_works_once(client, demo, required):
    password_login(client, "department")
    device, tokens = enrol(client, "department")
    client.post(reverse("logout"))

    password_login(client, "department")
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("people:otp_verify"))
    assert client.get(reverse("people:otp_setup"))["Location"].startswith(reverse("people:otp_verify"))  # no new phone
    refused = client.post(reverse("people:otp_verify"), {"code": "123456", "next": "/"}).content.decode()
    assert "Код не подошёл" in refused
    wait_out_the_pause("department")
    assert client.post(reverse("people:otp_verify"), {"code": tokens[0], "next": "/"})["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))

    password_login(client, "department")
    again = client.post(reverse("people:otp_verify"), {"code": tokens[0], "next": "/"})
    assert again.status_code == 200 and "Код не подошёл" in again.content.decode()
    wait_out_the_pause("department")
    assert client.post(reverse("people:otp_verify"), {"code": code_of(device, later=1), "next": "/"}).status_code == 302


@pytest.mark.parametrize("username", ["federal", "institute", "district"])
def test_every_territory_role_must_enrol(client, demo, required, username):
    password_login(client, username)
    assert client.get(reverse("home"))["Location"].startswith(reverse("people:otp_setup"))


def test_other_roles_may_choose_and_then_are_asked(client, demo, required):
    password_login(client, "coordinator")
    assert client.get(reverse("home")).status_code == 200  # optional
    page = client.get(reverse("people:otp_setup")).content.decode()
    assert "Не сейчас" in page
    enrol(client, "coordinator")
    client.post(reverse("logout"))
    password_login(client, "coordinator")
    assert client.get(reverse("home"))["Location"].startswith(reverse("people:otp_verify"))


def test_the_back_office_needs_the_second_factor(client, demo, required, django_user_model):
    admin = django_user_model.objects.create_superuser("operator", "op@example.org", DEMO_PASSWORD)
    password_login(client, admin.username)
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("people:otp_setup"))


def test_off_in_the_demo(client, demo, settings):
    settings.TWO_FACTOR_REQUIRED = False
    password_login(client, "department")
    assert client.get(reverse("home")).status_code == 200
