"""Every xlsx the portal writes prints: LibreOffice — the spreadsheet a department really uses — turns each export
into a PDF whose first page carries the table's last column, with the header rows repeated and a running header;
and text that looks like a formula shows as typed, without an apostrophe, and does not run.

All files are converted by one LibreOffice call (a private profile), so the whole module takes seconds per file.
"""

import io
import os
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from openpyxl.utils import get_column_letter

from monitoring.models import Stage
from monitoring.yearly_report import report_write
from programs.models import Programme, RoadmapMeasure
from schools.demo import MUNICIPALITY_A, MUNICIPALITY_B, REGION, SCHOOL_TEAM_SCHOOL
from schools.models import IdentificationRun, Municipality, School
from schools.resources import SchoolResource
from schools.school_year import current_school_year
from shnor_portal.uploads.backoffice import CheckedXLSX
from tests.hostile.test_exports import export_urls

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("x")', "-2+3", "@SUM(A1)", "+7 (999)", "=1+1"]


def libreoffice(paths: list[Path], target: str, out: Path) -> dict[str, Path]:
    """`paths` converted by one LibreOffice call to `target` in `out`: {stem: converted file}."""
    profile = out.parent / f"lo-profile-{out.name}"  # private, in the test's own directory
    result = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}", "--convert-to", target,
         "--outdir", str(out), *map(str, paths)],
        env={**os.environ, "HOME": str(profile)}, capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    converted = {path.stem: out / f"{path.stem}.{target.split(':')[0]}" for path in paths}
    missing = [stem for stem, path in converted.items() if not path.exists()]
    assert not missing, (missing, result.stderr.decode(errors="replace"))
    return converted


def first_page(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, check=True).stdout.decode()


def printed_header(path: Path) -> tuple[str, list[str]]:
    """The first visible sheet's title and its table header as printed: the row repeated on every page (the first
    row when none is), without hidden columns."""
    book = openpyxl.load_workbook(path)
    sheet = next(s for s in book.worksheets if s.sheet_state == "visible")
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    assert sheet.page_setup.fitToHeight == 0, sheet.title
    row = int(re.search(r"\d+", sheet.print_title_rows or "1").group())
    header = [
        str(cell.value)
        for cell in sheet[row]
        if cell.value is not None and not sheet.column_dimensions[get_column_letter(cell.column)].hidden
    ]
    return sheet.title, header


def words(text: str) -> list[str]:
    return [word for word in re.findall(r"\w+", text) if len(word) >= 3] or [text]


@pytest.fixture
def exports(client, full_demo, tmp_path) -> dict[str, Path]:
    """Every export of the portal written to `tmp_path`, as the department (or the school for its own template)
    downloads it; a school and a measure carry text that looks like a formula."""
    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    School.objects.filter(pk=school.pk).update(short_name=HOSTILE[0], name=HOSTILE[3])
    RoadmapMeasure.objects.filter(programme__school=school).update(
        name=HOSTILE[4], executors=HOSTILE[2], result_name=HOSTILE[1]
    )
    year = current_school_year()
    run = IdentificationRun.objects.order_by("pk").first()
    urls = export_urls(school) + [
        reverse("schools:acts_export"),
        reverse("schools:selection_export", args=[run.pk]),
        reverse("schools:registry_template"),
        reverse("schools:passport_template") + f"?year={year - 1}",
        reverse("schools:results_import_template"),
        reverse("monitoring:self_assessment_template", args=[school.pk, year, Stage.ENTRY]),
        reverse("programs:measures_export"),
        reverse("partnerships:practice_downloads_export"),
    ]
    client.force_login(full_demo["department"])
    files = {}
    for number, url in enumerate(urls, start=1):
        response = client.get(url)
        assert response.status_code == 200 and response.content[:2] == b"PK", url
        path = tmp_path / f"export{number:02}.xlsx"
        path.write_bytes(response.content)
        files[url] = path
    back_office = tmp_path / "back-office-schools.xlsx"
    back_office.write_bytes(CheckedXLSX().export_data(SchoolResource().export(queryset=School.objects.all())))
    files["экспорт школ из административной части"] = back_office
    report = tmp_path / "yearly-report.xlsx"
    report_write(report, user=full_demo["department"], year=year)
    files["годовой отчёт"] = report
    return files


