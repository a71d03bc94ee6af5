from django.core.management.base import BaseCommand

from notifications.services import digests_send, emails_send


class Command(BaseCommand):
    help = (
        "Отправляет письма уведомлений, которые ждут отправки (в том числе не ушедшие из-за сбоя почты). "
        "Можно запускать из cron хоть каждые несколько минут; --digest — ещё и ежедневные сводки."
    )

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="Отправить и ежедневные сводки.")

    def handle(self, *args, **options):
        sent = emails_send()
        self.stdout.write(
            f"Писем отправлено: {sent['emails']} (уведомлений в них: {sent['sent']}); уведомлений, чьи письма не ушли: "
            f"{sent['failed']}, ждут следующего запуска: {sent['waiting']}"
        )
        if options["digest"]:
            digest = digests_send()
            self.stdout.write(f"Сводок отправлено: {digest['emails']} (уведомлений в них: {digest['sent']})")
