"""Matching parsed rows to the registry, saving in one transaction, the command, and the cost in queries."""

import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schools.demo import MUNICIPALITY_A, MUNICIPALITY_B
from schools.ege_workbook import parse_ege_workbook, parse_results_file
from schools.measures import measures_by_code
from schools.models import (
    Measure,
    Municipality,
    Region,
    ResultImport,
    School,
    SchoolNameAlias,
    SchoolResult,
)
from schools.results_import import (
    CREATE,
    MAP,
    SKIP,
    NameDecision,
    ResultsImportError,
    results_import_preview,
    results_import_save,
)
from schools.school_names import (
    guess_school_kind,
    municipality_key,
    proposed_municipality_name,
    school_name_key,
    short_school_name,
)
from tests.schools.test_ege_workbook import (
    JEWISH_AO,
    ZABAYKALSKY,
    long_rows,
    real_workbook,
    results_sheet,
    school_row,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db

TABLES = (Region, Municipality, School, SchoolNameAlias, Measure, ResultImport, SchoolResult)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def long_file(*rows) -> bytes:
    return workbook_bytes({"Результаты": long_rows(*rows)})


def preview_of(data: bytes, **kwargs):
    return results_import_preview(parsed=parse_results_file(data), **kwargs)


# --- names ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ('Муниципальное бюджетное общеобразовательное учреждение "Средняя общеобразовательная школа №1"', "МБОУ «СОШ № 1»"),
        ("МБОУ  СОШ №1", "мбоу сош № 1"),
        ("Гимназия имени А. С. Пушкина", "гимназия им. А.С. Пушкина"),
        ("Школа-интернат с. Берёзовка", "школа интернат с.березовка"),
        ("Mуниципальное общеобразовательное учреждение СОШ №2", "МОУ СОШ № 2"),  # a Latin M in the source
        ("Государственное общеобразовательное учреждение «Забайкальский краевой лицей-интернат»",
         "ГОУ Забайкальский краевой лицей-интернат"),
    ],
)
def test_school_names_reduce_to_one_key(one, other):
    assert school_name_key(one) == school_name_key(other)


def test_different_schools_keep_different_keys():
    assert school_name_key("МБОУ СОШ № 1") != school_name_key("МБОУ СОШ № 11")
    assert school_name_key("МБОУ СОШ № 1") != school_name_key("МБОУ ООШ № 1")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ('Комитет образования администрации городского округа "Город Чита"', "Город Чита"),
        ('Комитет образования администрации городского округа "Город чита"', "городской округ «Город Чита»"),
        ('Комитет образования администрации муниципального района " Акшинский район"',
         "Комитет образования администрации Акшинского муниципального округа"),
        ("Управление образования администрации Красночикойского района", "Красночикойский район"),
        ("Отдел управления образованием администрации Каларского муниципального округа Забайкальского края",
         "Каларский муниципальный округ"),
        ("Заречный муниципальный район", "Заречный район"),
    ],
)
def test_municipality_names_of_authorities_reduce_to_the_municipality(one, other):
    assert municipality_key(one) == municipality_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("город Биробиджан", "Биробиджанский район"),
        ("Комитет по образованию, делам молодежи, материнства и детства г. Петровск-Забайкальский",
         'Управление образования Админстрации "Петровск-Забайкальский район"'),
        ('Комитет образования администрации городского округа "Поселок Агинское"',
         'Комитет образования администрации муниципального района "Агинский район"'),
        ("Министерство образования и науки Забайкальского края", 'Управление образованием "Забайкальский район"'),
    ],
)
def test_a_city_and_the_district_around_it_stay_apart(one, other):
    assert municipality_key(one) != municipality_key(other)


