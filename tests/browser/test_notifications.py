"""In a real browser: a school submits its programme, the coordinator sees the bell count rise, opens the
notification, returns the programme with remarks, and the school sees the return through its own bell."""

import re

import pytest
from playwright.sync_api import Page, expect

from programs.demo import seed_programmes
from programs.models import Programme
from schools.demo import DEMO_PASSWORD, SCHOOL_TEAM_SCHOOL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(f"{live_server.url}/")


def unread(page: Page) -> int:
    return int(page.locator("#notification-count").get_attribute("data-unread"))


@pytest.fixture
def programme(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_programmes()
    return Programme.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.TRANSITION)


def test_the_coordinator_is_told_of_a_submission_and_the_school_of_the_return(page: Page, live_server, programme):
    log_in(page, live_server, "coordinator")
    before = unread(page)

    log_in(page, live_server, "school")
    school_before = unread(page)
    page.goto(f"{live_server.url}/programs/{programme.pk}/")
    page.get_by_role("button", name="Отправить на экспертизу").click()
    expect(page.locator("#programme-state")).to_have_text("отправлена на экспертизу")

    # The coordinator's bell shows one more; the notification leads straight to the review.
    log_in(page, live_server, "coordinator")
    expect(page.locator("#notification-count")).to_have_attribute("data-unread", str(before + 1))
    expect(page.locator("#notification-count")).to_be_visible()
    page.locator("#notification-bell").click()
    item = page.locator("li.notification.unread").filter(
        has_text=f"{SCHOOL_TEAM_SCHOOL}: программа «{programme.title}» отправлена на экспертизу"
    )
    expect(item).to_have_count(1)
    item.get_by_role("link", name=re.compile("отправлена на экспертизу")).click()
    expect(page).to_have_url(re.compile(r"/programs/reviews/\d+/$"))
    expect(page.locator("#notification-count")).to_have_attribute("data-unread", str(before))

    page.get_by_role("button", name="Взять на экспертизу").click()
    page.get_by_label("Вернуть на доработку").check()
    page.get_by_label("Замечания").fill("Добавьте в задачу 2 мероприятие по работе с родителями.")
    page.get_by_role("button", name="Завершить экспертизу").click()
    expect(page.locator("#programme-state")).to_have_text("возвращена на доработку")

    # The school's bell: the return, with the remarks, and a link to the programme.
    log_in(page, live_server, "school")
    expect(page.locator("#notification-count")).to_have_attribute("data-unread", str(school_before + 1))
    page.locator("#notification-bell").click()
    item = page.locator("li.notification.unread").filter(
        has_text=f"Программа «{programme.title}» возвращена на доработку (раунд 1)"
    )
    expect(item).to_contain_text("работе с родителями")
    item.get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server.url}/programs/{programme.pk}/")
    expect(page.locator(".returned-remarks")).to_contain_text("работе с родителями")

    # Nothing of it reached the outsider.
    log_in(page, live_server, "coordinator_b")
    page.locator("#notification-bell").click()
    expect(page.locator("main")).not_to_contain_text(SCHOOL_TEAM_SCHOOL)
