"""`/metrics/` for Prometheus: requests, database queries and tasks, to the scraper only.

What is counted:
- requests and responses by method, view and status, and their time — django-prometheus's middleware
  (`django_http_*`, settings.MIDDLEWARE);
- database queries, their time and errors, new connections — its wrapper of the database backend (`django_db_*`,
  settings.DATABASES: the same backend under `django_prometheus.db.backends.*`);
- tasks enqueued, succeeded and failed, by task (`shnor_tasks_*_total{task="schools.tasks.identification_run"}`),
  from the signals of django-tasks: a request enqueues, the worker (`manage.py db_worker`) finishes.

Who may read them: a request with `Authorization: Bearer <METRICS_TOKEN>` when the token is set, or a request that
came straight to gunicorn (no X-Forwarded-For, Forwarded or X-Real-IP) from an address of `METRICS_ALLOWED_IPS`
(the loopback by default). Not `client_ip`: nginx is on the loopback too, so a visitor from anywhere reaches gunicorn
from 127.0.0.1 — but always with the X-Forwarded-For nginx writes; only a scraper on the server itself comes
without one. Everyone else gets 404, as for a page that does not exist.

Each gunicorn worker and the task worker is a process of its own with its own counters: with
`PROMETHEUS_MULTIPROC_DIR` set (the same folder for all of them, emptied before they start), prometheus_client
writes them there and the answer sums every process's (docs/PRODUCTION.md «Состояние и метрики»). Without it the
answer holds only the counters of the process that happened to answer.
"""

from django.conf import settings
from django.http import Http404, HttpResponseNotAllowed
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django_prometheus.exports import ExportToDjangoView
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_enqueued, task_finished
from prometheus_client import Counter

from shnor_portal.security import address_in

TASKS_ENQUEUED = Counter("shnor_tasks_enqueued", "Tasks put in the queue, by task.", ["task"])
TASKS_SUCCEEDED = Counter("shnor_tasks_succeeded", "Tasks that finished without an error, by task.", ["task"])
TASKS_FAILED = Counter("shnor_tasks_failed", "Tasks that raised an error, by task.", ["task"])

# Headers a proxy adds: a request carrying one did not come from a scraper on the loopback.
FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _count_enqueued(sender, task_result, **kwargs):
    TASKS_ENQUEUED.labels(task=task_result.task.module_path).inc()


def _count_finished(sender, task_result, **kwargs):
    if task_result.status == TaskResultStatus.SUCCESSFUL:
        TASKS_SUCCEEDED.labels(task=task_result.task.module_path).inc()
    elif task_result.status == TaskResultStatus.FAILED:
        TASKS_FAILED.labels(task=task_result.task.module_path).inc()


def connect_task_counters() -> None:
    task_enqueued.connect(_count_enqueued, dispatch_uid="shnor_portal.observability.enqueued")
    task_finished.connect(_count_finished, dispatch_uid="shnor_portal.observability.finished")


def scraper_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token and constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return True
    if any(request.META.get(header) for header in FORWARDED):
        return False
    return address_in(request.META.get("REMOTE_ADDR"), settings.METRICS_ALLOWED_IPS)


@csrf_exempt  # so that a refused POST is the same 404 as a refused GET, not CSRF's 403
def metrics_view(request):
    if not scraper_allowed(request):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return ExportToDjangoView(request)
