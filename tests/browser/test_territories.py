"""Two regions in one portal (issue 20, «Done when»): `department` and `department_b` each import results, identify and
approve their own list for the same school year in the browser, and neither touches the other's statuses; the federal
operator reads both and compares them side by side, changing nothing."""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from portal.demo_territories import MUNICIPALITIES as PERM_MUNICIPALITIES
from portal.demo_territories import REGION as PERM
from schools.demo import REGION
from schools.models import IdentificationRun, School, SchoolYearStatus

from .test_partnerships import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2026  # the school year 2025/26: region A's demo has its results; region B imports its own


def perm_results(tmp_path) -> str:
    """The long-format results of seed 004's four schools for three years: one school clearly behind."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Результаты"
    sheet.append(["Муниципалитет", "Школа", "Год", "Код результата", "Значение"])
    for m, (municipality, _kind, schools) in enumerate(PERM_MUNICIPALITIES):
        for s, (short_name, _full) in enumerate(schools):
            weak = m == 0 and s == 1
            for year in (YEAR - 2, YEAR - 1, YEAR):
                sheet.append([municipality, short_name, year, "ege-russian-participants", 20])
                sheet.append([municipality, short_name, year, "ege-russian-below_min", 8 if weak else 0])
                sheet.append([municipality, short_name, year, "ege-russian-mean_score", 48 if weak else 70 + s])
    path = tmp_path / "perm.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


def identify_and_approve(page: Page, live_server, order: str) -> IdentificationRun:
    page.goto(f"{live_server.url}/schools/identification/")
    form = page.locator("#run-start-form")
    form.get_by_label("Учебный год перечня").fill(str(YEAR))
    form.get_by_role("button", name="Запустить расчёт").click()
    expect(page).to_have_url(re.compile(r"/schools/identification/\d+/$"))
    run = IdentificationRun.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert run.state == IdentificationRun.State.DONE  # the task ran at the commit (tests' immediate queue)
    page.goto(f"{live_server.url}/schools/identification/{run.pk}/list/approve/")
    page.get_by_label("Номер приказа").fill(order)
    page.get_by_label("Дата приказа").fill(f"{YEAR - 1}-09-01")
    page.locator("#approve-form input[type=checkbox]").check()
    page.get_by_role("button", name="Утвердить перечень").click()
    expect(page.locator(".alert").first).to_contain_text("Утверждён перечень")
    return run


def statuses(region_name: str) -> dict[str, str]:
    rows = SchoolYearStatus.objects.filter(year=YEAR, school__municipality__region__name=region_name)
    return dict(rows.values_list("school__short_name", "status"))


def test_two_regions_identify_and_approve_the_same_year_without_touching_each_other(
    page: Page, live_server, full_demo, tmp_path
):
    log_in(page, live_server, "department_b")
    page.goto(f"{live_server.url}/schools/import/results/")
    page.get_by_label("Файл с результатами").set_input_files(perm_results(tmp_path))
    page.get_by_role("button", name="Прочитать файл").click()
    page.get_by_role("button", name="Сохранить в реестр").click()
    expect(page.locator(".alert").first).to_contain_text("загружены")
    run_b = identify_and_approve(page, live_server, "59-о")
    assert run_b.region.name == PERM[0]
    perm = statuses(PERM[0])
    assert set(perm) == set(School.objects.filter(municipality__region__name=PERM[0]).values_list("short_name", flat=True))
    assert not statuses(REGION[0]), "region B's approval writes no status of region A"

    log_in(page, live_server, "department")
    page.goto(f"{live_server.url}/schools/identification/")
    expect(page.locator("body")).not_to_contain_text(f"№ {run_b.pk}")  # another region's run is not listed
    assert page.goto(f"{live_server.url}/schools/identification/{run_b.pk}/").status == 404
    run_a = identify_and_approve(page, live_server, "112-о")
    assert run_a.region.name == REGION[0]
    assert statuses(PERM[0]) == perm, "region A's approval of the same year leaves region B's list as it was"
    assert len(statuses(REGION[0])) == School.objects.filter(
        municipality__region__name=REGION[0], archived_on__isnull=True
    ).count()

    # the federal operator reads both runs and changes nothing
    log_in(page, live_server, "federal")
    page.goto(f"{live_server.url}/schools/identification/")
    expect(page.locator("#run-start-form")).to_have_count(0)
    expect(page.locator("body")).to_contain_text(PERM[0])
    expect(page.locator("body")).to_contain_text(REGION[0])
    assert page.goto(f"{live_server.url}/schools/identification/{run_b.pk}/list/approve/").status == 403
    # … and compares the regions side by side, each with the list it approved
    page.goto(f"{live_server.url}/monitoring/regions/?year={YEAR}")
    for region, order in ((REGION[0], "112-о"), (PERM[0], "59-о")):
        expect(page.locator("tr", has_text=region).first).to_contain_text(order)
