"""Reports at every level and the regions side by side (issue 20, item 6): the page «Регионы» of those who read
several regions (the federal operator; a department of two), its figures equal to the dashboards', its links to the
region's registry, its chart table and xlsx, a fixed number of queries whatever the number of regions; the yearly
report of a region (nothing of another region in it) and the federal operator's country report with its sheet
«Регионы»."""

import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.access import visible_report_exports
from monitoring.figures import year_figures
from monitoring.models import ReportExport
from monitoring.regions import region_figures
from monitoring.yearly_report import report_write
from schools.filters import registry_schools
from schools.models import Municipality, Region, RoleAssignment, School
from schools.services import role_assign
from tests.seeding import seed_or_replay

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(mon):
    """The demo with its second region (Пермский край, `department_b`) and the partnerships of the first."""
    from partnerships.demo import seed_partnerships
    from portal.demo_territories import REGION, seed_territories

    seed_or_replay(seed_partnerships)
    seed_territories()
    mon.region_a = mon.municipality_a.region
    mon.region_b = Region.objects.get(name=REGION[0])
    return mon


def _fresh(user):
    """The user read again: the reach is kept on the user object for one request."""
    return type(user).objects.get(pk=user.pk)


def _sheet_rows(workbook, title) -> list[tuple]:
    return list(workbook[title].iter_rows(values_only=True))


def test_the_federal_operator_sets_the_regions_side_by_side(client, two):
    client.force_login(two.users["federal"])
    response = client.get(reverse("monitoring:regions"), {"year": two.year})
    assert response.status_code == 200
    html = response.content.decode()
    for region in (two.region_a, two.region_b):
        assert f'data-region="{region.pk}"' in html
    # region A's figures are those of its department's dashboard, summed over its municipalities
    department = year_figures(user=_fresh(two.users["department"]), year=two.year)
    rows = {row["region"].pk: {c["key"]: c["value"] for c in row["cells"]} for row in response.context["rows"]}
    for key in ("schools", "listed", "shnor", "shnsu", "accepted", "agreements_in_force", "sessions", "sa_missing"):
        assert rows[two.region_a.pk][key] == department.total[key], key
    assert rows[two.region_b.pk]["schools"] == School.objects.filter(municipality__region=two.region_b).count() == 4
    # the approved list of the year in region A, with its approval
    row_a = next(r for r in response.context["rows"] if r["region"] == two.region_a)
    assert row_a["approved"] and row_a["approval"].startswith("утверждён")
    # the chart: its data for Chart.js and a table for screen readers, no inline script
    assert 'id="regions-chart-data"' in html and 'data-chart-table="regions"' in html
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)


def test_each_count_of_schools_opens_the_registry_of_its_region_with_as_many_rows(client, two):
    federal = two.users["federal"]
    client.force_login(federal)
    response = client.get(reverse("monitoring:regions"), {"year": two.year})
    for row in response.context["rows"]:
        cells = {c["key"]: c for c in row["cells"]}
        for key in ("schools", "shnor"):
            url = cells[key]["url"]
            assert f"region={row['region'].pk}" in url, key
            page = client.get(url)
            assert page.status_code == 200
            assert page.context["counts"]["total"] == cells[key]["value"], (row["region"], key)
        # lists that do not filter by region have no link rather than a wrong one
        assert cells["sessions"]["url"] is None


def test_the_registry_filters_by_region_only_among_the_regions_read(two):
    federal, department = _fresh(two.users["federal"]), _fresh(two.users["department"])
    _filter, schools = registry_schools(user=federal, data={"region": two.region_b.pk, "archive": "all"})
    assert {s.municipality.region_id for s in schools} == {two.region_b.pk}
    _filter, own = registry_schools(user=department, data={"region": two.region_a.pk, "archive": "all"})
    assert own.count() == School.objects.filter(municipality__region=two.region_a).count()
    # another region typed into the URL: the department's filter rejects it, nothing is shown
    _filter, other = registry_schools(user=department, data={"region": two.region_b.pk, "archive": "all"})
    assert not other.exists()


@pytest.mark.parametrize(
    ("username", "status"),
    [("federal", 200), ("department", 403), ("department_b", 403), ("district", 403), ("institute", 403),
     ("coordinator", 403), ("school", 403)],
)  # fmt: skip
def test_only_those_who_read_several_regions_compare_them(client, two, username, status):
    client.force_login(two.users[username])
    assert client.get(reverse("monitoring:regions")).status_code == status
    assert client.get(reverse("monitoring:regions_export")).status_code == status


def test_a_department_of_two_regions_compares_them(client, two):
    department = two.users["department_b"]
    role_assign(user=department, role=RoleAssignment.Role.DEPARTMENT, region=two.region_a)
    client.force_login(department)
    response = client.get(reverse("monitoring:regions"))
    assert response.status_code == 200
    assert {row["region"] for row in response.context["rows"]} == {two.region_a, two.region_b}


