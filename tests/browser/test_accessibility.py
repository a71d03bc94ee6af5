"""Readable by everyone (issue 19, item 9; ГОСТ Р 52872-2019): axe-core, from npm, runs on the main pages of every role
in Chromium — no critical and no serious violations."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from partnerships.demo import seed_partnerships
from tests.seeding import seed_or_replay

from .test_partnerships import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "department": ["/", "/monitoring/dashboard/", "/schools/", "/programs/", "/partnerships/agreements/"],
    "coordinator": ["/", "/schools/", "/programs/", "/monitoring/queue/"],
    "school": ["/", "/programs/", "/partnerships/agreements/"],
    "curator": ["/", "/partnerships/agreements/"],
    "tutor": ["/", "/partnerships/teachers/"],
}


def violations(page: Page) -> list[dict]:
    # evaluated through the browser's protocol, so the page's CSP does not stop the script
    result = page.evaluate(
        AXE.read_text() + ";axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + (n.any[0] ? n.any[0].message : '') + ' :: ' + n.html.slice(0, 120))})))"
    )
    return result


def test_every_roles_main_pages_have_no_critical_or_serious_violations(page: Page, live_server, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_or_replay(seed_partnerships)
    found = {}
    for username, paths in PAGES.items():
        log_in(page, live_server, username)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            problems = violations(page)
            if problems:
                found[f"{username} {path}"] = problems
    Path("/tmp/axe/report.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
