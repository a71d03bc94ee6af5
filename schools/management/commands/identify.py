from django.core.management.base import BaseCommand, CommandError

from schools.identification import IdentificationError, run_execute, run_start
from schools.models import Region
from schools.selection import list_approve


class Command(BaseCommand):
    help = "Проводит идентификацию ШНОР/ШНСУ региона за год по его критериям года и печатает итог."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="год (год окончания учебного года)")
        parser.add_argument(
            "--region", default="", help="регион: код субъекта или название (можно не указывать, если регион один)"
        )
        parser.add_argument("--approve", action="store_true", help="сразу утвердить перечень по этому запуску")
        parser.add_argument("--note", default="", help="комментарий к запуску")

    def handle(self, *args, year, region, approve, note, **options):
        regions = Region.objects.filter(code=region) | Region.objects.filter(name=region) if region else Region.objects.all()
        if regions.count() != 1:
            names = ", ".join(f"{r.name} ({r.code})" for r in Region.objects.order_by("name"))
            raise CommandError(f"Укажите регион (--region, код или название) — один из: {names or 'регионов нет'}.")
        try:
            run = run_start(
                region_id=regions.get().pk, year=year, actor=None, note=note or "Запуск из командной строки"
            )
            run = run_execute(run)
            if approve:
                list_approve(run=run, actor=None)
        except IdentificationError as error:
            raise CommandError(str(error)) from error
        except Exception as error:
            raise CommandError(f"Идентификация не удалась: {error}") from error
        self.stdout.write(
            f"Идентификация на {run.year_label} учебный год, запуск № {run.pk}: школ {run.school_count}, "
            f"ШНОР {run.shnor_count}, ШНСУ {run.shnsu_count} (из них и то и другое {run.both_count}), "
            f"профилактика {run.preventive_count}, кандидатов в кураторы {run.curator_count}."
        )
        if approve:
            self.stdout.write(self.style.SUCCESS(f"Утверждён {run.list_name}."))
