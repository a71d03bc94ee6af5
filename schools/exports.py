"""xlsx exports of the registry and of identification runs: the rows of each export.

Row generators yield the header row first, then one row per object; `shnor_portal.spreadsheets.xlsx_bytes`
streams them into a write-only workbook, set up to print, with formula-like text as quoted text.
"""

import io
from collections.abc import Iterator

import openpyxl
from django.db.models import QuerySet
from openpyxl.styles import Alignment, Font, PatternFill

from shnor_portal.spreadsheets import Row, printable_sheet, text_cell, xlsx_bytes

from .models import IdentificationRun, School, Status

# The registry list ------------------------------------------------------------------------------------------------

REGISTRY_COLUMNS = [
    ("Муниципалитет", 30),
    ("Краткое наименование", 30),
    ("Полное наименование", 60),
    ("Тип", 14),
    ("Местность", 12),
    ("Малокомплектная", 16),
    ("Кластер", 30),
    ("Статус в перечне", 16),
    ("Профилактика", 14),
    ("Кандидат в кураторы", 14),
    ("Адрес", 40),
    ("Директор", 30),
    ("Телефон", 18),
    ("Эл. почта", 26),
    ("ИНН", 14),
    ("ОГРН", 16),
]

_STATUS_LABELS = dict(Status.choices)


def registry_rows(schools: QuerySet[School], *, year: int) -> Iterator[Row]:
    """The header, then one row per school of the filtered registry (annotated by `filters.with_year_status`)."""
    header = [title for title, _width in REGISTRY_COLUMNS]
    header[7] = f"Статус в перечне {year - 1}/{str(year)[-2:]}"
    yield header
    for school in schools.iterator(chunk_size=2000):
        yield [
            school.municipality.name,
            school.short_name,
            school.name,
            school.get_kind_display(),
            school.get_locality_display(),
            "да" if school.is_small else "нет",
            school.cluster.name if school.cluster_id else "",
            _STATUS_LABELS.get(school.year_status, "не входит") if school.year_status else "нет в перечне",
            "да" if school.year_preventive else "",
            "да" if school.year_curator else "",
            school.address,
            school.director,
            school.phone,
            school.email,
            school.inn,
            school.ogrn,
        ]


def registry_xlsx(schools: QuerySet[School], *, year: int) -> bytes:
    title = "Реестр школ"
    return xlsx_bytes(
        [(title, registry_rows(schools, year=year))],
        column_widths={title: [width for _title, width in REGISTRY_COLUMNS]},
    )


# An identification run ---------------------------------------------------------------------------------------------

VERDICT_COLUMNS = [
    ("Муниципалитет", 30),
    ("Школа", 34),
    ("Кластер", 30),
    ("Решение", 16),
    ("ОИП", 8),
    ("Индекс социального благополучия", 14),
    ("Профилактика", 12),
    ("Кандидат в кураторы", 12),
    ("Пояснение", 90),
    ("Низкие критерии", 90),
    ("На контроле", 12),
    ("Признаки необъективности ВПР", 40),
]


def verdict_rows(verdicts) -> Iterator[Row]:
    """The header, then one row per verdict of a run (select_related school__municipality)."""
    yield [title for title, _width in VERDICT_COLUMNS]
    runs = {}  # the criteria of each run, read once (a run has tens of thousands of verdicts)
    for verdict in verdicts.iterator(chunk_size=2000):
        if verdict.run_id not in runs:
            runs[verdict.run_id] = IdentificationRun.objects.only("parameters").get(pk=verdict.run_id)
        criteria = verdict.low_criteria(runs[verdict.run_id])
        yield [
            verdict.school.municipality.name,
            verdict.school.short_name,
            verdict.cluster_name,
            _STATUS_LABELS.get(verdict.status, verdict.status),
            verdict.oip,
            verdict.social_index,
            "да" if verdict.preventive else "",
            "да" if verdict.curator_candidate else "",
            verdict.explanation_text(runs[verdict.run_id]),
            "; ".join(
                f"{c.get('year')}: {c.get('name')} — {c.get('value')} {c.get('unit', '')} ({c.get('rule_text', '')})"
                for c in criteria
            ),
            "да" if verdict.on_watch else "",
            "; ".join(str(reason) for reason in (verdict.explanation or {}).get("objectivity", []))
            if verdict.objectivity_flag else "",
        ]


