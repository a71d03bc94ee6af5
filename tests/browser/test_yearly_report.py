"""In a real browser: the department opens the dashboard, starts the yearly report export, watches its progress,
downloads the file, and the report's figure equals the one the dashboard shows."""

import io

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from monitoring.demo import seed_monitoring
from monitoring.models import ReportExport
from programs.demo import seed_programmes
from schools.school_year import current_school_year
from tests.seeding import seed_or_replay

from .test_self_assessment import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(demo, settings, tmp_path):
    from partnerships.demo import seed_partnerships

    settings.MEDIA_ROOT = tmp_path / "media"
    seed_programmes()
    seed_or_replay(seed_partnerships)
    seed_or_replay(seed_monitoring)


def test_department_exports_the_yearly_report_and_its_figures_match_the_dashboard(
    page: Page, live_server, seeded, tmp_path
):
    year = current_school_year()
    log_in(page, live_server, "department")
    page.goto(f"{live_server.url}/monitoring/")
    page.get_by_role("link", name="Панель мониторинга").click()
    expect(page.get_by_role("heading", name="Муниципалитеты рядом")).to_be_visible()
    total = page.locator('#totals [data-figure="shnor"]')
    shown_shnor = total.inner_text()
    shown_share = page.locator('#totals [data-figure="accepted_share"]').inner_text()
    expect(page.locator("canvas.dynamics-chart").first).to_be_visible()

    page.get_by_role("link", name="Годовой отчёт").first.click()
    page.get_by_label("Учебный год").select_option(str(year))
    page.get_by_role("button", name="Сформировать").click()
    expect(page.get_by_role("heading", name="Годовой отчёт")).to_be_visible()
    # the progress block is polled by htmx until the link appears
    expect(page.locator("#report-progress")).to_be_visible()
    link = page.get_by_role("link", name="Скачать отчёт (xlsx)")
    expect(link).to_be_visible(timeout=30_000)
    assert ReportExport.objects.get().status == ReportExport.Status.DONE

    with page.expect_download() as download_info:
        link.click()
    path = tmp_path / "report.xlsx"
    download_info.value.save_as(path)
    workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    summary = {row[3]: row[2] for row in workbook["Сводка"].iter_rows(min_row=2, values_only=True)}
    assert str(summary["shnor"]) == shown_shnor
    share = summary["accepted_share"]
    assert (f"{share * 100:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " %") == shown_share

    # the coordinator's municipality page: each number is a link to its list
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/monitoring/dashboard/")
    pending = page.locator('[data-figure="sessions_pending"]')
    count = int(pending.inner_text())
    assert count >= 1
    pending.click()
    page.wait_for_url("**/partnerships/sessions/?**")
    assert "status=pending" in page.url
    expect(page.locator("table tbody tr")).to_have_count(count)
