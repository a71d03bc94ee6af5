from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, DEMO_USERS, seed_full_demo


class Command(BaseCommand):
    help = (
        "Заполняет базу демонстрационным регионом: муниципалитеты, школы, программы, договоры и занятия кураторов, "
        "педагоги и ИПРП, практики, мероприятия, показатели и самооценки, по пользователю на каждую роль."
    )

    def handle(self, *args, **options):
        counts = seed_full_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-данные готовы: муниципалитетов {counts['municipalities']}, школ {counts['schools']}, "
                f"пользователей {counts['users']}."
            )
        )
        self.stdout.write(f"Пароль демо-пользователей: {DEMO_PASSWORD}")
        for username, *_rest, label in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {label}")
