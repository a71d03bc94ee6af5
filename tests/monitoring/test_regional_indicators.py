"""Indicators of the region's level (seed 004, 3.1): one value per region, entered by its department or counted by
the portal; shown with plan and fact on «Показатели региона» to the region's readers only."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from monitoring.computed import compute, municipal_programme_share_by_region
from monitoring.models import Indicator, IndicatorPlan, IndicatorValue
from monitoring.regional import regional_value_save
from programs.models import Programme
from schools.models import IdentificationRun, Municipality, Region, RoleAssignment, School, SchoolYearStatus
from schools.services import role_assign
from tests.conftest import home_region_id, login

pytestmark = pytest.mark.django_db
YEAR = 2026


def _region(name, statuses_by_municipality: list[list[str]], *, list_year=YEAR, with_programme=()):
    """A region whose municipalities have schools of these statuses on its approved list of `list_year`, and a
    municipal programme in the municipalities numbered in `with_programme`."""
    region = Region.objects.create(name=name)
    run = IdentificationRun.objects.create(region=region, year=list_year, state="done")
    for n, statuses in enumerate(statuses_by_municipality):
        municipality = Municipality.objects.create(region=region, name=f"{name}: район {n}")
        for k, status in enumerate(statuses):
            school = School.objects.create(municipality=municipality, name=f"Школа {k}", short_name=f"Школа {k}")
            SchoolYearStatus.objects.create(school=school, year=list_year, status=status, run=run)
        if n in with_programme:
            Programme.objects.create(
                kind=Programme.Kind.MUNICIPAL, title=f"Программа района {n}", municipality=municipality,
                period_start=YEAR - 1, period_end=YEAR + 1,
            )  # fmt: skip
    return region


def test_the_share_of_municipalities_with_a_programme_counts_each_region_by_its_own_list(
    db, django_assert_num_queries
):
    # 4 municipalities, 3 with a ШНОР/ШНСУ, 2 of them (and the one without) with a programme: 2 of 3
    north = _region("Северный", [["shnor", "none"], ["both"], ["shnsu"], ["none"]], with_programme=(0, 1, 3))
    # its list is of an earlier year: still the newest up to YEAR; 1 of 2
    south = _region("Южный", [["shnor"], ["shnor"]], list_year=YEAR - 1, with_programme=(1,))
    empty = Region.objects.create(name="Без перечня")
    with django_assert_num_queries(3):
        shares = municipal_programme_share_by_region(YEAR, [north.pk, south.pk, empty.pk])
    assert shares[north.pk] == pytest.approx(200 / 3)
    assert shares[south.pk] == 50.0
    assert shares[empty.pk] is None
    # the same through the computed indicators' registry, for one region's municipalities
    ids = list(Municipality.objects.filter(region=north).values_list("pk", flat=True))
    assert compute("municipal_programme_share", year=YEAR, municipality=ids) == pytest.approx(66.67)


@pytest.fixture
def regional(demo):
    """Region A (the demo's) with two regional indicators, one typed and one counted, and a second region with its
    own department."""
    region = Region.objects.get(pk=home_region_id())
    other = Region.objects.create(name="Другой край")
    role_assign(user=demo["department_b"], role=RoleAssignment.Role.DEPARTMENT, region=other)
    typed = Indicator.objects.create(
        code="municipal-reports", level=Indicator.Level.REGIONAL, region=region, unit=Indicator.Unit.PERCENT,
        name="Доля муниципальных образований, предоставивших информацию о реализации муниципальных программ",
    )  # fmt: skip
    counted = Indicator.objects.create(
        code="municipal-programmes", level=Indicator.Level.REGIONAL, region=region,
        name="Доля муниципальных образований (с ШНОР), в которых разработаны муниципальные программы",
        computed_by="municipal_programme_share",
    )  # fmt: skip
    IndicatorPlan.objects.create(indicator=typed, year=YEAR, planned_value=75)
    IndicatorPlan.objects.create(indicator=counted, year=YEAR, planned_value=50)
    return {"region": region, "other": other, "typed": typed, "counted": counted, **demo}


def test_the_department_enters_its_regions_value_confirmed_at_once(client, regional):
    login(client, regional["department"])
    response = client.post(
        reverse("monitoring:region_value", args=[regional["typed"].pk]), {"year": YEAR, "stage": "final", "value": "80"}
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=regional["typed"], region=regional["region"])
    assert value.status == IndicatorValue.Status.CONFIRMED and value.confirmed_by == regional["department"]
    assert value.municipality_id is None and value.school_id is None
    page = client.get(reverse("monitoring:region_indicators") + f"?year={YEAR}").content.decode()
    assert "Доля муниципальных образований, предоставивших информацию" in page
    assert "80 %" in page and "план выполнен" in page


def test_nobody_else_enters_a_regions_value(client, regional):
    for username in ("coordinator", "institute", "federal", "district", "department_b"):
        with pytest.raises(PermissionDenied):
            regional_value_save(actor=regional[username], indicator=regional["typed"], year=YEAR, stage="final",
                                value=Decimal(60))  # fmt: skip
    with pytest.raises(ValidationError, match="считает портал"):
        regional_value_save(actor=regional["department"], indicator=regional["counted"], year=YEAR, stage="final",
                            value=Decimal(60))  # fmt: skip
    with pytest.raises(ValidationError, match="от 0 до 100"):
        regional_value_save(actor=regional["department"], indicator=regional["typed"], year=YEAR, stage="final",
                            value=Decimal(160))  # fmt: skip


def test_another_regions_department_does_not_see_the_regions_indicators(client, regional):
    login(client, regional["department_b"])
    page = client.get(reverse("monitoring:region_indicators") + f"?year={YEAR}").content.decode()
    assert "Другой край" in page and "предоставивших информацию" not in page
    response = client.post(
        reverse("monitoring:region_value", args=[regional["typed"].pk]), {"year": YEAR, "stage": "final", "value": "1"}
    )
    assert response.status_code == 404
    login(client, regional["school"])
    assert client.get(reverse("monitoring:region_indicators")).status_code == 404


def test_the_federal_operator_reads_every_region_in_a_fixed_number_of_queries(
    client, regional, django_assert_max_num_queries
):
    login(client, regional["federal"])
    url = reverse("monitoring:region_indicators") + f"?year={YEAR}"
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        page = client.get(url).content.decode()
    assert "в которых разработаны муниципальные программы" in page and "Другой край" in page
    for n in range(3):
        region = Region.objects.create(name=f"Край {n}")
        Indicator.objects.create(code="municipal-programmes", level=Indicator.Level.REGIONAL, region=region,
                                 name=f"Показатель края {n}", computed_by="municipal_programme_share")  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Показатель края 2" in page


def test_constraints_speak_russian(regional, municipality_a):
    with pytest.raises(ValidationError) as caught:
        Indicator(code="municipal-reports", level=Indicator.Level.REGIONAL, region=regional["region"],
                  name="Тот же код").full_clean()  # fmt: skip
    assert "Показатель с таким кодом в этом регионе уже есть." in str(caught.value)
    # the same code in another region is another indicator
    Indicator(code="municipal-reports", level=Indicator.Level.REGIONAL, region=regional["other"], name="Свой").full_clean()
    with pytest.raises(ValidationError) as caught:
        Indicator(code="x", level=Indicator.Level.REGIONAL, municipality=municipality_a, name="Не так").full_clean()
    assert "У показателя уровня «регион» муниципалитета нет." in str(caught.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=regional["typed"], year=YEAR, stage="final", value=1,
                                      municipality=municipality_a, region=regional["region"])  # fmt: skip


def test_a_regional_indicators_own_page_is_its_regions(client, regional):
    login(client, regional["coordinator"])
    response = client.get(reverse("monitoring:indicator_detail", args=[regional["typed"].pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"{reverse('monitoring:region_indicators')}#region-{regional['region'].pk}")
    login(client, regional["department_b"])
    assert client.get(reverse("monitoring:indicator_detail", args=[regional["typed"].pk])).status_code == 404
