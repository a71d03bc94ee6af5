"""In a real browser, without an account (issue 22, «Done when»): the region's public page shows a practice the bank
published, and its download count grows when the visitor downloads its file; from the page the visitor reaches the
region's whole register of acts and finds an act in it by its number."""

import re

import pytest
from playwright.sync_api import Page, expect

from partnerships.models import Practice, PracticeDownload
from schools.demo import REGION
from schools.models import Act, Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_visitor_downloads_a_published_practice_and_its_count_grows(page: Page, live_server, full_demo,
                                                                                  settings, tmp_path):
    region = Region.objects.get(name=REGION[0])
    practice = Practice.objects.filter(status=Practice.Status.PUBLISHED, school__municipality__region=region,
                                       files__isnull=False).distinct().first()  # fmt: skip
    assert practice is not None, "в демо нет опубликованной практики с файлом"
    before = practice.download_count
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Открытые данные").first.click()
    page.get_by_role("link", name=region.name).click()
    # the figures by school year are drawn (by monitoring_charts.js, as the «Регионы» page's)
    # (waited for by the style Chart.js gives the canvas: a polled predicate would be an eval, which the CSP refuses)
    expect(page.locator("#years-chart")).to_have_attribute("style", re.compile("display: block"))
    assert page.evaluate("Chart.getChart(document.getElementById('years-chart')).data.datasets.length") == 3
    card = page.locator(".card", has_text=practice.title).first
    expect(card).to_contain_text(f"скачиваний: {before}")
    stored = practice.files.first()
    with page.expect_download() as download:
        card.get_by_role("link", name=stored.original_name).click()
    assert download.value.suggested_filename == stored.original_name
    practice.refresh_from_db()
    assert practice.download_count == before + 1
    assert PracticeDownload.objects.filter(practice=practice, user__isnull=True).count() >= 1
    page.reload()
    expect(page.locator(".card", has_text=practice.title).first).to_contain_text(f"скачиваний: {before + 1}")

    # the whole register, found by number: the filter in use is a chip, the act its only row
    act = Act.objects.filter(region=region).order_by("date", "pk").first()  # the oldest: not among the newest shown
    page.locator("#acts").get_by_role("link", name="Все акты с поиском").click()
    expect(page.get_by_role("heading", name="Нормативные акты")).to_be_visible()
    filters = page.locator("#list-filters")
    page.get_by_role("button", name=re.compile("Фильтры")).click()
    expect(filters).to_have_class(re.compile(r"\bshow\b"))
    filters.get_by_label("Поиск: номер, название, орган").fill(act.number)
    filters.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile("q="), wait_until="domcontentloaded")
    expect(page.locator(".filter-chip")).to_contain_text(act.number)
    expect(page.locator("table.public-acts tbody tr").filter(has_text=act.title)).to_have_count(1)
