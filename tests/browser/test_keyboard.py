"""Readable by everyone (issue 19, item 9): the portal works from the keyboard alone — Tab to a control, type, Enter —
and the user always sees where the focus is."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from programs.demo import seed_programmes
from programs.models import MeasureYear, Programme, RoadmapMeasure
from schools.demo import DEMO_PASSWORD, SCHOOL_TEAM_SCHOOL

from .test_partnerships import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = "() => { const e = document.activeElement; return e && e !== document.body ? {name: e.name || '', " \
          "id: e.id || '', label: e.getAttribute('aria-label') || '', tag: e.tagName} : null; }"  # fmt: skip
# The focused element shows it: an outline or a ring (Bootstrap draws the form controls' ring as a box shadow).
FOCUS_SHOWN = "() => { const s = getComputedStyle(document.activeElement); return (s.outlineStyle !== 'none' && " \
              "parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }"  # fmt: skip


def tab_to(page: Page, matches, limit: int = 400) -> int:
    """Press Tab until the focused element is the one `matches` accepts; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and matches(focused):
            return presses
    raise AssertionError(f"not reached with {limit} presses of Tab")


def test_login_works_from_the_keyboard_alone_and_the_focus_is_visible(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, lambda e: e["name"] == "username", limit=20)
    assert page.evaluate(FOCUS_SHOWN), "the focused login field does not show it"
    page.keyboard.type("school")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "password"
    assert page.evaluate(FOCUS_SHOWN)
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["tag"] == "BUTTON" and page.evaluate(FOCUS_SHOWN), "«Войти» does not show its focus"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Мой кабинет")).to_be_visible()
    # a link reached with Tab shows its focus too
    tab_to(page, lambda e: e["tag"] == "A", limit=5)
    assert page.evaluate(FOCUS_SHOWN), "a focused link does not show it"


def test_school_team_edits_a_measure_of_its_roadmap_from_the_keyboard_alone(page: Page, live_server, demo):
    seed_programmes()
    programme = Programme.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.TRANSITION)
    measure = RoadmapMeasure.objects.filter(section__programme=programme).order_by("section__position", "position")[0]
    number = f"{measure.section.position}.{measure.position}"
    year = programme.years[0]
    log_in(page, live_server, "school")
    page.goto(f"{live_server.url}/programs/{programme.pk}/")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    # Tab to the measure's «Изменить», Enter opens its form in the table with the focus in it.
    tab_to(page, lambda e: e["label"] == f"Изменить мероприятие {number}")
    assert page.evaluate(FOCUS_SHOWN), "«Изменить» does not show its focus"
    page.keyboard.press("Enter")
    form = page.locator(f"#measure-{measure.pk} form.measure-form")
    expect(form).to_be_visible()
    page.wait_for_function("() => document.activeElement.closest('form.measure-form') !== null")

    # Tab to the year's fact, type it, Enter saves: the row comes back in place and the focus to its «Изменить».
    tab_to(page, lambda e: e["name"] == f"fact_{year}", limit=60)
    page.keyboard.press("Control+A")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    row = page.locator(f"tr#measure-{measure.pk}.measure-row")
    expect(row).to_contain_text("/ 7")
    page.wait_for_function(
        f"() => document.activeElement.getAttribute('aria-label') === 'Изменить мероприятие {number}'"
    )
    assert page.evaluate("window.__sameDocument") is True  # edited in place, no reload
    assert MeasureYear.objects.get(measure=measure, year=year).actual_value == Decimal("7")
