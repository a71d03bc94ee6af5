"""The campaign's xlsx: each school's answers and index (none below the threshold)."""

import io

from schools.school_year import school_year_label
from shnor_portal.spreadsheets import Column, TypedSheet, xlsx_write_typed

from .results import NOT_ENOUGH


def campaign_xlsx(campaign, named_rows) -> bytes:
    columns = [
        Column("Муниципалитет", 28), Column("Школа", 48), Column("Ответов", 10, "int"),
        Column("Индекс удовлетворённости, из 100", 16, "number"), Column("Примечание", 24),
    ]
    rows = (
        [link.school.municipality.name, link.school.short_name, row.responses, row.index,
         "" if row.enough else NOT_ENOUGH]  # fmt: skip
        for link, row in named_rows
    )
    buffer = io.BytesIO()
    title = "Опрос " + school_year_label(campaign.year).replace("/", "-")  # a sheet's title may not hold «/»
    xlsx_write_typed(buffer, [TypedSheet(title, columns, rows)], territory=str(campaign.region))
    return buffer.getvalue()
