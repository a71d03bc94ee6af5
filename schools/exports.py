"""xlsx exports of the registry and of identification runs: the rows of each export.

Row generators yield the header row first, then one row per object; `shnor_portal.spreadsheets.xlsx_bytes`
streams them into a write-only workbook and escapes formulas.
"""

from collections.abc import Iterator

from django.db.models import QuerySet

from shnor_portal.spreadsheets import Row, xlsx_bytes

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
        ]


def run_xlsx(verdicts, *, title: str) -> bytes:
    return xlsx_bytes(
        [(title, verdict_rows(verdicts))], column_widths={title: [width for _title, width in VERDICT_COLUMNS]}
    )