def test_short_names_kinds_and_municipality_names_are_derived_from_the_file():
    full = 'Муниципальное бюджетное общеобразовательное учреждение "Средняя общеобразовательная школа №1"'
    assert short_school_name(full) == 'МБОУ "СОШ №1"'
    assert short_school_name("Областное государственное автономное общеобразовательное учреждение «Лицей»") == (
        "ОГАОУ «Лицей»"
    )
    assert guess_school_kind(full) == School.Kind.SOSH
    assert guess_school_kind("МОУ Ононская основная общеобразовательная школа") == School.Kind.OOSH
    assert guess_school_kind("МБОУ «Гимназия № 1»") == School.Kind.GYMNASIUM
    assert guess_school_kind("ГОУ «Забайкальский краевой лицей-интернат»") == School.Kind.LYCEUM
    assert guess_school_kind("ЧАУ Школа-интернат № 27") == School.Kind.BOARDING
    assert guess_school_kind("МКОУ Центр образования им. В.И. Пеллера") == School.Kind.OTHER
    assert proposed_municipality_name('Комитет образования администрации городского округа "Город Чита"') == "Город Чита"
    assert proposed_municipality_name("город Биробиджан") == "Город Биробиджан"


# --- the real returns ----------------------------------------------------------------------------------------------


def import_real(name: str, **kwargs):
    parsed = parse_ege_workbook(real_workbook(name))
    preview = results_import_preview(parsed=parsed)
    result = results_import_save(preview=preview, create_missing=True, file_name=name, **kwargs)
    return parsed, preview, result


def schools_with_results(year: int, region_name: str) -> int:
    return (
        SchoolResult.objects.filter(year=year, school__municipality__region__name=region_name)
        .values("school")
        .distinct()
        .count()
    )


def test_real_zabaykalsky_workbook_imports_every_school_quickly():
    started = time.perf_counter()
    parsed, preview, result = import_real(ZABAYKALSKY)
    elapsed = time.perf_counter() - started
    assert elapsed < 20, f"импорт занял {elapsed:.1f} с"
    region = "Забайкальский край"
    assert preview.errors.messages() == []
    assert {2022: 314, 2023: 314, 2024: 301} == {year: schools_with_results(year, region) for year in (2022, 2023, 2024)}
    # 36 municipal authorities, whatever their names in 2022 and 2023.
    assert Municipality.objects.filter(region__name=region).count() == 36
    assert Municipality.objects.filter(region__name=region, name="Город Чита").exists()
    values = sum(len(row.values) for row in parsed.rows)
    assert result.value_count == values == SchoolResult.objects.filter(source=result).count()
    assert result.years == "2022, 2023, 2024"
    assert "Создано школ" in result.summary
    # The corrupt 100-point chemistry column of 2023 is not stored; 2022's is.
    chemistry_100 = SchoolResult.objects.filter(measure__code="ege-chemistry-score_100")
    assert not chemistry_100.filter(year=2023).exists()
    assert chemistry_100.filter(year=2022).exists()
    # A spot check against the cells: row 8 of 2023, «Средняя общеобразовательная школа №1» of Чита.
    school = School.objects.get(
        municipality__name="Город Чита",
        name='Муниципальное бюджетное общеобразовательное учреждение "Средняя общеобразовательная школа №1"',
    )
    assert school.short_name == 'МБОУ "СОШ №1"'
    assert school.kind == School.Kind.SOSH
    stored = dict(school.results.filter(year=2023).values_list("measure__code", "value"))
    assert stored["ege-graduates"] == 51
    assert stored["ege-russian-participants"] == 51
    assert stored["ege-russian-high_80_99"] == 13
    assert stored["ege-russian-mean_score"] == pytest.approx(71.61)
    assert stored["ege-math_profile-participants"] == 23
    assert stored["ege-math_profile-below_min"] == 0
    print(f"\nЗабайкальский край: {values} значений, {elapsed:.2f} с")


def test_real_jewish_ao_workbook_imports_and_a_second_import_changes_nothing():
    parsed, preview, first = import_real(JEWISH_AO)
    region = "Еврейская автономная область"
    assert {2022: 43, 2023: 42, 2024: 41} == {year: schools_with_results(year, region) for year in (2022, 2023, 2024)}
    assert Municipality.objects.filter(region__name=region).count() == 6
    gymnasium = School.objects.get(municipality__name="Город Биробиджан", name='МБОУ "Гимназия № 1"')
    russian = dict(gymnasium.results.filter(year=2022, measure__code__startswith="ege-russian").values_list(
        "measure__code", "value"
    ))
    assert russian["ege-russian-participants"] == 123
    assert russian["ege-russian-mean_score"] == pytest.approx(69.93, abs=0.005)
    assert not School.objects.filter(name__iregex=r"^(всего|итого)").exists()
    # The municipality subtotal rows are not schools.
    assert not School.objects.filter(name__in=["Биробиджанский район", "Ленинский район"]).exists()

    counts = table_counts()
    value_ids = set(SchoolResult.objects.values_list("pk", flat=True))
    second_preview = results_import_preview(parsed=parse_ege_workbook(real_workbook(JEWISH_AO)))
    assert second_preview.unmatched == []
    assert second_preview.values_to_update == first.value_count and second_preview.values_to_create == 0
    second = results_import_save(preview=second_preview, file_name=JEWISH_AO)
    assert table_counts() == {**counts, "ResultImport": counts["ResultImport"] + 1}
    assert set(SchoolResult.objects.values_list("pk", flat=True)) == value_ids  # updated in place
    assert SchoolResult.objects.filter(source=second).count() == first.value_count
    assert "новых: 0" in second.summary


