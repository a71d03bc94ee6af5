"""The notification centre: the bell (one query per page), the list, the link that re-checks access, the
coordinator's page — and the outsider (coordinator_b) reaches none of what is not theirs. What each URL answers
each role is a row of the project's one access table, tests/access/test_matrix.py."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.models import Notification
from notifications.services import notify
from programs import services
from programs.models import Programme, Review
from schools.models import School

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(clean, programmes):
    """The school submitted its programme: the coordinator holds one notification about it."""
    services.programme_submit(programme=programmes["draft"], actor=clean["school"])
    return Notification.objects.get(recipient=clean["coordinator"])


# --- the bell -----------------------------------------------------------------------------------------------------------


def _bell_queries(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]


@pytest.mark.parametrize("url_name", ["home", "programs:list", "schools:list"])
def test_the_bell_costs_one_query_per_page_however_many_notifications(client, clean, programmes, url_name):
    coordinator = clean["coordinator"]
    client.force_login(coordinator)
    response, queries = _bell_queries(client, reverse(url_name))
    assert len(queries) == 1 and "COUNT" in queries[0].upper()
    assert 'id="notification-count" data-unread="0" hidden' in response.content.decode()

    for index in range(120):
        notify(kind=kinds.PROGRAMME_ACCEPTED, recipients=[coordinator], target=programmes["draft"], title=f"№ {index}")
    Notification.objects.filter(title="№ 0").update(read_at=timezone.now())
    response, queries = _bell_queries(client, reverse(url_name))
    assert len(queries) == 1
    html = response.content.decode()
    assert 'data-unread="119"' in html and ">99+</span>" in html


def test_the_bell_is_not_counted_on_partials_that_do_not_show_it(client, clean, programmes):
    client.force_login(clean["coordinator"])
    section = programmes["municipal"].sections.first()
    _response, queries = _bell_queries(client, reverse("programs:section", args=[section.pk]), HTTP_HX_REQUEST="true")
    assert queries == []


# --- the list -----------------------------------------------------------------------------------------------------------


def test_the_list_shows_only_ones_own_with_filters_and_pages(client, clean, programmes, settings):
    settings.PAGE_SIZE = 10
    coordinator, school = clean["coordinator"], clean["school"]
    for index in range(14):
        notify(kind=kinds.PROGRAMME_SUBMITTED, recipients=[coordinator], target=programmes["draft"], title=f"Отправлена {index}")
    notify(kind=kinds.LIST_APPROVED, recipients=[coordinator, school], target=programmes["draft"], title="Перечень утверждён")
    Notification.objects.filter(title="Отправлена 3").update(read_at=timezone.now())
    client.force_login(coordinator)

    html = client.get(reverse("notifications:list")).content.decode()
    assert html.count('class="list-group-item') == 10 and "Страница 1 из 2" in html
    assert html.count("notification unread") == 10  # the newest ten are unread

    only_list = client.get(reverse("notifications:list"), {"kind": kinds.LIST_APPROVED}).content.decode()
    assert "Перечень утверждён" in only_list and "Отправлена" not in only_list

    read = client.get(reverse("notifications:list"), {"state": "read"}).content.decode()
    assert "Отправлена 3" in read and read.count('class="list-group-item') == 1
    unread = client.get(reverse("notifications:list"), {"state": "unread", "page": 2}).content.decode()
    assert "Отправлена 3" not in unread

    client.force_login(clean["coordinator_b"])
    outsider = client.get(reverse("notifications:list")).content.decode()
    assert "Отправлена" not in outsider and "Перечень утверждён" not in outsider


def test_the_list_keeps_its_query_count_as_notifications_grow(client, clean, programmes):
    coordinator = clean["coordinator"]
    client.force_login(coordinator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("notifications:list")).status_code == 200
        return len(queries)

    notify(kind=kinds.PROGRAMME_SUBMITTED, recipients=[coordinator], target=programmes["draft"], title="Одна",
           actor=clean["school"])
    small = count()
    for index in range(60):
        notify(kind=kinds.PROGRAMME_SUBMITTED, recipients=[coordinator], target=programmes["draft"], title=f"№ {index}",
               actor=clean["school"])
    assert count() == small


def test_mark_all_read_and_one_read(client, clean, programmes):
    coordinator = clean["coordinator"]
    for kind in (kinds.PROGRAMME_SUBMITTED, kinds.PROGRAMME_SUBMITTED, kinds.LIST_APPROVED):
        notify(kind=kind, recipients=[coordinator, clean["school"]], target=programmes["draft"], title="x")
    client.force_login(coordinator)
    unread = Notification.objects.filter(recipient=coordinator, read_at__isnull=True)
    first = unread.filter(kind=kinds.PROGRAMME_SUBMITTED).first()
    client.post(reverse("notifications:read", args=[first.pk]))
    assert unread.count() == 2
    client.post(reverse("notifications:read_all"), {"kind": kinds.LIST_APPROVED})
    assert list(unread.values_list("kind", flat=True)) == [kinds.PROGRAMME_SUBMITTED]
    response = client.post(reverse("notifications:read_all"), {"next": "https://evil.example.com/"})
    assert response.url == reverse("notifications:list")
    assert not Notification.objects.filter(recipient=coordinator, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=clean["school"], read_at__isnull=True).count() == 3  # not theirs


# --- following a notification -------------------------------------------------------------------------------------------


def test_opening_a_notification_leads_to_its_target_and_marks_it_read(client, mine):
    client.force_login(mine.recipient)
    response = client.get(reverse("notifications:open", args=[mine.pk]))
    review = Review.objects.get(pk=mine.target_id)
    assert response.status_code == 302 and response.url == reverse("programs:review", args=[review.pk])
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_the_outsider_cannot_open_or_read_anybody_elses_notification(client, mine):
    client.force_login(get_user_model().objects.get(username="coordinator_b"))
    assert client.get(reverse("notifications:open", args=[mine.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_a_notification_about_something_out_of_reach_opens_nothing(client, clean, programmes):
    """Even one addressed to the outsider (by mistake, or after their reach changed) answers 404, as the
    programme itself would, and stays unread."""
    outsider = clean["coordinator_b"]
    notify(kind=kinds.PROGRAMME_ACCEPTED, recipients=[outsider], target=programmes["draft"], title="Чужая программа")
    notification = Notification.objects.get(recipient=outsider)
    client.force_login(outsider)
    assert client.get(reverse("programs:detail", args=[programmes["draft"].pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_curator_loses_the_link_when_the_review_is_no_longer_theirs(client, clean, programmes):
    """The curator school got a mutual review; after the link re-checks reach, the review of another municipality's
    programme (never theirs) does not open."""
    school_b = School.objects.filter(municipality__name__startswith="Озёр").first()
    programme_b = Programme.objects.create(kind=Programme.Kind.TRANSITION, title="Чужая", municipality=school_b.municipality,
                                           school=school_b, period_start=2025, period_end=2026, goal="Цель")
    review = Review.objects.create(programme=programme_b, round=1, kind=Review.Kind.MUNICIPAL)
    notify(kind=kinds.REVIEW_ASSIGNED, recipients=[clean["curator"]], target=review, title="Не ваша экспертиза")
    client.force_login(clean["curator"])
    notification = Notification.objects.get(recipient=clean["curator"])
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404


# --- the coordinator's page ---------------------------------------------------------------------------------------------


def test_the_coordinator_sees_who_has_not_reacted_oldest_first(client, clean, programmes):
    school, coordinator = clean["school"], clean["coordinator"]
    # The school team was told its programme came back; it has not resubmitted yet.
    returned = programmes["returned"]
    notify(kind=kinds.PROGRAMME_RETURNED, recipients=[school], target=returned, title="Возвращена: антирисковая")
    # An informational notice the school already read: reacted.
    notify(kind=kinds.PROGRAMME_ACCEPTED, recipients=[school], target=programmes["draft"], title="Принята: прочитано")
    Notification.objects.filter(title="Принята: прочитано").update(read_at=timezone.now())
    # An informational notice never opened, older.
    notify(kind=kinds.LIST_APPROVED, recipients=[school, clean["tutor"]], target=programmes["draft"], title="Перечень: не открыто")
    Notification.objects.filter(title="Перечень: не открыто").update(created_at=timezone.now() - datetime.timedelta(days=9))
    # Something for municipality B's people about B: not this coordinator's business.
    school_b = School.objects.filter(municipality__name__startswith="Озёр").first()
    notify(kind=kinds.SELF_ASSESSMENT_MISSING, recipients=[clean["coordinator_b"]], target=school_b, title="Чужой")
    Notification.objects.filter(kind=kinds.PROGRAMME_RETURNED).update(read_at=timezone.now())  # read, but not acted on

    client.force_login(coordinator)
    html = client.get(reverse("notifications:municipality")).content.decode()
    assert "Перечень: не открыто" in html and "Возвращена: антирисковая" in html
    assert html.index("Перечень: не открыто") < html.index("Возвращена: антирисковая")  # oldest first
    assert "1\xa0неделя, 2\xa0дня" in html and "ждёт действия" in html and "не открыто" in html
    assert "Принята: прочитано" not in html and "Чужой" not in html

    # The school resubmits: the return no longer waits.
    services.programme_submit(programme=returned, actor=school)
    html = client.get(reverse("notifications:municipality")).content.decode()
    assert "Возвращена: антирисковая" not in html

    client.force_login(clean["coordinator_b"])
    outsider = client.get(reverse("notifications:municipality")).content.decode()
    assert "Перечень: не открыто" not in outsider and "Чужой" in outsider
    other = programmes["draft"].municipality_id
    assert client.get(reverse("notifications:municipality"), {"municipality": other}).status_code == 404
