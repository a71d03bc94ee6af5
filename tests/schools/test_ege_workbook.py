"""Reading result workbooks: the real regional ЕГЭ returns, small made-up ones, the long format and bad files.

The helpers at the top build workbooks in memory; the other import test modules use them too.
"""

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from schools import results_file
from schools.ege_workbook import detect_format, parse_ege_workbook, parse_results_file
from schools.results_file import FORMAT_EGE, FORMAT_LONG, KIND_APPLICATIONS, KIND_RESULTS
from schools.results_long_format import long_format_template, parse_long_format

FILES = Path(__file__).resolve().parents[1] / "files"
ZABAYKALSKY = "zabaykalsky_krai_ege_2022_2024.xlsx"
JEWISH_AO = "jewish_ao_ege_2022_2024.xlsx"
METRICS = ["приняло участие", "не преодолен min порог", "высокобалльники (80-99 баллов)", "получили 100 баллов", "средний балл"]


def real_data_dir() -> Path:
    configured = os.environ.get("SHNOR_REAL_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"


def real_workbook(name: str) -> Path:
    path = real_data_dir() / "ege-dfo-schools" / name
    if not path.exists():
        pytest.skip(f"Нет реальных данных: {path} не найден (укажите каталог в SHNOR_REAL_DATA).")
    return path


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def school_row(municipality, school, graduates, russian=(), chemistry=()):
    """A row of the made-up results sheet: A municipality, B school, C profile, D graduates, E–I Russian, J–N
    Chemistry (participants, below min, 80–99, 100, mean)."""
    return [municipality, school, "X", graduates, *pad(russian), *pad(chemistry)]


def pad(values, width=5):
    return list(values) + [None] * (width - len(values))


def results_sheet(*rows, year=2023, heading=None, numbers_row=False):
    """A results sheet laid out like the regional return, with two subjects."""
    title = heading if heading is not None else f"Информация о результатах ЕГЭ выпускников школ в {year} году"
    header = [
        "Муниципальное образование",
        "Образовательная организация (школа)",
        "Профиль (при наличии)",
        "Всего выпускников, принявших участие в ЕГЭ, чел.",
        "Русский язык", None, None, None, None,
        "Химия", None, None, None, None,
    ]
    table = [[], [title], [], ["Тестовый край"], [], header, [None, None, None, None, *METRICS, *METRICS]]
    if numbers_row:
        table.append(list(range(1, 15)))
    return table + [list(row) for row in rows]


def registrations_sheet(*rows, year=2024):
    header = [
        "Муниципальное образование", "Образовательная организация (школа)", "Профиль", "Всего выпускников, чел.",
        "Русский язык, чел.", "Математика (профиль), чел.", "Химия, чел.",
    ]
    return [[], [f"Информация о поданных выпускниками школ {year} года заявлениях на участие в ЕГЭ"], [], header] + [
        list(row) for row in rows
    ]


def long_rows(*rows):
    return [["Муниципалитет", "Школа", "Год", "Код результата", "Значение"], *[list(row) for row in rows]]


# --- the real returns ----------------------------------------------------------------------------------------------


def test_real_zabaykalsky_workbook_is_read_whole():
    parsed = parse_ege_workbook(real_workbook(ZABAYKALSKY))
    assert parsed.errors.messages() == []
    assert parsed.region_name == "Забайкальский край"
    sheets = {sheet.title: sheet for sheet in parsed.sheets}
    assert {title: (s.year, s.kind, s.school_rows) for title, s in sheets.items()} == {
        "2022": (2022, KIND_RESULTS, 314),
        "2023": (2023, KIND_RESULTS, 314),
        "2024": (2024, KIND_APPLICATIONS, 301),
    }
    # The 2022 header says «в 2023 году» by mistake: the heading above the table decides.
    assert sheets["2022"].header_rows == [6, 7]
    assert len(sheets["2022"].subjects) == 21
    assert not any(row.school_name.lower().startswith(("итого", "всего")) for row in parsed.rows)
    assert not any(row.municipality_name.lower().startswith(("итого", "всего")) for row in parsed.rows)


def test_real_zabaykalsky_corrupt_chemistry_column_becomes_warnings():
    parsed = parse_ege_workbook(real_workbook(ZABAYKALSKY))
    chemistry = [w for w in parsed.warnings.messages() if "Химия" in w and "Лист «2023»" in w]
    assert chemistry[0].startswith("Лист «2023», строка 381, столбец W: в итоговой строке «получили 100 баллов»")
    assert "Лист «2023», строка 9, столбец W: «получили 100 баллов» по предмету «Химия» (12) больше числа участников (8)" in (
        chemistry[1]
    )
    assert len(chemistry) > 100
    rows_2023 = [row for row in parsed.rows if row.year == 2023]
    assert not any("ege-chemistry-score_100" in row.values for row in rows_2023)
    assert sum("ege-chemistry-participants" in row.values for row in rows_2023) > 100
    # Other years keep the column.
    assert any("ege-chemistry-score_100" in row.values for row in parsed.rows if row.year == 2022)


def test_real_jewish_ao_workbook_carries_municipalities_down_and_skips_totals():
    parsed = parse_ege_workbook(real_workbook(JEWISH_AO))
    assert parsed.errors.messages() == [] and parsed.warnings.messages() == []
    assert parsed.region_name == "Еврейская автономная область"
    assert [(s.title, s.year, s.school_rows, s.header_rows) for s in parsed.sheets] == [
        ("2024", 2024, 41, [6, 7, 8]),
        ("2023", 2023, 42, [6, 7, 8, 9]),
        ("2022", 2022, 43, [6, 7, 8, 9]),
    ]
    assert {row.municipality_name.lower() for row in parsed.rows} == {
        "город биробиджан", "биробиджанский район", "ленинский район", "облученский район", "октябрьский район",
        "смидовичский район",
    }
    gymnasium = next(r for r in parsed.rows if r.year == 2022 and r.school_name == 'МБОУ "Гимназия № 1"')
    assert gymnasium.excel_row == 12
    assert gymnasium.municipality_name == "город Биробиджан"
    assert gymnasium.values["ege-russian-participants"] == 123
    assert gymnasium.values["ege-russian-mean_score"] == pytest.approx(69.93, abs=0.005)
    assert gymnasium.values["ege-russian-below_min"] == 0  # blank inside a taken subject
    assert gymnasium.values["ege-foreign-participants"] == 23  # foreign languages are pooled in ЕАО
    registrations = next(r for r in parsed.rows if r.year == 2024 and r.school_name == 'МБОУ "Гимназия № 1"')
    assert registrations.values["ege-applicants"] == 95
    assert registrations.values["ege-russian-applicants"] == 95


@pytest.mark.parametrize("name", [ZABAYKALSKY, JEWISH_AO])
def test_real_workbooks_agree_with_the_tidy_csv_made_from_them(name):
    """Every value of the tidy CSVs beside the workbooks (made by another program) is read the same."""
    path = real_workbook(name)
    parsed = parse_ege_workbook(path)
    read = {(row.sheet, row.excel_row, code): value for row in parsed.rows for code, value in row.values.items()}
    from schools.measures import subject_code_for_header

    checked = 0
    for csv_name, metrics in (
        ("ege_results_by_school_subject_2022_2023.csv", ("participants", "below_min", "high_80_99", "score_100", "mean_score")),
        ("ege_applications_by_school_subject_2024.csv", ("applicants",)),
    ):
        with open(path.parent / csv_name, encoding="utf-8") as source:
            for line in csv.DictReader(source):
                if line["source_file"] != name or line["row_type"] != "school":
                    continue
                subject = subject_code_for_header(line["subject_source"])
                for metric in metrics:
                    if line[metric] == "":
                        continue
                    key = (line["source_sheet"], int(line["source_row"]), f"ege-{subject}-{metric}")
                    assert read[key] == pytest.approx(float(line[metric]), abs=1e-3), key
                    checked += 1
    assert checked > 1500


# --- made-up returns -----------------------------------------------------------------------------------------------


def test_blank_counts_inside_a_taken_subject_are_zero_and_untaken_subjects_give_nothing():
    data = workbook_bytes(
        {"2023": results_sheet(school_row("Район А", "МБОУ СОШ № 1", 20, russian=(20, None, 3, None, 65.5)))}
    )
    parsed = parse_ege_workbook(data)
    assert parsed.errors.messages() == []
    (row,) = parsed.rows
    assert row.values == {
        "ege-graduates": 20,
        "ege-russian-participants": 20,
        "ege-russian-below_min": 0,
        "ege-russian-high_80_99": 3,
        "ege-russian-score_100": 0,
        "ege-russian-mean_score": 65.5,
    }


def test_blank_mean_score_is_no_value():
    parsed = parse_ege_workbook(workbook_bytes({"2023": results_sheet(school_row("Р", "СОШ", 5, russian=(5, 1)))}))
    assert "ege-russian-mean_score" not in parsed.rows[0].values


def test_column_numbers_totals_and_municipality_rows_are_skipped():
    data = workbook_bytes(
        {
            "2023": results_sheet(
                ["ВСЕГО по региону", None, "х", 30, 30, 1, 2, 0, 60],
                ["Район А", None, None, 30, 30, 1, 2, 0, 60],
                [None, "МБОУ СОШ № 1", None, 10, 10, 1, 0, 0, 55],
                [None, "МБОУ СОШ № 2", None, 20, 20, 0, 2, 0, 62],
                [],
                ["Итого по краю", None, None, 30, 30, 1, 2, 0, 60],
                numbers_row=True,
            )
        }
    )
    parsed = parse_ege_workbook(data)
    assert parsed.errors.messages() == []
    assert parsed.sheets[0].header_rows == [6, 7, 8]
    assert [(r.excel_row, r.municipality_name, r.school_name) for r in parsed.rows] == [
        (11, "Район А", "МБОУ СОШ № 1"),
        (12, "Район А", "МБОУ СОШ № 2"),
    ]


def test_text_in_a_number_cell_names_sheet_row_and_column():
    data = workbook_bytes({"2023": results_sheet(school_row("Район А", "СОШ № 1", 20, russian=(20, "н/д", 3)))})
    parsed = parse_ege_workbook(data)
    assert parsed.errors.messages() == ["Лист «2023», строка 8, столбец F: ожидается число, а указано «н/д»."]


@pytest.mark.parametrize(
    ("russian", "message"),
    [
        ((20, -1), "Лист «2023», строка 8, столбец F: число не может быть отрицательным, а указано -1."),
        ((20, 2.5), "Лист «2023», строка 8, столбец F: ожидается целое число, а указано 2,5."),
        ((20, 0, 21), "Лист «2023», строка 8, столбец G: «высокобалльники (80-99 баллов)» по предмету «Русский язык» "
                      "(21) больше числа участников (20)."),
        ((20, 0, 0, 0, 101), "Лист «2023», строка 8, столбец I: средний балл 101 по предмету «Русский язык» больше 100."),
    ],
)
def test_impossible_numbers_are_errors(russian, message):
    parsed = parse_ege_workbook(workbook_bytes({"2023": results_sheet(school_row("Р", "СОШ", 20, russian=russian))}))
    assert parsed.errors.messages() == [message]


def test_a_count_above_participants_in_a_column_whose_total_is_broken_is_a_warning():
    data = workbook_bytes(
        {
            "2023": results_sheet(
                school_row("Р", "СОШ № 1", 10, russian=(10, 0, 1, 0, 60), chemistry=(3, 0, 0, 5, 50)),
                school_row("Р", "СОШ № 2", 10, russian=(10, 0, 1, 0, 60), chemistry=(4, 0, 0, 1, 50)),
                ["Итого", None, None, 20, 20, 0, 2, 0, 60, 7, 0, 0, 12, 50],
            )
        }
    )
    parsed = parse_ege_workbook(data)
    assert parsed.errors.messages() == []
    assert parsed.warnings.messages()[0].startswith("Лист «2023», строка 10, столбец M: в итоговой строке «получили 100 баллов»")
    assert parsed.warnings.messages()[1] == (
        "Лист «2023», строка 8, столбец M: «получили 100 баллов» по предмету «Химия» (5) больше числа участников (3) — "
        "столбец испорчен в источнике, значение не загружено."
    )
    assert all("ege-chemistry-score_100" not in row.values for row in parsed.rows)
    assert all(row.values["ege-chemistry-participants"] for row in parsed.rows)


def test_year_comes_from_the_heading_then_from_the_sheet_name():
    data = workbook_bytes(
        {
            "2022": results_sheet(school_row("Р", "СОШ", 5, russian=(5,)), heading="Результаты ЕГЭ в 2021 году"),
            "Лист 2023": results_sheet(school_row("Р", "СОШ", 5, russian=(5,)), heading="Результаты ЕГЭ"),
        }
    )
    parsed = parse_ege_workbook(data)
    assert [sheet.year for sheet in parsed.sheets] == [2021, 2023]
    assert parsed.warnings.messages() == [
        "Лист «2022»: в заголовке над таблицей указан 2021 год, а в названии листа — 2022; взят год из заголовка (2021)."
    ]


def test_sheet_without_any_year_is_an_error():
    data = workbook_bytes({"Результаты": results_sheet(school_row("Р", "СОШ", 5, russian=(5,)), heading="ЕГЭ")})
    parsed = parse_ege_workbook(data)
    assert parsed.errors.messages() == [
        "Лист «Результаты»: не удалось определить год — его нет ни в заголовке над таблицей («…в 2023 году»), "
        "ни в названии листа."
    ]


def test_two_sheets_of_one_year_are_an_error():
    sheet = results_sheet(school_row("Р", "СОШ", 5, russian=(5,)))
    parsed = parse_ege_workbook(workbook_bytes({"2023": sheet, "2023 (копия)": sheet}))
    assert parsed.errors.messages() == ["Лист «2023 (копия)»: 2023 год уже прочитан с листа «2023» — в книге должен быть один лист на год."]


def test_registrations_sheet_gives_applicants():
    data = workbook_bytes({"2024": registrations_sheet(["Р", "МБОУ СОШ № 1", "X", 12, 12, 5, None])})
    parsed = parse_ege_workbook(data)
    assert parsed.sheets[0].kind == KIND_APPLICATIONS
    assert parsed.rows[0].values == {
        "ege-applicants": 12,
        "ege-russian-applicants": 12,
        "ege-math_profile-applicants": 5,
    }


def test_school_row_without_municipality_is_an_error():
    data = workbook_bytes({"2023": results_sheet([None, "СОШ № 1", None, 5, 5])})
    parsed = parse_ege_workbook(data)
    assert parsed.errors.messages() == [
        "Лист «2023», строка 8, столбец A: у школы «СОШ № 1» не указан муниципалитет (ни в этой строке, ни в строке "
        "муниципалитета выше)."
    ]


def test_sheet_with_header_but_no_schools_is_an_error():
    parsed = parse_ege_workbook(workbook_bytes({"2023": results_sheet()}))
    assert parsed.errors.messages() == ["Лист «2023»: под заголовком нет ни одной строки со школой."]


# --- bad files -----------------------------------------------------------------------------------------------------


def zip_bomb_xlsx() -> bytes:
    """A valid small workbook with one more member that unpacks to 5 MB of zeros."""
    buffer = io.BytesIO(workbook_bytes({"2023": results_sheet(school_row("Р", "СОШ", 5, russian=(5,)))}))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 5_000_000)
    return buffer.getvalue()


