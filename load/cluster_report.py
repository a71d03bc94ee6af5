"""The table of the cluster rehearsal (load/cluster_locustfile.py): per page kind requests, p50, p95 and errors, with
reads, writes, imports and reports apart; the dashboards' lag; what happened when the app host was killed.

A failure counts as the killed host's in-flight request when the connection broke without an answer (status 0)
and the request was under way at the moment of the kill (CLUSTER_KILL_FILE, written by load/cluster.sh): it started
before the kill (a second of slack for the signal to land) and ended after it. Any other failure is an error of the
run, and the exit status is 1.
"""

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from locust.stats import StatsEntry

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
FAILURES: list[dict] = []


def record_request(name, response_time, response, exception) -> None:
    if exception is None:
        return
    end = time.time()
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


def _row(label: str, entry: StatsEntry, cut: int, target: bool) -> str:
    p50, p95 = (entry.get_response_time_percentile(q) or 0 for q in (0.5, 0.95))
    verdict = ("да" if p95 <= P95_TARGET_MS else "НЕТ") if target and entry.num_requests else "—"
    return f"| {label} | {entry.num_requests} | {p50:.0f} | {p95:.0f} | {entry.num_failures} | {cut} | {verdict} |"


def _table(stats, cut: dict) -> list[str]:
    lines = [
        "| page kind | requests | p50, ms | p95, ms | errors | of them cut at the kill | p95 ≤ 500 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for group, names in GROUPS.items():
        total = StatsEntry(stats, group, "", use_response_times_cache=False)
        rows = []
        for name in names:
            entries = [e for (n, _method), e in stats.entries.items() if n == name]
            if not entries or not sum(e.num_requests for e in entries):
                continue
            entry = StatsEntry(stats, name, "", use_response_times_cache=False)
            for e in entries:
                entry.extend(e)
                total.extend(e)
            rows.append(_row(name, entry, cut.get(name, 0), group != "logins"))
        if rows:
            lines.append(_row(f"**{group}, all**", total, sum(cut.get(n, 0) for n in names), group != "logins"))
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
    stats = environment.stats
    kill = _kill()
    cut: dict[str, int] = {}
    others = []
    for failure in FAILURES:
        if _in_flight(failure, kill):
            cut[failure["name"]] = cut.get(failure["name"], 0) + 1
        else:
            others.append(failure)
    lines = [f"setup: {os.environ.get('LOAD_SETUP', '')}", "", *_table(stats, cut), "", _lag_line(lag)]
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
