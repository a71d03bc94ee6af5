"""Indicator values: the grid, the confirmation queue, computed values that cannot be typed, and the xlsx import."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.computed import COMPUTED_INDICATORS, compute, computed_choices
from monitoring.models import Indicator, IndicatorPlan, IndicatorValue, Stage
from monitoring.services import MonitoringError, ValueEntry, indicator_values_save
from monitoring.values_import import COLUMN
from schools.models import Measure, SchoolResult, SchoolYearStatus

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def indicator(mon, code) -> Indicator:
    return Indicator.objects.get(code=code, municipality=mon.municipality_a)


def grid_url(mon, stage=Stage.INTERIM, school=None):
    return reverse("monitoring:school_grid", args=[(school or mon.school).pk, mon.year, stage])


def test_school_enters_the_grid_and_values_wait_for_the_coordinator(client, mon):
    training, vacant = indicator(mon, "teachers-training"), indicator(mon, "vacant-management")
    client.force_login(mon.users["school"])
    page = client.get(grid_url(mon))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="value_{training.pk}"' in html
    response = client.post(
        grid_url(mon), {f"value_{training.pk}": "80,5", f"comment_{training.pk}": "по приказу", f"value_{vacant.pk}": "10"}
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=training, school=mon.school, year=mon.year, stage=Stage.INTERIM)
    assert value.value == Decimal("80.50") and value.comment == "по приказу"
    assert value.status == IndicatorValue.Status.SUBMITTED and value.entered_by == mon.users["school"]
    assert value.municipality == mon.municipality_a

    client.force_login(mon.users["coordinator"])
    queue = client.get(reverse("monitoring:queue"), {"stage": "interim"})
    waiting = list(queue.context["page"].object_list)
    assert {v.indicator.code for v in waiting} == {"teachers-training", "vacant-management"}
    no_comment = client.post(reverse("monitoring:queue") + "?stage=interim", {"action": "return", "ids": [value.pk]})
    assert no_comment.status_code == 200 and "напишите, что в них исправить" in no_comment.content.decode()
    client.post(reverse("monitoring:queue"), {"action": "confirm", "ids": [v.pk for v in waiting]})
    value.refresh_from_db()
    assert value.status == IndicatorValue.Status.CONFIRMED and value.confirmed_by == mon.users["coordinator"]
    assert value.history.count() == 2  # entered, then confirmed

    # The school corrects a confirmed value: it waits for the coordinator again.
    client.force_login(mon.users["school"])
    client.post(grid_url(mon), {f"value_{training.pk}": "85", f"comment_{training.pk}": "по приказу",
                                f"value_{vacant.pk}": "10"})
    value.refresh_from_db()
    assert value.value == 85 and value.status == IndicatorValue.Status.SUBMITTED


def test_coordinator_returns_values_with_a_comment_and_the_school_sees_it(client, mon):
    training = indicator(mon, "teachers-training")
    client.force_login(mon.users["school"])
    client.post(grid_url(mon), {f"value_{training.pk}": "30"})
    value = IndicatorValue.objects.get(indicator=training, school=mon.school, year=mon.year, stage=Stage.INTERIM)
    client.force_login(mon.users["coordinator"])
    client.post(reverse("monitoring:queue"), {"action": "return", "ids": [value.pk], "comment": "Проверьте по приказу"})
    value.refresh_from_db()
    assert value.status == IndicatorValue.Status.RETURNED and value.return_comment == "Проверьте по приказу"
    client.force_login(mon.users["school"])
    assert "Проверьте по приказу" in client.get(grid_url(mon)).content.decode()


def test_values_entered_by_the_coordinator_are_confirmed_at_once(client, mon):
    training = indicator(mon, "teachers-training")
    client.force_login(mon.users["coordinator"])
    client.post(grid_url(mon), {f"value_{training.pk}": "70"})
    value = IndicatorValue.objects.get(indicator=training, school=mon.school, year=mon.year, stage=Stage.INTERIM)
    assert value.status == IndicatorValue.Status.CONFIRMED


def test_emptied_cell_deletes_the_value_and_out_of_range_is_refused(client, mon):
    training = indicator(mon, "teachers-training")
    client.force_login(mon.users["school"])
    client.post(grid_url(mon), {f"value_{training.pk}": "70"})
    bad = client.post(grid_url(mon), {f"value_{training.pk}": "170"})
    assert bad.status_code == 200
    assert "Доля в процентах должна быть от 0 до 100, а указано 170." in bad.content.decode()
    assert IndicatorValue.objects.get(indicator=training, school=mon.school, stage=Stage.INTERIM, year=mon.year).value == 70
    client.post(grid_url(mon), {f"value_{training.pk}": ""})
    assert not IndicatorValue.objects.filter(indicator=training, school=mon.school, stage=Stage.INTERIM,
                                             year=mon.year).exists()


def test_read_only_roles_see_the_grid_but_cannot_save(client, mon):
    training = indicator(mon, "teachers-training")
    client.force_login(mon.users["tutor"])
    page = client.get(grid_url(mon))
    assert page.status_code == 200 and "Только просмотр" in page.content.decode()
    assert client.post(grid_url(mon), {f"value_{training.pk}": "50"}).status_code == 403
    assert not IndicatorValue.objects.filter(indicator=training, stage=Stage.INTERIM, year=mon.year).exists()


def test_computed_values_are_shown_as_such_and_cannot_be_typed(client, mon):
    ege = indicator(mon, "ege-russian-mean")
    year = mon.year - 1
    expected = SchoolResult.objects.get(school=mon.school, year=year, measure__code="ege-russian-mean_score").value
    client.force_login(mon.users["school"])
    url = reverse("monitoring:school_grid", args=[mon.school.pk, year, "final"])
    html = client.get(url).content.decode()
    assert f'name="value_{ege.pk}"' not in html  # no field to type in
    assert "Вычисляется порталом" in html and f"{expected:.2f}".replace(".", ",").rstrip("0") in html
    client.post(url, {f"value_{ege.pk}": "99"})  # a value typed anyway is ignored
    stored = IndicatorValue.objects.get(indicator=ege, school=mon.school, year=year, stage=Stage.FINAL)
    assert stored.source == IndicatorValue.Source.COMPUTED
    assert float(stored.value) == pytest.approx(expected, abs=0.01)
    with pytest.raises(MonitoringError, match="вычисляется порталом"):
        indicator_values_save(actor=mon.users["school"], year=year, stage=Stage.FINAL, school=mon.school,
                              entries=[ValueEntry(ege, Decimal("99"))])


def test_computed_registry_from_existing_data(mon):
    assert {"ege_russian_mean", "shnor_share", "accepted_programme_share"} <= set(COMPUTED_INDICATORS)
    assert ("shnor_share", "Доля ШНОР среди школ по утверждённому перечню года, %") in computed_choices()
    year = SchoolYearStatus.objects.order_by("year").values_list("year", flat=True).first()
    statuses = list(SchoolYearStatus.objects.filter(year=year, school__municipality=mon.municipality_a))
    shnor = sum(1 for s in statuses if s.status in ("shnor", "both"))
    assert compute("shnor_share", year=year, municipality=mon.municipality_a) == round(100 * shnor / len(statuses), 2)
    assert compute("shnor_share", year=year, school=mon.school) is None
    assert compute("shnor_share", year=1999, municipality=mon.municipality_a) is None

    mean = Measure.objects.get(code="ege-russian-mean_score")
    participants = Measure.objects.get(code="ege-russian-participants")
    results = {
        (r.school_id, r.measure_id): r.value
        for r in SchoolResult.objects.filter(year=2025, school__municipality=mon.municipality_a,
                                             measure__in=[mean, participants])
    }
    weighted = sum(results[(s, mean.pk)] * results.get((s, participants.pk), 1) for s, m in results if m == mean.pk)
    weights = sum(results.get((s, participants.pk), 1) for s, m in results if m == mean.pk)
    assert compute("ege_russian_mean", year=2025, municipality=mon.municipality_a) == round(weighted / weights, 2)
    assert compute("no_such_key", year=2025) is None


# --- import -------------------------------------------------------------------------------------------------------


def _template(client, mon, stage="final", year=None):
    response = client.get(reverse("monitoring:values_import_template"), {"year": year or mon.year, "stage": stage})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _upload(client, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.post(reverse("monitoring:values_import"),
                {"file": SimpleUploadedFile("значения.xlsx", buffer.getvalue(), content_type=XLSX)})
    return client.get(reverse("monitoring:values_import_preview"))


def _rows(sheet):
    return {(row[COLUMN["school"] - 1], row[COLUMN["code"] - 1]): index
            for index, row in enumerate(sheet.iter_rows(values_only=True), start=1)}


def test_coordinator_imports_values_from_the_template(client, mon):
    client.force_login(mon.users["coordinator"])
    workbook = _template(client, mon)
    sheet = workbook.active
    rows = _rows(sheet)
    assert (mon.school.short_name, "teachers-training") in rows
    assert not any(code == "ege-russian-mean" for _s, code in rows)  # computed: not imported
    assert not any(school == mon.outsider_school.short_name for school, _c in rows)
    sheet.cell(row=rows[(mon.school.short_name, "teachers-training")], column=COLUMN["value"], value=77)
    sheet.cell(row=rows[(mon.neighbour.short_name, "teachers-training")], column=COLUMN["value"], value="66,6")
    preview = _upload(client, workbook)
    assert preview.context["preview"].ok
    assert preview.context["preview"].to_create == 2
    before = IndicatorValue.objects.count()
    client.post(reverse("monitoring:values_import_preview"))
    assert IndicatorValue.objects.count() == before + 2
    value = IndicatorValue.objects.get(indicator__code="teachers-training", school=mon.neighbour, year=mon.year,
                                       stage=Stage.FINAL)
    assert value.value == Decimal("66.60") and value.status == IndicatorValue.Status.CONFIRMED
    assert value.source == IndicatorValue.Source.IMPORTED and value.history.count() == 1


def test_import_errors_name_row_and_column_and_nothing_is_saved(client, mon):
    client.force_login(mon.users["coordinator"])
    workbook = _template(client, mon)
    sheet = workbook.active
    rows = _rows(sheet)
    good = rows[(mon.school.short_name, "teachers-training")]
    sheet.cell(row=good, column=COLUMN["value"], value=50)
    bad_value = rows[(mon.school.short_name, "vacant-management")]
    sheet.cell(row=bad_value, column=COLUMN["value"], value=140)
    bad_stage = rows[(mon.school.short_name, "vpr-success")]
    sheet.cell(row=bad_stage, column=COLUMN["value"], value=60)
    sheet.cell(row=bad_stage, column=COLUMN["stage"], value="весенний")
    outsider = rows[(mon.school.short_name, "teachers-contests")]
    sheet.cell(row=outsider, column=COLUMN["value"], value=5)
    sheet.cell(row=outsider, column=COLUMN["school_id"], value=mon.outsider_school.pk)
    computed_row = sheet.max_row + 1
    for key, value in {"school_id": mon.school.pk, "code": "ege-russian-mean", "year": mon.year, "stage": "итоговый",
                       "value": 70}.items():
        sheet.cell(row=computed_row, column=COLUMN[key], value=value)
    before = IndicatorValue.objects.count()
    preview = _upload(client, workbook)
    errors = preview.context["preview"].errors.messages()
    where = "Лист «Значения показателей», строка"
    assert (
        f"{where} {bad_value}, столбец J («Значение»): доля в процентах должна быть от 0 до 100, а указано 140."
        in errors
    )
    assert (
        f"{where} {bad_stage}, столбец I («Этап мониторинга»): этапа «весенний» нет в календаре мониторинга на "
        f"{mon.year - 1}/{str(mon.year)[-2:]} учебный год; этапы года: «Входной мониторинг» (entry), "
        "«Промежуточный мониторинг» (interim), «Итоговый мониторинг» (final)." in errors
    )
    assert any(e.startswith(f"{where} {outsider}, столбец A («Код школы»): школы с кодом") for e in errors)
    assert any(e.startswith(f"{where} {computed_row}, столбец J («Значение»)") and "вычисляется порталом" in e
               for e in errors)
    assert len(errors) == 4
    html = preview.content.decode()
    assert "загрузить его нельзя" in html and "Сохранить значения" not in html
    client.post(reverse("monitoring:values_import_preview"))
    assert IndicatorValue.objects.count() == before  # all or nothing


def test_import_refuses_a_changed_header_and_files_that_are_not_workbooks(client, mon):
    client.force_login(mon.users["coordinator"])
    workbook = _template(client, mon)
    workbook.active.cell(row=1, column=COLUMN["value"], value="Число")
    errors = _upload(client, workbook).context["preview"].errors.messages()
    assert errors == [
        "Лист «Значения показателей», строка 1, столбец J: ожидался заголовок «Значение», а указано «Число». Скачайте "
        "шаблон на портале."
    ]
    response = client.post(reverse("monitoring:values_import"),
                           {"file": SimpleUploadedFile("x.xlsx", b"%PDF-1.4 not a workbook", content_type=XLSX)})
    assert response.status_code == 200  # refused by the upload form: nothing is held
    assert "Файл не является книгой Excel" in response.content.decode()


def test_municipal_grid_and_plan_colour(client, mon):
    network = indicator(mon, "network-schools")
    year = mon.year
    plan = IndicatorPlan.objects.get(indicator=network, year=year).planned_value
    client.force_login(mon.users["coordinator"])
    url = reverse("monitoring:municipality_grid", args=[mon.municipality_a.pk, year, "final"])
    client.post(url, {f"value_{network.pk}": str(plan - 10)})
    row = next(r for r in client.get(url).context["rows"] if r["indicator"] == network)
    assert row["met"] is False and row["css"] == "table-danger"
    client.post(url, {f"value_{network.pk}": str(plan)})
    row = next(r for r in client.get(url).context["rows"] if r["indicator"] == network)
    assert row["met"] is True and row["css"] == "table-success"
    # A lower-is-better indicator is met below its plan.
    vacant = indicator(mon, "vacant-management")
    assert vacant.met(Decimal("5"), Decimal("15")) is True and vacant.met(Decimal("20"), Decimal("15")) is False


def test_indicator_detail_shows_plan_actual_and_chart_data(client, mon):
    training = indicator(mon, "teachers-training")
    client.force_login(mon.users["coordinator"])
    response = client.get(reverse("monitoring:indicator_detail", args=[training.pk]))
    chart = response.context["chart"]
    plan = next(s for s in chart["series"] if s["kind"] == "plan")
    assert plan["data"][:4] == [50.0, 75.0, 100.0, 100.0]  # seed 002: 50 % → 75 % → 100 % → 100 %
    actual = next(s for s in chart["series"] if s["kind"] == "actual")
    assert any(v is not None for v in actual["data"])
    html = response.content.decode()
    assert 'id="indicator-chart-data"' in html and "js/monitoring_charts.js" in html
    assert "chartjs/chart.umd.min.js" in html
    one = client.get(reverse("monitoring:indicator_detail", args=[training.pk]), {"school": mon.school.pk})
    assert one.context["chosen_school"] == mon.school
    client.force_login(mon.users["coordinator_b"])
    outsider = client.get(reverse("monitoring:indicator_detail", args=[training.pk]), {"school": mon.school.pk})
    assert outsider.status_code == 404


def test_indicator_list_filters_and_export(client, mon):
    client.force_login(mon.users["department"])
    response = client.get(reverse("monitoring:indicator_list"), {"q": "ВсОШ"})
    assert [i.code for i in response.context["page"].object_list] == ["vsosh-participants"]
    response = client.get(reverse("monitoring:indicator_list"), {"computed": "yes"})
    assert {i.code for i in response.context["page"].object_list} == {"ege-russian-mean", "shnor-share",
                                                                        "accepted-programmes"}
    response = client.get(reverse("monitoring:indicator_list"), {"level": "municipal", "municipality": mon.municipality_a.pk})
    assert all(i.level == "municipal" for i in response.context["page"].object_list)
    export = client.get(reverse("monitoring:indicator_list_export"), {"q": "ВсОШ"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Код" and rows[1][0] == "vsosh-participants" and len(rows) == 2


def test_compute_indicators_command_stores_computed_values(mon):
    from io import StringIO

    from django.core.management import call_command

    ege = indicator(mon, "ege-russian-mean")
    IndicatorValue.objects.filter(indicator=ege).delete()
    out = StringIO()
    call_command("compute_indicators", "--year", str(mon.year - 1), "--stage", "final", stdout=out)
    assert "сохранено или обновлено" in out.getvalue()
    stored = IndicatorValue.objects.get(indicator=ege, school=mon.school, year=mon.year - 1, stage=Stage.FINAL)
    assert stored.source == IndicatorValue.Source.COMPUTED and stored.status == IndicatorValue.Status.CONFIRMED
    out = StringIO()
    call_command("compute_indicators", "--year", str(mon.year - 1), "--stage", "final", stdout=out)
    assert "сохранено или обновлено: 0" in out.getvalue()  # nothing changed: nothing rewritten