BAD_FILES = {
    "empty file": (lambda: (FILES / "empty.xlsx").read_bytes(), "Файл пуст"),
    "renamed pdf": (lambda: (FILES / "renamed_pdf.xlsx").read_bytes(), "Файл не является книгой Excel (.xlsx)"),
    "random bytes": (lambda: bytes(range(256)) * 40, "Файл не является книгой Excel (.xlsx)"),
    "old xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "старом формате Excel 97–2003 (.xls)"),
    "docx-like zip": (
        lambda: _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
        "Файл не является книгой Excel (.xlsx)",
    ),
    "broken xlsx": (
        lambda: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "not xml"}),
        "Не удалось прочитать книгу Excel",
    ),
    "empty sheet": (lambda: workbook_bytes({"Лист1": []}), "В книге нет данных: лист «Лист1» пуст"),
    "wrong template": (
        lambda: workbook_bytes({"Лист1": [["Фамилия", "Имя", "Класс"], ["Иванов", "Иван", "9А"]]}),
        "Файл не похож ни на отчёт о результатах ЕГЭ",
    ),
    "zip bomb": (zip_bomb_xlsx, "в распакованном виде занимает"),
}


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def small_limits(settings):
    settings.UPLOAD_MAX_BYTES = 200_000  # a workbook may unpack to ten times that: 2 MB
    return settings


