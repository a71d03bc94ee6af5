import hashlib
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs import services
from programs.models import MeasureYear, RoadmapMeasure, RoadmapSection
from programs.roadmap_xlsx import roadmap_parse, roadmap_xlsx
from programs.selectors import roadmap_sections

pytestmark = pytest.mark.django_db


def seed_like_workbook(rows=None, *, years=(2025, 2026, 2027)) -> bytes:
    """A roadmap laid out like section 15 of seed 002: a two-row header with merged cells, a row of column
    numbers, a task written with its number in the № cell, and a gap in the numbering."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Дорожная карта"
    sheet.append(["«Дорожная карта» разработки и реализации муниципальной программы поддержки ШНОР и ШНСУ"])
    sheet.append(["№ п/п", "Наименование\nзадачи/мероприятия", "Результат выполнения мероприятия", None,
                  "Срок реализации, годы", None, None, "Исполнитель и соисполнители мероприятия"])
    sheet.append([None, None, "наименование", "плановое значение", *[f"{y} г." for y in years], None])
    sheet.merge_cells("C2:D2")
    sheet.merge_cells("E2:G2")
    sheet.append([1, 2, 3, 4, 5, 6, 7, 8])
    for row in rows if rows is not None else SEED_ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SEED_ROWS = [
    ["1.", "Реализация мер, направленных на идентификацию и мониторинг эффективности поддержки школ"],
    ["1.1.", "Отбор ШНОР и ШНСУ для адресного сопровождения", "Количество школ для\nадресного сопровождения и помощи",
     4, 4, 4, 4, "ДО, УО, УМЦ"],
    ["1.2", "Совещание руководителей ШНОР и ШНСУ", "Протокол совещания", "не менее 3", 1, 1, 1, "УО"],
    ["2. Реализация мер, направленных на профессиональное развитие педагогических и руководящих работников"],
    ["2.1.", "Оценки профессиональных компетенций", "Пакет инструментов, аналитические справки", "1/4", "1/4",
     "1/4", "1/4", "УМЦ"],
    ["2.3", "Методический аудит", "Аналитическая справка", 4, "По количеству\nпедагогов", None, None, "УМЦ"],
    [None, None, None, None, None, None, None, None],
]


def upload(content: bytes, name="roadmap.xlsx"):
    return SimpleUploadedFile(name, content)


def test_reads_the_seed_002_layout(programmes):
    parsed = roadmap_parse(upload(seed_like_workbook()), programme=programmes["draft"])
    assert parsed.errors.messages() == []
    assert [s["title"] for s in parsed.sections] == [
        "Реализация мер, направленных на идентификацию и мониторинг эффективности поддержки школ",
        "Реализация мер, направленных на профессиональное развитие педагогических и руководящих работников",
    ]
    first = parsed.sections[0]["measures"][0]
    assert first.name == "Отбор ШНОР и ШНСУ для адресного сопровождения"
    assert first.result_name == "Количество школ для адресного сопровождения и помощи"
    assert first.planned_value == Decimal(4) and first.executors == "ДО, УО, УМЦ"
    assert first.years[2026] == {"planned_value": Decimal(4), "planned_text": ""}
    second = parsed.sections[0]["measures"][1]
    assert (second.planned_value, second.planned_text) == (Decimal(3), "не менее 3")
    audit = parsed.sections[1]["measures"][1]
    assert audit.years[2025]["planned_text"] == "По количеству педагогов"
    assert parsed.sections[1]["measures"][0].planned_text == "1/4"
    assert any("2.3 → 2.2" in note for note in parsed.notes)


@pytest.mark.parametrize(
    ("row", "where", "what"),
    [
        (["1.1", "Отбор", "Школы", -4, 4, 4, 4, "УО"], "Лист «Дорожная карта», строка 6, столбец D", "не может быть отрицательным"),
        (["1.1", "Отбор", "Школы", 4, 4, "минус пять", "-5", "УО"], "строка 6, столбец G", "не может быть отрицательным"),
        (["1.1", None, "Школы", 4, 4, 4, 4, "УО"], "строка 6, столбец B", "не указано наименование"),
        (["абв", "Отбор", "Школы", 4, 4, 4, 4, "УО"], "строка 6, столбец A", "не номер задачи"),
    ],
)
def test_bad_cells_are_named_by_row_and_column(programmes, row, where, what):
    content = seed_like_workbook([["1.", "Задача"], row])
    parsed = roadmap_parse(upload(content), programme=programmes["draft"])
    assert not parsed.ok
    problems = parsed.errors.messages()
    assert any(where in problem and what in problem for problem in problems), problems


def test_deadline_outside_the_period_is_named(programmes):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["№ п/п", "Наименование задачи/мероприятия", "Результат: наименование", "Плановое значение",
                  "2025 г.", "2026 г.", "2027 г.", "Исполнители", "Срок", "Статус"])
    sheet.append(["1.", "Задача"])
    sheet.append(["1.1", "Мероприятие", "Справка", 1, 1, None, None, "УО", "15.03.2024", "выполнено"])
    sheet.append(["1.2", "Мероприятие 2", "Справка", 1, 1, None, None, "УО", "31.12.2025", "нечто"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = roadmap_parse(upload(buffer.getvalue()), programme=programmes["draft"])
    problems = parsed.errors.messages()
    assert any("строка 3, столбец I («Срок»)" in p and "вне срока программы" in p for p in problems), problems
    assert any("строка 4, столбец J («Статус»): ожидается одно из значений" in p and "«нечто»" in p for p in problems)


def test_year_columns_must_fit_the_programme_period(programmes):
    content = seed_like_workbook(years=(2022, 2023, 2024))
    parsed = roadmap_parse(upload(content), programme=programmes["draft"])
    assert parsed.errors.messages()[0].startswith(
        "Лист «Дорожная карта», строка 3, столбец E («Срок реализации, годы 2022 г.»): год 2022 вне срока"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not a workbook", "не является книгой Excel"),
        (b"", "Файл пуст"),
    ],
)
def test_files_that_are_not_workbooks_are_refused(programmes, content, message):
    parsed = roadmap_parse(upload(content), programme=programmes["draft"])
    assert message in parsed.errors.messages()[0]


def test_a_sheet_without_the_header_is_refused(programmes):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Школа", "Значение"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = roadmap_parse(upload(buffer.getvalue()), programme=programmes["draft"])
    assert "Не найдена строка заголовков" in parsed.errors.messages()[0]


def test_export_reads_back_as_the_same_roadmap(programmes):
    municipal = programmes["municipal"]
    sections = roadmap_sections(programme=municipal)
    content = roadmap_xlsx(municipal, sections)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:8] == ["№ п/п", "Наименование задачи/мероприятия", "Результат: наименование", "Единица измерения",
                          "Плановое значение", "2025 г.", "2026 г.", "2027 г."]
    assert sheet["A3"].value == "1.1" and sheet["E3"].value == 4
    parsed = roadmap_parse(upload(content), programme=municipal)
    assert parsed.errors.messages() == [] and parsed.notes == []
    assert [s["title"] for s in parsed.sections] == [s.title for s in sections]
    originals = [m for s in sections for m in s.rows]
    read = [m for s in parsed.sections for m in s["measures"]]
    assert len(read) == len(originals) == 25
    for original, again in zip(originals, read, strict=True):
        assert (again.name, again.result_name, again.planned_value, again.planned_text, again.executors) == (
            original.name, original.result_name, original.planned_value, original.planned_text, original.executors
        )
        assert (again.due, again.status) == (original.due, original.status)
        planned = {year: row.planned_label for year, row in original.year_values.items() if row.planned_label}
        assert {year: v.get("planned_text") or str(v["planned_value"].normalize()) for year, v in again.years.items()
                if v.get("planned_value") is not None or v.get("planned_text")} == planned


def test_export_escapes_formulas(demo, programmes):
    draft = programmes["draft"]
    services.measure_add(
        section=draft.sections.first(), actor=demo["school"], data=services.MeasureData(name="=HYPERLINK(\"x\")")
    )
    content = roadmap_xlsx(draft, roadmap_sections(programme=draft))
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].iter_rows() for c in row]
    hostile = next(c for c in cells if c.value == '=HYPERLINK("x")')
    assert hostile.data_type == "s" and hostile.quotePrefix  # shown as typed, never run
    assert not any(c.data_type == "f" for c in cells)


def _fingerprint():
    rows = [
        *RoadmapSection.objects.order_by("pk").values_list("pk", "programme_id", "position", "title", "version"),
        *RoadmapMeasure.objects.order_by("pk").values_list("pk", "section_id", "position", "name", "status", "version"),
        *MeasureYear.objects.order_by("pk").values_list("pk", "measure_id", "year", "planned_value", "actual_value"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_import_previews_then_replaces_the_roadmap(client, demo, programmes):
    draft = programmes["draft"]
    client.force_login(demo["school"])
    url = reverse("programs:import", args=[draft.pk])
    preview = client.post(url, {"file": upload(seed_like_workbook())})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Предпросмотр: задач — 2, мероприятий — 4" in html and "заменит" in html
    assert draft.measures.count() == 9  # nothing written yet
    assert 'name="confirm"' in html
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert draft.measures.count() == 4
    assert list(draft.sections.order_by("position").values_list("position", flat=True)) == [1, 2]
    measure = draft.measures.get(name="Отбор ШНОР и ШНСУ для адресного сопровождения")
    assert measure.years.get(year=2027).planned_value == 4
    assert measure.history.first().history_change_reason == "Импорт дорожной карты из файла roadmap.xlsx"
    # The same preview cannot be applied twice: the file is not kept after it is stored.
    again = client.post(url, {"confirm": "1"}, follow=True)
    assert "загрузите файл ещё раз" in again.content.decode()
    assert draft.measures.count() == 4


def test_a_preview_is_not_applied_to_a_roadmap_changed_since(client, demo, programmes):
    draft = programmes["draft"]
    client.force_login(demo["school"])
    url = reverse("programs:import", args=[draft.pk])
    client.post(url, {"file": upload(seed_like_workbook())})
    draft.measures.order_by("pk").first().delete()
    before = _fingerprint()
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert "изменилась после проверки файла" in response.content.decode()
    assert _fingerprint() == before


def test_a_bad_file_changes_nothing(client, demo, programmes):
    draft = programmes["draft"]
    client.force_login(demo["school"])
    before = _fingerprint()
    bad = seed_like_workbook([["1.", "Задача"], ["1.1", "Отбор", "Школы", -4, 4, 4, 4, "УО"]])
    response = client.post(reverse("programs:import", args=[draft.pk]), {"file": upload(bad)})
    html = response.content.decode()
    assert "В файле есть ошибки — загрузить его нельзя" in html and "строка 6, столбец D" in html
    assert 'name="confirm"' not in html
    forged = client.post(reverse("programs:import", args=[draft.pk]), {"confirm": "1"}, follow=True)
    assert "загрузите файл ещё раз" in forged.content.decode()
    assert _fingerprint() == before


def test_import_does_not_replace_a_roadmap_with_evidence(client, demo, programmes):
    municipal = programmes["municipal"]
    parsed = roadmap_parse(upload(seed_like_workbook()), programme=municipal)
    before = _fingerprint()
    with pytest.raises(services.ProgrammeError, match="подтверждающими документами"):
        services.roadmap_import(programme=municipal, actor=demo["coordinator"], sections=parsed.sections, file_name="x")
    assert _fingerprint() == before


def test_import_page_is_closed_while_the_plan_is_locked(client, demo, programmes):
    client.force_login(demo["department"])
    response = client.post(
        reverse("programs:import", args=[programmes["accepted"].pk]), {"file": upload(seed_like_workbook())}
    )
    assert "загрузить дорожную карту сейчас нельзя" in response.content.decode()
    assert response.context["parsed"] is None
