"""The list's xlsx and the passport template, opened by LibreOffice — the spreadsheet a department really uses.

The annex must print with its last column on the first page; the passport template, saved again by LibreOffice
after a change, must upload as the portal's own file does.
"""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from schools.models import School

from .test_list_selection import approve_with_changes, draft  # noqa: F401 — the fixture
from .test_passport_import import DEMO_YEAR, SHARE_ZPR, TEMPLATE, check, confirm

pytestmark = pytest.mark.django_db


def libreoffice(path: Path, target: str, out: Path) -> Path:
    """`path` converted by LibreOffice to `target` (pdf, xlsx) in `out`."""
    out.mkdir(exist_ok=True)
    result = subprocess.run(
        ["libreoffice", "--headless", "--norestore", "--convert-to", target, "--outdir", str(out), str(path)],
        env={**os.environ, "HOME": tempfile.mkdtemp()}, capture_output=True, timeout=180, check=False,
    )
    converted = out / f"{path.stem}.{target.split(':')[0]}"
    assert converted.exists(), result.stderr.decode(errors="replace")
    return converted


def test_the_list_prints_its_last_column_on_the_first_page(client, demo, draft, tmp_path):  # noqa: F811
    approve_with_changes(demo, draft)
    client.force_login(demo["department"])
    path = tmp_path / "perechen.xlsx"
    path.write_bytes(client.get(reverse("schools:selection_export", args=[draft.pk])).content)
    header = [cell.value for cell in load_workbook(path)["Перечень"][3] if cell.value]
    pdf = libreoffice(path, "pdf", tmp_path / "out")
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "Приложение к приказу от 01.02.2026 № 123-о" in first_page
    assert header[-1].split()[0] in first_page, (header, first_page[:500])


def test_the_passport_template_saved_by_libreoffice_uploads_back(client, demo, tmp_path):
    client.force_login(demo["department"])
    template = tmp_path / "template.xlsx"
    template.write_bytes(client.get(TEMPLATE, {"year": DEMO_YEAR}).content)
    # A user opens the template, types a share and saves it from LibreOffice.
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    school = School.objects.get(short_name="Покровская СОШ")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == school.pk)
    row[headers.index(SHARE_ZPR)].value = 14.5
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    saved = libreoffice(edited, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out")

    preview, page = check(client, saved.read_bytes())
    assert preview.ok and [r.school for r in preview.to_update] == [school], [str(e) for e in preview.errors]
    assert "<strong>14,5</strong>" in page
    confirm(client)
    assert float(school.profiles.get(year=DEMO_YEAR).share_zpr) == 14.5
