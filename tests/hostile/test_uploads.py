"""Every upload and import point of the portal, fed the hostile corpus: each file gets a Russian message naming the
problem (the row and column for a cell), never a 500, and the database and MEDIA_ROOT stay exactly as they were.

A good file is then accepted by the same point as the same user, so the refusals above are the file's doing."""

import datetime
import html as html_lib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.hostile import corpus
from tests.hostile.db_snapshot import db_snapshot, snapshot_changes, stored_files

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell-level message names its place, the same way at every point: «Лист «Школы», строка 3, столбец D («Тип»): …».
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def xlsx_of(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def page_text(response) -> str:
    """The page's HTML and, after it, its text without tags (table cells joined by single spaces)."""
    raw = html_lib.unescape(response.content.decode(errors="replace"))
    return raw + "\n" + " ".join(re.sub(r"<[^>]+>", " ", raw).split())


@dataclass
class Outcome:
    statuses: list[int]
    text: str


@dataclass
class Point:
    name: str
    user: str
    post: Callable  # post(client, site, upload) → Outcome
    limit: Callable[[], int]
    corpus: list[corpus.Bad]
    cells: Callable = lambda site, client: []  # → [(key, file name, bytes, expected regex)]
    good: Callable = None  # good(site, client) → (file name, bytes)
    accepted: Callable = None  # accepted(outcome) → bool, for the good file
    extra: list = field(default_factory=list)


# --- how each point is posted to -----------------------------------------------------------------------------------


def _form(url_of):
    def post(client, site, upload):
        response = client.post(url_of(site), {"file": upload, "title": ""})
        return Outcome([response.status_code], page_text(response))

    return post


def _redirect_with_message(url_of):
    def post(client, site, upload):
        response = client.post(url_of(site), {"file": upload}, follow=True)
        return Outcome([code for _url, code in response.redirect_chain] + [response.status_code], page_text(response))

    return post


def _upload_then_preview(url_of, preview_name):
    """Upload, open the preview the upload leads to, and press «confirm» anyway: nothing may be saved."""

    def post(client, site, upload):
        response = client.post(url_of(site), {"file": upload})
        statuses = [response.status_code]
        text = page_text(response)
        if response.status_code == 302:
            preview = client.get(response.url)
            statuses.append(preview.status_code)
            text = page_text(preview)
            statuses.append(client.post(reverse(preview_name)).status_code)
        return Outcome(statuses, text)

    return post


# --- cell-level cases, from each point's own template -----------------------------------------------------------------


def _registry_cases(site, client):
    from schools.registry_import import PROFILE_COLUMNS, SCHOOL_COLUMNS

    municipality = site.school.municipality.name
    school_headers = [c.header for c in SCHOOL_COLUMNS]
    profile_headers = [c.header for c in PROFILE_COLUMNS]
    fields = [c.field for c in PROFILE_COLUMNS]

    def school(**values):
        row = [municipality, "Новая СОШ", "МОУ «Новая СОШ»", "СОШ", "городская", "нет"] + [None] * 6
        for name, value in values.items():
            row[[c.field for c in SCHOOL_COLUMNS].index(name)] = value
        return row

    def profile(**values):
        row = [municipality, site.school.short_name, 2024] + [None] * (len(profile_headers) - 3)
        for name, value in values.items():
            row[fields.index(name)] = value
        return row

    def book(schools=None, profiles=None, headers=school_headers):
        sheets = {}
        if schools is not None:
            sheets["Школы"] = [headers, *schools]
        if profiles is not None:
            sheets["Профили"] = [profile_headers, *profiles]
        return corpus.workbook(sheets or {"Справочник": [["Муниципалитет"], [municipality]]})

    formula = openpyxl.Workbook()
    formula.active.title = "Школы"
    formula.active.append(school_headers)
    formula.active.append(school(name="=1+2"))  # a real formula cell, without a cached value
    return [
        ("missing-sheets", book(), "в файле нет листов «Школы» и «Профили»"),
        ("missing-column", book([school()[:3] + school()[4:]], headers=school_headers[:3] + school_headers[4:]),
         "«Тип».*нет обязательного столбца|нет обязательного столбца.*«Тип»"),
            ("text-in-number", book(profiles=[profile(pupils="много")]),
         r"Лист «Профили», строка 2, столбец D \(«Обучающихся»\): ожидается число, а указано «много»"),
        ("negative-count", book(profiles=[profile(pupils=-5)]),
         r"Лист «Профили», строка 2, столбец D \(«Обучающихся»\): число не может быть отрицательным"),
        ("share-out-of-range", book(profiles=[profile(share_low_income=150)]),
         r"Лист «Профили», строка 2, столбец [A-Z]+ \(«[^»]+»\): [^<]*от 0 до 100"),
        ("odd-year", book(profiles=[profile(year="двадцать четвёртый")]),
         r"Лист «Профили», строка 2, столбец C \(«Год»\): ожидается год"),
        ("ancient-year", book(profiles=[profile(year=1812)]),
         r"Лист «Профили», строка 2, столбец C \(«Год»\): ожидается год от 2000 до 2100"),
        ("unknown-municipality", book([school(municipality="Атлантида")]),
         r"Лист «Школы», строка 2, столбец A \(«Муниципалитет»\): [^<]*не найден"),
        ("duplicate-rows", book([school(), school()]),
         r"Лист «Школы», строка 3, столбец B \(«Краткое наименование»\): [^<]*уже есть в строке 2"),
        ("very-long-string", book([school(short_name="Ш" * 5000)]),
         r"Лист «Школы», строка 2, столбец B \(«Краткое наименование»\): слишком длинное значение"),
        ("bad-inn", book([school(inn="12345")]), r"Лист «Школы», строка 2, столбец K \(«ИНН»\): ИНН состоит"),
        ("formula-cell", xlsx_of(formula),
         r"Лист «Школы», строка 2, столбец C \(«Полное наименование»\): ячейка обязательна"),
    ]


def _registry_good(site, client):
    from schools.registry_import import SCHOOL_COLUMNS

    municipality = site.school.municipality.name
    row = [municipality, "Новая СОШ", "МОУ «Новая СОШ»", "СОШ", "городская", "нет"] + [None] * 6
    return "реестр.xlsx", corpus.workbook({"Школы": [[c.header for c in SCHOOL_COLUMNS], row]})


def _passport_book(site, *rows):
    from schools.passport_import import HEADER, SHEET_TITLE

    return corpus.workbook({SHEET_TITLE: [HEADER, *rows]})


def _passport_row(site, **values):
    from schools.passport_import import COLUMNS

    row = [site.school.pk, site.school.municipality.name, site.school.short_name, site.year] + [None] * (len(COLUMNS) - 4)
    for name, value in values.items():
        row[[c.field for c in COLUMNS].index(name)] = value
    return row


def _passport_good(site, client):
    return "паспорта.xlsx", _passport_book(site, _passport_row(site, share_zpr=7))


def _passport_cases(site, client):
    from schools.demo import MUNICIPALITY_B
    from schools.models import School

    outsider = School.objects.filter(municipality__name=MUNICIPALITY_B).order_by("pk").first()
    where = r"Лист «Социальные паспорта», строка 2, столбец"
    return [
        ("text-in-number", _passport_book(site, _passport_row(site, pupils="много")),
         where + r" E \(«Обучающихся»\): ожидается число, а указано «много»"),
        ("share-out-of-range", _passport_book(site, _passport_row(site, share_zpr=150)), where + r" [A-Z]+ .*от 0 до 100"),
        ("odd-yes-no", _passport_book(site, _passport_row(site, remote_small_rural="может быть")),
         where + r" [A-Z]+ .*ожидается «да» или «нет»"),
        ("another-municipality-school", _passport_book(site, _passport_row(site, school_id=outsider.pk)),
         where + r" A \(«ID школы»\): школы с ID"),
        ("ancient-year", _passport_book(site, _passport_row(site, year=1812, pupils=5)), where + r" D \(«Год»\): ожидается год"),
        ("duplicate-rows", _passport_book(site, _passport_row(site, pupils=5), _passport_row(site, pupils=6)),
         r"строка 3, столбец C \(«Школа»\): [^<]*уже есть в строке 2"),
    ]


def _results_cases(site, client):
    from tests.schools.test_ege_workbook import long_rows, results_sheet, school_row

    municipality, name = site.school.municipality.name, site.school.short_name

    def long(*rows, header=None):
        table = long_rows(*rows)
        if header is not None:
            table[0] = header
        return corpus.workbook({"Результаты": table})

    row = [municipality, name, 2024, "oge-russian-participants", 12]
    return [
        ("text-in-number", long([*row[:4], "много"]), r"строка 2, столбец E: ожидается число, а указано «много»"),
        ("negative-value", long([*row[:4], -3]), r"строка 2, столбец E"),
        ("odd-year", long([*row[:2], "24-й", *row[3:]]), r"строка 2, столбец C"),
        ("year-out-of-range", long([*row[:2], 1899, *row[3:]]), r"строка 2, столбец C"),
        ("date-instead-of-code", long([*row[:3], datetime.datetime(2024, 5, 1), 12]), r"строка 2, столбец D"),
        ("unknown-code", long([*row[:3], "=cmd|calc", 12]), r"строка 2, столбец D"),
        ("duplicate-rows", long(row, row), r"строка 3"),
        ("missing-column", long(row[:4], header=["Муниципалитет", "Школа", "Год", "Код результата"]),
         r"не хватает столбцов «Значение»"),
        ("no-known-layout", corpus.workbook({"Лист1": [["Что-то"], ["другое"]]}), r"Файл не похож ни на"),
        ("ege-text-in-number", corpus.workbook({"2023": results_sheet(school_row(municipality, name, 20, russian=(20, "много", 3)))}),
         r"Лист «2023», строка \d+, столбец [A-Z]+"),
        ("ege-negative", corpus.workbook({"2023": results_sheet(school_row(municipality, name, 20, russian=(20, -1)))}),
         r"Лист «2023», строка \d+, столбец [A-Z]+: число не может быть отрицательным"),
    ]


def _roadmap_book(site, client) -> tuple[openpyxl.Workbook, int, int]:
    """The draft programme's own export, its header row and the row of its first measure."""
    response = client.get(reverse("programs:export", args=[site.draft.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    header = measure = None
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        first = str(row[0] or "")
        if header is None and first.startswith("№"):
            header = number
        elif header and re.fullmatch(r"\d+\.\d+\.?", first):
            measure = number
            break
    assert header and measure, "в выгрузке дорожной карты нет заголовка или мероприятия"
    return book, header, measure


def _roadmap_good(site, client):
    book, _header, _measure = _roadmap_book(site, client)
    return "дорожная карта.xlsx", xlsx_of(book)


def _roadmap_cases(site, client):
    def edited(change):
        book, header, measure = _roadmap_book(site, client)
        change(book.active, header, measure)
        return xlsx_of(book)

    def year_columns(sheet, header):
        return [c for c in sheet[header] if re.fullmatch(r"20\d\d\s*г\.?", str(c.value or "").strip())]

    def set_cell(row_of, column, value):
        return lambda sheet, header, measure: setattr(sheet.cell(row=row_of(header, measure), column=column), "value", value)

    at_measure = lambda header, measure: measure  # noqa: E731
    return [
        ("bad-number", edited(set_cell(at_measure, 1, "абв")), r"строка \d+, столбец A.*не номер задачи"),
        ("measure-without-name", edited(set_cell(at_measure, 2, None)), r"строка \d+, столбец B.*не указано наименование"),
        ("very-long-name", edited(set_cell(at_measure, 2, "М" * 1500)), r"строка \d+, столбец B.*не больше 1000"),
        ("negative-year-value", edited(lambda s, h, m: setattr(s.cell(row=m, column=year_columns(s, h)[0].column), "value", -5)),
         r"строка \d+, столбец [A-Z]+"),
        ("year-outside-the-programme", edited(lambda s, h, m: setattr(year_columns(s, h)[0], "value", "2099 г.")),
         r"строка \d+, столбец [A-Z]+ .*вне срока программы"),
        ("no-header", corpus.workbook({"Лист1": [["Просто текст"]]}), r"Не найдена строка заголовков"),
    ]


def _values_template(site, client) -> openpyxl.Workbook:
    response = client.get(reverse("monitoring:values_import_template"), {"year": site.year, "stage": "final"})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _values_rows(sheet) -> dict:
    from monitoring.values_import import COLUMN

    return {
        (row[COLUMN["school"] - 1], row[COLUMN["code"] - 1]): number
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
    }


def _values_good(site, client):
    from monitoring.values_import import COLUMN

    book = _values_template(site, client)
    row = _values_rows(book.active)[(site.school.short_name, "teachers-training")]
    book.active.cell(row=row, column=COLUMN["value"], value=77)
    return "значения.xlsx", xlsx_of(book)


def _values_cases(site, client):
    from monitoring.values_import import COLUMN
    from schools.demo import MUNICIPALITY_B
    from schools.models import School

    outsider = School.objects.filter(municipality__name=MUNICIPALITY_B).order_by("pk").first()

    def edited(*cells, append=None):
        book = _values_template(site, client)
        sheet = book.active
        row = _values_rows(sheet)[(site.school.short_name, "teachers-training")]
        sheet.cell(row=row, column=COLUMN["value"], value=50)
        for key, value in cells:
            sheet.cell(row=1 if key == "header" else row, column=COLUMN["value" if key == "header" else key], value=value)
        if append:
            sheet.append([c.value for c in sheet[row]])
        return xlsx_of(book)

    return [
        ("text-in-number", edited(("value", "много")), r"строка \d+, столбец J \(«Значение»\): ожидается число"),
        ("out-of-range", edited(("value", 140)), r"строка \d+, столбец J .*от 0 до 100"),
        ("negative", edited(("value", -5)), r"строка \d+, столбец J"),
        ("another-municipality-school", edited(("school_id", outsider.pk)), r"строка \d+, столбец A .*школы с кодом"),
        ("wrong-year", edited(("year", 1990)), r"строка \d+, столбец H"),
        ("date-as-year", edited(("year", datetime.date(2025, 9, 1))), r"строка \d+, столбец H"),
        ("odd-stage", edited(("stage", "весенний")), r"строка \d+, столбец I"),
        ("changed-header", edited(("header", "Число")), r"строка 1, столбец J: ожидался заголовок «Значение»"),
        ("duplicate-rows", edited(append=True), r"строка \d+: то же значение"),
        ("very-long-comment", edited(("comment", "к" * 20_000)), r"строка \d+, столбец K"),
    ]


def _self_assessment_cases(site, client):
    from monitoring.self_assessment_xlsx import SHEET_INDICATORS, template_content
    from schools.models import School
    from tests.monitoring.conftest import fill_template

    neighbour = School.objects.filter(municipality=site.school.municipality).exclude(pk=site.school.pk).order_by("pk").first()
    content = template_content(school=site.school, year=site.year, stage=site.stage)
    code = content.indicators[0].indicator.code if content.indicators else None
    first_factor = content.factors[0].code

    def remove_sheet(book):
        book.remove(book[SHEET_INDICATORS])

    def formula(book):
        book["Самооценка"]["C9"] = "=1+2"

    cases = [
        ("rating-out-of-range", fill_template(site.school, site.year, site.stage, ratings={first_factor: 5}),
         r"строка 9, столбец C \(«Оценка \(1–3\)»\): ожидается число от 1 до 3"),
        ("rating-as-text", fill_template(site.school, site.year, site.stage, ratings={first_factor: "высокий"}),
         r"строка 9, столбец C"),
        ("rating-negative", fill_template(site.school, site.year, site.stage, ratings={first_factor: -1}),
         r"строка 9, столбец C"),
        ("formula-rating", fill_template(site.school, site.year, site.stage, edit=formula), r"строка 9, столбец C"),
        ("another-school", fill_template(neighbour, site.year, site.stage),
         r"строка 4, столбец B: файл составлен для другой школы"),
        ("another-year", fill_template(site.school, site.year - 1, site.stage), r"строка 5, столбец B: файл составлен на"),
        ("missing-sheet", fill_template(site.school, site.year, site.stage, edit=remove_sheet), r"В книге нет листа"),
    ]
    if code:
        cases.append(
            ("value-as-text", fill_template(site.school, site.year, site.stage, values={code: "много"}),
             r"строка \d+, столбец [A-Z]+")
        )
    return cases


def _self_assessment_good(site, client):
    from tests.monitoring.conftest import fill_template

    return "самооценка.xlsx", fill_template(site.school, site.year, site.stage)


def _pdf(site, client):
    return "приказ.pdf", corpus.PDF


def _saved(outcome):
    return 500 not in outcome.statuses


def _limits():
    from programs.files import evidence_max_bytes
    from shnor_portal.uploads import upload_max_bytes

    return {"workbook": upload_max_bytes, "evidence": evidence_max_bytes}


LIMITS = _limits()

OPEN_REPORT_EXTRA = [corpus.Bad("png-as-open-report", "доклад.pdf", lambda limit: corpus.PNG, r"принимается в PDF или документом Word")]

POINTS = [
    Point("registry_import", "department",
          _upload_then_preview(lambda s: reverse("schools:registry_import"), "schools:registry_import_preview"),
          LIMITS["workbook"], corpus.WORKBOOK_CORPUS, _registry_cases, good=_registry_good,
          accepted=lambda o: "Сохранить в реестр" in o.text),
    Point("results_import", "department",
          _upload_then_preview(lambda s: reverse("schools:results_import"), "schools:results_import_preview"),
          LIMITS["workbook"], corpus.WORKBOOK_CORPUS, _results_cases),
    Point("passport_import", "coordinator",
          _upload_then_preview(lambda s: reverse("schools:passport_import"), "schools:passport_preview"),
          LIMITS["workbook"], corpus.WORKBOOK_CORPUS, _passport_cases, good=_passport_good,
          accepted=lambda o: "Сохранить паспорта" in o.text),
    Point("roadmap_import", "school", _form(lambda s: reverse("programs:import", args=[s.draft.pk])),
          LIMITS["workbook"], corpus.WORKBOOK_CORPUS, _roadmap_cases, good=_roadmap_good,
          accepted=lambda o: 'name="confirm"' in o.text),
    Point("measure_evidence", "school", _form(lambda s: reverse("programs:evidence", args=[s.measure.pk])),
          LIMITS["evidence"], corpus.EVIDENCE_CORPUS, good=_pdf),
    Point("agreement_scan", "coordinator",
          _redirect_with_message(lambda s: reverse("partnerships:agreement_scan_upload", args=[s.agreement.pk])),
          LIMITS["evidence"], corpus.EVIDENCE_CORPUS, good=_pdf),
    Point("session_evidence", "curator",
          _redirect_with_message(lambda s: reverse("partnerships:session_evidence_upload", args=[s.session.pk])),
          LIMITS["evidence"], corpus.EVIDENCE_CORPUS, good=_pdf),
    Point("practice_file", "department",
          _redirect_with_message(lambda s: reverse("partnerships:practice_file_upload", args=[s.practice.pk])),
          LIMITS["evidence"], corpus.EVIDENCE_CORPUS, good=_pdf),
    Point("values_import", "coordinator",
          _upload_then_preview(lambda s: reverse("monitoring:values_import"), "monitoring:values_import_preview"),
          LIMITS["workbook"], corpus.WORKBOOK_CORPUS, _values_cases, good=_values_good,
          accepted=lambda o: "Сохранить значения" in o.text),
    Point("self_assessment_upload", "school",
          _upload_then_preview(
              lambda s: reverse("monitoring:self_assessment_upload", args=[s.school.pk, s.year, s.stage]),
              "monitoring:self_assessment_preview",
          ),
          LIMITS["workbook"], corpus.WORKBOOK_CORPUS, _self_assessment_cases, good=_self_assessment_good),
    Point("open_report", "school",
          _redirect_with_message(lambda s: reverse("monitoring:open_report_upload", args=[s.school.pk, s.year])),
          LIMITS["evidence"], corpus.EVIDENCE_CORPUS + OPEN_REPORT_EXTRA, good=_pdf),
]


def _throw(client, site, point, file_name, data, expect) -> list[str]:
    """Post one bad file; the problems found, empty when the point refused it as it should."""
    before, files_before = db_snapshot(), stored_files()
    outcome = point.post(client, site, SimpleUploadedFile(file_name, data, content_type=XLSX))
    problems = []
    if any(code >= 500 for code in outcome.statuses):
        problems.append(f"ответ {outcome.statuses}")
    found = re.search(expect, outcome.text, re.S | re.I)
    if not found or not CYRILLIC.search(found.group(0)):
        snippet = " ".join(re.findall(r"(?:alert|invalid-feedback|errorlist|text-danger)[^>]*>([^<]{3,300})", outcome.text))[:600]
        problems.append(f"нет сообщения /{expect}/ на странице; есть: {snippet!r}")
    changed = snapshot_changes(before, db_snapshot())
    if changed:
        problems.append("изменилась база: " + "; ".join(changed))
    new_files = sorted(set(stored_files()) - set(files_before))
    if new_files:
        problems.append(f"остались файлы в MEDIA_ROOT: {new_files}")
    if "root:x:0:0" in outcome.text:
        problems.append("на странице содержимое /etc/passwd")
    return problems


@pytest.mark.parametrize("point", POINTS, ids=[p.name for p in POINTS])
def test_every_bad_file_is_refused_in_russian_and_changes_nothing(client, site, point):
    client.force_login(site.users[point.user])
    failures = {}
    limit = point.limit()
    for bad in point.corpus:
        problems = _throw(client, site, point, bad.file_name, bad.make(limit), bad.expect)
        if problems:
            failures[bad.key] = problems
    cases = point.cells(site, client)
    for key, data, expect in cases:
        problems = _throw(client, site, point, f"{key}.xlsx", data, expect)
        if problems:
            failures[key] = problems
    assert len(point.corpus) + len(cases) >= 10
    assert not failures, "\n".join(f"{key}: {' | '.join(p)}" for key, p in failures.items())
    if point.good:
        _good_file_passes(client, site, point)


def _good_file_passes(client, site, point):
    """The control: the same user at the same point gets a good file through (stored, or a preview ready to save),
    so the refusals above are the files' doing, not a closed door."""
    file_name, data = point.good(site, client)
    before = db_snapshot()
    outcome = point.post(client, site, SimpleUploadedFile(file_name, data, content_type=XLSX))
    assert not any(code >= 500 for code in outcome.statuses)
    if point.accepted:
        assert point.accepted(outcome), outcome.text[:3000]
    else:
        assert snapshot_changes(before, db_snapshot()), f"{point.name}: хороший файл не сохранён"


def test_the_corpus_is_large_enough():
    assert len(corpus.WORKBOOK_CORPUS) + len(corpus.EVIDENCE_CORPUS) + len(OPEN_REPORT_EXTRA) >= 30
