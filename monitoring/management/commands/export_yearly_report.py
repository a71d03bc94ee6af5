"""The yearly report from the command line, for scheduled runs: the same workbook as the browser export."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.models import YEAR_MAX, YEAR_MIN
from monitoring.yearly_report import ReportError, department_scope, report_write
from schools.models import Municipality
from schools.school_year import current_school_year


class Command(BaseCommand):
    help = (
        "Выгружает годовой отчёт мониторинга в файл Excel (.xlsx): сводка, муниципалитеты, школы, показатели, "
        "программы и экспертиза, дорожные карты, договоры и сопровождение, мероприятия, ИПРП и тьюторы, банк "
        "практик, динамика результатов ШНОР. Отчёт строится с правами управления образования (по всему региону "
        "или по одному муниципалитету)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="учебный год (год его окончания: 2027 — 2026/27)")
        parser.add_argument("--municipality", help="код муниципалитета; без него — весь регион")
        parser.add_argument("--out", required=True, help="путь к файлу .xlsx, который будет записан")

    def handle(self, *args, year, municipality, out, **options):
        if not str(year).strip().isdigit():
            raise CommandError(f"Учебный год указывают числом — годом его окончания, например 2027, а указано «{year}».")
        year = int(year)
        if municipality is not None and not str(municipality).strip().isdigit():
            raise CommandError(f"Код муниципалитета — целое число, а указано «{municipality}».")
        municipality = int(municipality) if municipality is not None else None
        if not YEAR_MIN <= year <= min(YEAR_MAX, current_school_year() + 1):
            raise CommandError(
                f"Учебный год {year} вне допустимого диапазона: укажите год окончания учебного года от {YEAR_MIN} "
                f"до {current_school_year() + 1}, например {current_school_year()}."
            )
        chosen = None
        if municipality is not None:
            chosen = Municipality.objects.filter(pk=municipality).first()
            if chosen is None:
                raise CommandError(f"Муниципалитета с кодом {municipality} нет.")
        target = Path(out)
        if target.suffix.lower() != ".xlsx":
            raise CommandError(f"Файл отчёта должен иметь расширение .xlsx, а указано «{target.name}».")
        if not target.parent.is_dir():
            raise CommandError(f"Папки {target.parent} нет: укажите существующую папку для файла отчёта.")
        # Written beside the target and moved into place at the end, so a failed run leaves no half-written file.
        handle, temporary = tempfile.mkstemp(suffix=".xlsx", dir=target.parent, prefix=".yearly-report-")
        os.close(handle)
        try:
            report = report_write(temporary, user=department_scope(), year=year, municipality=chosen)
            os.replace(temporary, target)
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        scope = chosen.name if chosen else "весь регион"
        self.stdout.write(
            f"Годовой отчёт за {report.figures.year_label} ({scope}) записан в {target}: "
            f"муниципалитетов — {len(report.figures.municipalities)}, школ — {report.figures.total['schools']}."
        )
