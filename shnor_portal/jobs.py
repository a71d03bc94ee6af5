"""Slow work started by a request and done by a worker process: an identification run, a yearly report, e-mail.

The jobs are django-tasks tasks (the backport of Django 6's `django.tasks`), each a `@task` function in its app's
`tasks.py`. The default backend is django-tasks-db: a task is a row of the database (`DBTaskResult`) and
`manage.py db_worker` — started beside the web server by `make demo`, a systemd service in production — takes the
rows one by one. `TASKS_BACKEND=immediate` (the tests) runs each task in the process that queued it.

A job a person waits for (`IdentificationRun`, `ReportExport`) also has a row of its own app, which the page polls:
state, progress, stage, error, and two fields this module looks after — `task_id`, the task that works on it, and
`beat_at`, its heartbeat. The row is queued in the request's transaction together with its task (`enqueue_job`), so
a worker never sees one without the other; the task beats with every progress step (`beat`). A worker that dies —
killed, out of memory, the server restarted — leaves its job «выполняется» with a beat that stops. Once the last
beat is older than `JOBS_HEARTBEAT_TIMEOUT` seconds the job is dead (`is_stale`): `interrupted_mark` marks the row
failed with «Обработка прервалась: …» and the task's `DBTaskResult` failed too, and the page offers to start it
again (`retry_job`: the same row, queued again with a new task). The pages of a job check when they are shown; the
worker checks before every task it takes (`task_started`), so a worker restarted after a crash clears what the
crash left. A task that meets its row no longer running (marked dead meanwhile, or queued again) stops at its next
beat (`JobAbandoned`), so a slow worker thought dead never races the retry.

This is the shared bottom package: it knows the rows only by the fields above and never imports a domain app. The
apps register their checks with `register_interrupted_check`.
"""

import datetime
import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.management import CommandError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_started
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# The states every job row has (IdentificationRun.State, ReportExport.Status).
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
INTERRUPTED = "Обработка прервалась"


class JobRow(models.Model):
    """The fields this module looks after on a job's own row: its task in the queue and its heartbeat. The row has
    its own state field (`state_field`, with the values QUEUED, RUNNING, DONE, FAILED) and an `error` text."""

    state_field = "state"
    beat_at = models.DateTimeField("последний признак работы", null=True, blank=True)
    task_id = models.CharField("задание в очереди", max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def interrupted(self) -> bool:
        """Failed because its worker died (not because of an error in the job's own work)."""
        return getattr(self, self.state_field) == FAILED and self.error.startswith(INTERRUPTED)

    @property
    def waiting_for_worker(self) -> bool:
        """Queued for longer than a worker would take to start it: no worker seems to be running."""
        return getattr(self, self.state_field) == QUEUED and is_stale(self.beat_at)


class JobInterrupted(Exception):
    """Recorded on the DBTaskResult of a job whose worker died (the worker cannot record it itself)."""


class JobAbandoned(BaseException):
    """Raised at a beat when the job's row is no longer running: it was marked dead or queued again meanwhile.

    A BaseException, like SystemExit: the job's own `except Exception` handlers, which record an error on the row,
    must not overwrite what the row says now.
    """


def heartbeat_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.JOBS_HEARTBEAT_TIMEOUT)


def is_stale(beat_at: datetime.datetime | None, *, now: datetime.datetime | None = None) -> bool:
    """The rule: a job is dead when its last beat is older than the timeout (or it never beat)."""
    if beat_at is None:
        return True
    return beat_at < (now or timezone.now()) - heartbeat_timeout()


def _on_worker_queue(task: Task) -> bool:
    return isinstance(task.get_backend(), DatabaseBackend)


def enqueue(task: Task, *args) -> TaskResult | None:
    """Queue `task(*args)` to run once the current transaction commits (at once outside a transaction).

    On the database queue the task's row is written inside the transaction: the worker sees it when it sees the
    rows the task reads, and a transaction rolled back queues nothing. Other backends are called after the commit:
    the immediate one runs the task inside `enqueue`, so it must not run before the rows exist for good (and in a
    test that never commits it runs only under `django_capture_on_commit_callbacks(execute=True)`).
    """
    if _on_worker_queue(task):
        with transaction.atomic():  # a savepoint: a failed insert does not break the caller's transaction
            return task.enqueue(*args)
    transaction.on_commit(partial(task.enqueue, *args))
    return None


def command_run(task: Task, *args, here: bool = False) -> tuple[object, str]:
    """A command's job (cron): handed to the worker, or done in the command's own process (`here`).

    Returns (the task's return value, "") once it has run — here, or at once by the immediate backend — or
    (None, a message for the command's output) while it waits for the worker.
    """
    if here:
        return task.call(*args), ""
    result = task.enqueue(*args)
    if not result.is_finished:
        return None, f"Задание поставлено в очередь (№ {result.id}): его выполнит обработчик заданий (manage.py db_worker)."
    if result.status != TaskResultStatus.SUCCESSFUL:
        raise CommandError("Задание не выполнено — подробности в журнале сервера.")
    return result.return_value, ""


def enqueue_job(task: Task, row: QuerySet, *args) -> None:
    """Queue the task of the job whose row `row` selects (one row), and remember the task on the row."""
    with transaction.atomic():
        row.update(beat_at=timezone.now())
        result = enqueue(task, *args)
        if result is not None:
            row.update(task_id=str(result.id))


