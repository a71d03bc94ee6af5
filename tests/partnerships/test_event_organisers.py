"""Who organises methodical events (issue 20): the institute of a region holds events across it (seed 004: the
ЦНППМПР «организует … мероприятия»), as its department does; a regional event is its region's only."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from partnerships.access import can_manage_event, visible_events
from partnerships.models import MethodicalEvent
from partnerships.services.events import event_create
from schools.demo import MUNICIPALITY_A, REGION
from schools.models import Municipality, School

pytestmark = pytest.mark.django_db


def fresh(username):
    return get_user_model().objects.get(username=username)  # roles are cached per user object


def seminar(actor, **fields):
    return event_create(
        actor=actor, title="Семинар института для управленческих команд", format=MethodicalEvent.Format.SEMINAR,
        held_on=datetime.date.today() + datetime.timedelta(days=10), organiser="ИРО", **fields,
    )  # fmt: skip


def test_the_institute_holds_a_regional_event_of_its_region_only(full_demo, client):
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    schools = list(School.objects.filter(municipality=municipality)[:2])
    event = seminar(fresh("institute"), municipality=None, schools=schools)
    assert event.region.name == REGION[0] and event.invitations.count() == 2
    assert can_manage_event(fresh("department"), event) and can_manage_event(fresh("institute"), event)
    assert not can_manage_event(fresh("department_b"), event)
    assert not can_manage_event(fresh("coordinator"), event)  # a regional event is not a municipality's
    assert event not in visible_events(fresh("department_b"))  # another region's schools never see it
    client.force_login(fresh("department_b"))
    assert client.get(reverse("partnerships:event", args=[event.pk])).status_code == 404

    # the institute's form offers a regional event and the municipalities of its region only
    client.force_login(fresh("institute"))
    form = client.get(reverse("partnerships:event_create")).context["form"]
    assert set(form.fields["municipality"].queryset) == set(Municipality.objects.filter(region__name=REGION[0]))
    assert form.fields["municipality"].empty_label.startswith("региональное")


def test_the_federal_operator_and_a_district_hold_no_regional_event(full_demo):
    with pytest.raises(PermissionDenied):
        seminar(fresh("federal"), municipality=None)
    district_event = seminar(fresh("district"), municipality=Municipality.objects.get(name=MUNICIPALITY_A))
    assert district_event.region.name == REGION[0]
    with pytest.raises(PermissionDenied):
        seminar(fresh("district"), municipality=None)
