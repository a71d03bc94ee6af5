"""The yearly report's export as a task of the worker (shnor_portal.jobs): queued by the report page, written by
`manage.py db_worker`, its progress polled by the page; an export whose worker died is marked and started again."""

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from schools.models import Municipality, Region
from shnor_portal import jobs

from .access import can_export_report
from .models import ReportExport
from .yearly_report import ReportError, report_export_run, report_territory

logger = logging.getLogger(__name__)
STATE = "status"


@task()
def report_export(export_pk: int) -> None:
    """Write a queued export; an error is recorded on the export (FAILED, with its message) and logged."""
    if not jobs.claim(ReportExport.objects.filter(pk=export_pk), state=STATE, started_at=timezone.now()):
        logger.warning("Yearly report export %s is not queued: nothing to do", export_pk)
        return
    report_export_run(export_pk)


def report_export_start(
    *, actor, year: int, municipality: Municipality | None, region: Region | None = None
) -> ReportExport:
    """Record the export and queue its task, in one transaction: the worker never sees one without the other. A
    region (the federal operator's choice, or a department's of several) needs the right to export a whole
    territory; the export keeps the name of what it covers."""
    if not can_export_report(actor, municipality if region is None else None):
        raise ReportError(
            "Годовой отчёт по всему региону выгружает управление образования, координатор — только по своему "
            "муниципалитету."
        )
    territory = report_territory(actor, municipality=municipality, region=region)
    with transaction.atomic():
        export = ReportExport.objects.create(
            year=year, municipality=municipality, region=region, territory=territory[:300], requested_by=actor
        )
        jobs.enqueue_job(report_export, ReportExport.objects.filter(pk=export.pk), export.pk)
    return export


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