def running_headers(path: Path) -> dict[str, str]:
    """The centre of the running header — the territory — of each visible sheet."""
    book = openpyxl.load_workbook(path)
    return {s.title: s.oddHeader.center.text or "" for s in book.worksheets if s.sheet_state == "visible"}


def test_every_export_names_its_territory_in_the_running_header(exports):
    """The department's exports carry its region (the demo's deployment holds two: both are named); a programme's
    roadmap and a school's self-assessment template the municipality they belong to."""
    municipality = School.objects.get(short_name=HOSTILE[0]).municipality.name
    for name, path in exports.items():
        for title, territory in running_headers(path).items():
            assert REGION[0] in territory or municipality in territory, (name, title, territory)


def test_a_coordinators_export_names_the_coordinators_municipality(client, full_demo):
    for user, municipality in (("coordinator", MUNICIPALITY_A), ("coordinator_b", MUNICIPALITY_B)):
        client.force_login(full_demo[user])
        for url in (reverse("schools:list_export"), reverse("programs:measures_export")):
            sheet = openpyxl.load_workbook(io.BytesIO(client.get(url).content)).worksheets[0]
            assert sheet.oddHeader.center.text == municipality, (user, url, sheet.oddHeader.center.text)


def test_every_export_prints_its_last_column_on_the_first_page(exports, tmp_path):
    assert len(exports) == 26
    pdfs = libreoffice(list(exports.values()), "pdf", tmp_path / "pdf")
    for name, path in exports.items():
        title, header = printed_header(path)
        page = first_page(pdfs[path.stem])
        flat = " ".join(page.split())
        for word in words(header[-1]):
            assert word in flat, (name, title, header[-1], flat[:400])
        assert words(header[0])[0] in flat, (name, title, header[0])
        assert re.search(r"стр\. 1 из \d+", flat), (name, title, flat[-200:])
    # Text that looks like a formula, as LibreOffice shows it: the registry (the school's names) and the roadmap
    # (a measure, its result and executors).
    school = School.objects.get(short_name=HOSTILE[0])
    registry = exports[reverse("schools:list_export")]
    roadmap = exports[reverse("programs:export", args=[Programme.objects.filter(school=school).first().pk])]
    csvs = libreoffice([registry, roadmap], "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "csv")
    shown = csvs[registry.stem].read_text(encoding="utf-8") + csvs[roadmap.stem].read_text(encoding="utf-8")
    for text in HOSTILE:
        quoted = '"' + text.replace('"', '""') + '"'  # the csv quotes every text cell
        assert quoted in shown, text  # as typed: «=1+1» is not 2
        assert "'" + text not in shown, text


def test_the_roadmap_prints_landscape_with_its_owner_and_page_numbers(client, full_demo):
    """Programme 2's roadmap printed on 8 pages with 2 of its 16 columns on the first; now all columns on each page."""
    programme = Programme.objects.filter(school__short_name=SCHOOL_TEAM_SCHOOL).order_by("pk").first()
    client.force_login(full_demo["department"])
    content = client.get(reverse("programs:export", args=[programme.pk])).content
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Дорожная карта"]
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    assert sheet.oddHeader.left.text == "Дорожная карта"
    assert sheet.oddHeader.center.text == f"{programme.municipality}, {programme.school}"
    assert sheet.oddFooter.right.text == "стр. &P из &N"


def test_the_yearly_report_sheets_have_widths_and_no_visible_codes(full_demo, tmp_path):
    path = tmp_path / "report.xlsx"
    municipality = Municipality.objects.get(name=MUNICIPALITY_A)
    report_write(path, user=full_demo["department"], year=current_school_year(), municipality=municipality)
    book = openpyxl.load_workbook(path)
    for title in ("Договоры и сопровождение", "Банк практик"):
        sheet = book[title]
        columns = len(next(sheet.iter_rows(max_row=1)))
        widths = [sheet.column_dimensions[get_column_letter(n)].width for n in range(1, columns + 1)]
        assert all(width and width >= 10 for width in widths), (title, widths)
    summary = book["Сводка"]
    assert [c.value for c in summary[1]][3] == "Код" and summary.column_dimensions["D"].hidden
    assert summary.oddHeader.center.text == MUNICIPALITY_A  # the territory the report covers, on every page
