"""In a real browser, on a phone (issue 22, «Done when»): a parent opens the school's link printed under its QR code,
answers, and once the school has enough answers its index appears for the school; the department passes it to
identification, where it is the satisfaction criterion's value of the run."""

import re

import pytest
import segno
from playwright.sync_api import Page, expect

from schools.demo import SCHOOL_TEAM_SCHOOL
from schools.identification import criteria_ensure_for_year, run_execute, run_start, unpack_inputs
from schools.models import Criterion, School
from surveys.models import Audience, Response, SchoolLink
from tests.surveys.conftest import answer_many, launch_campaign

from .test_partnerships import log_in
from .test_phone import PHONE, scrolls_sideways

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_answers_on_a_phone_and_the_school_sees_its_index(page: Page, live_server, demo):
    campaign = launch_campaign(demo)
    team_school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    answer_many(link, campaign.min_answers - 1, value=4)  # one answer short of the threshold

    log_in(page, live_server, "school")
    page.get_by_role("link", name="Опросы").click()
    page.get_by_role("link", name=campaign.title).click()
    page.get_by_role("link", name=team_school.short_name).click()
    expect(page.locator("#school-index")).to_have_text("недостаточно ответов")
    page.get_by_role("link", name="QR-код для печати").click()
    printed = page.locator(".survey-poster strong").inner_text()
    qr = page.locator("#survey-qr svg")
    expect(qr).to_be_visible()
    # the code on the poster is the printed address
    drawn = re.search(r' d="([^"]+)"', qr.evaluate("svg => svg.outerHTML")).group(1)
    assert drawn == re.search(r' d="([^"]+)"', segno.make(printed, error="m").svg_inline(scale=6)).group(1)

    page.context.clear_cookies()  # the parent's phone: no account
    page.set_viewport_size(PHONE)
    page.goto(printed)
    page.get_by_role("link", name="Родители").click()
    # the questionnaire, not the page the link was on (measuring mid-navigation met a document without its root)
    expect(page.get_by_role("button", name="Отправить ответ")).to_be_visible()
    assert not scrolls_sideways(page), "анкета на телефоне"
    for fieldset in page.locator("fieldset").all():
        if fieldset.locator("textarea").count():
            fieldset.locator("textarea").fill("Больше кружков после уроков")
        elif fieldset.locator('input[value="5"]').count():
            fieldset.get_by_label("5", exact=True).check()
        else:
            fieldset.get_by_label("да", exact=True).check()
    page.get_by_role("button", name="Отправить ответ").click()
    expect(page.get_by_role("heading", name="Спасибо! Ответ принят.")).to_be_visible()
    assert Response.objects.filter(link=link, audience=Audience.PARENTS).count() == campaign.min_answers
    page.go_back()  # the same phone opens the questionnaire again: it is told it has answered
    page.reload()
    expect(page.locator("#survey-refusal")).to_contain_text("С этого устройства ответ уже получен")

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "school")
    page.goto(f"{live_server.url}/surveys/schools/{link.pk}/")
    # nine parents gave 4 (75 each, «да» 100) and this one 5 (100): (9·(8·75 + 100) + 9·100) / 90
    expect(page.locator("#school-index")).to_have_text("80,0")

    log_in(page, live_server, "department")
    page.goto(f"{live_server.url}/surveys/{campaign.pk}/")
    page.get_by_role("button", name="Передать индекс в выявление").click()
    expect(page.locator(".alert-success")).to_contain_text("1 школ")
    region_id = campaign.region_id
    criteria_ensure_for_year(region_id=region_id, year=campaign.year)
    Criterion.objects.filter(region_id=region_id, year=campaign.year, code="satisfaction").update(is_active=True)
    run = run_execute(run_start(region_id=region_id, year=campaign.year, actor=demo["department"]))
    values = unpack_inputs(run.inputs)["values"]["satisfaction"]
    assert dict(zip(values["school"].tolist(), values["value"].tolist(), strict=True)) == {team_school.pk: 80.0}
