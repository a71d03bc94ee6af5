"""The move to month-level deadlines keeps every deadline there was: each stored date stays the same date, as a date
deadline (programs/migrations/0002_month_deadlines.py)."""

import datetime

import pytest

from tests.migrating import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("programs", "0001_initial")]


def test_existing_dates_become_date_deadlines_unchanged():
    old = migrate(BEFORE)
    try:
        region = old.get_model("schools", "Region").objects.create(name="Тестовый край")
        municipality = old.get_model("schools", "Municipality").objects.create(region=region, name="Тестовый район")
        programme = old.get_model("programs", "Programme").objects.create(
            kind="municipal", title="Программа до перехода", municipality=municipality, period_start=2025, period_end=2027
        )
        section = old.get_model("programs", "RoadmapSection").objects.create(programme=programme, title="Задача")
        measure_model = old.get_model("programs", "RoadmapMeasure")
        dates = [datetime.date(2025, 5, 31), datetime.date(2026, 12, 31), None]
        for position, deadline in enumerate(dates, start=1):
            measure_model.objects.create(
                programme=programme, section=section, position=position, name=f"Мероприятие {position}", deadline=deadline
            )
    finally:
        migrate()

    from programs.deadlines import Deadline
    from programs.models import RoadmapMeasure

    measures = list(RoadmapMeasure.objects.filter(programme__title="Программа до перехода").order_by("position"))
    assert [m.deadline for m in measures] == dates
    assert [m.due for m in measures] == [Deadline.on(dates[0]), Deadline.on(dates[1]), None]
    assert [m.deadline_label for m in measures] == ["31.05.2025", "31.12.2026", ""]
