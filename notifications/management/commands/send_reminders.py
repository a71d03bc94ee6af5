import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications import kinds
from notifications.tasks import daily_reminders_send
from shnor_portal.jobs import command_run


class Command(BaseCommand):
    help = (
        "Ежедневная рассылка (для cron): напоминания о сроках мероприятий, экспертизах, занятиях и самооценках; "
        "письма, которые ждут отправки; ежедневные сводки. Повторный запуск в тот же день ничего не дублирует. "
        "Работу делает обработчик заданий (manage.py db_worker); --now — сделать её в самой команде."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="День расчёта, ГГГГ-ММ-ДД (по умолчанию — сегодня).")
        parser.add_argument("--no-email", action="store_true", help="Только сохранить напоминания, писем не слать.")
        parser.add_argument("--now", action="store_true", help="Выполнить в самой команде, не через очередь заданий.")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"]).isoformat()
            except ValueError as error:
                raise CommandError("Дата — в виде ГГГГ-ММ-ДД, например 2026-03-01.") from error
        result, queued = command_run(daily_reminders_send, day, not options["no_email"], here=options["now"])
        if queued:
            self.stdout.write(queued)
            return
        counts = dict(result["reminders"])
        failed = counts.pop("failed_providers", [])
        total = sum(counts.values())
        self.stdout.write(f"Напоминаний за {datetime.date.fromisoformat(result['day']):%d.%m.%Y}: {total}")
        for code, count in sorted(counts.items()):
            self.stdout.write(f"  {kinds.label_of(code)}: {count}")
        for name in failed:
            self.stderr.write(self.style.ERROR(f"Не удалось рассчитать напоминания «{name}» — подробности в журнале."))
        if options["no_email"]:
            return
        sent = result["emails"]
        self.stdout.write(
            f"Писем отправлено: {sent['emails']} (уведомлений в них: {sent['sent']}); уведомлений, чьи письма не ушли: "
            f"{sent['failed']}, ждут следующего запуска: {sent['waiting']}"
        )
        digest = result["digests"]
        self.stdout.write(f"Сводок отправлено: {digest['emails']} (уведомлений в них: {digest['sent']})")
