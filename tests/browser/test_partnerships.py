"""In a real browser: the supported school confirms one session of its curator and disputes another with a comment."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from partnerships.demo import seed_partnerships
from partnerships.models import Agreement, SupportSession
from partnerships.services.agreements import session_log
from schools.demo import DEMO_PASSWORD
from tests.seeding import seed_or_replay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(f"{live_server.url}/")


@pytest.fixture
def two_waiting(demo, settings, tmp_path):
    """The demo agreement of «Покровская СОШ» with two sessions waiting for the school: the demo's one and another."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_or_replay(seed_partnerships)
    agreement = Agreement.objects.get(number="1-ШНОР")
    first = agreement.sessions.get(status=SupportSession.Status.PENDING)
    second = session_log(
        agreement=agreement,
        actor=demo["curator"],
        held_on=max(agreement.starts_on, datetime.date.today() - datetime.timedelta(days=2)),
        format="lesson_visits",
        topic="Посещение уроков физики в 8 классе",
        teachers_count=3,
        managers_count=1,
        hours=Decimal("3"),
        outcome="Рекомендации по организации лабораторных работ.",
    )
    return agreement, first, second


def test_supported_school_confirms_one_session_and_disputes_another(page: Page, live_server, two_waiting):
    agreement, first, second = two_waiting
    log_in(page, live_server, "school")

    # The section's entry leads the school to its agreements; it opens the one with the gymnasium.
    page.goto(f"{live_server.url}/partnerships/")
    expect(page.get_by_role("heading", name="Договоры о сотрудничестве")).to_be_visible()
    page.get_by_role("link", name="№ 1-ШНОР").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Договор о сотрудничестве № 1-ШНОР")
    expect(page.get_by_test_id(f"session-status-{first.pk}")).to_have_text("ждёт подтверждения")
    expect(page.get_by_test_id(f"session-status-{second.pk}")).to_have_text("ждёт подтверждения")
    held_before = int(page.get_by_test_id("held-count").inner_text())

    # Confirm the first one.
    page.get_by_test_id(f"confirm-{first.pk}").click()
    expect(page.locator(".alert-success")).to_contain_text("подтверждено")
    expect(page.get_by_test_id(f"session-status-{first.pk}")).to_have_text("подтверждено")
    expect(page.get_by_test_id("held-count")).to_have_text(str(held_before + 1))

    # Dispute the second one: the modal asks for a comment first.
    page.get_by_test_id(f"dispute-{second.pk}").click()
    modal = page.locator(f"#dispute-{second.pk}")
    expect(modal).to_be_visible()
    modal.get_by_label("Что не так с записью").fill("Уроки физики в этот день не посещались: занятие перенесено.")
    modal.get_by_role("button", name="Оспорить").click()
    expect(page.locator(".alert-success")).to_contain_text("оспорено")
    row = page.locator(f"tr[data-session='{second.pk}']")
    expect(row).to_contain_text("оспорено")
    expect(row).to_contain_text("Уроки физики в этот день не посещались")
    expect(page.get_by_test_id("held-count")).to_have_text(str(held_before + 1))
    expect(page.get_by_test_id(f"confirm-{second.pk}")).to_have_count(0)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SupportSession.Status.CONFIRMED
    assert second.status == SupportSession.Status.DISPUTED
    assert second.dispute_comment.startswith("Уроки физики")

    # The curator sees the dispute and can no longer change that session.
    log_in(page, live_server, "curator")
    page.goto(f"{live_server.url}/partnerships/sessions/{second.pk}/")
    expect(page.get_by_test_id("session-status")).to_have_text("оспорено")
    expect(page.locator("main")).to_contain_text("Школа оспорила запись")
    expect(page.get_by_role("link", name="Исправить")).to_have_count(0)
