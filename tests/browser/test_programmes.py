"""In a real browser: the coordinator edits the municipal roadmap in place, and a school programme goes through
review — submitted, returned with remarks, resubmitted, accepted."""

import re

import pytest
from playwright.sync_api import Page, expect

from programs.demo import seed_programmes
from programs.models import Programme, RoadmapSection
from schools.demo import DEMO_PASSWORD, SCHOOL_TEAM_SCHOOL

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
    return {
        "municipal": Programme.objects.get(kind=Programme.Kind.MUNICIPAL),
        "school": Programme.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.TRANSITION),
    }


def test_coordinator_adds_and_edits_a_measure_in_place(page: Page, live_server, seeded):
    municipal = seeded["municipal"]
    first = RoadmapSection.objects.get(programme=municipal, position=1)
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/programs/{municipal.pk}/")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    section = page.locator(f"#section-{first.pk}")
    expect(section.locator("tr.measure-row")).to_have_count(4)

    # Add a measure: the form opens in the table, a wrong deadline is refused next to its field.
    section.get_by_role("link", name="Добавить мероприятие в задачу 1").click()
    form = section.locator("form.measure-form")
    form.locator("[name=name]").fill("Семинар для заместителей директоров по УВР «Анализ результатов ВПР»")
    form.locator("[name=result_name]").fill("Программа семинара")
    form.locator("[name=planned]").fill("-2")
    form.locator("[name=plan_2026]").fill("2")
    form.locator("[name=deadline]").fill("2029-03-01")
    form.get_by_role("button", name="Сохранить").click()
    expect(form.locator("#id_planned").locator("xpath=..")).to_contain_text("не может быть отрицательным")
    expect(section.locator("form.measure-form")).to_contain_text("вне срока программы")
    form = section.locator("form.measure-form")
    form.locator("[name=planned]").fill("не менее 2")
    form.locator("[name=deadline]").fill("декабрь 2026")  # a month, as the documents write it
    form.get_by_role("button", name="Сохранить").click()
    expect(section.locator("tr.measure-row")).to_have_count(5)
    new_row = section.locator("tr.measure-row").nth(4)
    expect(new_row).to_contain_text("1.5")
    expect(new_row).to_contain_text("Анализ результатов ВПР")
    expect(new_row).to_contain_text("не менее 2")
    expect(new_row).to_contain_text("декабрь 2026")

    # Edit it in place: status and the actual value of 2026.
    new_row.get_by_role("link", name="Изменить мероприятие 1.5").click()
    form = page.locator("form.measure-form")
    form.locator("[name=name]").fill("Семинар для заместителей директоров по УВР «Анализ результатов ВПР и ОГЭ»")
    form.locator("[name=status]").select_option("done")
    form.locator("[name=fact_2026]").fill("2")
    form.get_by_role("button", name="Сохранить").click()
    row = section.locator("tr.measure-row").nth(4)
    expect(row).to_contain_text("ВПР и ОГЭ")
    expect(row).to_contain_text("выполнено")
    expect(row).to_contain_text("2 / 2")
    expect(page.locator("#programme-progress [data-done]")).to_have_text("8")

    # Attach a document to it without leaving the page.
    row.get_by_role("link", name="Документы (0)").click()
    panel = row.locator(".evidence-panel")
    panel.locator("[name=title]").fill("Программа семинара")
    panel.locator("[name=file]").set_input_files(
        files=[{"name": "programma.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 demo"}]
    )
    panel.get_by_role("button", name="Загрузить").click()
    expect(row.locator(".evidence-panel")).to_contain_text("programma.pdf")
    expect(row.get_by_role("link", name="Документы (1)")).to_be_visible()

    # Move it up, then remove it again (after a confirmation).
    row.get_by_role("button", name="Переместить мероприятие 1.5 выше").click()
    expect(section.locator("tr.measure-row").nth(3)).to_contain_text("ВПР и ОГЭ")
    page.once("dialog", lambda dialog: dialog.accept())
    section.locator("tr.measure-row").nth(3).get_by_role("button", name="Удалить мероприятие 1.4").click()
    expect(section.locator("tr.measure-row")).to_have_count(4)
    expect(section).not_to_contain_text("ВПР и ОГЭ")

    assert page.evaluate("window.__sameDocument") is True, "the page must not reload"


def test_school_programme_is_returned_with_remarks_resubmitted_and_accepted(page: Page, live_server, seeded):
    programme = seeded["school"]
    url = f"{live_server.url}/programs/{programme.pk}/"

    log_in(page, live_server, "school")
    page.goto(url)
    page.get_by_role("button", name="Отправить на экспертизу").click()
    expect(page.locator("#programme-state")).to_have_text("отправлена на экспертизу")

    # The coordinator takes it for review and returns it; remarks are required.
    log_in(page, live_server, "coordinator")
    page.goto(url)
    page.get_by_role("link", name="Провести экспертизу").click()
    page.get_by_role("button", name="Взять на экспертизу").click()
    page.get_by_label("Вернуть на доработку").check()
    page.get_by_role("button", name="Завершить экспертизу").click()
    expect(page.locator("form.review-form")).to_contain_text("напишите замечания")
    page.locator("form.review-form").get_by_text("не соответствует").first.click()
    page.get_by_label("Замечания").fill("Добавьте в задачу 2 мероприятие по работе с родителями.")
    page.get_by_role("button", name="Завершить экспертизу").click()
    expect(page.locator("#programme-state")).to_have_text("возвращена на доработку")

    # The school sees the remarks next to the programme, revises and resubmits.
    log_in(page, live_server, "school")
    page.goto(url)
    expect(page.locator(".returned-remarks")).to_contain_text("работе с родителями")
    section = page.locator("tbody.roadmap-section").nth(1)
    section.get_by_role("link", name=re.compile("Добавить мероприятие")).click()
    section.locator("form.measure-form [name=name]").fill("Консультации для родителей обучающихся группы риска")
    section.locator("form.measure-form").get_by_role("button", name="Сохранить").click()
    expect(section).to_contain_text("Консультации для родителей")
    page.get_by_role("button", name="Отправить повторно").click()
    expect(page.locator("#programme-state")).to_have_text("отправлена повторно")

    # The coordinator sees what changed and accepts.
    log_in(page, live_server, "coordinator")
    page.goto(url)
    page.get_by_role("link", name="раунд 1 → 2").click()
    expect(page.locator(".measure-diff")).to_contain_text("Консультации для родителей")
    page.goto(url)
    page.get_by_role("link", name="Провести экспертизу").click()
    page.get_by_role("button", name="Взять на экспертизу").click()
    page.get_by_label("Принять").check()
    page.get_by_role("button", name="Завершить экспертизу").click()
    expect(page.locator("#programme-state")).to_have_text("принята")
    expect(page.get_by_role("button", name="Открыть для изменений")).to_be_visible()
