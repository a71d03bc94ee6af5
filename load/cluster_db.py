"""The database side of `make load-cluster` (load/cluster.sh), run with the portal's Python before and after locust.

    python load/cluster_db.py prepare FIXTURE.json FILES_DIR   # who does what, and each school's filled workbook
    python load/cluster_db.py counts COUNTS.json               # the rows the mix writes, counted before the run
    python load/cluster_db.py check COUNTS.json ACCEPTED.json REPORT   # after: written against accepted, jobs

`prepare` picks the people of the mix from the generated data (`manage.py generate_scale`): pairs of an agreement
in force — its curator school's user and its supported school's team, whose school programme the team keeps —, the
coordinators with values waiting in their queues, and each region's department, with an authenticator app enrolled
(the production profile asks the department for a second factor; locust computes the app's codes). For each team's school it writes the
self-assessment template of the current year, filled as a school would (every factor rated), so that locust only
uploads bytes (the portal's own template: the file names its school, year and stage).

`check` waits for the task queue to drain (every report job started during the run must end), then compares, kind
by kind, the rows written (the delta against `counts`) with the writes the portal accepted (locust's count). A write
whose answer was lost with the killed host may be stored without being counted as accepted: stored may exceed
accepted by at most the requests of that kind cut in flight. It appends its table to REPORT and exits 1 when a row
is missing, a job did not finish, or a job was lost.
"""

import io
import json
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shnor_portal.settings")
django.setup()

from authenticator import enrol  # noqa: E402
from django.db.models import Sum  # noqa: E402

KINDS = {  # kind of write → what the report calls it (the rows counted: `_counts`)
    "measure_save": "measure saves (versions of roadmap measures)",
    "self_assessment": "self-assessments uploaded (rows)",
    "session_log": "sessions logged (rows)",
    "session_confirm": "sessions confirmed",
    "value_confirm": "indicator values confirmed",
    "report_start": "yearly reports started (jobs)",
}

# A coordinator confirms up to this many values in one request (load/cluster_locustfile.py): a confirmation cut in
# flight may have stored that many.
ROWS_PER_REQUEST = {"value_confirm": 3}


