"""Pages that fit (issue 19, item 7): on a 1366 × 768 screen no page of the demo scrolls sideways; the department's
dashboard shows its municipality table a group of columns at a time, with the municipality column and the header in
view; the registry's filters wait behind a button and the chosen ones stay in sight as chips; the roadmap's tasks
fold and its header and totals stay in view; the navbar does not cut the user's name.

Each page leaves a screenshot (issue 19's «Done when»): in `$SCREENS_DIR` when set, else in the test's tmp_path."""

import os
import re
from pathlib import Path

import pytest
from django.db.models import Count
from playwright.sync_api import Page, expect

from partnerships.demo import seed_partnerships
from programs.models import Programme
from schools.demo import DEMO_USERS
from tests.seeding import seed_or_replay

from .test_partnerships import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
ROLES = ["department", "coordinator", "coordinator_b", "school", "curator", "tutor", "curator_org", "expert"]


@pytest.fixture
def laptop(page: Page, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_or_replay(seed_partnerships)
    page.set_viewport_size(LAPTOP)
    return page


@pytest.fixture
def screens(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENS_DIR") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def position(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).position")


def test_every_roles_home_page_fits_and_shows_the_users_name(laptop: Page, live_server, screens):
    full_names = {username: f"{first} {last}" for username, last, first, *_rest in DEMO_USERS}
    for username in ROLES:
        log_in(laptop, live_server, username)
        laptop.screenshot(path=screens / f"home-{username}.png", full_page=True)
        assert not scrolls_sideways(laptop), f"главная: {username}"
        menu = laptop.locator(".user-menu")
        expect(menu).to_be_visible()
        # the short form in the bar is whole, not cut by an ellipsis; the full name is its accessible name
        assert menu.evaluate("element => element.scrollWidth <= element.clientWidth"), f"имя обрезано: {username}"
        expect(menu).to_have_accessible_name(re.compile(full_names[username]))
        menu.click()
        expect(laptop.locator(".user-menu + .dropdown-menu").get_by_text(full_names[username])).to_be_visible()


def test_the_dashboard_shows_a_group_of_columns_at_a_time(laptop: Page, live_server, screens):
    log_in(laptop, live_server, "department")
    laptop.goto(f"{live_server.url}/monitoring/dashboard/")
    laptop.screenshot(path=screens / "dashboard.png", full_page=True)
    assert not scrolls_sideways(laptop)
    box = laptop.locator(".dashboard-overview-box")
    assert box.evaluate("element => element.scrollWidth <= element.clientWidth"), "таблица шире своего блока"

    table = laptop.locator("table.dashboard-overview")
    first_row = table.locator("tbody tr").first
    assert position(first_row.locator("th").first) == "sticky"
    assert position(table.locator("thead th").first) == "sticky"

    # the first group is on screen, the others wait for their switch
    expect(table.locator("thead th", has_text="Школ всего")).to_be_visible()
    expect(table.locator("thead th", has_text="Скачиваний практик за год")).to_be_hidden()
    laptop.get_by_role("tab", name="Педагоги и практики").click()
    expect(table.locator("thead th", has_text="Скачиваний практик за год")).to_be_visible()
    expect(table.locator("thead th", has_text="Школ всего")).to_be_hidden()
    expect(first_row.locator("td:visible a.figure-link").first).to_be_visible()
    assert box.evaluate("element => element.scrollWidth <= element.clientWidth")
    laptop.screenshot(path=screens / "dashboard-teachers.png", full_page=True)


def test_the_registrys_filters_wait_behind_a_button_and_show_as_chips(laptop: Page, live_server, screens):
    log_in(laptop, live_server, "department")
    laptop.goto(f"{live_server.url}/schools/")
    filters = laptop.get_by_role("form", name="Фильтры реестра")
    expect(filters).to_be_hidden()
    assert not scrolls_sideways(laptop)
    laptop.get_by_role("button", name=re.compile("Фильтры")).click()
    expect(filters).to_have_class(re.compile(r"\bshow\b"))  # opened to the end, not still sliding open
    filters.get_by_label("Статус в перечне").select_option(label="ШНОР")
    filters.get_by_label("Поиск по названию").fill("СОШ")
    filters.get_by_role("button", name="Показать").click()
    # the filtered page, however long a busy machine takes to answer (expect's 5 s polled the old page meanwhile);
    # its document, not every script and style it loads (a slow one under a loaded suite held "load" past 30 s)
    laptop.wait_for_url(re.compile("status="), wait_until="domcontentloaded")

    expect(filters).to_be_hidden()
    chips = laptop.locator(".filter-chips")
    expect(chips.get_by_role("link", name=re.compile("Статус в перечне: ШНОР"))).to_be_visible()
    expect(chips.get_by_role("link", name=re.compile("Поиск по названию: СОШ"))).to_be_visible()
    # the year and the ordering the form always sends are defaults, not filters
    expect(chips.locator(".filter-chip")).to_have_count(2)
    laptop.screenshot(path=screens / "registry-filtered.png", full_page=True)

    chips.get_by_role("link", name=re.compile("Статус в перечне")).click()
    expect(laptop).not_to_have_url(re.compile("status="))
    expect(laptop).to_have_url(re.compile("q=%D0%A1%D0%9E%D0%A8|q=СОШ"))
    expect(laptop.locator(".filter-chip")).to_have_count(1)


def test_the_roadmap_folds_its_tasks_and_keeps_its_header_in_view(laptop: Page, live_server, screens):
    programme = Programme.objects.annotate(n=Count("measures")).order_by("-n", "pk").first()
    log_in(laptop, live_server, "department")
    laptop.goto(f"{live_server.url}/programs/{programme.pk}/")
    laptop.screenshot(path=screens / "roadmap.png", full_page=True)
    assert not scrolls_sideways(laptop)
    roadmap = laptop.locator("#roadmap")
    assert position(roadmap.locator("thead")) == "sticky"
    head = laptop.locator(".roadmap-head", has=laptop.locator("#programme-progress"))  # the title and the totals
    assert position(head) == "sticky"
    # scrolled down the roadmap, its head and the table's header are still on screen, one under the other
    roadmap.locator("tr.measure-row").nth(8).scroll_into_view_if_needed()
    laptop.mouse.wheel(0, 600)
    head_box, header_box = head.bounding_box(), roadmap.locator("thead").bounding_box()
    assert head_box["y"] == pytest.approx(0, abs=1)
    assert header_box["y"] == pytest.approx(head_box["height"], abs=2)
    laptop.screenshot(path=screens / "roadmap-scrolled.png")

    section = roadmap.locator("tbody.roadmap-section").first
    measure = section.locator("tr.measure-row").first
    expect(measure).to_be_visible()
    height = laptop.evaluate("document.documentElement.scrollHeight")
    section.get_by_role("button", name=re.compile("Свернуть задачу 1")).click()
    expect(measure).to_be_hidden()
    assert laptop.evaluate("document.documentElement.scrollHeight") < height
    section.get_by_role("button", name=re.compile("Развернуть задачу 1")).click()
    expect(measure).to_be_visible()

    laptop.get_by_role("button", name="Свернуть все задачи").click()
    expect(roadmap.locator("tr.measure-row:visible")).to_have_count(0)
    laptop.screenshot(path=screens / "roadmap-folded.png", full_page=True)
