"""The yearly report: one xlsx whose summary and by-municipality sheets equal the dashboards, scoped like every
export, safe (no formula cells), typed (numbers, percentages, dates), readable by LibreOffice; exported in the
background with progress, downloadable only within scope; and the same from the command line."""

import csv
import datetime
import io
import os
import re
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.figures import FIGURES
from monitoring.models import ReportExport
from monitoring.yearly_report import report_write
from partnerships.models import Practice
from schools.models import School
from schools.school_year import current_school_year
from tests.seeding import seed_or_replay

from .test_dashboards import _grow, figures_in

pytestmark = pytest.mark.django_db

SHEETS = [
    "Сводка", "По муниципалитетам", "По школам", "Показатели", "Программы и экспертиза", "Дорожные карты",
    "Просроченные мероприятия", "Договоры и сопровождение", "Мероприятия", "Тьюторство и ИПРП", "Банк практик",
    "Динамика результатов",
    "Акты за год",
    "Цели",
]


@pytest.fixture
def yr(mon):
    from partnerships.demo import seed_partnerships

    seed_or_replay(seed_partnerships)
    return mon


def export_via_browser(client, user, *, year, municipality=None) -> openpyxl.Workbook:
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the task writes the report once the request commits
        response = client.post(reverse("monitoring:report"), {"year": year, "municipality": municipality or ""})
    assert response.status_code == 302, response.content.decode()[:500]
    export = ReportExport.objects.latest("pk")
    assert response.url == reverse("monitoring:report_export", args=[export.pk])
    html = client.get(response.url).content.decode()
    assert reverse("monitoring:report_export_download", args=[export.pk]) in html
    download = client.get(reverse("monitoring:report_export_download", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    return openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))


def as_shown(value, kind) -> str:
    """A cell read back from the xlsx, as the dashboard's data-value writes it."""
    if value is None:
        return ""
    if kind == "percent":
        return str(round(float(value) * 100, 1))
    return str(value)


def test_summary_and_by_municipality_sheets_equal_the_dashboards(client, yr):
    department = yr.users["department"]
    workbook = export_via_browser(client, department, year=yr.year)
    assert workbook.sheetnames == SHEETS
    kinds = {f.key: f.kind for f in FIGURES}
    # summary ↔ the department's dashboard, «all figures» block
    client.force_login(department)
    overview = client.get(reverse("monitoring:dashboard"), {"year": yr.year}).content.decode()
    shown_total = figures_in(overview[overview.index('id="totals"'):], municipality="total")
    summary = {row[3]: row[2] for row in workbook["Сводка"].iter_rows(min_row=2, values_only=True)}
    assert summary["year"] == f"{yr.year - 1}/{str(yr.year)[-2:]}"
    checked = 0
    for key, kind in kinds.items():
        assert as_shown(summary[key], kind) == shown_total[key][1], key
        checked += 1
    assert checked == len(FIGURES)
    # by municipality ↔ each municipality's dashboard page
    sheet = workbook["По муниципалитетам"]
    header = [c.value for c in sheet[1]]
    assert header[1:] == [f.label for f in FIGURES]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    municipalities = list(yr.municipality_a.region.municipalities.all())
    assert set(rows) == {m.name for m in municipalities} | {"Итого"}
    for municipality in municipalities:
        page = client.get(
            reverse("monitoring:dashboard_municipality", args=[municipality.pk]), {"year": yr.year}
        ).content.decode()
        shown = figures_in(page, municipality=str(municipality.pk))
        for figure, value in zip(FIGURES, rows[municipality.name], strict=True):
            assert as_shown(value, figure.kind) == shown[figure.key][1], (municipality.name, figure.key)
    # and the total row equals the summary
    for figure, value in zip(FIGURES, rows["Итого"], strict=True):
        assert as_shown(value, figure.kind) == as_shown(summary[figure.key], figure.kind), figure.key
    assert rows[yr.municipality_a.name][[f.key for f in FIGURES].index("shnor")] > 0


def test_a_coordinators_report_holds_their_municipality_only(client, yr):
    workbook = export_via_browser(client, yr.users["coordinator"], year=yr.year, municipality=yr.municipality_a.pk)
    names_a = set(School.objects.filter(municipality=yr.municipality_a).values_list("short_name", flat=True))
    schools = [row[1] for row in workbook["По школам"].iter_rows(min_row=2, values_only=True)]
    assert set(schools) == names_a
    municipalities = {row[0] for row in workbook["По муниципалитетам"].iter_rows(min_row=2, values_only=True)}
    assert municipalities == {yr.municipality_a.name, "Итого"}


