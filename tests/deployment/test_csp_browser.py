"""In a real browser under the real Content-Security-Policy: the pages with charts, htmx and the moved scripts run
without a single CSP violation, and the moved scripts still do their job."""

import pytest
from playwright.sync_api import Page, expect

from schools.demo import DEMO_PASSWORD
from tests.seeding import seed_or_replay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page: Page):
    """Console errors and uncaught exceptions of the page (Chromium reports each CSP refusal on the console)."""
    found = []

    def on_console(message):
        # The browser's own request for /favicon.ico (the portal has none) is not the page's doing.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            found.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def _log_in(page: Page, live_server, username: str):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_pages_with_charts_htmx_and_moved_scripts_run_under_the_policy(
    page: Page, live_server, settings, tmp_path, violations
):
    from monitoring.models import Indicator
    from partnerships.models import Agreement
    from portal.demo import seed_full_demo
    from programs.models import Programme
    from schools.models import School

    settings.MEDIA_ROOT = tmp_path / "media"
    seed_or_replay(seed_full_demo)
    _log_in(page, live_server, "department")

    school = School.objects.filter(results__isnull=False).order_by("pk").first()
    page.goto(f"{live_server.url}/schools/{school.pk}/")
    canvas = page.locator("#school-results-chart")
    expect(canvas).to_be_visible()
    # Chart.js drew into the canvas: its instance is registered on it.
    assert page.evaluate("() => !!Chart.getChart(document.getElementById('school-results-chart'))")

    indicator = Indicator.objects.order_by("pk").first()
    page.goto(f"{live_server.url}/monitoring/indicators/{indicator.pk}/")
    expect(page.locator("main")).to_be_visible()

    page.goto(f"{live_server.url}/monitoring/schools/{school.pk}/")
    expect(page.locator("main")).to_be_visible()

    programme = Programme.objects.order_by("pk").first()
    page.goto(f"{live_server.url}/programs/{programme.pk}/")
    expect(page.locator("main")).to_be_visible()
    assert page.evaluate("() => htmx.config.includeIndicatorStyles === false && htmx.config.allowEval === false")
    assert page.evaluate("() => document.querySelectorAll('head style').length") == 0

    page.goto(f"{live_server.url}/monitoring/queue/")
    check_all = page.locator("[data-check-all]")
    if check_all.count():
        check_all.first.check()
        assert page.evaluate("() => [...document.querySelectorAll('input[name=\"ids\"]')].every((box) => box.checked)")

    agreement = Agreement.objects.order_by("pk").first()
    # the signatories come from the registry (else the page asks for them before it prints)
    for school in (agreement.curator_school, agreement.supported_school):
        school.director = "Иванова Ирина Ивановна"
        school.save(update_fields=["director"])
    page.goto(f"{live_server.url}/partnerships/agreements/{agreement.pk}/print/")
    expect(page.locator("[data-print]")).to_be_visible()
    # The moved stylesheet applies: the document's serif typography.
    assert "Times New Roman" in page.evaluate("() => getComputedStyle(document.body).fontFamily")

    csp = [text for text in violations if "Content Security Policy" in text or "Refused to" in text]
    assert not csp, csp
    assert not violations, violations


def test_the_back_office_runs_under_the_policy(page: Page, live_server, settings, tmp_path, violations):
    """The department works in the admin too: its lists, filters, search and forms (with their scripts) run
    without a CSP refusal."""
    from django.contrib.auth import get_user_model

    from portal.demo import seed_demo
    from schools.models import School

    settings.MEDIA_ROOT = tmp_path / "media"
    seed_or_replay(seed_demo)
    get_user_model().objects.create_superuser("root", "root@example.org", DEMO_PASSWORD)
    _log_in(page, live_server, "root")
    school = School.objects.order_by("pk").first()
    for path in [
        "/admin/",
        "/admin/schools/school/",
        "/admin/schools/school/?q=СОШ",
        f"/admin/schools/school/{school.pk}/change/",
        f"/admin/schools/school/{school.pk}/history/",
        "/admin/schools/roleassignment/",
        "/admin/schools/identificationrun/",
        "/admin/auth/user/add/",
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
    csp = [text for text in violations if "Content Security Policy" in text or "Refused to" in text]
    assert not csp, csp
