"""Issue 20: an installation of one territory keeps working as before the move to many — the department's role and
everything it kept for the whole database (criteria, settings, runs, acts, events) become its region's, with nothing
lost (schools/migrations/0014_territories.py, partnerships/migrations/0006_event_region.py)."""

import datetime

import pytest

from tests.migrating import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("schools", "0013_organisations"), ("partnerships", "0005_agreement_curator_organisation")]


def test_the_departments_rows_become_its_regions_and_its_role_the_regions_role():
    old = migrate(BEFORE)
    try:
        Region, Municipality = old.get_model("schools", "Region"), old.get_model("schools", "Municipality")
        small = Region.objects.create(name="Соседний край")  # a region with fewer schools: not the portal's own
        region = Region.objects.create(name="Тестовая область")
        municipality = Municipality.objects.create(region=region, name="Тестовый район")
        School = old.get_model("schools", "School")
        for n in range(3):
            School.objects.create(municipality=municipality, short_name=f"СОШ № {n}", name=f"МБОУ СОШ № {n}")
        School.objects.create(
            municipality=Municipality.objects.create(region=small, name="Соседний район"), short_name="ООШ", name="ООШ"
        )
        user = old.get_model("auth", "User").objects.create(username="inspector")
        old.get_model("schools", "RoleAssignment").objects.create(user=user, role="department")
        old.get_model("schools", "Criterion").objects.create(
            year=2026, code="ege_math_mean", name="Средний балл", kind="results", profile_field="students", line=25
        )
        old.get_model("schools", "IdentificationSettings").objects.create(year=2026, oip_threshold=25)
        old.get_model("schools", "IdentificationRun").objects.create(year=2026, state="done")
        Act = old.get_model("schools", "Act")
        day = datetime.date(2025, 3, 1)
        Act.objects.create(kind="order", number="1", date=day, title="Акт региона", issuer="УО")
        Act.objects.create(kind="order", number="2", date=day, title="Акт района", issuer="УО", municipality=municipality)
        old.get_model("partnerships", "MethodicalEvent").objects.create(
            title="Семинар региона", format="seminar", held_on=day, organiser="УО"
        )
    finally:
        migrate()

    from partnerships.models import MethodicalEvent
    from schools.access import reach_of
    from schools.models import Act, Criterion, IdentificationRun, IdentificationSettings, Region, RoleAssignment

    own = Region.objects.get(name="Тестовая область")
    role = RoleAssignment.objects.get(user__username="inspector")
    assert (role.role, role.region, role.municipality) == ("department", own, None)
    assert Criterion.objects.get(code="ege_math_mean").region == own
    assert IdentificationSettings.objects.get(year=2026).region == own
    assert IdentificationSettings.parameters_for(own.pk, 2026).oip_threshold == 25
    assert IdentificationRun.objects.get(year=2026).region == own
    assert set(Act.objects.values_list("number", "region__name")) == {("1", own.name), ("2", own.name)}
    assert MethodicalEvent.objects.get(title="Семинар региона").region == own
    # the department reaches its region's schools, as it reached every school before, and not the other region's
    reach = reach_of(role.user)
    assert reach.department_region_ids == {own.pk}
    assert set(reach.municipality_ids) == set(own.municipalities.values_list("pk", flat=True))
