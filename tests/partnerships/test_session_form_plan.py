"""The session form helps with the plan: each plan item's option carries what it fills (format, topic, date), and
«записать занятие» from a plan item opens the form filled, the planned date proposed once it has come."""

import datetime

import pytest
from django.urls import reverse

from partnerships.models import AgreementPlanItem

pytestmark = pytest.mark.django_db


def _item(world, days_from_today, **fields):
    planned = world.today + datetime.timedelta(days=days_from_today)
    return AgreementPlanItem.objects.create(
        agreement=world.agreement, planned_on=max(planned, world.agreement.starts_on), format="seminar",
        topic=f"Семинар {days_from_today}", **fields,
    )


def test_plan_item_options_carry_what_they_fill(client, world):
    past, month = _item(world, -5), _item(world, 40, month_only=True)
    client.force_login(world.users["curator"])
    html = client.get(reverse("partnerships:session_create", args=[world.agreement.pk])).content.decode()
    assert "data-plan-fills" in html
    assert f'data-topic="{past.topic}"' in html and f'data-planned-on="{past.planned_on.isoformat()}"' in html
    month.refresh_from_db()
    assert f'data-when="{month.when_label}"' in html and 'data-planned-on=""' in html  # a month is no date to propose


def test_logging_from_a_plan_item_proposes_its_date_once_it_has_come(client, world):
    past, future = _item(world, -5), _item(world, 30)
    client.force_login(world.users["curator"])
    url = reverse("partnerships:session_create", args=[world.agreement.pk])
    form = client.get(url, {"plan_item": past.pk}).context["form"]
    assert form.initial["held_on"] == past.planned_on and form.initial["topic"] == past.topic
    form = client.get(url, {"plan_item": future.pk}).context["form"]
    assert form.initial["held_on"] == world.today  # a date still ahead is not proposed as held
