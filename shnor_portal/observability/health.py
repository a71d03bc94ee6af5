"""`/health/` for the load balancer: is this copy of the portal able to serve? (django-health-check 4)

Four checks, each a `health_check.HealthCheck`: the database answers `SELECT 1` (the library's check, on PostgreSQL
and SQLite alike); the default storage — whatever its backend, the local disk today, S3 tomorrow — saves, reads and
deletes a small file (the library's); the disks the portal writes to are not fuller than `HEALTH_DISK_MAX_PERCENT`;
the task queue's table answers and no task has been waiting for a worker longer than `HEALTH_QUEUE_MAX_AGE_MINUTES`
(a worker that died or hangs leaves the queue growing while every page still works).

The answer is a few lines of plain text, a check and «OK» or «сбой» each: 200 when every check passed, 503 when one
failed. It is read without a login by anyone, so it names no host, path, user or error text: what failed and why is in
the server's log (the library logs each failure at WARNING, with its cause, under the logger `health_check`).

The library runs a synchronous check in a thread of its own. The checks that read the database run in the request's
thread instead (`sync_to_async`, thread-sensitive), on the request's connection, as Django wants of a query from an
async view: a pool thread would open a connection of its own and never close it. Its timeout then cannot cut a hung
query short; gunicorn's `--timeout` does, and the load balancer's own timeout counts the probe failed anyway.
"""

import asyncio
import dataclasses
import datetime
import shutil
import tempfile
from pathlib import Path

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import Error as DatabaseError
from django.db.models import Case, F, Min, When
from django.http import HttpResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Database(checks.Database):
    label = "база данных"

    async def run(self):
        await sync_to_async(super().run)()


@dataclasses.dataclass
class Storage(checks.Storage):
    label = "хранилище файлов"


@dataclasses.dataclass
class Disk(HealthCheck):
    """Used space of each disk the portal writes to, as `df` counts it (the space reserved for root is not free)."""

    label = "диск"

    def run(self):
        limit = settings.HEALTH_DISK_MAX_PERCENT
        for path in disk_paths():
            usage = shutil.disk_usage(path)
            percent = 100 * usage.used / (usage.used + usage.free)
            if percent > limit:
                raise ServiceUnavailable(f"занято {percent:.0f} % диска (предел {limit} %)")


def disk_paths() -> list[Path]:
    """`HEALTH_DISK_PATHS`, or: the default storage's folder when it is on this machine, and the temporary folder
    (an upload is spooled there before it is checked)."""
    paths = [Path(path) for path in settings.HEALTH_DISK_PATHS]
    if not paths:
        storage = storages["default"]
        if isinstance(storage, FileSystemStorage):
            paths.append(Path(storage.location))
        paths.append(Path(tempfile.gettempdir()))
    return [_existing(path) for path in paths]


def _existing(path: Path) -> Path:
    """The folder itself or, before its first file, the nearest folder above it that exists: the same disk."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The oldest task ready to run has waited no longer than the limit (`django_tasks_db`'s queue)."""

    label = "очередь заданий"

    async def run(self):
        await sync_to_async(self.check)()

    def check(self):
        limit = settings.HEALTH_QUEUE_MAX_AGE_MINUTES
        try:
            waiting_since = oldest_ready_since()
        except DatabaseError as error:
            raise ServiceUnavailable("таблица очереди заданий недоступна") from error
        waited = (timezone.now() - waiting_since) / datetime.timedelta(minutes=1) if waiting_since else 0
        if waited > limit:
            raise ServiceUnavailable(f"задание ждёт обработчика {waited:.0f} мин (предел {limit} мин)")


def oldest_ready_since() -> datetime.datetime | None:
    """Since when the longest-waiting ready task waits: since it was queued or, if it was to run later, since then."""
    waits_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    return DBTaskResult.objects.ready().aggregate(since=Min(waits_since))["since"]


class HealthView(HealthCheckView):
    checks = (Database, Storage, Disk, TaskQueue)

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        failed = any(result.error for result in self.results)
        lines = [f"{result.check.label}: {'сбой' if result.error else 'OK'}" for result in self.results]
        # The failure is logged by the check, with its cause; django.request would add an ERROR — and a mail to
        # ADMINS — for every probe of the load balancer (shnor_portal.log_filters.HealthProbes).
        request.health_probe = True
        return HttpResponse(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=503 if failed else 200
        )


health_view = HealthView.as_view()