def _add_regions(count: int, start: int) -> None:
    """`count` more regions, each with a municipality and a school."""
    regions = Region.objects.bulk_create(Region(name=f"Тестовый регион {start + i}") for i in range(count))
    municipalities = Municipality.objects.bulk_create(
        Municipality(region=r, name=f"Район региона {r.name}") for r in regions
    )
    School.objects.bulk_create(
        School(municipality=m, short_name=f"Школа {m.name}", name=f"Школа {m.name}") for m in municipalities
    )


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context)


def test_the_regions_count_in_a_fixed_number_of_queries_whatever_their_number(client, two):
    federal = two.users["federal"]
    client.force_login(federal)
    url = reverse("monitoring:regions") + f"?year={two.year}"

    def figures():
        region_figures(year_figures(user=_fresh(federal), year=two.year))

    def page():
        assert client.get(url).status_code == 200

    figures(), page()  # warm up
    _add_regions(2, 0)
    page()  # the first look at a new region counts its summaries (monitoring.summaries); then they are read
    small = (_queries(figures), _queries(page))
    _add_regions(12, 2)
    page()
    large = (_queries(figures), _queries(page))
    assert large == small
    assert len(region_figures(year_figures(user=_fresh(federal), year=two.year)).rows) >= 16


def test_the_regions_export_is_a_printable_sheet_of_the_page(client, two):
    client.force_login(two.users["federal"])
    response = client.get(reverse("monitoring:regions_export"), {"year": two.year})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["Регионы"]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert two.region_a.name in names and two.region_b.name in names and names[-1] == "Итого"
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    assert sheet.oddHeader.center.text  # the territory in the running header


def test_a_regions_report_holds_none_of_another_regions_schools(two):
    buffer = io.BytesIO()
    report = report_write(buffer, user=_fresh(two.users["department_b"]), year=two.year)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert "Регионы" not in workbook.sheetnames  # one region: nothing to set side by side
    schools = {row[1] for row in _sheet_rows(workbook, "По школам")[1:]}
    assert schools == set(School.objects.filter(municipality__region=two.region_b).values_list("short_name", flat=True))
    assert not schools & set(
        School.objects.filter(municipality__region=two.region_a).values_list("short_name", flat=True)
    )
    assert report.territory() == two.region_b.name
    summary = {row[1]: row[2] for row in _sheet_rows(workbook, "Сводка")}
    assert summary["Охват"] == two.region_b.name
    # the district's department: its district
    district = report_write(io.BytesIO(), user=_fresh(two.users["district"]), year=two.year)
    assert {m.pk for m in district.figures.municipalities} == {two.municipality_a.pk}
    assert district.territory() == two.municipality_a.name


def test_the_federal_country_report_sets_the_regions_side_by_side(two):
    buffer = io.BytesIO()
    report = report_write(buffer, user=_fresh(two.users["federal"]), year=two.year)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames[:2] == ["Сводка", "Регионы"]
    rows = _sheet_rows(workbook, "Регионы")
    names = [row[0] for row in rows[1:]]
    assert two.region_a.name in names and two.region_b.name in names and names[-1] == "Итого"
    header = list(rows[0])
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    schools = "Школ всего"
    assert by_name[two.region_b.name][schools] == 4
    assert by_name["Итого"][schools] == report.figures.total["schools"]
    assert report.territory() == "все регионы"
    # one region of the federal operator's choice: only its schools
    one = io.BytesIO()
    report_write(one, user=_fresh(two.users["federal"]), year=two.year, region=two.region_b)
    schools_b = {row[1] for row in _sheet_rows(openpyxl.load_workbook(io.BytesIO(one.getvalue())), "По школам")[1:]}
    assert schools_b == set(School.objects.filter(municipality__region=two.region_b).values_list("short_name", flat=True))


def test_the_federal_operator_exports_one_region_from_the_browser(client, two):
    client.force_login(two.users["federal"])
    page = client.get(reverse("monitoring:report"))
    assert "region" in page.context["form"].fields
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("monitoring:report"), {"year": two.year, "region": two.region_b.pk, "municipality": ""}
        )
    assert response.status_code == 302, response.content.decode()[:500]
    export = ReportExport.objects.latest("pk")
    export.refresh_from_db()
    assert export.region == two.region_b and export.scope_label == two.region_b.name
    assert export.status == ReportExport.Status.DONE, export.error
    # a municipality of another region than the one chosen is refused by the form
    wrong = client.post(
        reverse("monitoring:report"), {"year": two.year, "region": two.region_b.pk, "municipality": two.municipality_a.pk}
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors
    # region A's department does not see the federal operator's export; the whole country's is named so
    assert export not in visible_report_exports(_fresh(two.users["department"]))
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("monitoring:report"), {"year": two.year, "region": "", "municipality": ""})
    assert ReportExport.objects.latest("pk").scope_label == "все регионы"
    # a department of one region has no choice of region
    client.force_login(two.users["department"])
    assert "region" not in client.get(reverse("monitoring:report")).context["form"].fields


