"""The self-assessment template and the reading of filled files: every problem in Russian, with its cell."""

import io
from pathlib import Path

import openpyxl
import pytest

from monitoring.models import Stage
from monitoring.self_assessment_xlsx import (
    FACTOR_FIRST_ROW,
    MARKER,
    SHEET_INDICATORS,
    SHEET_MAIN,
    SHEET_SERVICE,
    self_assessment_parse,
    template_content,
    template_xlsx,
)
from programs.models import RiskFactor

from .conftest import fill_template

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent.parent / "files"


def parse(mon, data, *, year=None, stage=Stage.INTERIM, school=None):
    content = template_content(school=school or mon.school, year=year or mon.year, stage=stage)
    return self_assessment_parse(data, content=content)


def _factor_row(code: str) -> int:
    codes = list(RiskFactor.objects.filter(is_active=True).order_by("position", "name", "pk").values_list("code", flat=True))
    return FACTOR_FIRST_ROW + codes.index(code)


def test_template_is_prefilled_and_marked(mon):
    content = template_content(school=mon.school, year=mon.year, stage=Stage.ENTRY)
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(content)))
    main = workbook[SHEET_MAIN]
    assert main["B2"].value == mon.school.name
    assert main["B5"].value == "Входной мониторинг"  # the stage's name in the school's calendar
    factors = list(RiskFactor.objects.filter(is_active=True).order_by("position", "name", "pk"))
    assert [main.cell(row=FACTOR_FIRST_ROW + i, column=1).value for i in range(len(factors))] == [f.code for f in factors]
    assert main.cell(row=FACTOR_FIRST_ROW, column=3).value is None  # the rating is left for the school
    service = workbook[SHEET_SERVICE]
    assert service.sheet_state == "veryHidden"
    assert [service["B2"].value, service["B4"].value, service["B5"].value, service["B6"].value] == [
        MARKER, mon.school.pk, mon.year, "entry"
    ]
    indicators = workbook[SHEET_INDICATORS]
    codes = [row[0] for row in indicators.iter_rows(min_row=5, values_only=True) if row[0]]
    assert "teachers-training" in codes and "ege-russian-mean" in codes
    assert "network-schools" not in codes  # a municipal indicator is not the school's to report


def test_round_trip_reads_ratings_values_comments_and_conclusion(mon):
    def edit(workbook):
        main = workbook[SHEET_MAIN]
        main.cell(row=_factor_row("low-motivation"), column=4, value="Треть учеников не видит смысла учиться")
        conclusion_row = FACTOR_FIRST_ROW + RiskFactor.objects.filter(is_active=True).count() + 1
        main.cell(row=conclusion_row, column=2, value="Главный риск — мотивация.")

    data = fill_template(
        mon.school, mon.year, Stage.INTERIM, ratings={"low-motivation": 3, "special-needs": 1},
        values={"teachers-training": "62,5", "vacant-management": 10}, edit=edit,
    )
    parsed = parse(mon, data)
    assert parsed.ok, parsed.errors
    by_code = {r["code"]: r for r in parsed.ratings}
    assert by_code["low-motivation"]["level"] == 3
    assert by_code["low-motivation"]["comment"] == "Треть учеников не видит смысла учиться"
    assert by_code["special-needs"]["level"] == 1
    assert by_code["teacher-shortage"]["level"] == 2
    values = {r["code"]: r for r in parsed.indicators}
    assert values["teachers-training"]["value"] == "62.50"
    assert values["vacant-management"]["value"] == "10.00"
    assert values["ege-russian-mean"]["computed"] is True
    assert parsed.conclusion == "Главный риск — мотивация."


def test_rating_out_of_range_names_the_cell(mon):
    data = fill_template(mon.school, mon.year, Stage.INTERIM, ratings={"failure-risk": 5})
    row = _factor_row("failure-risk")
    assert parse(mon, data).errors.messages() == [
        f"Лист «Самооценка», строка {row}, столбец C («Оценка (1–3)»): ожидается число от 1 до 3, а указано 5."
    ]


def test_rating_as_a_word_or_a_fraction_names_the_cell(mon):
    data = fill_template(mon.school, mon.year, Stage.INTERIM, ratings={"failure-risk": "высокий", "special-needs": 2.5})
    errors = parse(mon, data).errors.messages()
    place = "Лист «Самооценка», строка {}, столбец C («Оценка (1–3)»)"
    assert f"{place.format(_factor_row('failure-risk'))}: ожидается число, а указано «высокий»." in errors
    assert f"{place.format(_factor_row('special-needs'))}: ожидается целое число, а указано 2,5." in errors


