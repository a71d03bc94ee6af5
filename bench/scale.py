"""Benchmark: the portal at a region's and at the country's scale, each figure beside its floor, in one table.

    make bench                                   # 1,000 then 40,000 schools on a throwaway PostgreSQL
    SCHOOLS_SMALL=200 SCHOOLS_LARGE=2000 make bench   # a quick run

For each scale the database is filled by the generator (`manage.py generate_scale`, `portal.scale`), then:

* main pages, served in-process by the Django test client as the user of the right role, against the floor — a
  view that renders `base.html` with one query (`bench/floor_urls.py`, never routed by the portal); requests to
  the page and to the floor alternate, so that both see the same noise; medians of REPEAT requests each. The
  query count of every page must be the same at both scales.
* an identification run over all schools × 3 years against reading the same rows with one query;
* the import of generated result values (25 per school: 1,000,000 at 40,000 schools) through the portal's import
  service (matching and saving) against PostgreSQL COPY of the same rows into the same table;
* throughput of the registry and the dashboard under gunicorn (workers = cores), driven by wrk from a second
  process, against the floor under the same server;
* at the large scale, the yearly report (`export_yearly_report` in its own process, with its peak memory) against
  the same cells written by openpyxl write-only (`bench/report_floor.py`), and the real ЕГЭ workbook (when
  ../shared/data/real is there): reading the xlsx, then matching and saving against COPY.

BENCH_REUSE=1 measures the data already in the database (one scale, no generation); BENCH_ONLY=step,step picks
steps by their Russian names (страницы, пропускная способность, идентификация, импорт, годовой отчёт).

Prints one table (Markdown, so that it can be pasted into docs/PERFORMANCE.md). Not a test: timings on a shared
machine are noisy, the ratios to the floors are what to read.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shnor_portal.settings")
os.environ.setdefault("NOTIFICATIONS_EMAIL_AT_ONCE", "0")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django  # noqa: E402

django.setup()

import io  # noqa: E402
import random  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from monitoring.access import dashboard_municipalities  # noqa: E402
from monitoring.summaries import figures_changed  # noqa: E402
from partnerships.models import Agreement  # noqa: E402
from portal.scale import generate  # noqa: E402
from programs.models import Programme  # noqa: E402
from schools.ege_workbook import parse_ege_workbook  # noqa: E402
from schools.identification import run_execute, run_start  # noqa: E402
from schools.measures import EGE_SUBJECTS, measure_code, measures_by_code  # noqa: E402
from schools.models import (  # noqa: E402
    IdentificationRun,
    Municipality,
    RoleAssignment,
    School,
    SchoolResult,
    SchoolYearProfile,
    SchoolYearStatus,
    Status,
)
from schools.results_file import ParsedRow, ParsedWorkbook  # noqa: E402
from schools.results_import import results_import_preview, results_import_save  # noqa: E402
from shnor_portal.pg_copy import copy_from  # noqa: E402

REPEAT = int(os.environ.get("REPEAT", "15"))
VALUES_PER_SCHOOL = 25
REAL_WORKBOOK = ROOT.parent / "shared" / "data" / "real" / "ege-dfo-schools" / "zabaykalsky_krai_ege_2022_2024.xlsx"

BENCH_SETTINGS = {
    "ROOT_URLCONF": "bench.floor_urls",
    "ALLOWED_HOSTS": ["testserver"],
    "DEBUG": False,
    # No collectstatic here: plain static storage, as the tests do.
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}

ROWS: list[dict] = []  # what, scale, value, floor, ratio, target, ok
PAGE_QUERIES: dict[str, dict[int, int]] = {}


def row(what, scale, value, floor, target, ok, unit="мс"):
    ratio = value / floor if floor else None
    ROWS.append({"what": what, "scale": scale, "value": value, "floor": floor, "ratio": ratio, "target": target,
                 "ok": ok, "unit": unit})  # fmt: skip


def say(text):
    print(text, flush=True)


# --- pages ------------------------------------------------------------------------------------------------------


def _timed_get(client, url) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: ответ {response.status_code}")
    return elapsed


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def _subjects():
    """The users and objects of the pages: the department of the first region (issue 20: a region's department, not a
    country-wide one), the federal operator; the coordinator of the municipality with most ШНОР, its first ШНОР with
    a programme and an agreement."""
    User = get_user_model()
    year = SchoolYearStatus.objects.order_by("-year").values_list("year", flat=True).first()
    shnor = SchoolYearStatus.objects.filter(year=year, status__in=[Status.SHNOR, Status.BOTH])
    by_municipality = {}
    for municipality_id in shnor.values_list("school__municipality_id", flat=True):
        by_municipality[municipality_id] = by_municipality.get(municipality_id, 0) + 1
    municipality_id = max(sorted(by_municipality), key=lambda pk: by_municipality[pk])
    programme = (
        Programme.objects.filter(kind=Programme.Kind.TRANSITION, municipality_id=municipality_id, round=1,
                                 state=Programme.State.ACCEPTED, school__support_agreements__isnull=False)  # fmt: skip
        .order_by("pk")
        .first()
    )
    coordinator = User.objects.get(
        role_assignments__role=RoleAssignment.Role.COORDINATOR, role_assignments__municipality_id=municipality_id
    )
    department = User.objects.get(username="department")
    department_municipality = dashboard_municipalities(department).order_by("name").first()
    return {
        "department": department,
        # a municipality of the department's region: the one a change is made in for its dashboard
        "department_municipality": department_municipality,
        "region": department_municipality.region,
        "federal": User.objects.get(username="federal"),
        "coordinator": coordinator,
        "school": programme.school,
        "programme": programme,
        "municipality": Municipality.objects.get(pk=municipality_id),
    }


def pages(scale: int) -> None:
    subjects = _subjects()
    pages = [
        ("реестр школ (управление)", "department", reverse("schools:list")),
        ("реестр школ (координатор)", "coordinator", reverse("schools:list")),
        ("страница школы ШНОР", "coordinator", reverse("schools:detail", args=[subjects["school"].pk])),
        ("программа ШНОР, 30 мероприятий", "coordinator", reverse("programs:detail", args=[subjects["programme"].pk])),
        ("договоры (управление)", "department", reverse("partnerships:agreements")),
        ("договоры (координатор)", "coordinator", reverse("partnerships:agreements")),
        ("занятия по договорам (управление)", "department", reverse("partnerships:sessions")),
        ("банк практик (управление)", "department", reverse("partnerships:practices")),
        ("дашборд управления", "department", reverse("monitoring:dashboard")),
        ("дашборд муниципалитета (координатор)", "coordinator",
         reverse("monitoring:dashboard_municipality", args=[subjects["municipality"].pk])),
        ("реестр школ (федеральный оператор)", "federal", reverse("schools:list")),
        ("дашборд (федеральный оператор)", "federal", reverse("monitoring:dashboard")),
        # the department's region as anybody reads it, without an account (public_pages)
        ("открытая страница региона", "anonymous", reverse("public:region", args=[subjects["region"].pk])),
        ("открытые акты региона", "anonymous", reverse("public:acts", args=[subjects["region"].pk])),
        ("открытый банк практик региона", "anonymous", reverse("public:practices", args=[subjects["region"].pk])),
    ]
    # The dashboards' figures are read from their summaries (monitoring.summaries): the same pages again, each
    # request right after a change in the coordinator's municipality and in one of the department's region marked
    # their summaries for the worker.
    recounted = [
        ("реестр школ (управление)", "department", reverse("schools:list")),
        ("дашборд управления", "department", reverse("monitoring:dashboard")),
        ("дашборд муниципалитета (координатор)", "coordinator",
         reverse("monitoring:dashboard_municipality", args=[subjects["municipality"].pk])),
    ]
    clients = {"anonymous": Client()}
    for role in ("department", "coordinator", "federal"):
        clients[role] = Client()
        clients[role].force_login(subjects[role])
    floor_url = reverse("bench_floor")
    for label, role, url, after_change in [(*page, False) for page in pages] + [(*page, True) for page in recounted]:
        client = clients[role]

        def get_page(client=client, url=url, after_change=after_change):
            if after_change:
                figures_changed(municipality_ids=[subjects["municipality"].pk, subjects["department_municipality"].pk])
            return _timed_get(client, url)

        for _ in range(3):  # warm up: templates, sessions, content types, the connection
            get_page()
            _timed_get(client, floor_url)
        page_times, floor_times = [], []
        for _ in range(REPEAT):
            floor_times.append(_timed_get(client, floor_url))
            page_times.append(get_page())
        page_ms, floor_ms = 1000 * statistics.median(page_times), 1000 * statistics.median(floor_times)
        if after_change:
            figures_changed(municipality_ids=[subjects["municipality"].pk, subjects["department_municipality"].pk])
            label = f"{label}, сразу после изменения данных"
        queries = _queries(client, url)
        row(f"страница: {label} ({queries} запр.)", scale, page_ms, floor_ms, "≤ 3× пола", page_ms <= 3 * floor_ms)
        PAGE_QUERIES.setdefault(label, {})[scale] = queries
        say(f"  {label}: {page_ms:.1f} мс, пол {floor_ms:.1f} мс, запросов {queries}")


# --- summaries --------------------------------------------------------------------------------------------------


def summaries(scale: int) -> None:
    """The dashboards' summaries (monitoring.summaries): the first count of every municipality of the country (what
    a new year's first look pays, region by region), against one count of the whole country as before; then the
    worker's refresh after a change in one municipality — what bounds how far a dashboard is behind the data."""
    from monitoring.figures import count_figures
    from monitoring.models import FigureSummary
    from monitoring.summaries import figures_read, figures_refresh
    from schools.school_year import current_school_year

    year = current_school_year()
    municipalities = list(Municipality.objects.order_by("name"))
    FigureSummary.objects.all().delete()
    started = time.perf_counter()
    figures_read(municipalities=municipalities, year=year)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    count_figures(user=None, year=year, municipalities=municipalities)
    whole = time.perf_counter() - started
    row(f"сводки: первый подсчёт {len(municipalities)} муниципалитетов, по регионам", scale, cold * 1000,
        whole * 1000, "(справочно: пол — один подсчёт всей страны)", None)  # fmt: skip
    one = municipalities[len(municipalities) // 2]
    times = []
    for _ in range(5):
        figures_changed(municipality_ids=[one.pk])
        started = time.perf_counter()
        assert figures_refresh.call() == 1
        times.append(time.perf_counter() - started)
    refresh_ms = 1000 * statistics.median(times)
    row("сводки: пересчёт одного муниципалитета после изменения (задание)", scale, refresh_ms, None,
        "≤ 2 мин отставания", refresh_ms < 120_000)  # fmt: skip
    say(f"  первый подсчёт {cold:.1f} с (вся страна одним подсчётом {whole:.1f} с), пересчёт одного {refresh_ms:.0f} мс")


# --- identification -----------------------------------------------------------------------------------------------


def identification(scale: int) -> None:
    """A run of the largest region (a run covers one territory, issue 20) against reading that region's rows."""
    year = IdentificationRun.objects.order_by("-year").values_list("year", flat=True).first()
    region_id = (
        School.objects.values("municipality__region_id").annotate(n=Count("pk")).order_by("-n")
        .values_list("municipality__region_id", flat=True).first()
    )  # fmt: skip

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.school_id, r.year, r.measure_id, r.value FROM schools_schoolresult r "
                "JOIN schools_school s ON s.id = r.school_id JOIN schools_municipality m ON m.id = s.municipality_id "
                "WHERE r.year BETWEEN %s AND %s AND m.region_id = %s",
                [year - 2, year, region_id],
            )
            rows = cursor.fetchall()
        profiles = SchoolYearProfile.objects.filter(year__gte=year - 2, school__municipality__region_id=region_id)
        return len(rows) + len(list(profiles.values_list().order_by()))

    floors = []
    for _ in range(3):
        started = time.perf_counter()
        floor()
        floors.append(time.perf_counter() - started)
    started = time.perf_counter()
    run_execute(run_start(region_id=region_id, year=year, actor=None, note="Бенчмарк"))
    seconds = time.perf_counter() - started
    floor_seconds = statistics.median(floors)
    ok = seconds <= 3 * floor_seconds and seconds < 10
    row(f"идентификация региона: {scale} школ в стране × 3 года", scale, seconds, floor_seconds, "≤ 3× пола и < 10 с", ok, unit="с")
    say(f"  идентификация: {seconds:.2f} с, пол {floor_seconds:.2f} с")


