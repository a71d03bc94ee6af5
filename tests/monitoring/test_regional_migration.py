"""Issue 20, the levels above the municipality: an installation keeps its programmes, indicators and values, and
every indicator learns whose region it is (programs/0006_regional_programme, monitoring/0008_regional_indicators)."""

import pytest

from tests.migrating import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("programs", "0005_default_review_routes"), ("monitoring", "0007_report_export_region")]


def test_every_indicator_gets_its_region_and_nothing_is_lost():
    old = migrate(BEFORE)
    try:
        Region, Municipality = old.get_model("schools", "Region"), old.get_model("schools", "Municipality")
        School = old.get_model("schools", "School")
        small = Region.objects.create(name="Соседний край")
        region = Region.objects.create(name="Тестовая область")
        municipality = Municipality.objects.create(region=region, name="Тестовый район")
        other = Municipality.objects.create(region=small, name="Соседний район")
        school = School.objects.create(municipality=municipality, short_name="СОШ № 1", name="МБОУ СОШ № 1")
        School.objects.create(municipality=municipality, short_name="СОШ № 2", name="МБОУ СОШ № 2")
        programme = old.get_model("programs", "Programme").objects.create(
            kind="municipal", title="Муниципальная программа", municipality=other, period_start=2025, period_end=2027
        )
        Indicator = old.get_model("monitoring", "Indicator")
        Indicator.objects.create(code="share", name="Для всего региона", level="municipal")
        Indicator.objects.create(code="share", name="Района", level="municipal", municipality=municipality)
        Indicator.objects.create(code="share", name="Программы", level="municipal", programme=programme,
                                 municipality=other)  # fmt: skip
        indicator = Indicator.objects.create(code="teachers", name="Педагоги", level="school")
        old.get_model("monitoring", "IndicatorValue").objects.create(
            indicator=indicator, year=2026, stage="entry", municipality=municipality, school=school, value=10
        )
    finally:
        migrate()

    from monitoring.models import Indicator, IndicatorValue
    from programs.models import Programme

    regions = dict(Indicator.objects.values_list("name", "region__name"))
    # of neither a programme nor a municipality: the region the portal served (the one with the most schools)
    assert regions == {
        "Для всего региона": "Тестовая область", "Района": "Тестовая область", "Программы": "Соседний край",
        "Педагоги": "Тестовая область",
    }  # fmt: skip
    value = IndicatorValue.objects.get()
    assert (value.municipality.name, value.school.short_name, value.region) == ("Тестовый район", "СОШ № 1", None)
    kept = Programme.objects.get()
    assert (kept.kind, kept.municipality.name, kept.region) == ("municipal", "Соседний район", None)
    # the code is now unique per region: another region may take it
    Indicator.objects.create(code="share", name="Своя доля", level="regional", region_id=kept.municipality.region_id)
