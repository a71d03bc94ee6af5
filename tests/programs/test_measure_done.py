"""«Выполнено» in one click from the roadmap: a confirmed POST marks the measure done, keeps its values and documents,
and is refused when somebody changed the measure meanwhile or when the user may not edit the programme."""

import pytest
from django.urls import reverse

from programs.models import MeasureStatus, RoadmapMeasure

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def coordinator(client, demo):
    client.force_login(demo["coordinator"])
    return client


@pytest.fixture
def open_measure(programmes):
    return programmes["municipal"].measures.filter(status=MeasureStatus.PLANNED).order_by("pk").first()


def _done_url(measure):
    return reverse("programs:measure_done", args=[measure.pk])


def test_the_roadmap_row_offers_done_with_a_confirmation(coordinator, open_measure):
    html = coordinator.get(reverse("programs:detail", args=[open_measure.programme_id])).content.decode()
    assert f'action="{_done_url(open_measure)}"' in html
    assert 'hx-confirm="Отметить мероприятие' in html


def test_one_click_marks_the_measure_done_and_answers_htmx_with_the_row(coordinator, open_measure, demo):
    note, version = open_measure.note, open_measure.version
    response = coordinator.post(_done_url(open_measure), {"version": version}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="measure-{open_measure.pk}"' in html and 'data-status="done"' in html
    assert _done_url(open_measure) not in html  # a done measure offers no second click
    measure = RoadmapMeasure.objects.get(pk=open_measure.pk)
    assert measure.status == MeasureStatus.DONE and measure.version == version + 1 and measure.note == note
    record = measure.history.first()
    assert record.history_user == demo["coordinator"] and record.history_change_reason == "Отмечено выполненным"


def test_a_stale_click_is_refused_and_shows_the_current_row(coordinator, open_measure):
    response = coordinator.post(_done_url(open_measure), {"version": open_measure.version + 5}, **HTMX)
    html = response.content.decode()
    assert "Отметка не поставлена" in html and 'role="alert"' in html
    assert RoadmapMeasure.objects.get(pk=open_measure.pk).status == MeasureStatus.PLANNED


def test_without_htmx_it_goes_back_to_the_roadmap_with_a_message(coordinator, open_measure):
    response = coordinator.post(_done_url(open_measure), {"version": open_measure.version}, follow=True)
    assert "Мероприятие отмечено выполненным." in response.content.decode()
    again = coordinator.post(_done_url(open_measure), {"version": open_measure.version + 1}, follow=True)
    assert "Мероприятие уже отмечено выполненным." in again.content.decode()


def test_a_cancelled_measure_is_not_marked_done(coordinator, open_measure):
    RoadmapMeasure.objects.filter(pk=open_measure.pk).update(status=MeasureStatus.CANCELLED)
    response = coordinator.post(_done_url(open_measure), {"version": open_measure.version}, **HTMX)
    assert "Отменённое мероприятие не отмечают выполненным" in response.content.decode()
    assert RoadmapMeasure.objects.get(pk=open_measure.pk).status == MeasureStatus.CANCELLED


def test_a_reader_cannot_mark_done(client, demo, open_measure):
    client.force_login(demo["coordinator_b"])
    assert client.post(_done_url(open_measure), {"version": open_measure.version}).status_code == 404
    assert RoadmapMeasure.objects.get(pk=open_measure.pk).status == MeasureStatus.PLANNED
