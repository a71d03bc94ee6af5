"""A measure's deadline as the documents write it: a date, a month, several months or «в течение года» — overdue
after its last day, written back and read again the same in the form, on the pages and in the xlsx."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs import services
from programs.deadlines import Deadline, read_deadline
from programs.forms import MeasureForm
from programs.models import Evidence, Programme, RoadmapMeasure, RoadmapSection, overdue_q
from programs.roadmap_xlsx import roadmap_parse, roadmap_xlsx
from programs.selectors import programme_history, roadmap_sections
from shnor_portal.uploads import CellError

pytestmark = pytest.mark.django_db

D = datetime.date
HTMX = {"HTTP_HX_REQUEST": "true"}


def add_measure(programme: Programme, actor, due, *, name="Мероприятие со сроком", status="planned") -> RoadmapMeasure:
    return services.measure_add(
        section=programme.sections.first(), actor=actor,
        data=services.MeasureData(name=name, due=due, status=status),
    )  # fmt: skip


@pytest.fixture
def empty_programme(programmes):
    """A municipal roadmap for 2025–2027 with one task and nothing else: its counts are this test's measures."""
    municipal = programmes["municipal"]
    programme = Programme.objects.create(
        kind=Programme.Kind.MUNICIPAL, title="Пустая дорожная карта", municipality=municipal.municipality,
        period_start=2025, period_end=2027,
    )  # fmt: skip
    RoadmapSection.objects.create(programme=programme, position=1, title="Задача")
    return programme


def overdue_in_db(measure: RoadmapMeasure, today: datetime.date) -> bool:
    return RoadmapMeasure.objects.filter(overdue_q(today), pk=measure.pk).exists()


# --- overdue: after the term's last day, for every kind, the same in Python and in the database ---------------


@pytest.mark.parametrize(
    ("due", "last_day_in_time", "first_day_late"),
    [
        (Deadline.on(D(2026, 5, 15)), D(2026, 5, 15), D(2026, 5, 16)),
        (Deadline.in_months(2026, [5]), D(2026, 5, 31), D(2026, 6, 1)),
        (Deadline.in_months(2026, [2]), D(2026, 2, 28), D(2026, 3, 1)),
        (Deadline.in_months(2026, [9, 10, 11]), D(2026, 11, 30), D(2026, 12, 1)),
        (Deadline.during(2026), D(2026, 12, 31), D(2027, 1, 1)),
    ],
    ids=["date", "month", "february", "months", "year"],
)
def test_a_deadline_is_overdue_from_the_day_after_its_last_day(demo, empty_programme, due, last_day_in_time,
                                                               first_day_late):
    coordinator = demo["coordinator"]
    measure = add_measure(empty_programme, coordinator, due)
    measure.refresh_from_db()
    assert measure.due == due and measure.deadline == last_day_in_time
    for today, late in ((last_day_in_time, False), (first_day_late, True)):
        assert measure.is_overdue(today) is late, today
        assert overdue_in_db(measure, today) is late, today
    # The programme's counts (pages, dashboards, the yearly report) read the same rule.
    counts = Programme.objects.filter(pk=empty_programme.pk)
    assert counts.with_progress(last_day_in_time).get().overdue_count == 0
    assert counts.with_progress(first_day_late).get().overdue_count == 1


def test_a_month_is_not_overdue_once_it_has_begun_and_a_done_measure_never_is(demo, programmes):
    coordinator, municipal = demo["coordinator"], programmes["municipal"]
    several = add_measure(municipal, coordinator, Deadline.in_months(2026, [9, 10, 11]))
    assert not several.is_overdue(D(2026, 10, 1)) and not overdue_in_db(several, D(2026, 10, 1))
    done = add_measure(municipal, coordinator, Deadline.in_months(2026, [5]), status="done")
    assert not done.is_overdue(D(2026, 7, 1)) and not overdue_in_db(done, D(2026, 7, 1))


