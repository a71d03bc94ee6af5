import pytest
from playwright.sync_api import Page, expect

from schools.demo import CURATOR_SCHOOL, DEMO_PASSWORD, MUNICIPALITY_A, MUNICIPALITY_B, REGION, SCHOOL_TEAM_SCHOOL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each demo role must see on its home page after logging in through the real form.
LANDING = {
    "department": (REGION[0], "Бэк-офис"),
    "federal": ("Федеральный оператор", "Все регионы: только чтение"),
    "coordinator": ("Муниципальный координатор", MUNICIPALITY_A),
    "coordinator_b": ("Муниципальный координатор", MUNICIPALITY_B),
    "school": ("Управленческая команда школы", SCHOOL_TEAM_SCHOOL),
    "curator": ("Школа-куратор", CURATOR_SCHOOL),
    "tutor": ("Тьютор", MUNICIPALITY_A),
}


@pytest.mark.parametrize("username", LANDING)
def test_demo_user_logs_in_through_the_form_and_lands_home(page: Page, live_server, demo, settings, username):
    settings.DEMO_MODE = True
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    expect(page.locator("#demo-logins")).to_contain_text("coordinator_b")

    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Мой кабинет")).to_be_visible()
    main = page.locator("main")
    for text in LANDING[username]:
        expect(page.locator("body")).to_contain_text(text)
    other = MUNICIPALITY_B if username != "coordinator_b" else MUNICIPALITY_A
    expect(main).not_to_contain_text(other)
    # Bootstrap came from the portal itself: the navbar is styled, not a bare list.
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).display") == "flex"

    page.locator("#main-nav .dropdown-toggle").click()
    page.get_by_role("button", name="Выйти").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")


def test_wrong_password_gets_a_russian_message(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Имя пользователя").fill("coordinator")
    page.get_by_label("Пароль").fill("не тот пароль")
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("form")).to_contain_text("введите правильные имя пользователя и пароль")