def test_missing_rating_names_the_cell_and_the_factor(mon):
    def edit(workbook):
        workbook[SHEET_MAIN].cell(row=_factor_row("poor-climate"), column=3).value = None

    errors = parse(mon, fill_template(mon.school, mon.year, Stage.INTERIM, edit=edit)).errors.messages()
    factor = RiskFactor.objects.get(code="poor-climate")
    assert errors == [
        f"Лист «Самооценка», строка {_factor_row('poor-climate')}, столбец C («Оценка (1–3)»): не указана оценка "
        f"фактора «{factor.name}» — "
        "поставьте от 1 до 3."
    ]


def test_every_problem_is_reported_at_once(mon):
    def edit(workbook):
        workbook[SHEET_MAIN].cell(row=_factor_row("poor-climate"), column=3).value = None

    data = fill_template(
        mon.school, mon.year, Stage.INTERIM, ratings={"failure-risk": 0, "special-needs": 4},
        values={"teachers-training": 120}, edit=edit,
    )
    errors = parse(mon, data).errors.messages()
    assert len(errors) == 4
    assert any("столбец E («Значение»)" in e and "доля в процентах должна быть от 0 до 100, а указано 120" in e for e in errors)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda wb: wb[SHEET_MAIN].cell(row=FACTOR_FIRST_ROW + 1, column=1, value="что-то своё"),
         "Лист «Самооценка», строка 10, столбец A («Код фактора»): ожидался код фактора «teacher-shortage» (Дефицит педагогических кадров), "
         "а указано «что-то своё» — строки с факторами нельзя менять, удалять или переставлять."),
        (lambda wb: wb[SHEET_MAIN].cell(row=8, column=3, value="Балл"),
         "Лист «Самооценка», строка 8, столбец C: ожидался заголовок «Оценка (1–3)», а указано «Балл» — шаблон изменён."),
        (lambda wb: setattr(wb[SHEET_MAIN], "title", "Лист1"),
         "В книге нет листа «Самооценка»: лист удалён или переименован — шаблон изменён."),
        (lambda wb: wb[SHEET_MAIN].delete_rows(FACTOR_FIRST_ROW + 2),
         "Лист «Самооценка», строка 11, столбец A («Код фактора»): ожидался код фактора"),
        (lambda wb: (wb[SHEET_MAIN].insert_rows(FACTOR_FIRST_ROW + 7), wb[SHEET_MAIN].cell(row=16, column=2, value="Свой фактор")),
         "Лист «Самооценка», строка 16: лишняя строка под списком факторов"),
        (lambda wb: wb.remove(wb[SHEET_SERVICE]),
         "В книге нет служебного листа «Служебный»"),
        (lambda wb: wb[SHEET_SERVICE].cell(row=2, column=2, value="моя таблица"),
         "Лист «Служебный», строка 2, столбец B: нет отметки шаблона самооценки портала — шаблон изменён."),
        (lambda wb: wb[SHEET_INDICATORS].cell(row=4, column=5, value="Факт"),
         "Лист «Показатели», строка 4, столбец E: ожидался заголовок «Значение», а указано «Факт» — шаблон изменён."),
    ],
    ids=["code", "header", "sheet-renamed", "row-deleted", "row-inserted", "no-service-sheet", "marker",
         "indicator-header"],
)
def test_changed_template_is_named_with_the_cell(mon, edit, expected):
    errors = parse(mon, fill_template(mon.school, mon.year, Stage.INTERIM, edit=edit)).errors.messages()
    assert any(error.startswith(expected) for error in errors), errors


def test_file_of_another_school(mon):
    data = fill_template(mon.neighbour, mon.year, Stage.INTERIM)
    assert parse(mon, data).errors.messages() == [
        f"Лист «Служебный», строка 4, столбец B: файл составлен для другой школы, а загружается самооценка школы "
        f"«{mon.school.short_name}». Скачайте шаблон своей школы на портале."
    ]


