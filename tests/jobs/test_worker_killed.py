"""The worker is killed in the middle of an identification run: after the heartbeat timeout the run's page says the
processing was interrupted and offers «Запустить снова»; started again, a new worker completes it.

`manage.py db_worker` runs as a process of its own against the test database. To stop the run at a known step, a
second connection locks the verdicts' table: the computation reports «Сохранение решений» (70 %) and then waits to
write its verdicts, until the worker is killed.
"""

import time

import psycopg
import pytest
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from schools.models import IdentificationRun
from tests.jobs.worker import DATABASE_QUEUE, run_worker_batch, start_worker

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5  # seconds without a heartbeat that mean the worker is dead (the page is asked well within them)
START = {
    "year": 2026, "oip_threshold": 21, "social_threshold": 42.7, "window_years": 3, "min_low_years": 2,
    "min_result_years": 2, "index_scale": "relative", "preventive_drop": 10, "preventive_margin": 15,
    "curator_threshold": 75, "note": "проверка обработчика заданий",
}  # fmt: skip


def wait_for(condition, *, seconds: float, what: str, log=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    output = log.read_text(encoding="utf-8", errors="replace") if log else ""
    raise AssertionError(f"{what}: не дождались за {seconds} с\n{output}")


def test_a_run_whose_worker_was_killed_is_marked_interrupted_and_completes_when_started_again(
    client, demo, settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share with the test: PostgreSQL")
    settings.TASKS = DATABASE_QUEUE
    settings.JOBS_HEARTBEAT_TIMEOUT = TIMEOUT
    client.force_login(demo["department"])
    started = client.post(reverse("schools:identification_start"), START)
    run = IdentificationRun.objects.get(year=2026)
    assert started.url == reverse("schools:run_detail", args=[run.pk])
    first_task = DBTaskResult.objects.get(pk=run.task_id)
    progress_url = reverse("schools:run_progress", args=[run.pk])

    log = tmp_path / "worker.log"
    lock = psycopg.connect(**connection.get_connection_params())
    try:
        with lock.cursor() as cursor:
            cursor.execute("LOCK TABLE schools_identificationverdict IN EXCLUSIVE MODE")
        with log.open("w") as output:
            worker = start_worker(output, JOBS_HEARTBEAT_TIMEOUT=TIMEOUT)
            try:
                wait_for(
                    lambda: IdentificationRun.objects.filter(pk=run.pk, state="running", progress=70).exists(),
                    seconds=90, what="расчёт дошёл до сохранения решений", log=log,
                )
            finally:
                worker.kill()
                worker.wait(timeout=30)
        with lock.cursor() as cursor:  # the dead worker's session, still waiting for the table, goes too
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
    finally:
        lock.rollback()
        lock.close()

    # Within the timeout nothing is decided: the page still shows the step the run is at.
    page = client.get(progress_url).content.decode()
    run.refresh_from_db()
    assert run.state == "running" and "Сохранение решений" in page and "Обработка прервалась" not in page

    # After it, the page (polled every second) marks the run failed and says why.
    time.sleep(max(0.0, run.beat_at.timestamp() + TIMEOUT + 0.3 - time.time()))
    polled = client.get(progress_url, HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"
    page = client.get(reverse("schools:run_detail", args=[run.pk])).content.decode()
    assert "Обработка прервалась: процесс, который её выполнял, перестал отвечать" in page
    assert "этап «Сохранение решений»" in page and "Запустить снова" in page
    run.refresh_from_db()
    assert run.state == "failed" and run.error.startswith("Обработка прервалась")
    first_task.refresh_from_db()
    assert first_task.status == "FAILED" and first_task.exception_class_path == "shnor_portal.jobs.JobInterrupted"

    # «Запустить снова»: the same run, queued again with a new task; a new worker completes it.
    retried = client.post(reverse("schools:run_retry", args=[run.pk]), follow=True)
    assert "снова поставлен в очередь" in retried.content.decode()
    run.refresh_from_db()
    assert (run.state, run.progress, run.error) == ("queued", 0, "") and run.task_id != str(first_task.pk)
    with log.open("a") as output:
        assert run_worker_batch(output, JOBS_HEARTBEAT_TIMEOUT=TIMEOUT) == 0, log.read_text()
    run.refresh_from_db()
    assert run.state == "done", (run.error, log.read_text())
    assert run.verdicts.count() == run.school_count > 0
    assert DBTaskResult.objects.get(pk=run.task_id).status == "SUCCESSFUL"
    page = client.get(reverse("schools:run_detail", args=[run.pk])).content.decode()
    assert "Утвердить перечень" in page and "Обработка прервалась" not in page
    assert IdentificationRun.objects.filter(year=2026).count() == 1