def claim(row: QuerySet, *, state: str, **fields) -> bool:
    """The task's first step: its queued row becomes running with a first beat. False: the row is not queued
    (done, failed, or taken by another task), and the task has nothing to do."""
    return bool(row.filter(**{state: QUEUED}).update(**{state: RUNNING}, beat_at=timezone.now(), **fields))


def beat(row: QuerySet, *, state: str, **fields) -> None:
    """Record a progress step (`fields`) with a heartbeat; stop the job if its row is no longer running."""
    if not row.filter(**{state: RUNNING}).update(beat_at=timezone.now(), **fields):
        raise JobAbandoned(f"{row.model._meta.label}: the job's row is no longer running")


def retry_job(task: Task, row: QuerySet, *args, state: str, **reset) -> bool:
    """Queue a failed job again: the same row goes back to «в очереди», with a new task. False: it had not failed
    (already queued again by a second click, or never failed)."""
    with transaction.atomic():
        if not row.filter(**{state: FAILED}).update(**{state: QUEUED}, error="", finished_at=None, **reset):
            return False
        enqueue_job(task, row, *args)
    return True


STOPPED_RESPONDING = "процесс, который её выполнял, перестал отвечать"


def _queued_task_lost(task_id: str, now: datetime.datetime) -> str:
    """Why the task of a row still queued will never start it, or "" (it waits for a worker, or is starting):
    a worker took it more than the timeout ago and died before the task's first step, or the task ended without
    taking the row (an error before its first step)."""
    task = DBTaskResult.objects.filter(pk=task_id).values_list("status", "started_at").first()
    if task is None:
        return ""
    status, started_at = task
    if status == TaskResultStatus.RUNNING and is_stale(started_at, now=now):
        return STOPPED_RESPONDING
    if status in (TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL):
        return "задание завершилось, не начав её (подробности в журнале сервера)"
    return ""


def interrupted_mark(rows: QuerySet, *, state: str) -> int:
    """Mark failed the jobs among `rows` whose worker died (see the module's docstring); returns how many.

    The message says when the job last gave a sign of life and at which step. Each row is updated only if it is
    still as it was read, so a beat that arrives meanwhile wins and nothing is marked twice.
    """
    now = timezone.now()
    cutoff = now - heartbeat_timeout()
    candidates = (
        rows.filter(**{f"{state}__in": (QUEUED, RUNNING)})
        .filter(Q(beat_at__lt=cutoff) | Q(beat_at__isnull=True))  # never beat: a row from before the heartbeat
        .only("pk", state, "beat_at", "task_id", "stage")
    )
    marked = 0
    for row in candidates:
        if getattr(row, state) == QUEUED:
            reason = _queued_task_lost(row.task_id, now) if row.task_id else ""
            if not reason:
                continue  # still waiting for a worker: not dead, only not started
            message = f"{INTERRUPTED}: {reason}."
        else:
            details = []
            if row.beat_at:
                details.append(f"последний признак жизни — {timezone.localtime(row.beat_at):%d.%m.%Y %H:%M:%S}")
            if row.stage:
                details.append(f"этап «{row.stage}»")
            message = f"{INTERRUPTED}: {STOPPED_RESPONDING}" + (f" ({', '.join(details)})." if details else ".")
        updated = rows.filter(pk=row.pk, **{state: getattr(row, state)}, beat_at=row.beat_at).update(
            **{state: FAILED}, error=message, finished_at=now
        )
        if not updated:
            continue
        marked += 1
        logger.warning("%s %s: the worker died, marked failed", row._meta.label, row.pk)
        if row.task_id:
            task_mark_failed(row.task_id, message)
    return marked


def task_mark_failed(task_id: str, message: str) -> None:
    """Mark the task's DBTaskResult failed, if a worker still seems to run it (the dead worker cannot)."""
    DBTaskResult.objects.filter(pk=task_id, status__in=(TaskResultStatus.RUNNING, TaskResultStatus.READY)).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{JobInterrupted.__module__}.{JobInterrupted.__qualname__}",
        traceback=message,
        return_value=None,
    )


# --- the apps' checks ----------------------------------------------------------------------------------------------

_CHECKS: list[Callable[[], int]] = []


def register_interrupted_check(check: Callable[[], int]) -> Callable[[], int]:
    """An app's check of its jobs (a function marking its dead jobs, returning how many); usable as a decorator."""
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def interrupted_check_all() -> int:
    marked = 0
    for check in _CHECKS:
        try:
            marked += check()
        except Exception:
            logger.exception("Checking %s for interrupted jobs failed", check)
    return marked


def _check_before_a_task(sender, **kwargs) -> None:
    """The worker, before each task it takes: whatever a dead worker left running is marked (at the worker's
    start, the first task it takes; `send_notifications` from cron gives it one every few minutes)."""
    backend = sender if isinstance(sender, type) else type(sender)  # db_worker sends the backend, not its class
    if issubclass(backend, DatabaseBackend):
        interrupted_check_all()


task_started.connect(_check_before_a_task, dispatch_uid="shnor_portal.jobs.interrupted_check")
