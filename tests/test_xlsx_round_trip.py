"""Export → import returns exactly what was exported, for every export the portal reads back: the roadmap, the
indicator values' template, the social passports' template, the self-assessment template and the back office's
export of schools (read by its import). Text that looks like a formula —
`=HYPERLINK("x")`, `-2+3`, `@SUM(A1)`, `+7 (999)` — comes back as typed: no apostrophe is stored.

(The registry list the portal exports, «Реестр школ», and the back office's export have other sheets or columns
than the portal's registry import reads: that import reads its own template, which holds no rows.)
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.models import IndicatorValue, Stage
from monitoring.self_assessment_xlsx import (
    FACTOR_FIRST_ROW,
    RATING_COLUMN,
    SHEET_MAIN,
    self_assessment_parse,
    template_content,
    template_xlsx,
)
from monitoring.services import values_import_save
from monitoring.values_import import values_import_preview
from programs import services
from programs.models import Evidence, Programme, RoadmapMeasure
from programs.roadmap_xlsx import roadmap_parse
from schools.demo import SCHOOL_TEAM_SCHOOL
from schools.models import School
from schools.passport_import import UNCHANGED, passport_import_preview, passport_import_save
from schools.resources import SchoolResource
from shnor_portal.uploads import cell_text, read_workbook
from shnor_portal.uploads.backoffice import CheckedXLSX

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("x")', "-2+3", "@SUM(A1)", "+7 (999)"]


def upload(content: bytes, name: str = "export.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def sheet_values(content: bytes, title: str) -> list[tuple]:
    return [tuple(row) for row in openpyxl.load_workbook(io.BytesIO(content))[title].iter_rows(values_only=True)]


def test_the_roadmap_comes_back_as_exported(client, full_demo):
    programme = Programme.objects.get(kind=Programme.Kind.MUNICIPAL, municipality__schools__short_name=SCHOOL_TEAM_SCHOOL)
    measures = list(RoadmapMeasure.objects.filter(programme=programme).order_by("pk")[:4])
    for measure, text in zip(measures, HOSTILE, strict=True):
        RoadmapMeasure.objects.filter(pk=measure.pk).update(name=text, executors=text, result_name=text, note=text)
    Evidence.objects.filter(measure__programme=programme).delete()  # an import does not replace documents
    client.force_login(full_demo["coordinator"])
    url = reverse("programs:export", args=[programme.pk])
    exported = client.get(url).content

    parsed = roadmap_parse(upload(exported), programme=programme)
    assert parsed.errors.messages() == []
    services.roadmap_import(
        programme=programme, actor=full_demo["coordinator"], sections=parsed.sections, file_name="export.xlsx"
    )

    assert sheet_values(client.get(url).content, "Дорожная карта") == sheet_values(exported, "Дорожная карта")
    stored = set(RoadmapMeasure.objects.filter(programme=programme).values_list("name", "executors", "result_name", "note"))
    assert {(text, text, text, text) for text in HOSTILE} <= stored


def test_an_old_export_with_apostrophes_is_read_as_typed(full_demo):
    """Files exported before quote-prefixed cells wrote `'-2+3`: the apostrophe is not part of the name."""
    programme = Programme.objects.filter(school__short_name=SCHOOL_TEAM_SCHOOL).order_by("pk").first()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["№ п/п", "Наименование задачи/мероприятия", "Исполнители"])
    sheet.append(["1.", "Задача"])
    sheet.append(["1.1", "'-2+3", "'@SUM(A1)"])
    sheet.append(["1.2", "'Привет", "'=HYPERLINK(\"x\")"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = roadmap_parse(upload(buffer.getvalue()), programme=programme)
    assert parsed.errors.messages() == []
    read = [(m.name, m.executors) for m in parsed.sections[0]["measures"]]
    assert read == [("-2+3", "@SUM(A1)"), ("'Привет", '=HYPERLINK("x")')]  # only before = + - @


def test_indicator_values_come_back_as_exported(client, full_demo):
    year = IndicatorValue.objects.order_by("-year").values_list("year", flat=True).first()
    stage = IndicatorValue.objects.filter(year=year).values_list("stage", flat=True).first()
    values = IndicatorValue.objects.filter(year=year, stage=stage, school__isnull=False, indicator__computed_by="")
    chosen = list(values.order_by("pk").values_list("pk", flat=True)[:4])
    assert len(chosen) == 4
    for pk, text in zip(chosen, HOSTILE, strict=True):
        IndicatorValue.objects.filter(pk=pk).update(comment=text)
    user = full_demo["department"]
    client.force_login(user)
    exported = client.get(reverse("monitoring:values_import_template"), {"year": year, "stage": stage}).content

    preview = values_import_preview(upload(exported), user=user)
    assert preview.errors.messages() == []
    sheet = read_workbook(exported)[0]
    written = [
        (row[0], row[2], row[4], row[7], Decimal(str(row[9])), cell_text(row[10]))
        for row in sheet.rows[1:]
        if row[9] is not None
    ]
    read = [
        (r.school.pk if r.school else None, r.municipality.pk, r.indicator.code, r.year, r.value, r.comment)
        for r in preview.rows
    ]
    assert read == written
    assert {r.comment for r in preview.rows} >= set(HOSTILE)
    assert preview.to_update == 0  # nothing the file holds differs from the portal

    values_import_save(actor=user, rows=preview.rows)
    assert set(IndicatorValue.objects.filter(pk__in=chosen).values_list("comment", flat=True)) == set(HOSTILE)


def test_social_passports_come_back_as_exported(client, full_demo):
    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    School.objects.filter(pk=school.pk).update(short_name=HOSTILE[1], name=HOSTILE[0])
    user = full_demo["department"]
    client.force_login(user)
    year = school.profiles.order_by("-year").values_list("year", flat=True).first()
    exported = client.get(reverse("schools:passport_template"), {"year": year}).content

    preview = passport_import_preview(upload(exported), user=user)
    assert preview.errors.messages() == []
    assert preview.rows and {row.action for row in preview.rows} == {UNCHANGED}
    assert school.pk in {row.school.pk for row in preview.rows}
    before = list(school.profiles.order_by("year").values())
    passport_import_save(preview=preview, actor=user)
    assert list(school.profiles.order_by("year").values()) == before


def test_the_self_assessment_template_comes_back_as_exported(full_demo):
    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    School.objects.filter(pk=school.pk).update(name=HOSTILE[0])
    school.refresh_from_db()
    year = IndicatorValue.objects.filter(school=school).order_by("-year").values_list("year", flat=True).first()
    content = template_content(school=school, year=year, stage=Stage.FINAL)
    assert content.indicators
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(content)))
    assert workbook[SHEET_MAIN]["B2"].value == HOSTILE[0]
    for offset in range(len(content.factors)):  # the school's part: a rating for each factor
        workbook[SHEET_MAIN].cell(row=FACTOR_FIRST_ROW + offset, column=RATING_COLUMN, value=2)
    buffer = io.BytesIO()
    workbook.save(buffer)

    parsed = self_assessment_parse(upload(buffer.getvalue()), content=content)
    assert parsed.errors.messages() == []
    exported = {item.indicator.code: item.value for item in content.indicators if not item.computed}
    read = {item["code"]: item["value"] and Decimal(item["value"]) for item in parsed.indicators}
    assert {code: read.get(code) for code in exported} == exported


def test_the_back_office_export_of_schools_comes_back_through_its_import(full_demo):
    """The back office's export (django-import-export) is written as the portal's are — quote-prefixed text, not
    tablib's live formulas — and the back office's import finds nothing to change in it."""
    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    School.objects.filter(pk=school.pk).update(
        short_name=HOSTILE[1], name=HOSTILE[0], director=HOSTILE[2], phone=HOSTILE[3]
    )
    schools = School.objects.filter(municipality=school.municipality)
    exported = CheckedXLSX().export_data(SchoolResource().export(queryset=schools))
    cells = {c.value: c for row in openpyxl.load_workbook(io.BytesIO(exported))["Школы"].iter_rows() for c in row}
    assert all(cells[text].data_type == "s" and cells[text].quotePrefix for text in HOSTILE)

    result = SchoolResource().import_data(CheckedXLSX().create_dataset(exported), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == schools.count()  # every school unchanged
    assert result.totals["new"] == result.totals["update"] == 0