def test_a_term_outside_the_programme_period_is_refused_by_its_written_form(demo, programmes):
    municipal = programmes["municipal"]  # 2025–2027
    with pytest.raises(ValidationError) as caught:
        add_measure(municipal, demo["coordinator"], Deadline.in_months(2024, [12]))
    assert caught.value.messages == [
        "Срок «декабрь 2024» вне срока программы: допустимо с 01.01.2025 по 31.12.2027 (подготовку до первого года "
        "отмечают в паспорте: «подготовка с»)."
    ]
    with pytest.raises(ValidationError):
        add_measure(municipal, demo["coordinator"], Deadline.during(2028))


def test_a_programme_with_a_preparation_takes_measures_before_its_first_year(demo, programmes, client):
    """Seed 002: «Входной мониторинг … Декабрь 2021» in the roadmap of a programme for 2022–2024."""
    coordinator, municipal = demo["coordinator"], programmes["municipal"]  # 2025–2027

    def passport(preparation_from):
        municipal.refresh_from_db()
        return services.programme_update_passport(
            programme=municipal, actor=coordinator, data={"preparation_from": preparation_from},
            expected_version=municipal.version,
        )  # fmt: skip

    with pytest.raises(ValidationError) as after_start:
        passport(D(2025, 3, 1))
    assert "Подготовка идёт до первого года программы" in after_start.value.message_dict["preparation_from"][0]
    passport(D(2024, 12, 1))
    entry = add_measure(municipal, coordinator, Deadline.in_months(2024, [12]), name="Входной мониторинг")
    assert entry.due.label == "декабрь 2024"
    with pytest.raises(ValidationError):
        add_measure(municipal, coordinator, Deadline.in_months(2024, [11]))  # before the preparation
    with pytest.raises(ValidationError) as needed:
        passport(None)  # the entry monitoring still needs the preparation
    assert "выходят за новые границы" in " ".join(needed.value.messages)
    client.force_login(coordinator)
    page = client.get(reverse("programs:detail", args=[municipal.pk])).content.decode()
    assert "подготовка с 01.12.2024" in page


# --- the written forms ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "due"),
    [
        ("15.05.2025", Deadline.on(D(2025, 5, 15))),
        ("май 2025", Deadline.in_months(2025, [5])),
        ("Декабрь 2021", Deadline.in_months(2021, [12])),
        ("сентябрь, октябрь, ноябрь 2025", Deadline.in_months(2025, [9, 10, 11])),
        ("Май - июнь 2022", Deadline.in_months(2022, [5, 6])),
        ("в течение 2025 года", Deadline.during(2025)),
        ("2025", Deadline.during(2025)),
    ],
)
def test_the_seeds_written_forms_are_read(written, due):
    assert read_deadline(written) == due
    assert read_deadline(due.label) == due  # and what the portal writes reads back the same


def test_without_a_year_a_month_takes_the_given_year_or_is_refused():
    assert read_deadline("Октябрь-ноябрь", default_year=2023) == Deadline.in_months(2023, [10, 11])
    assert read_deadline("В течение года", default_year=2023) == Deadline.during(2023)
    with pytest.raises(CellError, match="укажите год"):
        read_deadline("Май")


# --- the form ------------------------------------------------------------------------------------------------------


def form_for(programme, deadline):
    return MeasureForm(
        {"name": "Вебинары", "status": "planned", "deadline": deadline, "version": ""}, programme=programme
    )


