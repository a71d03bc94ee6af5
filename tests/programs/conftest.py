import datetime

import pytest

from programs.demo import seed_programmes
from programs.models import MeasureYear, Programme, RoadmapMeasure, RoadmapSection
from schools.demo import SCHOOL_TEAM_SCHOOL


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files written by a test go to a throwaway directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def programmes(demo):
    """The demo programmes of municipality A (municipal roadmap of seed 002; school programmes in every state)."""
    seed_programmes()
    return {
        "municipal": Programme.objects.get(kind=Programme.Kind.MUNICIPAL),
        "draft": Programme.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.TRANSITION),
        "returned": Programme.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.ANTI_RISK),
        "submitted": Programme.objects.get(school__short_name="Никольская ООШ"),
        "accepted": Programme.objects.get(school__short_name="Берёзовская ООШ"),
        "in_review": Programme.objects.get(school__short_name="Ильинская СОШ"),
    }


def make_programme(*, municipality=None, school=None, measures=10, sections=5, years=(2025, 2027), title=None,
                   state=Programme.State.DRAFT, with_years=True):
    """A programme with `measures` measures spread over `sections` tasks, written in bulk (fast, for sizes)."""
    kind = Programme.Kind.TRANSITION if school else Programme.Kind.MUNICIPAL
    programme = Programme.objects.create(
        kind=kind,
        title=title or f"Тестовая программа на {measures} мероприятий",
        municipality=municipality or school.municipality,
        school=school,
        period_start=years[0],
        period_end=years[1],
        goal="Цель",
        state=state,
    )
    section_objs = RoadmapSection.objects.bulk_create(
        RoadmapSection(programme=programme, position=i + 1, title=f"Задача {i + 1}") for i in range(sections)
    )
    rows = []
    for index in range(measures):
        section = section_objs[index % sections]
        rows.append(
            RoadmapMeasure(
                programme=programme,
                section=section,
                position=index // sections + 1,
                name=f"Мероприятие {index + 1}",
                result_name="Результат",
                planned_value=3,
                executors="УО",
                deadline=datetime.date(years[0], 3, 1) if index % 7 == 0 else datetime.date(years[1], 12, 1),
                status=RoadmapMeasure.Status.DONE if index % 3 == 0 else RoadmapMeasure.Status.IN_PROGRESS,
            )
        )
    created = RoadmapMeasure.objects.bulk_create(rows)
    if with_years:
        MeasureYear.objects.bulk_create(
            MeasureYear(measure=m, year=year, planned_value=1, actual_value=1)
            for m in created
            for year in range(years[0], years[1] + 1)
        )
    return programme
