import io
from dataclasses import dataclass

import openpyxl
import pytest

from monitoring.self_assessment_xlsx import (
    FACTOR_FIRST_ROW,
    INDICATOR_FIRST_ROW,
    RATING_COLUMN,
    SHEET_INDICATORS,
    SHEET_MAIN,
    VALUE_COLUMN,
    template_content,
    template_xlsx,
)
from tests.seeding import seed_or_replay


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of the tests go to a throwaway directory, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Monitoring:
    users: dict
    municipality_a: object
    municipality_b: object
    school: object  # «Покровская СОШ», the demo school team's school
    neighbour: object  # another school of municipality A
    outsider_school: object  # a school of municipality B
    year: int  # the current school year


@pytest.fixture
def mon(demo, municipality_a, municipality_b):
    """The demo with programmes and monitoring seeded (idempotent: a no-op once seed_demo calls them)."""
    from monitoring.demo import seed_monitoring
    from programs.demo import seed_programmes
    from schools.demo import SCHOOL_TEAM_SCHOOL
    from schools.models import School
    from schools.school_year import current_school_year

    seed_programmes()
    seed_or_replay(seed_monitoring)
    school = School.objects.select_related("municipality").get(short_name=SCHOOL_TEAM_SCHOOL)
    return Monitoring(
        users=demo,
        municipality_a=municipality_a,
        municipality_b=municipality_b,
        school=school,
        neighbour=School.objects.filter(municipality=municipality_a).exclude(pk=school.pk).order_by("pk").first(),
        outsider_school=School.objects.filter(municipality=municipality_b).order_by("pk").first(),
        year=current_school_year(),
    )


def fill_template(school, year, stage, *, ratings=None, values=None, edit=None) -> bytes:
    """The portal's template for the school filled by openpyxl as a school would: every factor rated (2 unless
    `ratings` says otherwise), `values` by indicator code; `edit(workbook)` changes anything else."""
    content = template_content(school=school, year=year, stage=stage)
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(content)))
    main = workbook[SHEET_MAIN]
    for offset, factor in enumerate(content.factors):
        main.cell(row=FACTOR_FIRST_ROW + offset, column=RATING_COLUMN, value=(ratings or {}).get(factor.code, 2))
    sheet = workbook[SHEET_INDICATORS]
    for offset, item in enumerate(content.indicators):
        if values and item.indicator.code in values:
            sheet.cell(row=INDICATOR_FIRST_ROW + offset, column=VALUE_COLUMN, value=values[item.indicator.code])
    if edit:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