def test_real_workbook_without_create_missing_stores_nothing():
    counts = table_counts()
    preview = results_import_preview(parsed=parse_ege_workbook(real_workbook(JEWISH_AO)))
    with pytest.raises(ResultsImportError) as refused:
        results_import_save(preview=preview, file_name=JEWISH_AO)
    assert "Не решено, что делать со школами, которых нет в реестре (44)" in refused.value.messages[0]
    assert table_counts() == counts


# --- matching the demo registry ------------------------------------------------------------------------------------


def test_rows_match_registry_schools_by_name_within_their_municipality(demo):
    data = long_file(
        [MUNICIPALITY_A, "Заречная СОШ №1", 2024, "oge-russian-participants", 30],  # short name, «№1»
        [MUNICIPALITY_A.upper(), "МОУ «ЗАРЕЧНАЯ СРЕДНЯЯ ОБЩЕОБРАЗОВАТЕЛЬНАЯ ШКОЛА № 2»", 2024, "oge-russian-participants", 20],
        ["Заречный район", "Покровская СОШ", 2024, "oge-russian-participants", 10],  # the municipality by its key
        [MUNICIPALITY_B, "Заречная СОШ № 1", 2024, "oge-russian-participants", 5],  # not a school of B
    )
    preview = preview_of(data)
    assert preview.errors.messages() == []
    assert [(row.school_name, school.short_name) for row, school in preview.matched] == [
        ("Заречная СОШ №1", "Заречная СОШ № 1"),
        ("МОУ «ЗАРЕЧНАЯ СРЕДНЯЯ ОБЩЕОБРАЗОВАТЕЛЬНАЯ ШКОЛА № 2»", "Заречная СОШ № 2"),
        ("Покровская СОШ", "Покровская СОШ"),
    ]
    (unmatched,) = preview.unmatched
    assert (unmatched.municipality.name, unmatched.school_name) == (MUNICIPALITY_B, "Заречная СОШ № 1")
    assert {s.short_name for s in unmatched.candidates} == set(
        School.objects.filter(municipality__name=MUNICIPALITY_B).values_list("short_name", flat=True)
    )
    assert preview.values_to_create + preview.values_to_update == 3


def test_a_mapping_decision_is_remembered_for_the_next_file(demo, municipality_a):
    school = School.objects.get(short_name="Никольская ООШ")
    data = long_file([MUNICIPALITY_A, "МКОУ Никольская школа (основная)", 2024, "oge-math-mean_score", 3.6])
    preview = preview_of(data)
    (name,) = preview.unmatched
    results_import_save(preview=preview, mapping={name.key: NameDecision(MAP, school_id=school.pk)}, file_name="a.xlsx")
    alias = SchoolNameAlias.objects.get()
    assert (alias.school, alias.name, alias.municipality_name) == (school, "МКОУ Никольская школа (основная)", MUNICIPALITY_A)
    assert school.results.get(year=2024, measure__code="oge-math-mean_score").value == 3.6

    next_year = long_file([MUNICIPALITY_A, "МКОУ  Никольская школа (основная)", 2025, "oge-math-mean_score", 3.9])
    preview = preview_of(next_year)
    assert preview.unmatched == []
    assert [s for _row, s in preview.matched] == [school]
    results_import_save(preview=preview, file_name="b.xlsx")
    assert school.results.get(year=2025, measure__code="oge-math-mean_score").value == 3.9


