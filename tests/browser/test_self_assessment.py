"""In a real browser: the school downloads its self-assessment template, fills it (openpyxl), uploads it, checks
the preview and confirms; the coordinator accepts it; the school's risk profile for the year appears, compared with
last year's. Indicators show plan against actual on a Chart.js chart."""

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from monitoring.demo import seed_monitoring
from monitoring.models import Indicator, RiskProfile, SelfAssessment
from monitoring.self_assessment_xlsx import FACTOR_FIRST_ROW, RATING_COLUMN, SHEET_MAIN
from programs.demo import seed_programmes
from programs.models import RiskFactor
from schools.demo import DEMO_PASSWORD, SCHOOL_TEAM_SCHOOL
from schools.models import School
from schools.school_year import current_school_year
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
def seeded(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_programmes()
    seed_or_replay(seed_monitoring)
    return School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)


def test_school_uploads_its_self_assessment_and_the_coordinator_accepts_it(page: Page, live_server, seeded, tmp_path):
    school, year = seeded, current_school_year()
    log_in(page, live_server, "school")
    page.goto(f"{live_server.url}/monitoring/")
    page.get_by_role("link", name="Мониторинг школы").click()
    expect(page.get_by_role("heading", name=f"Мониторинг: {SCHOOL_TEAM_SCHOOL}")).to_be_visible()
    page.locator('tr[data-stage="interim"]').get_by_role("link", name="Самооценка").click()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать шаблон самооценки").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    # The school fills the template as it would in Excel.
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[SHEET_MAIN]
    factors = list(RiskFactor.objects.filter(is_active=True).order_by("position", "name", "pk"))
    ratings = {"low-motivation": 1, "teacher-shortage": 3}
    for offset, factor in enumerate(factors):
        sheet.cell(row=FACTOR_FIRST_ROW + offset, column=RATING_COLUMN, value=ratings.get(factor.code, 2))
    sheet.cell(row=FACTOR_FIRST_ROW, column=4, value="Мотивация выросла после проектной недели")
    filled = tmp_path / "Самооценка Покровская.xlsx"
    workbook.save(filled)

    page.get_by_label("Заполненный шаблон самооценки").set_input_files(str(filled))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_role("heading", name="Проверка файла «Самооценка Покровская.xlsx»")).to_be_visible()
    expect(page.locator("table.preview-ratings")).to_contain_text("Мотивация выросла после проектной недели")
    assert not SelfAssessment.objects.filter(school=school, year=year, stage="interim").exists()
    page.get_by_role("button", name="Подтвердить и отправить координатору").click()
    expect(page.locator(".alert-success")).to_contain_text("отправлена координатору")
    expect(page.locator("main")).to_contain_text("ждёт проверки")

    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/monitoring/self-assessments/?stage=interim&status=submitted")
    page.get_by_role("link", name=SCHOOL_TEAM_SCHOOL).click()
    page.get_by_role("button", name="Принять").click()
    expect(page.locator(".alert-success")).to_contain_text("Рисковый профиль школы")
    profile = RiskProfile.objects.get(school=school, year=year)
    assert profile.self_assessment.stage == "interim"

    page.get_by_role("link", name=SCHOOL_TEAM_SCHOOL).first.click()
    risk = page.locator("#risk-profile")
    expect(risk.locator('tr[data-factor="low-motivation"]')).to_contain_text("1 — низкий")
    expect(risk.locator('tr[data-factor="low-motivation"]')).to_contain_text("ниже, чем год назад")
    expect(risk.locator('tr[data-factor="teacher-shortage"]')).to_contain_text("3 — высокий")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('risk-chart'))")

    # Plan against actual, with a chart, for one of seed 002's indicators.
    training = Indicator.objects.get(code="teachers-training")
    page.goto(f"{live_server.url}/monitoring/indicators/{training.pk}/")
    expect(page.locator("table.plan-table")).to_contain_text("100")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('indicator-chart'))")
