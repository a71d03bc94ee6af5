"""In a real browser: a coordinator proposes to add a school the run did not list, the department accepts it,
approves the list after the preflight with the order's number and date, and prints the annex."""

import pytest
from playwright.sync_api import Page, expect

from schools.identification import run_execute, run_start
from schools.models import SchoolYearStatus, Status
from tests.conftest import home_region_id

from .test_programmes import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2026
SCHOOL = "Заречная СОШ № 2"


@pytest.fixture
def draft(demo):
    run = run_execute(run_start(region_id=home_region_id(), year=YEAR, actor=demo["department"]))
    run.verdicts.filter(school__short_name=SCHOOL).update(status=Status.NONE)
    return run


def test_coordinator_proposes_department_accepts_approves_and_prints(page: Page, live_server, draft):
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/schools/identification/")
    page.get_by_role("link", name="Формирование перечня").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Формирование перечня на {YEAR - 1}/{str(YEAR)[-2:]} учебный год")
    page.get_by_label("Поиск школы").fill(SCHOOL)
    page.get_by_role("button", name="Показать").click()
    row = page.locator("tbody tr", has_text=SCHOOL)
    row.locator("summary", has_text="Предложить").click()
    row.locator("select[name=kind]").select_option(label="включить в перечень")
    row.locator("select[name=status]").select_option(label="ШНСУ")
    # Without a reason the browser itself refuses; with one the proposal goes to the department.
    row.locator("textarea[name=reason]").fill("Социальный паспорт школы обновлён после расчёта")
    row.get_by_role("button", name="Предложить").click()
    expect(page.locator(".alert")).to_contain_text("передано управлению образования")

    log_in(page, live_server, "department")
    page.goto(f"{live_server.url}/schools/identification/{draft.pk}/list/?show=proposals")
    proposals = page.locator("text=Социальный паспорт школы обновлён после расчёта")
    expect(proposals.first).to_be_visible()
    page.get_by_role("button", name="Принять").first.click()
    expect(page.locator(".alert")).to_contain_text("принято")

    page.get_by_role("link", name="Утвердить перечень").click()
    expect(page.get_by_text("Сводка перед утверждением")).to_be_visible()
    page.get_by_label("Номер приказа").fill("77-о")
    page.get_by_label("Дата приказа").fill("2026-09-01")
    page.get_by_role("button", name="Утвердить перечень").click()
    # Without the confirmation that the summary was read nothing is approved.
    expect(page.get_by_text("Сводка перед утверждением")).to_be_visible()
    assert not SchoolYearStatus.objects.filter(year=YEAR).exists()
    page.locator("#approve-form input[type=checkbox]").check()
    page.get_by_role("button", name="Утвердить перечень").click()
    expect(page.locator(".alert").first).to_contain_text("Утверждён перечень 2026 года на 2025/26 учебный год")

    status = SchoolYearStatus.objects.get(year=YEAR, school__short_name=SCHOOL)
    assert (status.status, status.computed_status) == (Status.SHNSU, Status.NONE)
    assert status.change_reason.endswith("Социальный паспорт школы обновлён после расчёта")

    page.goto(f"{live_server.url}/schools/identification/{draft.pk}/list/print/")
    expect(page.locator("body")).to_contain_text("Приложение к приказу от 01.09.2026 № 77-о")
    expect(page.locator("table.list tr", has_text="Заречная средняя общеобразовательная школа № 2")).to_contain_text("Социальный паспорт школы обновлён после расчёта")