@pytest.mark.parametrize("case", BAD_FILES)
@pytest.mark.parametrize("parse", [parse_results_file, parse_ege_workbook, parse_long_format])
def test_bad_files_get_one_russian_message_and_no_exception(case, parse, small_limits, db):
    make, expected = BAD_FILES[case]
    parsed = parse(make())
    assert parsed.errors.count == 1, parsed.errors
    if case in {"wrong template"} and parse is not parse_results_file:
        assert "Файл не похож на" in parsed.errors.messages()[0]
    else:
        assert expected in parsed.errors.messages()[0]
    assert parsed.rows == []


def test_file_larger_than_the_limit_is_refused_before_reading(settings, tmp_path):
    settings.UPLOAD_MAX_BYTES = 1000
    path = tmp_path / "big.xlsx"
    path.write_bytes(workbook_bytes({"2023": results_sheet(*[school_row("Р", f"СОШ {n}", 5, russian=(5,)) for n in range(50)])}))
    for source in (path, path.read_bytes(), io.BytesIO(path.read_bytes())):
        parsed = parse_results_file(source)
        assert parsed.errors.messages() == ["Файл больше допустимого размера (1000 байт). Загрузите файл меньшего размера."]


def test_sheet_longer_than_the_row_cap_is_refused(monkeypatch):
    monkeypatch.setattr(results_file, "MAX_ROWS_PER_SHEET", 10)
    rows = [school_row("Р", f"СОШ {n}", 5, russian=(5,)) for n in range(20)]
    parsed = parse_results_file(workbook_bytes({"2023": results_sheet(*rows)}))
    assert parsed.errors.messages() == ["Лист «2023»: больше 10 строк. Проверьте, тот ли это файл."]