# --- import -----------------------------------------------------------------------------------------------------------


def _copy(rows) -> float:
    buffer = io.StringIO()
    for school_id, year, measure_id, value in rows:
        buffer.write(f"{school_id}\t{year}\t{measure_id}\t{value!r}\n")
    buffer.seek(0)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        copy_from(cursor, "COPY schools_schoolresult (school_id, year, measure_id, value) FROM STDIN", buffer.getvalue())
    return time.perf_counter() - started


def _delete_year(year: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM schools_schoolresult WHERE year = %s", [year])


def generated_import(scale: int) -> None:
    rng = random.Random(3)
    year = SchoolResult.objects.order_by("-year").values_list("year", flat=True).first() + 1
    metrics = ["participants", "below_min", "high_80_99", "score_100", "mean_score"]
    codes = [measure_code("ege", subject, metric) for subject, _n, _w in EGE_SUBJECTS[:5] for metric in metrics]
    measures = measures_by_code(set(codes))
    schools = list(
        School.objects.values_list("pk", "short_name", "municipality__name", "municipality__region__name").order_by("pk")
    )
    # A results file covers one region (municipality names repeat across regions): one import per region.
    workbooks: dict[str, ParsedWorkbook] = {}
    for index, (_pk, short_name, municipality_name, region_name) in enumerate(schools):
        values = {code: float(rng.randint(0, 100)) for code in codes[:VALUES_PER_SCHOOL]}
        parsed = workbooks.setdefault(region_name, ParsedWorkbook(format="long", region_name=region_name))
        parsed.rows.append(ParsedRow(sheet="Бенчмарк", excel_row=index + 2, municipality_name=municipality_name,
                                     school_name=short_name, values=values, year=year))  # fmt: skip
    rows_in_order = {id(r): r for parsed in workbooks.values() for r in parsed.rows}
    total = sum(len(r.values) for r in rows_in_order.values())
    started = time.perf_counter()
    for region_name, parsed in workbooks.items():
        preview = results_import_preview(parsed=parsed)
        if preview.unmatched or preview.errors:
            raise RuntimeError(
                f"Импорт ({region_name}): не сопоставлено {len(preview.unmatched)}, ошибок {len(preview.errors)}"
            )
        results_import_save(preview=preview, file_name=f"бенчмарк {region_name}.xlsx")
    seconds = time.perf_counter() - started
    parsed_rows = sorted(rows_in_order.values(), key=lambda r: r.excel_row)
    copied = [(pk, year, measures[code].pk, value) for (pk, *_names), r in zip(schools, parsed_rows, strict=True)
              for code, value in r.values.items()]  # fmt: skip
    _delete_year(year)
    copy_seconds = _copy(copied)
    _delete_year(year)
    rate = total / seconds
    row(f"импорт {total:_} сгенерированных значений; значений/с: {rate:_.0f}".replace("_", " "), scale, seconds,
        copy_seconds, "≥ 50 000/с и ≤ 5× COPY", rate >= 50_000 and seconds <= 5 * copy_seconds, unit="с")  # fmt: skip
    say(f"  импорт: {total} значений за {seconds:.2f} с ({rate:,.0f}/с), COPY {copy_seconds:.2f} с")


def real_workbook_import(scale: int) -> None:
    if not REAL_WORKBOOK.exists():
        ROWS.append({"what": f"импорт реальной книги ЕГЭ: нет файла {REAL_WORKBOOK}", "scale": scale, "todo": True})
        return
    started = time.perf_counter()
    with open(REAL_WORKBOOK, "rb") as handle:
        parsed = parse_ege_workbook(handle)
    read_seconds = time.perf_counter() - started
    if not parsed.ok:
        raise RuntimeError("Реальная книга ЕГЭ не прочитана: " + "; ".join(parsed.errors.messages()[:3]))
    started = time.perf_counter()
    preview = results_import_preview(parsed=parsed)
    with transaction.atomic():
        imported = results_import_save(preview=preview, create_missing=True, file_name=REAL_WORKBOOK.name)
        seconds = time.perf_counter() - started
        copied = list(SchoolResult.objects.filter(source=imported).values_list("school_id", "year", "measure_id", "value"))
        transaction.set_rollback(True)  # leave the database as generated
    total = len(copied)
    with transaction.atomic():
        copy_seconds = _copy(copied)
        transaction.set_rollback(True)
    rate = total / (seconds + read_seconds)
    row(f"реальная книга ЕГЭ ({REAL_WORKBOOK.name}): чтение xlsx, {total} значений", scale, read_seconds, None,
        "(справочно)", None, unit="с")  # fmt: skip
    row(f"реальная книга ЕГЭ: сопоставление и запись; с чтением {rate:_.0f} значений/с".replace("_", " "), scale, seconds,
        copy_seconds, "≥ 50 000/с и ≤ 5× COPY", rate >= 50_000 and seconds <= 5 * copy_seconds, unit="с")  # fmt: skip
    say(f"  реальная книга: чтение {read_seconds:.2f} с, запись {seconds:.2f} с, COPY {copy_seconds:.3f} с")


# --- the table ----------------------------------------------------------------------------------------------------


# --- the yearly report ----------------------------------------------------------------------------------------


def yearly_report(scale: int) -> None:
    """`export_yearly_report` of the whole country in a process of its own (for its peak memory), against the same
    number of cells in sheets of the same shape written by openpyxl write-only (bench/report_floor.py)."""
    import json
    import subprocess
    import tempfile

    from schools.school_year import current_school_year

    folder = Path(tempfile.mkdtemp())
    report, floor_file, shapes = folder / "report.xlsx", folder / "floor.xlsx", folder / "shapes.json"
    # The command runs in a process that prints its own peak memory at the end: VmHWM of its own address space.
    # Neither RUSAGE_CHILDREN (it counts the gunicorn workers of the throughput step) nor the child's ru_maxrss
    # (Linux carries it over exec from the forked copy of this process, a gigabyte after the identification step).
    command = ["manage.py", "export_yearly_report", "--year", str(current_school_year()), "--out", str(report)]
    wrapper = (
        "import runpy, sys\n"
        f"sys.argv = {command!r}\n"
        "try:\n    runpy.run_path('manage.py', run_name='__main__')\n"
        "finally:\n"
        "    hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM:')][0]\n"
        "    print('PEAK_KB', hwm.split()[1])\n"
    )
    # Report and floor alternate; the best of each is compared (a single pair of runs varies by half here).
    report_times, floor_times, peak_mb = [], [], 0.0
    for _ in range(int(os.environ.get("REPORT_REPEAT", "2"))):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", wrapper], cwd=ROOT, check=True, capture_output=True, text=True)
        report_times.append(time.perf_counter() - started)
        peak_mb = max(peak_mb, int(out.stdout.rsplit("PEAK_KB", 1)[1].split()[0]) / 1024)
        sheets = _sheet_shapes(report)
        shapes.write_text(json.dumps(sheets))
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "bench" / "report_floor.py"), str(shapes), str(floor_file)],
                       check=True)  # fmt: skip
        floor_times.append(time.perf_counter() - started)
    report_s, floor_s = min(report_times), min(floor_times)
    cells = sum(rows * columns for _, rows, columns in sheets)
    size = f"{cells:_} ячеек, {report.stat().st_size // 1024:_} КБ".replace("_", " ")
    row(f"годовой отчёт: {size}; пик памяти {peak_mb:.0f} МБ",
        scale, report_s, floor_s, "≤ 2× пола, память < 500 МБ", report_s <= 2 * floor_s and peak_mb < 500, unit="с")  # fmt: skip
    say(f"  отчёт {report_s:.1f} с, пол {floor_s:.1f} с, пик памяти {peak_mb:.0f} МБ")


