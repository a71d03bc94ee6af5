"""Fill an empty database with a region (or the country) at a chosen scale, for benchmarks.

    python manage.py generate_scale --schools 1000            # a region
    python manage.py generate_scale --schools 40000 --seed 7  # the country

See `portal.scale` for what is generated. The same seed on the same day gives the same data. The command refuses a
database that already has schools or municipalities (clear it with `manage.py flush`, or point DATABASE_URL at
another database).
"""

from django.core.management.base import BaseCommand, CommandError

from portal.scale import ScaleError, generate, scale_checksum


class Command(BaseCommand):
    help = "Заполняет пустую базу данными заданного масштаба (школы, результаты, перечни, программы, договоры…)."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, required=True, help="Сколько школ создать (например, 1000 или 40000).")
        parser.add_argument("--seed", type=int, default=1, help="Зерно генератора: одно зерно — одни данные (по умолчанию 1).")
        parser.add_argument(
            "--checksum", action="store_true", help="В конце напечатать контрольную сумму ключевых строк."
        )

    def handle(self, *args, schools, seed, checksum, **options):
        if schools < 10:
            raise CommandError("Укажите --schools не меньше 10.")
        self.stdout.write(f"Генерация: {schools} школ, зерно {seed}")
        try:
            counts = generate(schools=schools, seed=seed, out=self.stdout.write)
        except ScaleError as error:
            raise CommandError(str(error)) from error
        width = max(len(label) for label in counts)
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label:<{width}} {count:>10}")
        if checksum:
            self.stdout.write(f"Контрольная сумма: {scale_checksum()}")