def test_the_home_page_and_the_dashboard_link_the_regions_for_those_who_compare(client, two):
    regions = reverse("monitoring:regions")
    client.force_login(two.users["federal"])
    assert regions in client.get(reverse("home")).content.decode()
    assert regions in client.get(reverse("monitoring:dashboard")).content.decode()
    client.force_login(two.users["department"])
    assert regions not in client.get(reverse("home")).content.decode()
    assert regions not in client.get(reverse("monitoring:dashboard")).content.decode()


def test_figures_over_several_regions_count_each_region_by_its_own_newest_list(two, django_assert_max_num_queries):
    """Region A's newest list is older than region B's: the federal operator's figures count A by A's list and B by
    B's (docs/TERRITORIES.md «Which list a year is counted by»), as each region's department does."""
    from django.utils import timezone

    from schools.models import IdentificationRun, SchoolYearStatus, Status
    from schools.selectors import list_years_for

    a_year = list_years_for(two.year, [two.region_a.pk])[two.region_a.pk]
    b_year = a_year + 1
    assert b_year <= two.year
    run_b = IdentificationRun.objects.create(
        region=two.region_b, year=b_year, state=IdentificationRun.State.DONE, approved_at=timezone.now()
    )
    b_schools = list(School.objects.filter(municipality__region=two.region_b).order_by("pk"))
    SchoolYearStatus.objects.bulk_create(
        SchoolYearStatus(school=school, year=b_year, run=run_b, status=Status.SHNOR if n < 2 else Status.NONE)
        for n, school in enumerate(b_schools)
    )
    department = year_figures(user=_fresh(two.users["department"]), year=two.year)
    assert department.list_year == a_year and department.total["listed"] > 0
    federal = _fresh(two.users["federal"])
    with django_assert_max_num_queries(60):
        figures = year_figures(user=federal, year=two.year)
    assert figures.list_years == {two.region_a.pk: a_year, two.region_b.pk: b_year} and figures.list_years_differ
    rows = {row.region.pk: row for row in region_figures(figures).rows}
    for key in ("listed", "shnor", "shnsu"):
        assert rows[two.region_a.pk].figures[key] == department.total[key], key
    assert rows[two.region_b.pk].figures["shnor"] == 2
    assert rows[two.region_b.pk].approved_run == run_b and rows[two.region_a.pk].approved_run.year == a_year


def test_the_federal_summaries_and_yearly_report_count_each_region_by_its_own_list(two):
    """Region B approves a newer list than region A: the partnerships summary, the events' participation and the
    yearly report's school sheet count A's schools by A's list — as A's department sees them — and B's by B's."""
    from django.utils import timezone

    from monitoring.yearly_report import Report
    from partnerships.selectors import municipal_summary, yearly_participation
    from schools.models import IdentificationRun, SchoolYearStatus, Status
    from schools.selectors import list_years_for

    a_year = list_years_for(two.year, [two.region_a.pk])[two.region_a.pk]
    run_b = IdentificationRun.objects.create(
        region=two.region_b, year=a_year + 1, state=IdentificationRun.State.DONE, approved_at=timezone.now()
    )
    b_school = School.objects.filter(municipality__region=two.region_b).order_by("pk").first()
    SchoolYearStatus.objects.create(school=b_school, year=a_year + 1, run=run_b, status=Status.SHNOR)

    department = _fresh(two.users["department"])
    federal = _fresh(two.users["federal"])
    own = {row["municipality"].pk: row["listed"] for row in municipal_summary(user=department, year=two.year)}
    seen = {row["municipality"].pk: row["listed"] for row in municipal_summary(user=federal, year=two.year)}
    assert sum(own.values()) > 0
    assert {pk: seen[pk] for pk in own} == own  # A counted by A's list, not by B's newer one
    assert seen[b_school.municipality_id] == 1
    assert yearly_participation(user=federal, year=two.year)["listed"] == (
        yearly_participation(user=department, year=two.year)["listed"] + 1
    )
    federal_sheet = {(row[0], row[1]): row[2] for row in Report(user=federal, year=two.year).by_school().rows}
    own_sheet = {(row[0], row[1]): row[2] for row in Report(user=department, year=two.year).by_school().rows}
    assert federal_sheet[b_school.municipality.name, b_school.short_name] == Status.SHNOR.label
    assert {name: federal_sheet[name] for name in own_sheet} == own_sheet
