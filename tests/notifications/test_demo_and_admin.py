"""The demo notifications: idempotent, each opens for its recipient; the back office lists and searches them."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from portal.demo_notifications import seed_notifications

from .conftest import fresh

pytestmark = pytest.mark.django_db


def test_seed_notifications_gives_every_demo_user_something_and_runs_once(demo, client):
    created = seed_notifications()
    assert created >= 8
    assert seed_notifications() == 0
    demo_rows = Notification.objects.filter(dedupe_key__startswith="demo:").select_related("recipient")
    # every demo user but the second region's department, whose region comes with the full demo (seed 004's)
    assert {n.recipient.username for n in demo_rows} == set(demo) - {"department_b"}
    for notification in demo_rows:
        client.force_login(fresh(notification.recipient))
        assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 302, notification.title


def test_the_department_finds_notifications_in_the_back_office(demo, client):
    seed_notifications()
    client.force_login(demo["department"])
    page = client.get(reverse("admin:notifications_notification_changelist"), {"q": "перечень", "read": "no"})
    assert page.status_code == 200 and "Утверждён перечень" in page.content.decode()
    assert client.get(reverse("admin:notifications_emailpreference_changelist")).status_code == 200
    client.force_login(demo["coordinator"])
    assert client.get(reverse("admin:notifications_notification_changelist")).status_code == 302