def _sheet_shapes(path: Path) -> list[list]:
    """[title, rows, columns] of each sheet, read from the file's XML (a write-only workbook records no dimension)."""
    import re
    import zipfile

    import openpyxl

    titles = openpyxl.load_workbook(path, read_only=True).sheetnames
    shapes = []
    with zipfile.ZipFile(path) as archive:
        for number, title in enumerate(titles, start=1):
            xml = archive.read(f"xl/worksheets/sheet{number}.xml")
            first_row = re.search(rb"<row[^>]*>(.*?)</row>", xml, re.S)
            shapes.append([title, xml.count(b"<row"), first_row.group(1).count(b"<c ") if first_row else 0])
    return shapes


# --- throughput under gunicorn ------------------------------------------------------------------------------------


def _wrk(url: str, cookie: str, seconds: int) -> tuple[float, int]:
    """Requests per second and failed requests (non-2xx/3xx answers, socket errors) of `wrk` against one URL."""
    import re
    import subprocess

    # wrk gives up on a request after 2 s by default; a slow page must count as slow, not vanish as a timeout.
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "--timeout", "60s", "-H", f"Cookie: sessionid={cookie}", url],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    if socket := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(n) for n in socket.groups())
    return rps, errors


def throughput(scale: int) -> None:
    """The registry and the dashboard under gunicorn (as many workers as cores, PostgreSQL on the same machine),
    driven by `wrk` from a second process, against the floor view under the same server; floor, page, floor."""
    import shutil
    import socket
    import subprocess

    if not shutil.which("wrk"):
        raise RuntimeError("нет wrk: apt-get install wrk (make bench ставит его сам)")
    port = int(os.environ.get("BENCH_PORT", "8766"))
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "shnor_portal.wsgi", "--no-control-socket", "--workers",
         str(os.cpu_count()), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        client = Client()
        client.force_login(get_user_model().objects.get(username="department"))
        cookie = client.cookies["sessionid"].value
        base = f"http://127.0.0.1:{port}"
        seconds = int(os.environ.get("WRK_SECONDS", "10"))
        for label, path in [("реестр школ (управление)", reverse("schools:list")),
                            ("дашборд управления", reverse("monitoring:dashboard"))]:  # fmt: skip
            _wrk(base + path, cookie, 2)  # warm up
            time.sleep(5)  # requests still queued behind a slow page must not be counted against the floor
            floor_before, floor_errors = _wrk(base + reverse("bench_floor"), cookie, seconds)
            rps, errors = _wrk(base + path, cookie, seconds)
            time.sleep(5)
            floor_after, floor_errors_after = _wrk(base + reverse("bench_floor"), cookie, seconds)
            floor = (floor_before + floor_after) / 2
            row(f"пропускная способность под gunicorn: {label}; ошибок {errors}", scale, rps, floor,
                "≥ 50% пола, без ошибок", rps > 0 and rps >= 0.5 * floor and errors == 0, unit="запр./с")  # fmt: skip
            say(f"  {label}: {rps:.1f} запр./с, пол {floor:.1f} запр./с, ошибок {errors + floor_errors + floor_errors_after}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _number(value, unit):
    if value is None:
        return "—"
    return f"{value:.1f} {unit}" if unit == "мс" else f"{value:.2f} {unit}"


def print_table(scales) -> None:
    for label, counts in PAGE_QUERIES.items():
        if len(scales) == 2 and all(s in counts for s in scales):
            same = counts[scales[0]] == counts[scales[1]]
            ROWS.append({"what": f"запросов на странице «{label}»: {counts[scales[0]]} → {counts[scales[1]]}",
                         "scale": f"{scales[0]} → {scales[1]}", "value": None, "floor": None, "ratio": None,
                         "target": "одинаково", "ok": same, "unit": ""})  # fmt: skip
    print()
    print("| что | школ | значение | пол | отношение | цель | ok? |")
    print("| --- | ---: | ---: | ---: | ---: | --- | --- |")
    for r in ROWS:
        if r.get("todo"):
            print(f"| {r['what']} | {r['scale']} | — | — | — | — | TODO |")
            continue
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "—"
        ok = "—" if r["ok"] is None else ("да" if r["ok"] else "НЕТ")
        print(f"| {r['what']} | {r['scale']} | {_number(r['value'], r['unit'])} | {_number(r['floor'], r['unit'])} "
              f"| {ratio} | {r['target']} | {ok} |")  # fmt: skip


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kb = int(handle.readline().split()[1])
        memory = f", память {kb / 1024 / 1024:.1f} ГБ"
    except OSError:
        pass
    return f"ядер: {os.cpu_count()}{memory}, PostgreSQL {version}, Python {sys.version.split()[0]}, Django {django.get_version()}"


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("Бенчмарк меряет PostgreSQL: запустите его через scripts/with_postgres.sh (make bench).")
    call_command("migrate", verbosity=0)
    # BENCH_REUSE=1: measure the data already in the database (one scale, no generation) — for profiling a fix.
    reuse = os.environ.get("BENCH_REUSE") == "1"
    scales = (
        [School.objects.count()]
        if reuse
        else [int(os.environ.get("SCHOOLS_SMALL", "1000")), int(os.environ.get("SCHOOLS_LARGE", "40000"))]
    )
    say(f"Машина: {machine()}")
    with override_settings(**BENCH_SETTINGS):
        for index, scale in enumerate(scales):
            if not reuse:
                if index:
                    call_command("flush", interactive=False, verbosity=0)
                    ContentType.objects.clear_cache()
                say(f"\n== {scale} школ: генерация")
                started = time.perf_counter()
                generate(schools=scale, seed=1, out=say)
                results = f"{SchoolResult.objects.count():,}".replace(",", " ")
                row(f"генерация данных ({Agreement.objects.count()} договоров, {results} результатов)", scale,
                    time.perf_counter() - started, None, "(справочно)", None, unit="с")  # fmt: skip
            # A database is served vacuumed (autovacuum sees to it within minutes of a bulk load); unvacuumed, the
            # first step to read the rows COPY has just written would also pay for setting their hint bits.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            steps = [("страницы", pages), ("сводки", summaries), ("пропускная способность", throughput),
                     ("идентификация", identification), ("импорт", generated_import)]  # fmt: skip
            if index == len(scales) - 1:
                steps += [("годовой отчёт", yearly_report), ("реальная книга ЕГЭ", real_workbook_import)]
            only = os.environ.get("BENCH_ONLY")  # e.g. BENCH_ONLY=страницы,годовой отчёт
            if only:
                steps = [step for step in steps if step[0] in only.split(",")]
            for label, step in steps:
                say(f"== {scale} школ: {label}")
                try:
                    step(scale)
                except Exception as error:  # one failed step must not lose the table of the others
                    say(f"  ОШИБКА: {error!r}")
                    ROWS.append({"what": f"ОШИБКА в шаге «{label}»: {error}"[:300], "scale": scale, "todo": True})
    print_table(scales)
    print(f"\nМашина: {machine()}")


if __name__ == "__main__":
    main()