def _fill_self_assessment(school, year: int, stage: str) -> bytes:
    import openpyxl

    from monitoring.self_assessment_xlsx import (
        FACTOR_FIRST_ROW,
        RATING_COLUMN,
        SHEET_MAIN,
        template_content,
        template_xlsx,
    )

    content = template_content(school=school, year=year, stage=stage)
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(content)))
    main = workbook[SHEET_MAIN]
    for offset, _factor in enumerate(content.factors):
        main.cell(row=FACTOR_FIRST_ROW + offset, column=RATING_COLUMN, value=1 + (school.pk + offset) % 3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _stage_to_upload(school, year: int) -> str | None:
    """A stage of the current year whose self-assessment the coordinator has not accepted yet (an accepted one
    refuses a new upload)."""
    from monitoring.calendar import stages_of
    from monitoring.models import SelfAssessment

    accepted = set(
        SelfAssessment.objects.filter(school=school, year=year, status=SelfAssessment.Status.ACCEPTED).values_list(
            "stage", flat=True
        )
    )
    for stage in stages_of(year, municipality=school.municipality):
        if stage.code not in accepted:
            return stage.code
    return None


def _pairs(limit: int, files: Path) -> list[dict]:
    """Agreements in force whose curator and supported team can act, one per curator user, with the team's
    programme measures and filled self-assessment."""
    from partnerships.access import can_log_session
    from partnerships.models import Agreement
    from programs.access import can_edit_programme
    from programs.models import Programme, RoadmapMeasure
    from schools.models import RoleAssignment
    from schools.school_year import current_school_year

    Role = RoleAssignment.Role
    year = current_school_year()
    pairs, curators_taken = [], set()
    agreements = Agreement.objects.filter(status=Agreement.Status.ACTIVE).select_related(
        "supported_school__municipality", "curator_school"
    )
    for agreement in agreements.order_by("pk").iterator():
        if len(pairs) >= limit:
            break
        curator = RoleAssignment.objects.filter(role=Role.CURATOR, school=agreement.curator_school_id).first()
        team = RoleAssignment.objects.filter(role=Role.SCHOOL_TEAM, school=agreement.supported_school_id).first()
        programme = Programme.objects.filter(school=agreement.supported_school_id).first()
        if not (curator and team and programme) or curator.user_id in curators_taken:
            continue
        if not (can_log_session(curator.user, agreement) and can_edit_programme(team.user, programme)):
            continue
        school = agreement.supported_school
        stage = _stage_to_upload(school, year)
        if stage is None:
            continue
        (files / f"{school.pk}.xlsx").write_bytes(_fill_self_assessment(school, year, stage))
        measures = list(RoadmapMeasure.objects.filter(programme=programme).order_by("pk").values_list("pk", flat=True))
        curators_taken.add(curator.user_id)
        pairs.append({
            "agreement": agreement.pk, "curator": curator.user.username, "team": team.user.username,
            "school": school.pk, "measures": measures[::3][:10], "year": year, "stage": stage,
            "self_assessment": str(files / f"{school.pk}.xlsx"),
        })  # fmt: skip
    return pairs


def prepare(out: str, files: str) -> None:
    from monitoring.models import IndicatorValue
    from schools.models import RoleAssignment

    Role = RoleAssignment.Role
    files_dir = Path(files)
    files_dir.mkdir(parents=True, exist_ok=True)
    pairs = _pairs(int(os.environ.get("CLUSTER_PAIRS", "40")), files_dir)
    waiting = (
        IndicatorValue.objects.filter(status=IndicatorValue.Status.SUBMITTED, school__isnull=False)
        .values_list("school__municipality_id", flat=True)
        .distinct()
    )
    coordinators = list(
        RoleAssignment.objects.filter(role=Role.COORDINATOR, municipality__in=list(waiting))
        .order_by("municipality_id")
        .values_list("user__username", flat=True)[:40]
    )
    # a department confirms its login with an authenticator app in production: one enrolled, whose key locust holds
    assigned = RoleAssignment.objects.filter(role=Role.DEPARTMENT).order_by("region_id")
    usernames = list(assigned.values_list("user__username", flat=True))
    keys = enrol(usernames)
    departments = [{"username": username, "totp_key": keys[username]} for username in usernames]
    fixture = {"pairs": pairs, "coordinators": coordinators, "departments": departments}
    Path(out).write_text(json.dumps(fixture, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"Участники: пар куратор–школа {len(pairs)}, координаторов {len(coordinators)}, управлений {len(departments)}"
    )


def _counts() -> dict:
    from monitoring.models import IndicatorValue, ReportExport, SelfAssessment
    from partnerships.models import SupportSession
    from programs.models import RoadmapMeasure

    return {
        "measure_save": RoadmapMeasure.objects.aggregate(n=Sum("version"))["n"] or 0,
        "self_assessment": SelfAssessment.objects.count(),
        "session_log": SupportSession.objects.count(),
        "session_confirm": SupportSession.objects.filter(status=SupportSession.Status.CONFIRMED).count(),
        "value_confirm": IndicatorValue.objects.filter(status=IndicatorValue.Status.CONFIRMED).count(),
        "report_start": ReportExport.objects.count(),
    }


def counts(out: str) -> None:
    Path(out).write_text(json.dumps(_counts()), encoding="utf-8")


def _wait_for_jobs(report_ids: list[int], timeout: float) -> tuple[dict, int]:
    """Wait until no started report is queued or running and no task is left waiting; the reports' states and the
    tasks still waiting at the end."""
    from django_tasks_db.models import DBTaskResult

    from monitoring.models import ReportExport
    from shnor_portal.jobs import QUEUED, RUNNING

    deadline = time.monotonic() + timeout
    while True:
        states = dict(ReportExport.objects.filter(pk__in=report_ids).values_list("pk", "status"))
        waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
        busy = sum(1 for state in states.values() if state in (QUEUED, RUNNING))
        if (not busy and not waiting) or time.monotonic() > deadline:
            return states, waiting
        time.sleep(2)


def check(before_file: str, accepted_file: str, report: str) -> int:
    """Print and append the table of written against accepted; 0 when nothing is lost."""
    from shnor_portal.jobs import DONE

    accepted = json.loads(Path(accepted_file).read_text(encoding="utf-8"))
    started = time.monotonic()
    report_ids = accepted.get("report_ids", [])
    states, waiting = _wait_for_jobs(report_ids, float(os.environ.get("CLUSTER_DRAIN_TIMEOUT", "600")))
    drained = time.monotonic() - started
    before = json.loads(Path(before_file).read_text(encoding="utf-8"))
    after = _counts()
    cut = accepted.get("cut", {})
    lines = ["", "| written | accepted by the portal | rows written | cut at the kill | verdict |",
             "| --- | ---: | ---: | ---: | --- |"]  # fmt: skip
    failed = False
    for kind, label in KINDS.items():
        written, ok = after[kind] - before[kind], accepted["accepted"].get(kind, 0)
        lost = written < ok or written > ok + cut.get(kind, 0) * ROWS_PER_REQUEST.get(kind, 1)
        failed |= lost
        verdict = "nothing lost" if not lost else ("LOST" if written < ok else "MORE ROWS THAN CUT REQUESTS")
        lines.append(f"| {label} | {ok} | {written} | {cut.get(kind, 0)} | {verdict} |")
    not_done = {pk: state for pk, state in states.items() if state != DONE}
    missing = [pk for pk in report_ids if pk not in states]
    lines += [
        "",
        f"Jobs: yearly reports started {len(report_ids)}, done {len(report_ids) - len(not_done) - len(missing)}, "
        f"not done {len(not_done)}{f' {not_done}' if not_done else ''}, lost {len(missing)}; the queue drained {drained:.0f} s after "
        f"the load, tasks left waiting {waiting}.",
    ]
    failed |= bool(not_done or missing or waiting)
    text = "\n".join(lines) + "\n"
    print(text)
    with open(report, "a", encoding="utf-8") as out:
        out.write(text)
    return 1 if failed else 0


def main() -> int:
    command, *args = sys.argv[1:]
    if command == "prepare":
        prepare(*args)
    elif command == "counts":
        counts(*args)
    elif command == "check":
        return check(*args)
    else:
        raise SystemExit(f"unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