def test_file_of_another_year(mon):
    data = fill_template(mon.school, mon.year - 1, Stage.INTERIM)
    y = mon.year
    assert parse(mon, data).errors.messages() == [
        f"Лист «Служебный», строка 5, столбец B: файл составлен на {y - 2}/{str(y - 1)[-2:]} учебный год, а загружается "
        f"самооценка за {y - 1}/{str(y)[-2:]} учебный год."
    ]


def test_file_of_another_stage(mon):
    data = fill_template(mon.school, mon.year, Stage.ENTRY)
    assert parse(mon, data, stage=Stage.FINAL).errors.messages() == [
        "Лист «Служебный», строка 6, столбец B: файл составлен для этапа «Входной мониторинг», а загружается "
        "самооценка этапа «Итоговый мониторинг»."
    ]


def test_template_made_before_the_factor_list_changed(mon):
    data = fill_template(mon.school, mon.year, Stage.INTERIM)
    RiskFactor.objects.create(code="new-factor", name="Новый фактор", position=99)
    errors = parse(mon, data).errors.messages()
    assert len(errors) == 1 and errors[0].startswith("Лист «Служебный», строка 7, столбец B: после того как шаблон был скачан")


def test_value_that_is_not_a_number(mon):
    data = fill_template(mon.school, mon.year, Stage.INTERIM, values={"teachers-training": "много"})
    errors = parse(mon, data).errors.messages()
    assert len(errors) == 1
    assert errors[0].startswith("Лист «Показатели», строка ")
    assert errors[0].endswith(", столбец E («Значение»): ожидается число, а указано «много».")


def test_computed_value_typed_in_the_file_is_ignored_with_a_warning(mon):
    data = fill_template(mon.school, mon.year, Stage.INTERIM, values={"ege-russian-mean": 99})
    parsed = parse(mon, data)
    assert parsed.ok
    assert any("вычисляется порталом — значение из файла не используется" in w for w in parsed.warnings.messages())
    row = next(r for r in parsed.indicators if r["code"] == "ege-russian-mean")
    assert row["value"] != "99.00"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ((FILES / "renamed_pdf.xlsx").read_bytes(), "Файл не является книгой Excel (.xlsx)"),
        ((FILES / "empty.xlsx").read_bytes(), "Файл пуст"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "Файл сохранён в старом формате Excel 97–2003 (.xls)"),
    ],
    ids=["renamed-pdf", "empty", "old-xls"],
)
def test_files_that_are_not_workbooks(mon, data, expected):
    errors = parse(mon, data).errors.messages()
    assert len(errors) == 1 and errors[0].startswith(expected)


def test_huge_file_is_refused_before_reading(mon, settings):
    settings.UPLOAD_MAX_BYTES = 50_000
    errors = parse(mon, b"PK" + b"\0" * 60_000).errors.messages()
    assert errors == ["Файл больше допустимого размера (49 КБ). Загрузите файл меньшего размера."]


def test_template_text_that_looks_like_a_formula_is_escaped(mon):
    mon.school.name = "=HYPERLINK(\"http://evil\")"
    mon.school.save()
    content = template_content(school=mon.school, year=mon.year, stage=Stage.ENTRY)
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(content)))
    assert workbook[SHEET_MAIN]["B2"].data_type == "s"
    assert workbook[SHEET_MAIN]["B2"].value == "=HYPERLINK(\"http://evil\")"
    assert workbook[SHEET_MAIN]["B2"].quotePrefix


def test_template_labels_the_yellow_conclusions_cells(mon):
    """A school sees where its conclusions go: a heading beside the yellow cells naming them, an input message on them."""
    content = template_content(school=mon.school, year=mon.year, stage=Stage.ENTRY)
    main = openpyxl.load_workbook(io.BytesIO(template_xlsx(content)))[SHEET_MAIN]
    row = FACTOR_FIRST_ROW + len(content.factors) + 1
    assert f"B{row}:D{row}" in {str(merged) for merged in main.merged_cells.ranges}
    assert main.cell(row=row, column=2).fill.fgColor.rgb == main.cell(row=FACTOR_FIRST_ROW, column=3).fill.fgColor.rgb
    heading = main.cell(row=row, column=5).value
    assert f"Выводы школы — впишите в жёлтые ячейки B{row}:D{row}" in heading
    prompts = [v for v in main.data_validations.dataValidation if f"B{row}" in str(v.sqref)]
    assert prompts and prompts[0].showInputMessage and "Впишите выводы" in prompts[0].prompt
