"""In a real browser (issue 21, «Done when»): the department uploads a file of people, the invitations arrive at the
local SMTP server, and an invited teacher opens the link from the letter, sets a password and logs in."""


import openpyxl
import pytest
from playwright.sync_api import Page, expect

from people.onboarding import HEADER, SHEET_TITLE
from schools.models import School
from tests.browser.test_partnerships import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_department_invites_and_a_teacher_accepts(page: Page, live_server, demo, municipality_a, smtp_inbox,
                                                       tmp_path):
    schools = list(School.objects.filter(municipality=municipality_a).order_by("pk")[:3])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(HEADER)
    for n, school in enumerate(schools):
        sheet.append([f"Петрова{n} Анна Сергеевна", f"petrova{n}@school.example", "управленческая команда школы", "",
                      school.pk, ""])  # fmt: skip
    path = tmp_path / "люди.xlsx"
    book.save(path)

    log_in(page, live_server, "department")
    page.get_by_role("link", name="Люди", exact=True).click()
    expect(page.get_by_role("heading", name="Люди")).to_be_visible()
    page.get_by_role("link", name="Приглашения").click()
    expect(page.get_by_role("heading", name="Приглашения")).to_be_visible()
    page.get_by_role("link", name="Пригласить из файла").click()
    page.get_by_label("Файл со списком людей").set_input_files(str(path))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.locator("#count-new")).to_have_text("3")
    page.get_by_role("button", name="Добавить людей и отправить приглашения").click()
    expect(page.get_by_text("Новых людей 3")).to_be_visible()
    expect(page.locator(".invitation-table tbody tr")).to_have_count(3)

    assert len(smtp_inbox.messages) == 3
    link = smtp_inbox.link("petrova1@school.example")
    page.context.clear_cookies()
    page.goto(live_server.url + "/" + link.split("/", 3)[3])
    expect(page.get_by_role("heading", name="Добро пожаловать в портал")).to_be_visible()
    page.locator("#id_new_password1").fill("Весенний-сад-2027")
    page.locator("#id_new_password2").fill("Весенний-сад-2027")
    page.get_by_role("button", name="Задать пароль").click()

    expect(page.get_by_text("Пароль задан. Войдите")).to_be_visible()
    page.get_by_label("Имя пользователя").fill("petrova1@school.example")
    page.get_by_label("Пароль").fill("Весенний-сад-2027")
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Моя школа")).to_be_visible()  # the school team's own cabinet
