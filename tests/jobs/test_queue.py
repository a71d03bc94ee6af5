"""On the database queue (the default outside the tests): an action's e-mails and cron's daily run are tasks the
worker does, not the request or the command; and the worker, before each task, marks what a dead worker left.

The worker runs in this process (`db_worker --batch`), so the tests commit (`transaction=True`)."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.models import Notification
from programs import services
from programs.demo import seed_programmes
from programs.models import Programme
from schools.demo import SCHOOL_TEAM_SCHOOL
from schools.models import IdentificationRun
from tests.conftest import home_region_id
from tests.jobs.worker import DATABASE_QUEUE, run_worker_here
from tests.notifications.test_reminders import days, programme_with

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def with_addresses(users):
    for user in users.values():
        user.email = f"{user.username}@shnor.example.ru"
        user.save(update_fields=["email"])


def test_an_actions_e_mail_is_sent_by_the_worker_not_by_the_request(queue, demo):
    with_addresses(demo)
    seed_programmes()
    Notification.objects.all().delete()
    programme = Programme.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.TRANSITION)
    services.programme_submit(programme=programme, actor=demo["school"])
    notification = Notification.objects.get()
    task = DBTaskResult.objects.get()
    assert task.task_path == "notifications.tasks.notification_emails_send"
    assert task.args_kwargs["args"] == [[notification.pk]]
    assert mail.outbox == [] and notification.email_state == Notification.EmailState.PENDING

    run_worker_here()
    [message] = mail.outbox
    assert message.to == ["coordinator@shnor.example.ru"] and "отправлена на экспертизу" in message.subject
    assert Notification.objects.get().email_state == Notification.EmailState.SENT
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_cron_queues_the_daily_run_for_the_worker_and_runs_it_itself_with_now(queue, demo):
    with_addresses(demo)
    programme_with(demo["school"].role_assignments.get().school, deadlines=[days(3)])
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().startswith("Задание поставлено в очередь (№ ")
    assert not Notification.objects.filter(dedupe_key__isnull=False).exists() and mail.outbox == []

    run_worker_here()
    task = DBTaskResult.objects.get(task_path="notifications.tasks.daily_reminders_send")
    assert task.status == "SUCCESSFUL" and task.return_value["day"] == timezone.localdate().isoformat()
    stored = Notification.objects.filter(dedupe_key__isnull=False).count()
    assert stored == sum(task.return_value["reminders"].values()) > 0 and mail.outbox

    out = io.StringIO()
    call_command("send_reminders", "--now", stdout=out)  # in the command itself: nothing new the same day
    assert f"Напоминаний за {timezone.localdate():%d.%m.%Y}: 0" in out.getvalue()
    assert DBTaskResult.objects.count() == 1


def test_the_worker_marks_what_a_dead_worker_left_before_its_next_task(queue, demo, settings):
    settings.JOBS_HEARTBEAT_TIMEOUT = 60
    left = IdentificationRun.objects.create(region_id=home_region_id(),
        year=2026, state="running", progress=40, stage="Расчёт ОИП",
        beat_at=timezone.now() - datetime.timedelta(seconds=90),
    )
    call_command("send_notifications", stdout=io.StringIO())  # cron, every few minutes: a task for the worker
    assert IdentificationRun.objects.get(pk=left.pk).state == "running"
    run_worker_here()
    left.refresh_from_db()
    assert left.state == "failed" and left.error.startswith("Обработка прервалась") and "«Расчёт ОИП»" in left.error
