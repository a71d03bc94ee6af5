"""In a real browser (issue 21, «Done when»): the department enrols an authenticator from the QR page's key, keeps
its recovery codes, and on the next login gets in with the app's code."""

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from schools.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from(secret_text: str, *, steps_later: int = 0) -> str:
    key = secret_text.replace(" ", "")
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)))
    totp.time = time.time() + steps_later * 30
    return f"{totp.token():06d}"


def password_step(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Имя пользователя").fill("department")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()


def test_the_department_logs_in_with_totp(page: Page, live_server, demo, settings):
    settings.TWO_FACTOR_REQUIRED = True
    password_step(page, live_server)
    expect(page.get_by_role("heading", name="Подключите приложение-аутентификатор")).to_be_visible()
    expect(page.get_by_role("img", name="QR-код для приложения-аутентификатора")).to_be_visible()
    secret = page.locator("#otp-secret").inner_text()
    page.get_by_role("textbox", name="Код").fill(code_from(secret))
    page.get_by_role("button", name="Подтвердить").click()

    expect(page.get_by_role("heading", name="Коды восстановления")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Я сохранил(а) коды — продолжить").click()
    expect(page).to_have_url(f"{live_server.url}/")

    page.context.clear_cookies()
    password_step(page, live_server)
    expect(page.get_by_role("heading", name="Код подтверждения")).to_be_visible()
    page.get_by_role("textbox", name="Код").fill(code_from(secret, steps_later=1))  # the next step's code: the first is spent
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Идентификация", exact=True)).to_be_visible()
