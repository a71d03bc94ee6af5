"""`/metrics/` for Prometheus: requests, queries and tasks counted; answered to a scraper on the loopback that came
straight to gunicorn, or to one with the token — 404 to everyone else, a visitor forwarded by nginx included."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django_tasks import task
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = "10.20.30.40"


@task()
def succeeds() -> None:
    return None


@task()
def fails() -> None:
    raise RuntimeError("задание, которое падает нарочно")


def _samples(response) -> dict[tuple, float]:
    """{(sample name, sorted labels): value} of an answer in Prometheus's text format."""
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_the_scraper_on_the_loopback_reads_the_requests_and_the_queries(client):
    client.get("/health/")  # one request and at least one query before the scrape
    samples = _samples(client.get("/metrics/", REMOTE_ADDR="127.0.0.1"))
    assert samples[("django_http_requests_total_by_method_total", (("method", "GET"),))] >= 1
    assert samples[("django_http_responses_total_by_status_view_method_total",
                    (("method", "GET"), ("status", "200"), ("view", "health")))] >= 1  # fmt: skip
    vendor = connection.vendor  # sqlite or postgresql: both are wrapped
    assert samples[("django_db_execute_total", (("alias", "default"), ("vendor", vendor)))] >= 1


def test_ipv6_loopback_is_allowed_too(client):
    assert client.get("/metrics/", REMOTE_ADDR="::1").status_code == 200


def test_another_address_gets_404(client):
    assert client.get("/metrics/", REMOTE_ADDR=OUTSIDE).status_code == 404
    assert client.post("/metrics/", REMOTE_ADDR=OUTSIDE).status_code == 404  # a POST too, not CSRF's 403


def test_a_visitor_forwarded_by_the_proxy_on_the_loopback_gets_404(client, settings):
    # nginx is on the loopback too: REMOTE_ADDR is 127.0.0.1 for everyone it forwards, with X-Forwarded-For.
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"):
        response = client.get("/metrics/", REMOTE_ADDR="127.0.0.1", **{header: OUTSIDE})
        assert response.status_code == 404, header
    # even a forwarded address that is itself in the allowed list: it is the proxy's word
    assert client.get("/metrics/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404


def test_the_allowed_addresses_are_a_setting_and_take_networks(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16"]
    assert client.get("/metrics/", REMOTE_ADDR=OUTSIDE).status_code == 200
    assert client.get("/metrics/", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_the_token_opens_the_metrics_from_anywhere_and_only_the_right_one(client, settings):
    settings.METRICS_TOKEN = "метрики-для-prometheus"
    right = {"HTTP_AUTHORIZATION": "Bearer метрики-для-prometheus"}
    assert client.get("/metrics/", REMOTE_ADDR=OUTSIDE, **right).status_code == 200
    # through nginx, from another machine's Prometheus
    assert client.get("/metrics/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE, **right).status_code == 200
    for wrong in ("Bearer другой", "метрики-для-prometheus", "Basic метрики-для-prometheus", ""):
        assert client.get("/metrics/", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=wrong).status_code == 404, wrong


def test_no_token_is_no_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics/", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ").status_code == 404


def _task_counts(client) -> dict[str, float]:
    samples = _samples(client.get("/metrics/"))
    counts = {}
    for kind in ("enqueued", "succeeded", "failed"):
        for path in (succeeds.module_path, fails.module_path):
            counts[f"{kind} {path.rsplit('.', 1)[1]}"] = samples.get(
                (f"shnor_tasks_{kind}_total", (("task", path),)), 0
            )
    return counts


def test_tasks_are_counted_by_name_when_enqueued_succeeded_and_failed(client):
    before = _task_counts(client)
    succeeds.enqueue()
    succeeds.enqueue()
    fails.enqueue()
    after = _task_counts(client)
    assert {key: after[key] - before[key] for key in after} == {
        "enqueued succeeds": 2, "succeeded succeeds": 2, "failed succeeds": 0,
        "enqueued fails": 1, "succeeded fails": 0, "failed fails": 1,
    }  # fmt: skip


ENQUEUE = "import django; django.setup(); from tests.deployment.test_metrics import succeeds; succeeds.enqueue()"
SCRAPE = (
    "import django, json; django.setup(); from django.test import RequestFactory; "
    "from shnor_portal.observability.metrics import metrics_view; "
    "print(json.dumps(metrics_view(RequestFactory().get('/metrics/')).content.decode()))"
)


def test_processes_sum_their_counters_in_the_multiprocess_folder(tmp_path):
    """The worker finishes the tasks, a gunicorn worker answers the scrape: with PROMETHEUS_MULTIPROC_DIR the answer
    holds what the other processes counted."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PROMETHEUS"))}
    env |= {"DJANGO_SETTINGS_MODULE": "shnor_portal.settings", "TASKS_BACKEND": "immediate",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}  # fmt: skip

    def run(code):
        return subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    for _ in range(2):  # two worker processes, one after the other
        assert run(ENQUEUE).returncode == 0
    scraped = run(SCRAPE)
    assert scraped.returncode == 0, scraped.stderr
    text = json.loads(scraped.stdout)
    assert f'shnor_tasks_succeeded_total{{task="{succeeds.module_path}"}} 2.0' in text