def test_the_form_takes_each_kind_and_refuses_garbage_in_russian(programmes):
    municipal = programmes["municipal"]
    for written, due in (
        ("15.05.2026", Deadline.on(D(2026, 5, 15))),
        ("май 2026", Deadline.in_months(2026, [5])),
        ("сентябрь, октябрь, ноябрь 2026", Deadline.in_months(2026, [9, 10, 11])),
        ("в течение 2026 года", Deadline.during(2026)),
        ("", None),
    ):
        form = form_for(municipal, written)
        assert form.is_valid(), form.errors
        assert form.measure_data().due == due
    form = form_for(municipal, "к лету")
    assert not form.is_valid()
    assert form.errors["deadline"] == [
        "Ожидается срок: дата («15.05.2025»), месяц («май 2025»), несколько месяцев («сентябрь, октябрь, ноябрь "
        "2025») или «в течение 2025 года», а указано «к лету»."
    ]
    form = form_for(municipal, "май")  # three years: which May?
    assert not form.is_valid() and "укажите год" in form.errors["deadline"][0].lower()
    form = form_for(municipal, "май 2030")
    assert not form.is_valid() and "вне срока программы" in form.errors["deadline"][0]


def test_the_form_of_a_one_year_programme_takes_a_month_without_a_year(demo, programmes):
    municipal = programmes["municipal"]
    one_year = Programme.objects.create(
        kind=Programme.Kind.MUNICIPAL, title="План-график на 2026 год", municipality=municipal.municipality,
        period_start=2026, period_end=2026,
    )  # fmt: skip
    form = form_for(one_year, "Сентябрь, октябрь, ноябрь")
    assert form.is_valid(), form.errors
    assert form.measure_data().due == Deadline.in_months(2026, [9, 10, 11])


def test_a_month_saved_in_the_table_shows_as_a_month_on_the_page_and_in_print(client, demo, programmes):
    municipal = programmes["municipal"]
    measure = municipal.measures.get(name__startswith="Отбор ШНОР")
    client.force_login(demo["coordinator"])
    edit = client.get(reverse("programs:measure_edit", args=[measure.pk]), **HTMX).content.decode()
    assert '<option value="май 2026">' in edit and '<option value="в течение 2027 года">' in edit
    data = {
        "name": measure.name, "result_name": measure.result_name, "unit": measure.unit,
        "planned": measure.planned_label, "executors": measure.executors, "deadline": "май 2026",
        "status": measure.status, "risk_factor": "", "note": "", "version": measure.version,
    }  # fmt: skip
    for row in measure.years.all():
        data[f"plan_{row.year}"] = row.planned_label
        data[f"fact_{row.year}"] = row.actual_value if row.actual_value is not None else ""
    response = client.post(reverse("programs:measure_edit", args=[measure.pk]), data, **HTMX)
    assert response.status_code == 200
    measure.refresh_from_db()
    assert measure.due == Deadline.in_months(2026, [5]) and measure.deadline == D(2026, 5, 31)
    for page in ("programs:detail", "programs:print"):
        html = client.get(reverse(page, args=[municipal.pk])).content.decode()
        assert "май 2026" in html, page
        assert "31.05.2026" not in html, page
    # Editing it again offers the month as it was written.
    edit = client.get(reverse("programs:measure_edit", args=[measure.pk]), **HTMX).content.decode()
    assert re.search(r'<input[^>]*name="deadline"[^>]*value="май 2026"', edit)


# --- import and export ---------------------------------------------------------------------------------------------


def workbook_with_deadlines(deadlines) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "План"
    sheet.append(["№ п/п", "Наименование задачи/мероприятия", "Результат: наименование", "Плановое значение",
                  "2025 г.", "2026 г.", "2027 г.", "Исполнители", "Срок"])  # fmt: skip
    sheet.append(["1.", "Задача"])
    for index, deadline in enumerate(deadlines, start=1):
        sheet.append([f"1.{index}", f"Мероприятие {index}", "Справка", 1, 1, None, None, "УО", deadline])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_import_reads_each_written_form(programmes):
    content = workbook_with_deadlines(
        ["май 2025", "сентябрь, октябрь, ноябрь 2025", "в течение 2025 года", "15.05.2025", D(2026, 3, 10),
         "Май - июнь 2026", "Декабрь 2027"]
    )  # fmt: skip
    parsed = roadmap_parse(SimpleUploadedFile("plan.xlsx", content), programme=programmes["draft"])
    assert parsed.errors.messages() == []
    assert [m.due for m in parsed.sections[0]["measures"]] == [
        Deadline.in_months(2025, [5]),
        Deadline.in_months(2025, [9, 10, 11]),
        Deadline.during(2025),
        Deadline.on(D(2025, 5, 15)),
        Deadline.on(D(2026, 3, 10)),
        Deadline.in_months(2026, [5, 6]),
        Deadline.in_months(2027, [12]),
    ]


