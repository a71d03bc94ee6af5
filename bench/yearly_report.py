"""Benchmark: the yearly report (`monitoring.yearly_report`) over N generated schools on PostgreSQL.

    SCHOOLS=1000 ./scripts/with_postgres.sh .venv/bin/python bench/yearly_report.py
    SCHOOLS=40000 ./scripts/with_postgres.sh .venv/bin/python bench/yearly_report.py

Fills the database with `manage.py generate_scale` (`portal.scale`), then writes the report of the whole region
with the department's reach and prints the time, the queries, the file size, the rows of the by-school sheet and the
peak memory of the process (max RSS) before and after. Not a test: timings on a shared machine are noisy.
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shnor_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from monitoring.yearly_report import department_scope, report_write  # noqa: E402
from schools.models import School  # noqa: E402
from schools.school_year import current_school_year  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    schools = int(os.environ.get("SCHOOLS", "1000"))
    call_command("migrate", verbosity=0)
    if not School.objects.exists():
        started = time.perf_counter()
        call_command("generate_scale", schools=schools, verbosity=0, stdout=open(os.devnull, "w"))
        print(f"generated {School.objects.count()} schools in {time.perf_counter() - started:.1f} s")
    before = rss_mb()
    path = Path(tempfile.mkdtemp()) / "report.xlsx"
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report = report_write(path, user=department_scope(), year=current_school_year())
    elapsed = time.perf_counter() - started
    print(
        f"yearly report: {elapsed:.1f} s, {len(queries)} queries, {path.stat().st_size / 1024:.0f} KB, "
        f"{report.figures.total['schools']} schools; max RSS {before:.0f} MB before, {rss_mb():.0f} MB after"
    )


if __name__ == "__main__":
    main()
