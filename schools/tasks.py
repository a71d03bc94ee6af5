"""The identification run as a task of the worker (shnor_portal.jobs): queued by the run page, computed by
`manage.py db_worker`, its progress polled by the page; a run whose worker died is marked and started again."""

import logging

from django_tasks import task

from shnor_portal import jobs

from .identification import run_execute
from .models import IdentificationRun

logger = logging.getLogger(__name__)
STATE = "state"


@task()
def identification_run(run_pk: int) -> None:
    """Compute a queued run. An error is recorded on the run (FAILED, with its message) and logged."""
    rows = IdentificationRun.objects.filter(pk=run_pk)
    if not jobs.claim(rows, state=STATE):
        logger.warning("Identification run %s is not queued: nothing to do", run_pk)
        return
    try:
        run_execute(rows.get())
    except Exception:  # already recorded on the run as FAILED
        logger.exception("Identification run %s failed", run_pk)


def run_enqueue(run: IdentificationRun) -> None:
    """Queue the computation of a new run (with the transaction that created it, if any)."""
    jobs.enqueue_job(identification_run, IdentificationRun.objects.filter(pk=run.pk), run.pk)


def run_retry(run: IdentificationRun) -> bool:
    """Queue a failed run again, from the start; False if it had not failed."""
    return jobs.retry_job(
        identification_run, IdentificationRun.objects.filter(pk=run.pk), run.pk, state=STATE, progress=0, stage=""
    )


@jobs.register_interrupted_check
def runs_mark_interrupted() -> int:
    """Mark failed the runs whose worker died."""
    return jobs.interrupted_mark(IdentificationRun.objects.all(), state=STATE)
