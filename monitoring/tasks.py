"""The yearly report's export as a task of the worker (shnor_portal.jobs): queued by the report page, written by
`manage.py db_worker`, its progress polled by the page; an export whose worker died is marked and started again."""

import logging

from django.utils import timezone
from django_tasks import task

from shnor_portal import jobs

from .models import ReportExport
from .yearly_report import report_export_run

logger = logging.getLogger(__name__)
STATE = "status"


@task()
def report_export(export_pk: int) -> None:
    """Write a queued export; an error is recorded on the export (FAILED, with its message) and logged."""
    if not jobs.claim(ReportExport.objects.filter(pk=export_pk), state=STATE, started_at=timezone.now()):
        logger.warning("Yearly report export %s is not queued: nothing to do", export_pk)
        return
    report_export_run(export_pk)


def report_export_enqueue(export: ReportExport) -> None:
    """Queue a new export (with the transaction that created it)."""
    jobs.enqueue_job(report_export, ReportExport.objects.filter(pk=export.pk), export.pk)


def report_export_retry(export: ReportExport) -> bool:
    """Queue a failed export again, from the start; False if it had not failed."""
    return jobs.retry_job(
        report_export, ReportExport.objects.filter(pk=export.pk), export.pk, state=STATE, progress=0, stage="",
        started_at=None,
    )


@jobs.register_interrupted_check
def exports_mark_interrupted() -> int:
    """Mark failed the exports whose worker died."""
    return jobs.interrupted_mark(ReportExport.objects.all(), state=STATE)
