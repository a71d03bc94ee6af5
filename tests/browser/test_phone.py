"""On a phone, between lessons (issue 19, item 10): at 390 px wide the curator logs a session under its agreement and
the supported school confirms it, and neither page nor the home pages scroll sideways."""

import pytest
from playwright.sync_api import Page, expect

from partnerships.demo import seed_partnerships
from partnerships.models import Agreement, SupportSession
from tests.seeding import seed_or_replay

from .test_partnerships import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TOPIC = "Разбор контрольной по алгебре в 9 классе"


def scrolls_sideways(page: Page) -> bool:
    page.wait_for_load_state("domcontentloaded")
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


@pytest.fixture
def agreement(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_or_replay(seed_partnerships)
    return Agreement.objects.get(number="1-ШНОР")


def test_on_a_phone_the_curator_logs_a_session_and_the_school_confirms_it(page: Page, live_server, agreement):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "curator")
    assert not scrolls_sideways(page), "главная куратора"

    page.goto(f"{live_server.url}/partnerships/agreements/{agreement.pk}/sessions/new/")
    assert not scrolls_sideways(page), "форма занятия"
    page.get_by_label("Форма").select_option("consultation")
    page.get_by_label("Тема").fill(TOPIC)
    page.get_by_label("Педагогов").fill("4")
    page.get_by_label("Руководителей").fill("1")
    page.get_by_label("Часов").fill("2")
    page.get_by_label("Результат").fill("Согласованы темы повторения к ОГЭ.")
    page.get_by_role("button", name="Записать занятие").click()
    expect(page.locator(".alert-success")).to_be_visible()
    session = SupportSession.objects.get(agreement=agreement, topic=TOPIC)
    assert session.status == SupportSession.Status.PENDING

    log_in(page, live_server, "school")
    assert not scrolls_sideways(page), "главная школы"
    page.goto(f"{live_server.url}/partnerships/agreements/{agreement.pk}/")
    confirm = page.get_by_test_id(f"confirm-{session.pk}")
    confirm.scroll_into_view_if_needed()
    expect(confirm).to_be_visible()
    confirm.click()
    expect(page.get_by_test_id(f"session-status-{session.pk}")).to_have_text("подтверждено")
    assert not scrolls_sideways(page), "договор на странице школы"
    session.refresh_from_db()
    assert session.status == SupportSession.Status.CONFIRMED
