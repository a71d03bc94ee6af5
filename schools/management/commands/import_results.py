from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schools.ege_workbook import parse_results_file
from schools.results_import import ResultsImportError, results_import_preview, results_import_save

MAX_LISTED = 50


class Command(BaseCommand):
    help = (
        "Загружает результаты из книги Excel: отчёт о результатах ЕГЭ в том виде, как он пришёл, или универсальный "
        "шаблон портала. Школы сопоставляются с реестром по названию в муниципалитете."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="путь к файлу .xlsx")
        parser.add_argument("--year", type=int, help="загрузить только этот год (лист этого года)")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="создать в реестре школы (и муниципалитеты), которых в нём нет; без этого ключа такие названия "
            "перечисляются и ничего не сохраняется",
        )

    def handle(self, *args, file, year, create_missing, **options):
        path = Path(file)
        parsed = parse_results_file(path)
        # A file that cannot be read is refused before the registry is touched at all.
        preview = results_import_preview(parsed=parsed, year=year) if parsed.ok else None
        errors = preview.errors if preview else parsed.errors
        if errors:
            self._list("Ошибки в файле", errors)
            raise CommandError(f"Файл {path.name} не загружен: ошибок — {errors.count}. Ничего не сохранено.")
        if preview.warnings:
            self._list("Предупреждения (эти значения не загружаются)", preview.warnings, style=self.style.WARNING)
        if preview.unmatched and not create_missing:
            self._list(
                "Школы, которых нет в реестре",
                [f"{name.municipality_name}: {name.school_name} ({name.places})" for name in preview.unmatched],
            )
            raise CommandError(
                f"Не найдено в реестре названий школ: {len(preview.unmatched)}. Ничего не сохранено. Сопоставьте их "
                "на странице загрузки в портале или запустите команду с ключом --create-missing."
            )
        try:
            result = results_import_save(
                preview=preview, create_missing=create_missing, actor=None, file_name=path.name
            )
        except ResultsImportError as refused:
            self._list("Загрузка не сохранена", refused.messages)
            raise CommandError(f"Файл {path.name} не загружен. Ничего не сохранено.") from refused
        self.stdout.write(self.style.SUCCESS(f"Файл {path.name} загружен (загрузка № {result.pk}). {result.summary}"))

    def _list(self, title: str, lines, style=None) -> None:
        """`lines`: texts, or the problems of the file (each a sentence naming its sheet, row and column)."""
        lines = [str(line) for line in lines]
        write = self.stderr.write
        write(f"{title} ({len(lines)}):")
        for line in lines[:MAX_LISTED]:
            write(f"  — {line}", style_func=style)
        if len(lines) > MAX_LISTED:
            write(f"  …и ещё {len(lines) - MAX_LISTED}.", style_func=style)
