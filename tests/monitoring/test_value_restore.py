"""An indicator value typed wrong can be brought back to an earlier version from its history — by the coordinator or
the department, after a page that shows what changes; the restored value stands confirmed and the restore is in the
history. A stale page, a computed value and the outsider are refused."""

from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring.models import IndicatorValue

pytestmark = pytest.mark.django_db


@pytest.fixture
def retyped(mon):
    """A value of the school entered by hand, then changed by mistake to 999."""
    value = (
        IndicatorValue.objects.filter(school=mon.school, indicator__computed_by="")
        .exclude(source=IndicatorValue.Source.COMPUTED)
        .order_by("pk")
        .first()
    )
    before = value.value
    value.value, value.comment = Decimal("999"), "опечатка"
    value._history_user = mon.users["school"]
    value.save()
    earlier = value.history.order_by("-history_id")[1]
    return value, before, earlier


def test_the_coordinator_restores_an_earlier_value_after_seeing_what_changes(client, mon, retyped):
    value, before, earlier = retyped
    client.force_login(mon.users["coordinator"])
    history = client.get(reverse("history", args=["indicator-value", value.pk])).content.decode()
    url = reverse("monitoring:value_restore", args=[value.pk, earlier.history_id])
    assert url in history

    confirm = client.get(url).content.decode()
    assert "999" in confirm and "Восстановить это значение" in confirm
    seen = value.history.order_by("-history_id").first().history_id
    response = client.post(url, {"seen": seen})
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.value == before and value.comment == earlier.comment
    assert value.status == IndicatorValue.Status.CONFIRMED and value.confirmed_by == mon.users["coordinator"]
    assert value.history.latest().history_change_reason.startswith("Восстановлено значение от")


def test_a_restore_on_a_stale_page_is_refused(client, mon, retyped):
    value, _before, earlier = retyped
    seen = value.history.order_by("-history_id").first().history_id
    value.value = Decimal("500")
    value._history_user = mon.users["school"]
    value.save()
    client.force_login(mon.users["coordinator"])
    url = reverse("monitoring:value_restore", args=[value.pk, earlier.history_id])
    response = client.post(url, {"seen": seen}, follow=True)
    assert "Ваши изменения не сохранены" in response.content.decode()
    value.refresh_from_db()
    assert value.value == Decimal("500")


@pytest.mark.parametrize(("username", "status"), [("school", 403), ("tutor", 403), ("coordinator_b", 404)])
def test_others_cannot_restore(client, mon, retyped, username, status):
    value, _before, earlier = retyped
    client.force_login(mon.users[username])
    url = reverse("monitoring:value_restore", args=[value.pk, earlier.history_id])
    assert client.get(url).status_code == status
    assert client.post(url, {}).status_code == status
    value.refresh_from_db()
    assert value.value == Decimal("999")