def test_the_outsider_gets_no_row_and_no_file_of_municipality_a(client, yr):
    outsider = yr.users["coordinator_b"]
    export_via_browser(client, yr.users["coordinator"], year=yr.year, municipality=yr.municipality_a.pk)
    export_a = ReportExport.objects.latest("pk")
    client.force_login(outsider)
    for name in ("monitoring:report_export", "monitoring:report_export_progress", "monitoring:report_export_download"):
        assert client.get(reverse(name, args=[export_a.pk])).status_code == 404, name
    assert str(export_a.pk) not in re.findall(r'data-export="(\d+)"', client.get(reverse("monitoring:report")).content.decode())
    # asking for A's report: 404; for the whole region: 403; nothing is recorded
    before = ReportExport.objects.count()
    assert client.post(reverse("monitoring:report"), {"year": yr.year, "municipality": yr.municipality_a.pk}).status_code == 404
    assert client.post(reverse("monitoring:report"), {"year": yr.year, "municipality": ""}).status_code == 403
    assert ReportExport.objects.count() == before
    # the outsider's own report has no school, name or row of A in any sheet
    workbook = export_via_browser(client, outsider, year=yr.year, municipality=yr.municipality_b.pk)
    names_a = set(School.objects.filter(municipality=yr.municipality_a).values_list("short_name", flat=True))
    cells = {str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    assert not cells & names_a
    assert yr.municipality_a.name not in cells
    # the file is stored under a random name and not served by URL
    assert re.fullmatch(r"monitoring/reports/[0-9a-f]{32}\.xlsx", export_a.file.name)
    assert client.get("/media/" + export_a.file.name).status_code == 404


@pytest.mark.parametrize("username", ["school", "curator", "tutor"])
def test_other_roles_cannot_export_or_download(client, yr, username):
    export_via_browser(client, yr.users["department"], year=yr.year)
    export = ReportExport.objects.latest("pk")
    client.force_login(yr.users[username])
    assert client.get(reverse("monitoring:report")).status_code == 403
    assert client.post(reverse("monitoring:report"), {"year": yr.year}).status_code == 403
    assert client.get(reverse("monitoring:report_export_download", args=[export.pk])).status_code == 404


def test_department_downloads_a_coordinators_export_and_the_coordinator_not_the_regions(client, yr):
    export_via_browser(client, yr.users["coordinator"], year=yr.year, municipality=yr.municipality_a.pk)
    coordinators = ReportExport.objects.latest("pk")
    export_via_browser(client, yr.users["department"], year=yr.year)
    regions = ReportExport.objects.latest("pk")
    client.force_login(yr.users["department"])
    assert client.get(reverse("monitoring:report_export_download", args=[coordinators.pk])).status_code == 200
    client.force_login(yr.users["coordinator"])
    assert client.get(reverse("monitoring:report_export_download", args=[regions.pk])).status_code == 404


def test_cells_are_typed_headers_frozen_and_nothing_runs_as_a_formula(client, yr):
    school = School.objects.filter(municipality=yr.municipality_a).exclude(pk=yr.school.pk).first()
    school.short_name = '=HYPERLINK("http://evil.example","нажми")'
    school.save()
    Practice.objects.filter(status=Practice.Status.PUBLISHED).update(title="+1+2 @SUM(A1) -3")
    path = Path(tempfile.mkdtemp()) / "report.xlsx"
    report_write(path, user=yr.users["department"], year=yr.year)
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert sheet.column_dimensions["A"].width >= 9, sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    by_school = [row for row in workbook["По школам"].iter_rows(min_row=2) if row[1].value.startswith("=HYPERLINK")]
    assert len(by_school) == 1
    practices = [r[2].value for r in workbook["Банк практик"].iter_rows(min_row=2)]
    assert "+1+2 @SUM(A1) -3" in practices
    # numbers as numbers, shares as percentages, dates as dates
    row = next(workbook["По муниципалитетам"].iter_rows(min_row=2))
    header = [c.value for c in workbook["По муниципалитетам"][1]]
    shnor = row[header.index("ШНОР (включая ШНОР и ШНСУ одновременно)")]
    assert isinstance(shnor.value, int)
    share = row[header.index("Доля школ перечня со школьной программой, %")]
    assert share.number_format == "0.0%" and (share.value is None or 0 <= share.value <= 1)
    period = {r[3].value: r[2] for r in workbook["Сводка"].iter_rows(min_row=2)}["period_start"]
    assert period.is_date and period.value.date() == datetime.date(yr.year - 1, 9, 1)
    overdue = list(workbook["Просроченные мероприятия"].iter_rows(min_row=2))
    assert overdue and all(isinstance(r[5].value, str) and isinstance(r[6].value, int) and r[6].value > 0 for r in overdue)


def test_the_file_opens_in_libreoffice(yr, tmp_path):
    path = tmp_path / "report.xlsx"
    report_write(path, user=yr.users["department"], year=yr.year)
    out = tmp_path / "out"
    home = tempfile.mkdtemp()
    result = subprocess.run(
        ["libreoffice", "--headless", "--norestore", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1",
         "--outdir", str(out), str(path)],
        env={**os.environ, "HOME": home}, capture_output=True, timeout=180, check=False,
    )
    converted = out / "report.csv"
    assert converted.exists(), result.stderr.decode(errors="replace")
    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"))))
    assert rows[0] == ["Раздел", "Показатель", "Значение", "Код", "Строки на портале"]
    values = {row[3]: row[2] for row in rows[1:]}
    assert values["schools"] == str(School.objects.count())
    assert values["with_programme_share"].endswith("%")


def test_report_writes_a_constant_number_of_queries_as_schools_grow(yr, tmp_path):
    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            report_write(tmp_path / "r.xlsx", user=yr.users["department"], year=yr.year)
        return len(context)

    count()  # warm up: the user's reach is read once and kept
    _grow(yr, 5)
    small = count()
    _grow(yr, 80)
    assert count() == small
    workbook = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert sum(1 for _row in workbook["По школам"].iter_rows()) == School.objects.count() + 1


def test_progress_page_polls_until_the_file_is_ready(client, yr, settings):
    """With the job not yet run, the page shows a progress bar that htmx polls; then the download link."""
    client.force_login(yr.users["department"])
    export = ReportExport.objects.create(year=yr.year, requested_by=yr.users["department"], progress=40,
                                         status=ReportExport.Status.RUNNING, stage="Лист «По школам»",
                                         beat_at=timezone.now())
    html = client.get(reverse("monitoring:report_export", args=[export.pk])).content.decode()
    assert f'hx-get="{reverse("monitoring:report_export_progress", args=[export.pk])}"' in html
    assert 'data-progress="40"' in html and "Лист «По школам»" in html and 'role="progressbar"' in html
    partial = client.get(reverse("monitoring:report_export_progress", args=[export.pk])).content.decode()
    assert 'data-progress="40"' in partial and not re.search(r"\son[a-z]+=|style=|<script", partial)
    assert client.get(reverse("monitoring:report_export_download", args=[export.pk])).status_code == 404
    from monitoring.yearly_report import report_export_run

    report_export_run(export.pk)
    partial = client.get(reverse("monitoring:report_export_progress", args=[export.pk])).content.decode()
    assert "hx-get" not in partial and reverse("monitoring:report_export_download", args=[export.pk]) in partial


def test_a_failed_export_says_so(client, yr, monkeypatch):
    from monitoring import yearly_report

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(yearly_report, "report_write", broken)
    client.force_login(yr.users["department"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("monitoring:report"), {"year": yr.year})
    export = ReportExport.objects.latest("pk")
    assert export.status == ReportExport.Status.FAILED and not export.file
    assert "Отчёт не сформирован" in client.get(response.url).content.decode()


# --- the command -----------------------------------------------------------------------------------------------------


def test_command_writes_the_report(yr, tmp_path):
    out = tmp_path / "otchet.xlsx"
    stdout = io.StringIO()
    call_command("export_yearly_report", "--year", str(yr.year), "--out", str(out), stdout=stdout)
    assert "записан" in stdout.getvalue()
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == SHEETS
    out_a = tmp_path / "a.xlsx"
    call_command("export_yearly_report", "--year", str(yr.year), "--municipality", str(yr.municipality_a.pk),
                 "--out", str(out_a), stdout=io.StringIO())
    municipalities = {r[0] for r in openpyxl.load_workbook(out_a)["По муниципалитетам"].iter_rows(min_row=2, values_only=True)}
    assert municipalities == {yr.municipality_a.name, "Итого"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--year", "1999"], "вне допустимого диапазона"),
        (["--year", "двадцать"], "Учебный год указывают числом"),
        (["--year", "2027", "--municipality", "999999"], "Муниципалитета с кодом 999999 нет"),
        (["--year", "2027", "--municipality", "A"], "Код муниципалитета — целое число"),
    ],
)
def test_command_refuses_bad_input_in_russian(yr, tmp_path, args, message):
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_yearly_report", *args, "--out", str(out))
    assert not out.exists() and not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".yearly-report-*"))


def test_command_refuses_a_missing_folder(yr, tmp_path):
    with pytest.raises(CommandError, match="Папки"):
        call_command("export_yearly_report", "--year", str(yr.year), "--out", str(tmp_path / "нет" / "x.xlsx"))


# --- the queue -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_export_is_queued_with_its_request_and_written_by_the_worker(client, demo, settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from monitoring.demo import seed_monitoring
    from programs.demo import seed_programmes
    from tests.jobs.worker import DATABASE_QUEUE, run_worker_here

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE
    seed_programmes()
    seed_or_replay(seed_monitoring)
    client.force_login(demo["department"])
    response = client.post(reverse("monitoring:report"), {"year": current_school_year()})
    assert response.status_code == 302
    export = ReportExport.objects.latest("pk")
    task = DBTaskResult.objects.get()
    assert (export.status, export.task_id, task.task_path) == ("queued", str(task.pk), "monitoring.tasks.report_export")
    assert "Ожидает начала" in client.get(response.url).content.decode()  # the request did not write it

    run_worker_here()
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE, export.error
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    download = client.get(reverse("monitoring:report_export_download", args=[export.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames == SHEETS
