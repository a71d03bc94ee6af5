"""The server log: a refused request (403, 404) is one line at INFO, a server error keeps its traceback."""

import logging

import pytest
from django.test import Client
from django.urls import path, reverse

from schools.models import School
from tests.conftest import login


def boom(request):
    raise RuntimeError("сломалось")


urlpatterns = [path("boom/", boom)]


def _request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


@pytest.fixture
def info_log(caplog):
    caplog.set_level(logging.INFO, logger="django.request")
    return caplog


def test_out_of_reach_school_is_one_info_line_without_traceback(demo, municipality_a, client, info_log):
    school = School.objects.filter(municipality=municipality_a).first()
    response = login(client, demo["coordinator_b"]).get(reverse("schools:detail", args=[school.pk]))
    assert response.status_code == 404
    records = _request_records(info_log)
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    assert records[0].exc_info is None
    text = info_log.text
    assert "Traceback" not in text and "Http404" not in text
    assert len([line for line in text.splitlines() if line.strip()]) == 1


def test_refused_step_is_one_info_line_without_traceback(demo, client, info_log):
    response = login(client, demo["school"]).get(reverse("schools:registry_import"))
    assert response.status_code == 403
    records = _request_records(info_log)
    assert [r.levelno for r in records] == [logging.INFO]
    assert records[0].exc_info is None
    assert "Traceback" not in info_log.text and "PermissionDenied" not in info_log.text


def test_refusals_stay_out_of_a_warning_log(demo, municipality_a, client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    school = School.objects.filter(municipality=municipality_a).first()
    assert login(client, demo["coordinator_b"]).get(reverse("schools:detail", args=[school.pk])).status_code == 404
    assert _request_records(caplog) == []


def test_server_error_keeps_its_traceback(db, settings, info_log):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    records = _request_records(info_log)
    assert [r.levelno for r in records] == [logging.ERROR]
    assert records[0].exc_info is not None
    assert "Traceback" in info_log.text and "сломалось" in info_log.text
