# ruff: noqa: F811 — the fixtures `mon` and `programmes` are imported from their apps' test folders, used by name.
"""Imports say what they skip: a formula without a computed value and text outside the template's fields are named
in the preview by sheet, row and column — nothing is stored empty without a word."""

import html
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.models import IndicatorValue, SelfAssessment, Stage
from monitoring.self_assessment_xlsx import FACTOR_FIRST_ROW, RATING_COLUMN, SHEET_MAIN, template_content
from monitoring.values_import import COLUMN
from programs.models import RoadmapMeasure
from schools.demo import MUNICIPALITY_A, SCHOOL_TEAM_SCHOOL
from schools.ege_workbook import parse_results_file
from schools.models import SchoolYearProfile
from schools.passport_import import SHEET_TITLE as PASSPORT_SHEET
from schools.registry_import import PROFILE_COLUMNS, PROFILE_SHEET
from shnor_portal.uploads import Problems, read_table, read_workbook, report_beside_table, report_unread
from shnor_portal.uploads import workbook as workbook_module
from shnor_portal.uploads.tables import Column
from tests.monitoring.conftest import fill_template, mon  # noqa: F401 — the fixture
from tests.programs.conftest import programmes  # noqa: F401 — the fixture
from tests.programs.test_roadmap_xlsx import seed_like_workbook
from tests.schools.test_ege_workbook import workbook_bytes

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def _book(rows) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Лист"
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)  # openpyxl keeps formulas without computing them, as any program writing xlsx does
    return buffer.getvalue()


# --- the pipeline -------------------------------------------------------------------------------------------------


def test_a_formula_without_value_is_noted_and_a_computed_one_is_not():
    sheet = read_workbook(_book([["Число", "Текст"], ["=1+1", "=A1"], [5, "=1+"]]))[0]
    assert sheet.cell(2, 1) is None  # what the reader sees: an empty cell
    assert sheet.formulas == {(2, 1): "=1+1", (2, 2): "=A1", (3, 2): "=1+"}
    assert read_workbook(_book([["Число"], [5]]))[0].formulas == {}


def test_a_book_saved_with_computed_formulas_reads_their_values():
    """As Excel and Calc save a book: every formula followed by the value it computed."""
    data = _book([["Число"], ["=1+1"]])
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b"<v></v>", b"<v>2</v>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    sheet = read_workbook(buffer.getvalue())[0]
    assert sheet.cell(2, 1) == 2 and sheet.formulas == {}


def test_a_formula_across_the_pieces_read_is_found(monkeypatch):
    monkeypatch.setattr(workbook_module, "_CHUNK", 40)  # a sheet's XML read in pieces smaller than a cell
    sheet = read_workbook(_book([[f"текст {i}" for i in range(30)], ["=1+1"]]))[0]
    assert sheet.formulas == {(2, 1): "=1+1"}


def test_a_table_names_the_formula_cell_and_refuses_the_row():
    sheet = read_workbook(_book([["Число", "Лишнее"], ["=1+1", "=2+2"], [3, None]]))[0]
    problems = Problems()
    rows = read_table(sheet, [Column("Число", "number", read=lambda v: v), Column("Лишнее", "x", read=lambda v: v)],
                      problems)  # fmt: skip
    assert rows is not None
    assert problems.messages()[0].startswith(
        "Лист «Лист», строка 2, столбец A («Число»): ячейка содержит формулу без вычисленного значения: =1+1."
    )
    assert len(problems) == 2


def test_unread_cells_are_warned_about_by_place():
    sheet = read_workbook(_book([["Поле", None, "заметка"]]))[0]
    problems = Problems()
    report_unread(sheet, problems, read=lambda row, column: column == 1)
    assert problems.messages() == [
        "Лист «Лист», строка 1, столбец C: текст «заметка» вне полей шаблона — он не будет сохранён. Перенесите его "
        "в поле шаблона, если он нужен."
    ]


def test_text_beside_a_table_is_warned_about_by_place_and_the_table_read():
    sheet = read_workbook(_book([["Число", None, "Текст"], [1, "между", "а", None, "справа"], [2, None, "б"],
                                 [None, None, None, None, None, "ниже"]]))[0]  # fmt: skip
    problems, warnings = Problems(), Problems()
    rows = read_table(sheet, [Column("Число", "n", read=lambda v: v), Column("Текст", "t", read=lambda v: v)],
                      problems, warnings=warnings)  # fmt: skip
    assert not problems and [row.values for row in rows] == [{"n": 1, "t": "а"}, {"n": 2, "t": "б"}]
    assert [str(w).split(":")[0] for w in warnings] == [
        "Лист «Лист», строка 2, столбец B", "Лист «Лист», строка 2, столбец E", "Лист «Лист», строка 4, столбец F"
    ]
    assert "текст «между» вне полей шаблона — он не будет сохранён" in str(warnings[0])


