"""The table of the cluster rehearsal (load/cluster_locustfile.py): per page kind requests, p50, p95 (also before and
after the kill: after it one host serves everything) and errors, with reads, writes, imports and reports apart; the
dashboards' lag; what happened when the app host was killed. Times are locust's, kept here exactly per request from
the moment every user has logged in.

A failure counts as the killed host's in-flight request when the connection broke without an answer (status 0)
and the request was under way at the moment of the kill (CLUSTER_KILL_FILE, written by load/cluster.sh): it started
before the kill (a second of slack for the signal to land) and ended after it. Any other failure is an error of the
run, and the exit status is 1.
"""

import json
import math
import os
import time
from datetime import UTC, datetime
from pathlib import Path

P95_TARGET_MS = 500
LAG_TARGET_S = 120
GROUPS = {  # group → the request names of that kind, in the order of the table
    "reads": ["dashboard", "home", "measure form", "programme page", "self-assessment form", "self-assessment preview",
              "session form", "session page", "sessions list", "agreement page", "value queue", "monitoring page",
              "report form", "report page"],
    "writes": ["measure save", "session log", "session confirm", "value confirm"],
    "imports": ["self-assessment upload", "self-assessment confirm"],
    "reports": ["report start"],
    "logins": ["login form", "login", "login (2FA code)"],
}  # fmt: skip
KIND_OF = {  # a write's request name → its kind in load/cluster_db.py
    "measure save": "measure_save", "self-assessment confirm": "self_assessment", "session log": "session_log",
    "session confirm": "session_confirm", "value confirm": "value_confirm", "report start": "report_start",
}  # fmt: skip
FAILURES: list[dict] = []  # every failure of the run, logins' phase included
RECORDS: list[tuple[str, float, float, bool]] = []  # name, end (epoch s), response time (ms), failed: steady state


def reset_records() -> None:
    """The table counts from the moment every user has logged in (the logins' burst of the start is left out)."""
    RECORDS.clear()


def record_request(name, response_time, response, exception) -> None:
    end = time.time()
    RECORDS.append((name, end, response_time or 0, exception is not None))
    if exception is None:
        return
    FAILURES.append({
        "name": name, "start": end - (response_time or 0) / 1000, "end": end,
        "status": getattr(response, "status_code", 0) or 0, "error": str(exception)[:300],
    })  # fmt: skip


def _kill() -> dict | None:
    path = os.environ.get("CLUSTER_KILL_FILE")
    if not path or not Path(path).exists() or not Path(path).read_text().strip():
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _in_flight(failure: dict, kill: dict | None) -> bool:
    return bool(kill) and failure["status"] == 0 and failure["start"] <= kill["at"] + 1 and failure["end"] >= kill["at"]


def _percentile(times: list[float], q: float) -> float:
    """Nearest rank: the smallest time that `q` of the requests did not exceed."""
    if not times:
        return 0
    ordered = sorted(times)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _row(label: str, records: list, cut: int, target: bool, kill_at: float | None) -> str:
    times = [ms for _name, _end, ms, _failed in records]
    p50, p95 = _percentile(times, 0.5), _percentile(times, 0.95)
    halves = "— | —"
    if kill_at is not None:
        before = [ms for _n, end, ms, _f in records if end < kill_at]
        after = [ms for _n, end, ms, _f in records if end >= kill_at]
        halves = " | ".join(f"{_percentile(part, 0.95):.0f}" if part else "—" for part in (before, after))
    errors = sum(1 for record in records if record[3])
    verdict = ("да" if p95 <= P95_TARGET_MS else "НЕТ") if target else "—"
    return f"| {label} | {len(times)} | {p50:.0f} | {p95:.0f} | {halves} | {errors} | {cut} | {verdict} |"


def _table(cut: dict, kill_at: float | None) -> list[str]:
    lines = [
        "| page kind | requests | p50, ms | p95, ms | p95 before the kill | p95 after the kill | errors | of them cut "
        "at the kill | p95 ≤ 500 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for group, names in GROUPS.items():
        rows, all_records = [], []
        for name in names:
            records = [record for record in RECORDS if record[0] == name]
            if records:
                rows.append(_row(name, records, cut.get(name, 0), group != "logins", kill_at))
                all_records += records
        if rows:
            total_cut = sum(cut.get(n, 0) for n in names)
            lines.append(_row(f"**{group}, all**", all_records, total_cut, group != "logins", kill_at))
            lines += rows
    return lines


def _lag_line(lag: dict) -> str:
    if not lag["stamped"]:
        return f"Dashboards' lag: нет отметки (data-figures-as-of absent on {lag['pages']} dashboard pages)."
    verdict = "да" if lag["max"] <= LAG_TARGET_S else "НЕТ"
    return (
        f"Dashboards' lag: at most {lag['max']:.1f} s behind the data ({lag['stamped']} of {lag['pages']} dashboard "
        f"pages stamped; target ≤ {LAG_TARGET_S} s: {verdict})."
    )


def write_report(environment, *, lag: dict) -> dict:
    """Print the table, write it to LOAD_REPORT, set the exit status; the in-flight failures by request name."""
    kill = _kill()
    cut: dict[str, int] = {}
    others = []
    for failure in FAILURES:
        if _in_flight(failure, kill):
            cut[failure["name"]] = cut.get(failure["name"], 0) + 1
        else:
            others.append(failure)
    lines = [f"setup: {os.environ.get('LOAD_SETUP', '')}", "", *_table(cut, kill and kill["at"]), "", _lag_line(lag)]
    if kill:
        at = datetime.fromtimestamp(kill["at"], UTC)
        lines.append(
            f"Kill: {kill['host']} (pids {kill['pids']}) got SIGKILL at {at:%H:%M:%S} UTC, {kill['after']} s into the "
            f"run; requests cut in flight: {sum(cut.values())}{f' {cut}' if cut else ''}."
        )
    else:
        lines.append("Kill: no host was killed.")
    lines.append(f"Errors other than the killed host's in-flight requests: {len(others)}.")
    seen: dict[tuple, int] = {}
    for failure in others:
        key = (failure["name"], failure["status"], failure["error"])
        seen[key] = seen.get(key, 0) + 1
    lines += [f"  ERROR x{n}: {name} (HTTP {status}): {error}" for (name, status, error), n in seen.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    if os.environ.get("LOAD_REPORT"):
        Path(os.environ["LOAD_REPORT"]).write_text(text, encoding="utf-8")
    environment.process_exit_code = 1 if others else 0
    return cut