def test_the_import_refuses_garbage_naming_sheet_row_and_column(programmes):
    content = workbook_with_deadlines(["к лету", "31.02.2025", "ноябрь, май 2025", "май", "в течение 2025 года"])
    parsed = roadmap_parse(SimpleUploadedFile("plan.xlsx", content), programme=programmes["draft"])
    problems = parsed.errors.messages()
    assert not parsed.ok and len(problems) == 4, problems
    assert problems[0] == (
        "Лист «План», строка 3, столбец I («Срок»): ожидается срок: дата («15.05.2025»), месяц («май 2025»), "
        "несколько месяцев («сентябрь, октябрь, ноябрь 2025») или «в течение 2025 года», а указано «к лету»."
    )
    assert "строка 4, столбец I («Срок»)" in problems[1] and "«31.02.2025»" in problems[1]
    assert "строка 5, столбец I («Срок»)" in problems[2] and "по порядку" in problems[2]
    assert "строка 6, столбец I («Срок»)" in problems[3] and "укажите год" in problems[3]


def test_export_then_import_gives_back_exactly_the_exported_deadlines(demo, programmes):
    municipal = programmes["municipal"]
    coordinator = demo["coordinator"]
    kinds = [
        Deadline.on(D(2026, 5, 15)),
        Deadline.in_months(2026, [5]),
        Deadline.in_months(2026, [9, 10, 11]),
        Deadline.during(2027),
        None,
    ]
    for index, due in enumerate(kinds):
        add_measure(municipal, coordinator, due, name=f"Срок вида {index}")
    sections = roadmap_sections(programme=municipal)
    content = roadmap_xlsx(municipal, sections)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    written = {row[1]: row[header.index("Срок")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert [written[f"Срок вида {i}"] for i in range(5)] == [
        "15.05.2026", "май 2026", "сентябрь, октябрь, ноябрь 2026", "в течение 2027 года", None,
    ]  # fmt: skip
    parsed = roadmap_parse(SimpleUploadedFile("export.xlsx", content), programme=municipal)
    assert parsed.errors.messages() == []
    exported = [(m.name, m.due) for s in sections for m in s.rows]
    imported = [(m.name, m.due) for s in parsed.sections for m in s["measures"]]
    assert imported == exported
    # Saved over the roadmap (its evidence removed first: an import does not replace documents), the measures hold
    # the same deadlines again.
    Evidence.objects.filter(measure__programme=municipal).delete()
    services.roadmap_import(programme=municipal, actor=coordinator, sections=parsed.sections, file_name="export.xlsx")
    assert [(m.name, m.due) for m in RoadmapMeasure.objects.filter(programme=municipal)] == exported


def test_the_history_names_a_changed_deadline_as_written(demo, empty_programme):
    coordinator = demo["coordinator"]
    measure = add_measure(empty_programme, coordinator, Deadline.on(D(2026, 5, 15)))
    data = services.MeasureData(name=measure.name, due=Deadline.in_months(2026, [5]))
    services.measure_update(measure=measure, actor=coordinator, data=data, expected_version=measure.version)
    changes = [c for event in programme_history(programme=empty_programme) for c in event["changes"]]
    assert {"label": "срок", "old": "15.05.2026", "new": "май 2026"} in changes
