import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications import kinds
from notifications.reminders import reminders_create
from notifications.services import digests_send, emails_send


class Command(BaseCommand):
    help = (
        "Ежедневная рассылка (для cron): напоминания о сроках мероприятий, экспертизах, занятиях и самооценках; "
        "письма, которые ждут отправки; ежедневные сводки. Повторный запуск в тот же день ничего не дублирует."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="День расчёта, ГГГГ-ММ-ДД (по умолчанию — сегодня).")
        parser.add_argument("--no-email", action="store_true", help="Только сохранить напоминания, писем не слать.")

    def handle(self, *args, **options):
        now = timezone.now()
        today = timezone.localdate(now)
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("Дата — в виде ГГГГ-ММ-ДД, например 2026-03-01.") from error
        counts = reminders_create(today=today, now=now)
        failed = counts.pop("failed_providers", [])
        total = sum(counts.values())
        self.stdout.write(f"Напоминаний за {today:%d.%m.%Y}: {total}")
        for code, count in sorted(counts.items()):
            self.stdout.write(f"  {kinds.label_of(code)}: {count}")
        for name in failed:
            self.stderr.write(self.style.ERROR(f"Не удалось рассчитать напоминания «{name}» — подробности в журнале."))
        if options["no_email"]:
            return
        sent = emails_send(now=now)
        self.stdout.write(
            f"Писем отправлено: {sent['emails']} (уведомлений в них: {sent['sent']}); уведомлений, чьи письма не ушли: "
            f"{sent['failed']}, ждут следующего запуска: {sent['waiting']}"
        )
        digest = digests_send(now=now)
        self.stdout.write(f"Сводок отправлено: {digest['emails']} (уведомлений в них: {digest['sent']})")
