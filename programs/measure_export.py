"""The list of roadmap measures across programmes (`programs:measures`) as xlsx: the same filtered, scoped rows the
page shows, one row per measure; `shnor_portal.spreadsheets.xlsx_bytes` streams them and escapes formulas."""

import datetime
from collections.abc import Iterable, Iterator

from shnor_portal.spreadsheets import Row, xlsx_bytes

from .models import RoadmapMeasure

TITLE = "Мероприятия дорожных карт"
COLUMNS = [
    ("Муниципалитет (регион)", 28), ("Школа", 30), ("Программа", 40), ("Мероприятие", 50), ("Наименование результата", 36),
    ("Срок", 16), ("Статус", 16), ("Просрочено", 12), ("Исполнители", 36),
]  # fmt: skip


def measure_rows(measures: Iterable[RoadmapMeasure], *, today: datetime.date) -> Iterator[Row]:
    yield [title for title, _width in COLUMNS]
    for m in measures:
        programme = m.programme
        yield [
            programme.region.name if programme.is_regional else programme.municipality.name, programme.school.short_name if programme.school_id else "", programme.title,
            m.name, m.result_name, m.deadline_label, m.get_status_display(), "да" if m.is_overdue(today) else "",
            m.executors,
        ]  # fmt: skip


def measures_xlsx(measures: Iterable[RoadmapMeasure], *, today: datetime.date) -> bytes:
    return xlsx_bytes([(TITLE, measure_rows(measures, today=today))], column_widths={TITLE: [w for _t, w in COLUMNS]})