# --- the long format -----------------------------------------------------------------------------------------------


def test_template_parses_to_its_one_example_row(db):
    template = long_format_template()
    assert detect_format(template) == FORMAT_LONG
    parsed = parse_long_format(template)
    assert parsed.errors.messages() == []
    (row,) = parsed.rows
    assert (row.municipality_name, row.school_name, row.year, row.values) == (
        "Заречный муниципальный район", "Заречная СОШ № 1", 2024, {"oge-russian-participants": 25}
    )
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(template)).sheetnames == ["Результаты", "Инструкция"]


def test_long_format_reads_codes_of_any_exam_and_known_measure_codes():
    data = workbook_bytes(
        {
            "Результаты": long_rows(
                ["Район А", "СОШ № 1", 2024, "oge-math-mean_score", "3,8"],
                ["Район А", "СОШ № 1", 2024, "VPR-russian_5-participants", 40],
                ["Район А", "СОШ № 1", 2024, "other-value", 1.5],
                ["Район А", "СОШ № 1", "2023", "my-own-code", 7],
            )
        }
    )
    parsed = parse_long_format(data, known_codes={"my-own-code"})
    assert parsed.errors.messages() == []
    assert [(row.year, row.values) for row in parsed.rows] == [
        (2024, {"oge-math-mean_score": 3.8}),
        (2024, {"vpr-russian_5-participants": 40}),
        (2024, {"other-value": 1.5}),
        (2023, {"my-own-code": 7}),
    ]