def test_created_school_goes_to_the_chosen_municipality_and_is_remembered(demo, municipality_b):
    data = long_file(["Озёрский округ (старое название)", "МБОУ «СОШ № 12»", 2024, "vpr-russian-participants", 44])
    preview = preview_of(data)
    (name,) = preview.unmatched
    assert name.municipality is None
    counts = table_counts()
    results_import_save(
        preview=preview, mapping={name.key: NameDecision(CREATE, municipality_id=municipality_b.pk)}, file_name="x"
    )
    school = School.objects.get(name="МБОУ «СОШ № 12»")
    assert (school.municipality, school.short_name, school.kind) == (municipality_b, "МБОУ «СОШ № 12»", School.Kind.SOSH)
    assert table_counts()["Municipality"] == counts["Municipality"]
    # Next time the file's municipality is known through the remembered name.
    preview = preview_of(data)
    assert preview.unmatched == [] and preview.municipalities[0].municipality == municipality_b


def test_skipped_names_store_nothing_of_theirs(demo):
    data = long_file(
        [MUNICIPALITY_A, "Заречная СОШ № 1", 2024, "oge-russian-participants", 30],
        [MUNICIPALITY_A, "Школа, которой нет", 2024, "oge-russian-participants", 7],
    )
    preview = preview_of(data)
    (name,) = preview.unmatched
    counts = table_counts()
    result = results_import_save(preview=preview, mapping={name.key: NameDecision(SKIP)}, file_name="x")
    assert result.value_count == 1
    assert "Пропущено значений несопоставленных школ: 1" in result.summary
    assert table_counts()["School"] == counts["School"]
    assert table_counts()["SchoolNameAlias"] == 0


def test_errors_in_the_file_store_nothing(demo):
    counts = table_counts()
    data = long_file(
        [MUNICIPALITY_A, "Заречная СОШ № 1", 2024, "oge-russian-participants", 30],
        [MUNICIPALITY_A, "Заречная СОШ № 2", 2024, "oge-russian-participants", "двадцать"],
    )
    preview = preview_of(data)
    assert preview.errors.messages() == ["Лист «Результаты», строка 3, столбец E: ожидается число, а указано «двадцать»."]
    with pytest.raises(ResultsImportError):
        results_import_save(preview=preview, create_missing=True, file_name="x")
    assert table_counts() == counts


def test_two_names_mapped_to_one_school_with_different_values_store_nothing(demo):
    school = School.objects.get(short_name="Никольская ООШ")
    data = long_file(
        [MUNICIPALITY_A, "Никольская школа", 2024, "oge-russian-participants", 12],
        [MUNICIPALITY_A, "Никольская основная школа", 2024, "oge-russian-participants", 13],
    )
    preview = preview_of(data)
    mapping = {name.key: NameDecision(MAP, school_id=school.pk) for name in preview.unmatched}
    counts = table_counts()
    with pytest.raises(ResultsImportError) as refused:
        results_import_save(preview=preview, mapping=mapping, file_name="x")
    assert "значения расходятся" in refused.value.messages[0]
    assert table_counts() == counts


def test_year_limits_the_import_to_one_sheet(db):
    data = workbook_bytes(
        {
            "2022": results_sheet(school_row("Район А", "СОШ № 1", 5, russian=(5, 0, 0, 0, 50)), year=2022),
            "2023": results_sheet(school_row("Район А", "СОШ № 1", 6, russian=(6, 0, 0, 0, 60)), year=2023),
        }
    )
    preview = preview_of(data, year=2023)
    assert preview.years == [2023]
    results_import_save(preview=preview, create_missing=True, file_name="x")
    assert set(SchoolResult.objects.values_list("year", flat=True)) == {2023}
    assert Region.objects.get().name == "Тестовый край"
    assert preview_of(data, year=2030).errors.messages() == ["В файле нет данных за 2030 год (годы в файле: 2022, 2023)."]


