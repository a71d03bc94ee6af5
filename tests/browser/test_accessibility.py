"""Readable by everyone (issue 19, item 9; ГОСТ Р 52872-2019): axe-core, from npm, runs on the main pages of every role
in Chromium — no critical and no serious violations, and every form control has a label."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from .test_partnerships import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def _pages(username: str) -> list:
    from monitoring.calendar import stages_of
    from monitoring.models import Indicator, SelfAssessment
    from partnerships.models import Agreement, DevelopmentPlan, MethodicalEvent, Practice
    from programs.models import Programme, Review
    from programs.review_routes import ReviewRoute
    from schools.demo import INSTITUTE, ORGANISATION_CURATOR, REGION, SCHOOL_TEAM_SCHOOL
    from schools.models import Act, IdentificationVerdict, School
    from schools.school_year import current_school_year

    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    municipal = Programme.objects.filter(kind=Programme.Kind.MUNICIPAL).first()
    transition = Programme.objects.filter(school=school, kind=Programme.Kind.TRANSITION).first()
    indicator = Indicator.objects.filter(level=Indicator.Level.SCHOOL).first()
    agreement = Agreement.objects.get(number="1-ШНОР")
    run = IdentificationVerdict.objects.values_list("run_id", flat=True).first()
    assessment = SelfAssessment.objects.filter(school__municipality=school.municipality).first()
    organisation_agreement = Agreement.objects.filter(curator_organisation__short_name=ORGANISATION_CURATOR).first()
    expert_review = Review.objects.filter(reviewer_organisation__short_name=INSTITUTE).first()
    plan = DevelopmentPlan.objects.filter(teacher__school__municipality=school.municipality).first()
    year = current_school_year()
    stage = stages_of(year, municipality=school.municipality)[0].code
    pages = {
        "department": [
            "/", "/monitoring/dashboard/", "/schools/", "/programs/", "/partnerships/agreements/",
            "/monitoring/indicators/", f"/monitoring/indicators/{indicator.pk}/", "/monitoring/report/",
            "/schools/identification/", f"/schools/identification/{run}/", "/schools/identification/list/",
            f"/schools/{school.pk}/", f"/monitoring/schools/{school.pk}/",
            f"/programs/{transition.pk}/", f"/programs/{transition.pk}/roadmap/",
            "/partnerships/events/", f"/partnerships/events/{MethodicalEvent.objects.first().pk}/",
            "/partnerships/practices/", f"/partnerships/practices/{Practice.objects.first().pk}/",
            "/monitoring/calendar/", "/programs/routes/", f"/programs/routes/{ReviewRoute.objects.filter(region__name=REGION[0]).first().pk}/",
            "/schools/acts/", f"/schools/acts/{Act.objects.first().pk}/",
            "/monitoring/self-assessments/", "/partnerships/sessions/", "/partnerships/teachers/",
            "/partnerships/summary/", "/schools/organisations/", "/notifications/",
        ],
        "coordinator": [
            "/", "/schools/", "/programs/", "/monitoring/queue/",
            f"/programs/{municipal.pk}/", f"/programs/{municipal.pk}/roadmap/",
            "/monitoring/self-assessments/", f"/monitoring/self-assessments/{assessment.pk}/",
            f"/monitoring/schools/{school.pk}/values/{year}/{stage}/",
        ],
        "school": [
            "/", "/programs/", "/partnerships/agreements/", f"/programs/{transition.pk}/",
            f"/monitoring/schools/{school.pk}/",
            f"/monitoring/schools/{school.pk}/self-assessment/{year}/{stage}/upload/",
            f"/monitoring/schools/{school.pk}/values/{year}/{stage}/",
        ],
        "curator": ["/", "/partnerships/agreements/", f"/partnerships/agreements/{agreement.pk}/",
                    f"/partnerships/agreements/{agreement.pk}/sessions/new/"],
        "tutor": ["/", "/partnerships/teachers/", "/partnerships/plans/", f"/partnerships/plans/{plan.pk}/"],
        "curator_org": ["/", "/partnerships/agreements/", "/partnerships/sessions/",
                        f"/partnerships/agreements/{organisation_agreement.pk}/"],
        "expert": ["/", "/programs/", f"/programs/reviews/{expert_review.pk}/"],
    }  # fmt: skip
    return pages[username]


def violations(page: Page) -> list[dict]:
    # evaluated through the browser's protocol, so the page's CSP does not stop the script
    result = page.evaluate(
        AXE.read_text() + ";axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + (n.any[0] ? n.any[0].message : '') + ' :: ' + n.html.slice(0, 120))})))"
    )
    return result


@pytest.mark.parametrize("username", ["department", "coordinator", "school", "curator", "tutor", "curator_org", "expert"])
def test_every_roles_main_pages_have_no_critical_or_serious_violations(page: Page, live_server, full_demo, username):
    log_in(page, live_server, username)
    found = {}
    for path in _pages(username):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        problems = violations(page)
        if problems:
            found[path] = problems
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