def test_long_format_errors_name_sheet_row_and_column():
    data = workbook_bytes(
        {
            "Результаты": long_rows(
                ["Район А", "СОШ № 1", 2024, "oge-russian-mean_score", "н/д"],
                ["Район А", "", 1990, "oge-russian-grade", 3],
                ["Район А", "СОШ № 1", 2024, "ЕГЭ русский", 3],
                ["Район А", "СОШ № 1", 2024, "oge-russian-participants", 2.5],
                ["Район А", "СОШ № 2", 2024, "oge-russian-participants", 5],
                ["Район А", "сош № 2", 2024, "oge-russian-participants", 6],
            )
        }
    )
    parsed = parse_long_format(data, known_codes=set())
    assert parsed.errors.messages()[0] == "Лист «Результаты», строка 2, столбец E: ожидается число, а указано «н/д»."
    assert parsed.errors.messages()[1] == "Лист «Результаты», строка 3, столбец B: не указана школа."
    assert parsed.errors.messages()[2] == "Лист «Результаты», строка 3, столбец C: ожидается год от 2000 до 2100, а указано 1990."
    assert parsed.errors.messages()[3].startswith("Лист «Результаты», строка 3, столбец D: в коде «oge-russian-grade» неизвестный показатель")
    assert parsed.errors.messages()[4].startswith("Лист «Результаты», строка 4, столбец D: код результата «егэ русский» не по образцу")
    assert parsed.errors.messages()[5] == (
        "Лист «Результаты», строка 5, столбец E: ожидается целое число, а указано 2,5."
    )
    assert parsed.errors.messages()[6] == (
        "Лист «Результаты», строка 7: результат «oge-russian-participants» школы «сош № 2» за 2024 год уже указан в "
        "строке 6."
    )
    assert parsed.errors.count == 7


def test_long_format_with_a_missing_column_says_which():
    data = workbook_bytes({"Данные": [["Муниципалитет", "Школа", "Год", "Значение"], ["Р", "СОШ", 2024, 1]]})
    parsed = parse_results_file(data)
    assert parsed.errors.messages() == [
        "Лист «Данные», строка 1: похоже на универсальный шаблон, но не хватает столбцов «Код результата». Скачайте "
        "шаблон на странице загрузки и заполните его."
    ]


def test_detect_format_tells_the_two_layouts_apart():
    ege = workbook_bytes({"2023": results_sheet(school_row("Р", "СОШ", 5, russian=(5,)))})
    assert detect_format(ege) == FORMAT_EGE
    assert detect_format(workbook_bytes({"Лист1": long_rows()})) == FORMAT_LONG
    assert detect_format(b"") is None
    assert detect_format(workbook_bytes({"Лист1": [["что-то другое"]]})) is None