def test_a_note_far_beside_a_long_table_is_found():
    """Rows are read as wide as the widest (up to 400 columns): a note far to the right is found too."""
    sheet = read_workbook(_book([["a", "b"], *([1, 2] for _ in range(2_000)), [None] * 399 + ["далеко"]]))[0]
    warnings = Problems()
    report_beside_table(sheet, warnings, header_row=1, columns=[1, 2])
    assert warnings.messages() == [
        "Лист «Лист», строка 2002, столбец OJ: текст «далеко» вне полей шаблона — он не будет сохранён. Перенесите "
        "его в поле шаблона, если он нужен."
    ]


def test_results_file_names_a_formula_without_value():
    header = ["Муниципалитет", "Школа", "Год", "Код результата", "Значение"]
    parsed = parse_results_file(_book([header, ["Заречный", "Школа № 1", 2025, "ege-russian-mean", "=70+2"]]))
    assert not parsed.ok
    assert any(
        m.startswith("Лист «Лист», строка 2, столбец E: ячейка содержит формулу без вычисленного значения: =70+2")
        for m in parsed.errors.messages()
    ), parsed.errors.messages()


# --- the roadmap: «Плановое значение» =1+1 ------------------------------------------------------------------------


def test_roadmap_preview_names_a_formula_without_value_and_saves_nothing(client, demo, programmes):
    draft = programmes["draft"]
    before = RoadmapMeasure.objects.filter(section__programme=draft).count()
    client.force_login(demo["school"])
    url = reverse("programs:import", args=[draft.pk])
    rows = [["1.", "Задача"], ["1.1", "Отбор", "Школы", "=1+1", 4, 4, 4, "УО"]]
    response = client.post(url, {"file": SimpleUploadedFile("roadmap.xlsx", seed_like_workbook(rows))})
    text = _text(response)
    assert "В файле есть ошибки — загрузить его нельзя" in text
    assert "Лист «Дорожная карта», строка 6, столбец D" in text
    assert "содержит формулу без вычисленного значения: =1+1" in text
    assert 'name="confirm"' not in response.content.decode()
    assert RoadmapMeasure.objects.filter(section__programme=draft).count() == before


def test_roadmap_preview_warns_about_a_column_it_does_not_read(client, demo, programmes):
    rows = [["1.", "Задача"], ["1.1", "Отбор", "Школы", 4, 4, 4, 4, "УО", "", "нужно согласовать"]]
    client.force_login(demo["school"])
    response = client.post(reverse("programs:import", args=[programmes["draft"].pk]),
                           {"file": SimpleUploadedFile("roadmap.xlsx", seed_like_workbook(rows))})  # fmt: skip
    text = _text(response)
    assert "Предупреждения: 1 — эти ячейки не будут сохранены" in text
    assert "Лист «Дорожная карта», строка 6, столбец J: текст «нужно согласовать» вне полей шаблона" in text
    assert 'name="confirm"' in response.content.decode()  # the rest can be saved


# --- the values of indicators ------------------------------------------------------------------------------------


def coordinators_values_template(client, mon):
    """The coordinator's values template of the final stage, and the row of the demo's school in it."""
    client.force_login(mon.users["coordinator"])
    template = client.get(reverse("monitoring:values_import_template"), {"year": mon.year, "stage": "final"})
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = workbook.active
    row = next(index for index, values in enumerate(sheet.iter_rows(values_only=True), start=1)
               if values[COLUMN["school"] - 1] == mon.school.short_name)  # fmt: skip
    return workbook, sheet, row


