"""A district's own identification «where the region allows» (issue 20; seeds 000, 002 and 003 are districts' own
lists): the region's setting `IdentificationSettings.districts_identify`, the district's run over its own schools by
the region's criteria, its approval replacing its district's statuses only, and the region's approval leaving a
district with its own list in force alone (docs/TERRITORIES.md «A district's own list»)."""

import pytest
from django.urls import reverse

from schools.identification import IdentificationError, criteria_ensure_for_year, run_execute, run_start
from schools.models import IdentificationRun, IdentificationSettings, Region, School, SchoolYearStatus
from schools.selection import list_approve
from tests.conftest import home_region_id
from tests.schools.test_identification_views import start_form

pytestmark = pytest.mark.django_db

YEAR = 2026
ORDER = {"order_number": "15-р", "order_date": "2026-03-01", "confirm": "on"}


def allow_districts(region_id, year=YEAR, allowed=True):
    IdentificationSettings.objects.update_or_create(
        region_id=region_id, year=year, defaults={"districts_identify": allowed}
    )


@pytest.fixture
def region_list(demo):
    """The region's list of 2026, approved by the region's department, with its criteria of the year."""
    region_id = home_region_id()
    criteria_ensure_for_year(region_id=region_id, year=YEAR)
    run = run_execute(run_start(region_id=region_id, year=YEAR, actor=demo["department"]))
    list_approve(run=run, actor=demo["department"])
    return run


def statuses_by_run(year=YEAR):
    return dict(SchoolYearStatus.objects.filter(year=year).values_list("school_id", "run_id"))


def test_without_the_regions_setting_a_district_gets_403_on_starting_a_run(client, demo, region_list):
    client.force_login(demo["district"])
    assert client.post(reverse("schools:identification_start"), start_form()).status_code == 403
    assert "Новый запуск" not in client.get(reverse("schools:identification")).content.decode()
    district = demo["district"].role_assignments.get().municipality
    with pytest.raises(IdentificationError, match="Регион не разрешил районам"):
        run_start(region_id=home_region_id(), year=YEAR, actor=demo["district"], municipality_id=district.pk)
    # allowed for another year only: this year's start is refused all the same
    allow_districts(home_region_id(), year=YEAR + 1)
    refused = client.post(reverse("schools:identification_start"), start_form(municipality=district.pk))
    assert refused.status_code == 403
    assert not IdentificationRun.objects.filter(municipality__isnull=False).exists()


def test_a_district_runs_and_approves_its_own_list_and_nothing_else_changes(
    client, demo, region_list, django_capture_on_commit_callbacks
):
    region_id = home_region_id()
    allow_districts(region_id)
    district = demo["district"].role_assignments.get().municipality
    before = statuses_by_run()
    client.force_login(demo["district"])
    assert "Новый запуск" in client.get(reverse("schools:identification")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:identification_start"), start_form(municipality=district.pk))
    run = IdentificationRun.objects.get(municipality=district)
    assert response.status_code == 302 and run.state == IdentificationRun.State.DONE
    own = set(School.objects.filter(municipality=district, archived_on__isnull=True).values_list("pk", flat=True))
    # the district's schools only, ranked among themselves
    assert set(run.verdicts.values_list("school_id", flat=True)) == own
    assert {row["municipality_id"] for row in run.summary["passport_by_municipality"]} == {district.pk}
    assert run.school_count == len(own)

    # the region's department reads the district's run but does not approve it; the district does
    client.force_login(demo["department"])
    assert client.get(reverse("schools:run_detail", args=[run.pk])).status_code == 200
    assert client.post(reverse("schools:run_approve", args=[run.pk]), ORDER).status_code == 404
    client.force_login(demo["district"])
    assert client.get(reverse("schools:selection_approve", args=[run.pk])).status_code == 200
    approved = client.post(reverse("schools:run_approve", args=[run.pk]), ORDER)
    assert approved.status_code == 302

    after = statuses_by_run()
    assert {pk for pk, run_id in after.items() if run_id == run.pk} == own
    assert {pk: r for pk, r in after.items() if pk not in own} == {pk: r for pk, r in before.items() if pk not in own}
    assert run.approved_by_id is None and IdentificationRun.objects.get(pk=run.pk).approved_by == demo["district"]


def test_the_regions_approval_leaves_a_district_with_its_own_list_alone(demo, region_list):
    region_id = home_region_id()
    allow_districts(region_id)
    district = demo["district"].role_assignments.get().municipality
    own_run = run_execute(run_start(region_id=region_id, year=YEAR, actor=demo["district"], municipality_id=district.pk))
    list_approve(run=own_run, actor=demo["district"])
    own = set(own_run.verdicts.values_list("school_id", flat=True))

    again = run_execute(run_start(region_id=region_id, year=YEAR, actor=demo["department"]))
    written = list_approve(run=again, actor=demo["department"])
    after = statuses_by_run()
    assert {pk for pk, run_id in after.items() if run_id == own_run.pk} == own
    assert {pk for pk, run_id in after.items() if run_id == again.pk} == set(after) - own
    assert written == len(after) - len(own)


def test_a_district_of_one_region_sees_nothing_of_another(client, demo, region_list):
    allow_districts(home_region_id())
    other = Region.objects.exclude(pk=home_region_id()).first() or Region.objects.create(name="Второй регион")
    foreign = IdentificationRun.objects.create(region=other, year=YEAR, state=IdentificationRun.State.DONE)
    client.force_login(demo["district"])
    for name in ("schools:run_detail", "schools:selection", "schools:selection_approve"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404, name
    assert client.post(reverse("schools:run_approve", args=[foreign.pk]), ORDER).status_code == 404
    assert f"№ {foreign.pk}" not in client.get(reverse("schools:identification")).content.decode()
    # nor starts a run for a district that is not its own
    elsewhere = School.objects.exclude(municipality=demo["district"].role_assignments.get().municipality).first()
    refused = client.post(reverse("schools:identification_start"), start_form(municipality=elsewhere.municipality_id))
    assert refused.status_code == 400 and not IdentificationRun.objects.filter(municipality__isnull=False).exists()


def test_switched_off_the_regions_approval_covers_the_district_again(demo, region_list):
    region_id = home_region_id()
    allow_districts(region_id)
    district = demo["district"].role_assignments.get().municipality
    own_run = run_execute(run_start(region_id=region_id, year=YEAR, actor=demo["district"], municipality_id=district.pk))
    list_approve(run=own_run, actor=demo["district"])
    allow_districts(region_id, allowed=False)
    again = run_execute(run_start(region_id=region_id, year=YEAR, actor=demo["department"]))
    list_approve(run=again, actor=demo["department"])
    assert set(statuses_by_run().values()) == {again.pk}