def test_a_school_whose_legal_form_changed_between_years_is_created_once(db):
    data = workbook_bytes(
        {
            "2022": results_sheet(school_row("Район А", "МБОУ Алханайская СОШ", 5, russian=(5,)), year=2022),
            "2023": results_sheet(
                school_row("Район А", "МАОУ Алханайская СОШ", 6, russian=(6,)),
                school_row("Район А", "МБОУ СОШ № 1", 6, russian=(6,)),
                school_row("Район А", "МАОУ СОШ № 1", 7, russian=(7,)),  # the same year: two schools
                year=2023,
            ),
        }
    )
    results_import_save(preview=preview_of(data), create_missing=True, file_name="x")
    # One school for the two years, under its newer name; two schools of one year stay two.
    assert sorted(School.objects.values_list("short_name", flat=True)) == [
        "МАОУ Алханайская СОШ", "МАОУ СОШ № 1", "МБОУ СОШ № 1"
    ]


# --- cost in queries -----------------------------------------------------------------------------------------------


def registry_file(municipality, count: int) -> bytes:
    schools = [School(municipality=municipality, name=f"Тестовая СОШ № {n}", short_name=f"Тестовая СОШ № {n}") for n in range(count)]
    School.objects.bulk_create(schools)
    codes = ["oge-russian-participants", "oge-russian-mean_score", "oge-math-participants", "oge-math-mean_score"]
    return long_file(
        *[[municipality.name, school.short_name, 2024, code, 10 + n] for n, school in enumerate(schools) for code in codes]
    )


@pytest.mark.parametrize("create_missing", [False, True])
def test_saving_costs_the_same_queries_for_few_and_many_rows(demo, municipality_a, municipality_b, create_missing):
    def queries_for(data: bytes) -> int:
        parsed = parse_results_file(data)
        with CaptureQueriesContext(connection) as captured:
            preview = results_import_preview(parsed=parsed)
            results_import_save(preview=preview, create_missing=create_missing, file_name="x")
        return len(captured)

    measures_by_code({"oge-russian-participants", "oge-russian-mean_score", "oge-math-participants", "oge-math-mean_score"})
    if create_missing:
        few = long_file(*[["Новый район", f"Новая СОШ № {n}", 2024, "oge-russian-participants", n] for n in range(3)])
        many = long_file(*[["Другой район", f"Другая СОШ № {n}", 2024, "oge-russian-participants", n] for n in range(40)])
    else:
        few, many = registry_file(municipality_a, 3), registry_file(municipality_b, 40)
    # Both sizes stay within one batch of inserts (SQLite takes 199 rows per INSERT).
    assert queries_for(few) == queries_for(many)


# --- the command ---------------------------------------------------------------------------------------------------


def test_command_imports_a_real_workbook_with_create_missing(capsys):
    call_command("import_results", str(real_workbook(JEWISH_AO)), "--create-missing")
    out = capsys.readouterr().out
    assert f"Файл {JEWISH_AO} загружен" in out
    assert "Годы: 2022, 2023, 2024. Школ: 44" in out
    assert "Создано школ: 44, муниципалитетов: 6" in out


def test_command_without_create_missing_lists_names_and_stores_nothing(capsys):
    counts = table_counts()
    with pytest.raises(CommandError) as refused:
        call_command("import_results", str(real_workbook(JEWISH_AO)), "--year", "2023")
    assert "Не найдено в реестре названий школ: 42. Ничего не сохранено." in str(refused.value)
    assert 'город Биробиджан: МБОУ "Гимназия № 1"' in capsys.readouterr().err
    assert table_counts() == counts


def test_command_with_year_imports_one_year(capsys):
    call_command("import_results", str(real_workbook(JEWISH_AO)), "--year", "2023", "--create-missing")
    assert set(SchoolResult.objects.values_list("year", flat=True)) == {2023}
    assert School.objects.count() == 42


def test_command_refuses_a_bad_file_with_a_russian_summary(tmp_path, capsys):
    path = tmp_path / "отчёт.xlsx"
    path.write_bytes(b"%PDF-1.4 not a workbook")
    counts = table_counts()
    with pytest.raises(CommandError) as refused:
        call_command("import_results", str(path), "--create-missing")
    assert str(refused.value) == "Файл отчёт.xlsx не загружен: ошибок — 1. Ничего не сохранено."
    assert "Файл не является книгой Excel (.xlsx)" in capsys.readouterr().err
    assert table_counts() == counts


def test_command_exits_non_zero_from_the_shell(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "manage.py", "import_results", str(path)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "Файл пуст" in done.stderr
