from django.core.management.base import BaseCommand

from people.personal_data import access_log_purge


class Command(BaseCommand):
    help = "Удаляет записи журнала обращений к персональным данным старше срока хранения своего региона (ежедневно, cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"Удалено записей журнала: {access_log_purge()}")
