from django.core.management.base import BaseCommand

from notifications.tasks import queued_emails_send
from shnor_portal.jobs import command_run


class Command(BaseCommand):
    help = (
        "Отправляет письма уведомлений, которые ждут отправки (в том числе не ушедшие из-за сбоя почты). "
        "Можно запускать из cron хоть каждые несколько минут; --digest — ещё и ежедневные сводки. "
        "Работу делает обработчик заданий (manage.py db_worker); --now — сделать её в самой команде."
    )

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="Отправить и ежедневные сводки.")
        parser.add_argument("--now", action="store_true", help="Отправить в самой команде, не через очередь заданий.")

    def handle(self, *args, **options):
        result, queued = command_run(queued_emails_send, options["digest"], here=options["now"])
        if queued:
            self.stdout.write(queued)
            return
        sent = result["emails"]
        self.stdout.write(
            f"Писем отправлено: {sent['emails']} (уведомлений в них: {sent['sent']}); уведомлений, чьи письма не ушли: "
            f"{sent['failed']}, ждут следующего запуска: {sent['waiting']}"
        )
        if options["digest"]:
            digest = result["digests"]
            self.stdout.write(f"Сводок отправлено: {digest['emails']} (уведомлений в них: {digest['sent']})")
