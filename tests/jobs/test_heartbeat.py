"""A job whose worker died: the heartbeat rule, what the pages show of such a job (marked «Обработка прервалась», with
«Запустить снова» for whoever may start it, and nobody else), its task in the queue marked failed too, and a worker
thought dead that stops at its next beat instead of racing the job started again."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from monitoring.models import ReportExport
from schools.identification import _set_progress, run_start
from schools.models import IdentificationRun
from schools.school_year import current_school_year
from schools.tasks import run_retry, runs_mark_interrupted
from shnor_portal import jobs
from tests.conftest import home_region_id

pytestmark = pytest.mark.django_db

TIMEOUT = 60
INTERRUPTED = "Обработка прервалась: процесс, который её выполнял, перестал отвечать"


@pytest.fixture(autouse=True)
def _timeout(settings):
    settings.JOBS_HEARTBEAT_TIMEOUT = TIMEOUT


def ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def run_row(state, beat_at, **fields) -> IdentificationRun:
    return IdentificationRun.objects.create(region_id=home_region_id(), year=2026, state=state, beat_at=beat_at, **fields)


def task_row(status, started_at=None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="schools.tasks.identification_run", args_kwargs={"args": [0], "kwargs": {}}, backend_name="default",
        status=status, started_at=started_at,
    )


def fresh(row):
    row.refresh_from_db()
    return row


# --- the rule -------------------------------------------------------------------------------------------------------


def test_a_beat_older_than_the_timeout_means_the_worker_is_dead(settings):
    now = timezone.now()
    assert not jobs.is_stale(now - datetime.timedelta(seconds=TIMEOUT - 1), now=now)
    assert jobs.is_stale(now - datetime.timedelta(seconds=TIMEOUT + 1), now=now)
    assert jobs.is_stale(None, now=now)  # never beat
    settings.JOBS_HEARTBEAT_TIMEOUT = 3 * TIMEOUT  # a setting, not a constant
    assert not jobs.is_stale(now - datetime.timedelta(seconds=TIMEOUT + 1), now=now)


def test_only_a_running_job_whose_beat_stopped_is_marked_interrupted_and_only_once():
    alive = run_row("running", ago(TIMEOUT - 20), stage="Расчёт ОИП")
    dead = run_row("running", ago(TIMEOUT + 30), stage="Сохранение решений", progress=70)
    from_before_the_heartbeat = run_row("running", None)
    waiting = run_row("queued", ago(TIMEOUT + 30))  # no worker has taken it yet: not dead
    done = run_row("done", ago(10 * TIMEOUT))
    failed = run_row("failed", ago(10 * TIMEOUT), error="деление на ноль")

    assert runs_mark_interrupted() == 2
    assert runs_mark_interrupted() == 0
    assert [fresh(r).state for r in (alive, dead, from_before_the_heartbeat, waiting, done, failed)] == [
        "running", "failed", "failed", "queued", "done", "failed",
    ]
    dead = fresh(dead)
    assert dead.error.startswith(INTERRUPTED) and "этап «Сохранение решений»" in dead.error
    assert f"{timezone.localtime(dead.beat_at):%d.%m.%Y %H:%M:%S}" in dead.error
    assert dead.interrupted and dead.finished_at is not None and dead.progress == 70
    assert fresh(failed).error == "деление на ноль" and not fresh(failed).interrupted
    assert fresh(waiting).waiting_for_worker and not fresh(alive).waiting_for_worker


def test_the_dead_jobs_task_in_the_queue_is_marked_failed_too():
    task = task_row("RUNNING", started_at=ago(TIMEOUT + 40))
    run = run_row("running", ago(TIMEOUT + 30), task_id=str(task.pk))
    runs_mark_interrupted()
    task = fresh(task)
    assert task.status == "FAILED" and task.finished_at is not None
    assert task.exception_class_path == "shnor_portal.jobs.JobInterrupted" and task.traceback == fresh(run).error


def test_a_queued_job_whose_task_a_worker_took_and_never_started_is_dead_and_one_still_waiting_is_not():
    taken_long_ago = run_row("queued", ago(TIMEOUT + 30), task_id=str(task_row("RUNNING", ago(TIMEOUT + 5)).pk))
    just_taken = run_row("queued", ago(TIMEOUT + 30), task_id=str(task_row("RUNNING", ago(1)).pk))
    waiting = run_row("queued", ago(TIMEOUT + 30), task_id=str(task_row("READY").pk))
    errored_before_it_began = run_row("queued", ago(TIMEOUT + 30), task_id=str(task_row("FAILED", ago(50)).pk))

    assert runs_mark_interrupted() == 2
    assert fresh(taken_long_ago).error.startswith(INTERRUPTED)
    assert fresh(errored_before_it_began).error == "Обработка прервалась: задание завершилось, не начав её (подробности в журнале сервера)."
    assert (fresh(just_taken).state, fresh(waiting).state) == ("queued", "queued")
    assert DBTaskResult.objects.get(pk=fresh(taken_long_ago).task_id).status == "FAILED"


def test_a_worker_thought_dead_stops_at_its_next_beat_and_leaves_the_run_started_again_alone():
    run = run_row("running", ago(TIMEOUT + 30), stage="Расчёт ОИП", progress=40)
    runs_mark_interrupted()
    with pytest.raises(jobs.JobAbandoned):
        _set_progress(run, 70, "Сохранение решений")  # the old worker wakes up: its row says failed
    assert run_retry(fresh(run))
    with pytest.raises(jobs.JobAbandoned):
        _set_progress(run, 70, "Сохранение решений")
    run = fresh(run)
    assert (run.state, run.progress, run.stage, run.error) == ("queued", 0, "", "")


# --- the pages ------------------------------------------------------------------------------------------------------


def test_the_run_page_marks_a_dead_run_and_the_department_starts_it_again(client, demo, django_capture_on_commit_callbacks):
    run = run_start(region_id=home_region_id(), year=2026, actor=demo["department"])
    IdentificationRun.objects.filter(pk=run.pk).update(state="running", beat_at=ago(TIMEOUT + 30), stage="Расчёт ОИП")
    client.force_login(demo["department"])
    polled = client.get(reverse("schools:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"  # the page reloads to the failed run: it stops spinning
    page = client.get(reverse("schools:run_detail", args=[run.pk])).content.decode()
    assert INTERRUPTED in page and "этап «Расчёт ОИП»" in page and "Расчёт не удался" not in page
    assert reverse("schools:run_retry", args=[run.pk]) in page and "Запустить снова" in page

    client.force_login(demo["coordinator"])
    assert client.post(reverse("schools:run_retry", args=[run.pk])).status_code == 403
    assert fresh(run).state == "failed"

    client.force_login(demo["department"])
    with django_capture_on_commit_callbacks(execute=True):  # the task runs once the retry commits
        response = client.post(reverse("schools:run_retry", args=[run.pk]))
    assert response.url == reverse("schools:run_detail", args=[run.pk])
    run = fresh(run)
    assert run.state == "done" and run.verdicts.count() == run.school_count > 0
    page = client.get(response.url).content.decode()
    assert "снова поставлен в очередь" in page and "Утвердить перечень" in page and INTERRUPTED not in page


def test_starting_again_a_run_that_did_not_fail_changes_nothing(client, demo):
    run = IdentificationRun.objects.filter(state="done").first()
    client.force_login(demo["department"])
    page = client.post(reverse("schools:run_retry", args=[run.pk]), follow=True).content.decode()
    assert "не завершился ошибкой" in page and "снова поставлен в очередь" not in page
    assert fresh(run).state == "done"


def test_a_dead_export_is_offered_again_to_whoever_may_export_it_and_to_nobody_else(
    client, demo, municipality_a, django_capture_on_commit_callbacks
):
    coordinator = demo["coordinator"]
    export = ReportExport.objects.create(
        year=current_school_year(), municipality=municipality_a, requested_by=coordinator, status="running",
        progress=40, stage="Лист «По школам»", beat_at=ago(TIMEOUT + 30),
    )
    retry = reverse("monitoring:report_export_retry", args=[export.pk])
    client.force_login(coordinator)
    block = client.get(reverse("monitoring:report_export_progress", args=[export.pk])).content.decode()
    assert INTERRUPTED in block and "этап «Лист «По школам»»" in block and "Отчёт не сформирован" not in block
    assert retry in block and "hx-get" not in block  # polling stopped
    listed = client.get(reverse("monitoring:report")).content.decode()
    row = listed[listed.index(f'data-export="{export.pk}"') :]
    assert "<td>ошибка</td>" in row[: row.index("</tr>")]  # the list of exports says so too

    for outsider in ("coordinator_b", "school", "curator", "tutor"):
        client.force_login(demo[outsider])
        assert client.post(retry).status_code == 404, outsider
    assert fresh(export).status == "failed"

    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.url == reverse("monitoring:report_export", args=[export.pk])
    export = fresh(export)
    assert export.status == "done" and export.error == "" and export.file
    page = client.get(response.url).content.decode()
    assert "Отчёт снова поставлен в очередь" in page and "Скачать отчёт (xlsx)" in page
    assert client.get(reverse("monitoring:report_export_download", args=[export.pk])).status_code == 200


def test_a_job_nobody_takes_says_it_waits_for_the_worker(client, demo):
    export = ReportExport.objects.create(
        year=current_school_year(), requested_by=demo["department"], beat_at=ago(TIMEOUT + 30)
    )
    client.force_login(demo["department"])
    block = client.get(reverse("monitoring:report_export_progress", args=[export.pk])).content.decode()
    assert "обработчик заданий не запущен" in block and "hx-get" in block and INTERRUPTED not in block
    ReportExport.objects.filter(pk=export.pk).update(beat_at=ago(1))
    block = client.get(reverse("monitoring:report_export_progress", args=[export.pk])).content.decode()
    assert "обработчик заданий не запущен" not in block