def test_values_import_names_a_formula_without_value_and_saves_nothing(client, mon):
    workbook, sheet, row = coordinators_values_template(client, mon)
    sheet.cell(row=row, column=COLUMN["value"], value="=40+2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = IndicatorValue.objects.count()
    client.post(reverse("monitoring:values_import"),
                {"file": SimpleUploadedFile("значения.xlsx", buffer.getvalue(), content_type=XLSX)})  # fmt: skip
    preview = client.get(reverse("monitoring:values_import_preview"))
    text = _text(preview)
    assert "загрузить его нельзя" in text
    assert f"строка {row}, столбец J («Значение»): ячейка содержит формулу без вычисленного значения: =40+2" in text
    client.post(reverse("monitoring:values_import_preview"))
    assert IndicatorValue.objects.count() == before


# --- the self-assessment: text under the conclusions heading, a formula as a rating ---------------------------------


def _upload_self_assessment(client, mon, data):
    url = reverse("monitoring:self_assessment_upload", args=[mon.school.pk, mon.year, Stage.INTERIM])
    response = client.post(url, {"file": SimpleUploadedFile("самооценка.xlsx", data, content_type=XLSX)})
    assert response.status_code == 302
    return client.get(response.url)


def _conclusion_row(mon) -> int:
    return FACTOR_FIRST_ROW + len(template_content(school=mon.school, year=mon.year, stage=Stage.INTERIM).factors) + 1


def test_self_assessment_preview_names_text_outside_the_conclusions_cell(client, mon):
    below = _conclusion_row(mon) + 1

    def edit(workbook):
        workbook[SHEET_MAIN].cell(row=below, column=1, value="Выводы: риски снижаются")
        workbook[SHEET_MAIN].cell(row=FACTOR_FIRST_ROW, column=6, value="заметка на полях")

    client.force_login(mon.users["school"])
    text = _text(_upload_self_assessment(client, mon, fill_template(mon.school, mon.year, Stage.INTERIM, edit=edit)))
    assert "Предупреждения: 2" in text
    assert (
        f"Лист «{SHEET_MAIN}», строка {below}, столбец A: текст «Выводы: риски снижаются» вне полей шаблона — он не "
        "будет сохранён" in text
    )
    assert f"Лист «{SHEET_MAIN}», строка {FACTOR_FIRST_ROW}, столбец F: текст «заметка на полях»" in text
    assert "Подтвердить и отправить координатору" in text  # a warning: the rest can be sent


def test_a_clean_template_has_no_warnings(client, mon):
    client.force_login(mon.users["school"])
    text = _text(_upload_self_assessment(client, mon, fill_template(mon.school, mon.year, Stage.INTERIM)))
    assert "Предупреждения" not in text and "вне полей шаблона" not in text


def test_self_assessment_refuses_a_rating_formula_without_value(client, mon):
    def edit(workbook):
        workbook[SHEET_MAIN].cell(row=FACTOR_FIRST_ROW, column=RATING_COLUMN, value="=1+1")

    client.force_login(mon.users["school"])
    before = SelfAssessment.objects.count()
    page = _upload_self_assessment(client, mon, fill_template(mon.school, mon.year, Stage.INTERIM, edit=edit))
    text = _text(page)
    assert "В файле есть ошибки" in text
    assert f"Лист «{SHEET_MAIN}», строка {FACTOR_FIRST_ROW}, столбец C" in text
    assert "содержит формулу без вычисленного значения: =1+1" in text
    assert "Подтвердить и отправить координатору" not in text
    assert SelfAssessment.objects.count() == before


# --- the registry, the social passports and the values of indicators: text beside the table -----------------------


def test_registry_preview_names_text_beside_the_table_and_still_saves(client, demo):
    headers = [c.header for c in PROFILE_COLUMNS]
    row = [MUNICIPALITY_A, SCHOOL_TEAM_SCHOOL, 2031] + [None] * (len(PROFILE_COLUMNS) - 3)
    row[3] = 321  # «Обучающихся»
    width = len(PROFILE_COLUMNS)
    data = workbook_bytes({PROFILE_SHEET: [headers, row + [None, "уточнить у школы"], [None] * width + ["итого?"]]})
    client.force_login(demo["department"])
    response = client.post(reverse("schools:registry_import"), {"file": SimpleUploadedFile("реестр.xlsx", data)})
    text = _text(client.get(response.url))
    column, below = openpyxl.utils.get_column_letter(width + 2), openpyxl.utils.get_column_letter(width + 1)
    assert "Предупреждения: 2 — эти ячейки не будут сохранены" in text
    assert f"Лист «{PROFILE_SHEET}», строка 2, столбец {column}: текст «уточнить у школы» вне полей шаблона" in text
    assert f"Лист «{PROFILE_SHEET}», строка 3, столбец {below}: текст «итого?» вне полей шаблона" in text
    assert "Сохранить в реестр" in text  # a warning: the rest can be saved
    client.post(reverse("schools:registry_import_preview"))
    assert SchoolYearProfile.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, year=2031).pupils == 321


def test_passport_preview_names_text_beside_the_table(client, demo):
    header = ["Муниципалитет", "Школа", "Год", "Обучающихся"]
    data = workbook_bytes({PASSPORT_SHEET: [header, [MUNICIPALITY_A, SCHOOL_TEAM_SCHOOL, 2031, 300, None, "со слов"]]})
    client.force_login(demo["department"])
    response = client.post(reverse("schools:passport_import"),
                           {"file": SimpleUploadedFile("паспорта.xlsx", data, content_type=XLSX)})  # fmt: skip
    text = _text(client.get(response.url))
    assert "Предупреждения: 1 — эти ячейки не будут сохранены" in text
    assert f"Лист «{PASSPORT_SHEET}», строка 2, столбец F: текст «со слов» вне полей шаблона" in text
    assert "Сохранить паспорта" in text


def test_values_import_preview_names_text_beside_the_table(client, mon):
    workbook, sheet, row = coordinators_values_template(client, mon)
    sheet.cell(row=row, column=COLUMN["value"], value=42)
    sheet.cell(row=row, column=COLUMN["comment"] + 2, value="проверить")
    sheet.cell(row=1, column=COLUMN["comment"] + 1, value="Заметки")
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.post(reverse("monitoring:values_import"),
                {"file": SimpleUploadedFile("значения.xlsx", buffer.getvalue(), content_type=XLSX)})  # fmt: skip
    text = _text(client.get(reverse("monitoring:values_import_preview")))
    assert "Предупреждения: 2 — эти ячейки не будут сохранены" in text
    assert "строка 1, столбец L: текст «Заметки» вне полей шаблона" in text
    assert f"строка {row}, столбец M: текст «проверить» вне полей шаблона" in text
    assert "Сохранить значения" in text