def run_xlsx(verdicts, *, title: str) -> bytes:
    return xlsx_bytes(
        [(title, verdict_rows(verdicts))], column_widths={title: [width for _title, width in VERDICT_COLUMNS]}
    )


# The list (перечень) approved by an order: its annex, the curator schools and the differences from the run ---------

LIST_COLUMNS = [("№", 6), ("Муниципалитет", 28), ("Школа", 40), ("Статус", 16), ("Адресная поддержка", 12),
                ("По расчёту", 16), ("Основание", 70)]  # fmt: skip
CURATOR_COLUMNS = [("№", 6), ("Муниципалитет", 28), ("Школа", 40), ("По расчёту", 20), ("Основание", 70)]
DIFFERENCE_COLUMNS = [("Муниципалитет", 28), ("Школа", 40), ("По расчёту", 18), ("В перечне", 18),
                      ("Адресная поддержка", 12), ("Школа-куратор", 12), ("Основание", 80)]  # fmt: skip
COMPUTED_REASON = "по результатам идентификации"


def list_heading(run: IdentificationRun) -> str:
    if run.order_number and run.order_date:
        return f"Приложение к приказу от {run.order_date:%d.%m.%Y} № {run.order_number}"
    return f"Проект перечня на {run.year_label} учебный год (по запуску идентификации № {run.pk}), приказ не издан"


def list_sheets(run: IdentificationRun, listed, curators, differences) -> list[tuple[str, list[str], list[int], list]]:
    """(title, heading lines, column widths, rows with the header first) of each sheet of the list's workbook."""
    heading = [list_heading(run), f"Перечень школ с низкими образовательными результатами (ШНОР) и школ, "
               f"функционирующих в неблагоприятных социальных условиях (ШНСУ), на {run.year_label} учебный год"]  # fmt: skip
    yes = "да"
    rows = [[title for title, _ in LIST_COLUMNS]] + [
        [number, row.school.municipality.name, row.school.name or row.school.short_name, row.get_status_display(),
         yes if row.targeted else "", row.get_computed_status_display(), row.reason or COMPUTED_REASON]
        for number, row in enumerate(listed, start=1)
    ]  # fmt: skip
    curator_rows = [[title for title, _ in CURATOR_COLUMNS]] + [
        [number, row.school.municipality.name, row.school.name or row.school.short_name,
         "кандидат в кураторы" if row.verdict.curator_candidate else "не кандидат",
         row.reason or COMPUTED_REASON]
        for number, row in enumerate(curators, start=1)
    ]  # fmt: skip
    difference_rows = [[title for title, _ in DIFFERENCE_COLUMNS]] + [
        [row.school.municipality.name, row.school.short_name, row.get_computed_status_display(),
         row.get_status_display(), yes if row.targeted else "", yes if row.curator else "", row.reason]
        for row in differences
    ]  # fmt: skip
    return [
        ("Перечень", heading, [w for _, w in LIST_COLUMNS], rows),
        ("Школы-кураторы", [heading[0], f"Школы-кураторы на {run.year_label} учебный год"], [w for _, w in CURATOR_COLUMNS],
         curator_rows),
        ("Отличия от расчёта", [f"Отличия перечня на {run.year_label} учебный год от расчёта (запуск № {run.pk})"],
         [w for _, w in DIFFERENCE_COLUMNS], difference_rows),
    ]  # fmt: skip


def list_xlsx(run: IdentificationRun, listed, curators, differences) -> bytes:
    """The list as a workbook that prints as the annex: landscape, fitted to the page width, the table's header
    repeated on every printed page. Formula-like text is quoted text as in every export (`text_cell`)."""
    workbook = openpyxl.Workbook(write_only=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor="DDE7F3")
    for title, heading, widths, rows in list_sheets(run, listed, curators, differences):
        sheet = printable_sheet(workbook, title, widths, heading)
        for number, row in enumerate(rows):
            cells = []
            for value in row:
                cell = text_cell(sheet, value)
                cell.alignment = wrap
                if number == 0:
                    cell.font, cell.fill = bold, fill
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
