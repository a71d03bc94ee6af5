from django.core.management.base import BaseCommand

from shnor_portal.uploads.holding import HOLD_FOR, remove_expired


class Command(BaseCommand):
    help = (
        "Удаляет загруженные файлы, которые ждут подтверждения дольше срока хранения (по умолчанию сутки): их "
        "так и не сохранили. Запускайте по расписанию (cron)."
    )

    def handle(self, *args, **options):
        removed = remove_expired()
        hours = int(HOLD_FOR.total_seconds() // 3600)
        self.stdout.write(f"Удалено неподтверждённых загрузок старше {hours} ч: {removed}.")
