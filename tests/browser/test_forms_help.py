"""In a real browser: forms that help — the curator chooses a plan item and the session form fills itself with the
plan's format, topic and date; the coordinator marks a roadmap measure done in one click after a confirmation."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from partnerships.demo import seed_partnerships
from partnerships.models import Agreement, AgreementPlanItem
from programs.demo import seed_programmes
from programs.models import MeasureStatus, Programme
from tests.seeding import seed_or_replay

from .test_programmes import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_or_replay(seed_partnerships)
    seed_programmes()
    agreement = Agreement.objects.get(number="1-ШНОР")
    planned_on = max(agreement.starts_on, datetime.date.today() - datetime.timedelta(days=3))
    item = AgreementPlanItem.objects.create(
        agreement=agreement, planned_on=planned_on, format="master_class", topic="Мастер-класс по смысловому чтению"
    )
    programme = Programme.objects.get(kind=Programme.Kind.MUNICIPAL)
    measure = programme.measures.filter(status=MeasureStatus.PLANNED).order_by("section__position", "position").first()
    return agreement, item, programme, measure


def test_a_plan_item_fills_the_session_form_and_a_measure_is_done_in_one_click(page: Page, live_server, seeded):
    agreement, item, programme, measure = seeded

    log_in(page, live_server, "curator")
    page.goto(live_server.url + reverse("partnerships:session_create", args=[agreement.pk]))
    page.get_by_label("По пункту плана").select_option(label=str(item))
    expect(page.get_by_label("Форма")).to_have_value("master_class")
    expect(page.get_by_label("Тема")).to_have_value("Мастер-класс по смысловому чтению")
    expect(page.get_by_label("Дата проведения")).to_have_value(item.planned_on.isoformat())
    expect(page.locator("[data-plan-date-hint]")).to_contain_text(f"плановая дата ({item.planned_on:%d.%m.%Y})")
    # A topic the curator typed is theirs: choosing another item does not overwrite it.
    page.get_by_label("Тема").fill("Своя тема")
    page.get_by_label("По пункту плана").select_option(index=1)
    expect(page.get_by_label("Тема")).to_have_value("Своя тема")

    log_in(page, live_server, "coordinator")
    page.goto(live_server.url + reverse("programs:detail", args=[programme.pk]))
    row = page.locator(f"#measure-{measure.pk}")
    done = row.get_by_role("button", name="выполненным")
    page.once("dialog", lambda dialog: dialog.dismiss())  # «Отмена» in the confirmation changes nothing
    done.click()
    expect(row).to_have_attribute("data-status", "planned")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    done.click()
    expect(page.locator(f"#measure-{measure.pk}")).to_have_attribute("data-status", "done")
    assert messages and "выполненным?" in messages[0] and measure.name[:30] in messages[0]
    expect(page.locator(f"#measure-{measure.pk}").get_by_role("button", name="выполненным")).to_have_count(0)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE
