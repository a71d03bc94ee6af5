from django.core.management.base import BaseCommand, CommandError

from monitoring.services import computed_values_refresh


class Command(BaseCommand):
    help = (
        "Пересчитывает показатели, которые вычисляет портал (ЕГЭ, доля ШНОР, доля принятых программ…), "
        "для всех школ и муниципалитетов за учебный год."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="учебный год (год его окончания: 2027 — 2026/27)")
        parser.add_argument(
            "--stage", action="append", help="код этапа (можно несколько); по умолчанию — все этапы календаря"
        )
        parser.add_argument("--municipality", type=int, action="append", help="код муниципалитета (можно несколько)")

    def handle(self, *args, year, stage, municipality, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("Укажите учебный год годом его окончания, например 2027.")
        stored = computed_values_refresh(year=year, stages=stage, municipality_ids=municipality)
        self.stdout.write(f"Вычисленных значений сохранено или обновлено: {stored}.")
