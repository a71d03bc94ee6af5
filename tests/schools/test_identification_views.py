import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.demo import APPROVED_YEAR, MUNICIPALITY_A
from schools.identification import run_execute, run_start
from schools.models import IdentificationRun, School, SchoolYearStatus
from tests.conftest import home_region_id

pytestmark = pytest.mark.django_db


def start_form(year=2026, **overrides):
    data = {
        "year": year, "oip_threshold": 21, "social_threshold": 42.7, "window_years": 3, "min_low_years": 2,
        "min_result_years": 2, "index_scale": "relative", "preventive_drop": 10, "preventive_margin": 15, "curator_threshold": 75, "note": "проверка",
    }
    return {**data, **overrides}


def test_department_runs_identification_reads_why_and_approves(client, demo, django_capture_on_commit_callbacks):
    client.force_login(demo["department"])
    assert "Новый запуск" in client.get(reverse("schools:identification")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the task runs once the start commits
        response = client.post(reverse("schools:identification_start"), start_form())
    run = IdentificationRun.objects.get(year=2026)
    assert response.status_code == 302 and response.url == reverse("schools:run_detail", args=[run.pk])
    assert run.state == IdentificationRun.State.DONE

    page = client.get(response.url, {"status": "listed"}).content.decode()
    assert "Утвердить перечень" in page and "ОИП ниже порога" in page

    assert "Сводка перед утверждением" in client.get(reverse("schools:selection_approve", args=[run.pk])).content.decode()
    order = {"order_number": "123-о", "order_date": "2026-02-01", "confirm": "on"}
    approved = client.post(reverse("schools:run_approve", args=[run.pk]), order, follow=True)
    assert "Утверждён перечень 2026 года на 2025/26 учебный год" in approved.content.decode()  # named by the order
    assert SchoolYearStatus.objects.filter(year=2026, run=run).count() == School.objects.count()


def test_the_start_form_proposes_the_list_of_the_school_year_under_way(client, demo):
    from schools.school_year import current_school_year

    client.force_login(demo["department"])
    form = client.get(reverse("schools:identification")).context["form"]
    year = current_school_year()  # in December 2026 that is 2027, the list on 2026/27, not the calendar year
    assert form["year"].value() == year
    assert form["year"].label == "Учебный год перечня"


def test_start_form_errors_are_shown_in_russian(client, demo):
    client.force_login(demo["department"])
    response = client.post(
        reverse("schools:identification_start"), start_form(min_low_years=5, min_result_years=4, oip_threshold="abc")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Низких лет не может быть больше, чем лет в окне." in page and "Введите число." in page
    assert "Лет с результатами не может быть больше, чем лет в окне." in page
    assert not IdentificationRun.objects.filter(year=2026).exists()


@pytest.mark.parametrize("username", ["coordinator", "coordinator_b", "school", "curator", "tutor"])
def test_only_the_department_starts_approves_and_compares(client, demo, username):
    client.force_login(demo[username])
    run = IdentificationRun.objects.get(year=APPROVED_YEAR)
    assert client.post(reverse("schools:identification_start"), start_form()).status_code == 403
    assert client.post(reverse("schools:run_approve", args=[run.pk])).status_code == 403
    assert client.get(reverse("schools:run_compare", args=[run.pk]), {"other": run.pk}).status_code == 403
    assert not IdentificationRun.objects.filter(year=2026).exists()


def test_unapproved_runs_are_the_departments_drafts(client, demo):
    draft = run_execute(run_start(region_id=home_region_id(), year=2026, actor=demo["department"]))
    client.force_login(demo["coordinator"])
    assert client.get(reverse("schools:run_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("schools:run_progress", args=[draft.pk])).status_code == 404
    assert f"№ {draft.pk}" not in client.get(reverse("schools:identification")).content.decode()


def test_coordinator_sees_only_the_municipalitys_part_of_the_approved_list(client, demo, municipality_b):
    run = IdentificationRun.objects.get(year=APPROVED_YEAR)
    client.force_login(demo["coordinator"])
    response = client.get(reverse("schools:run_detail", args=[run.pk]))
    assert response.status_code == 200
    shown = {v.school.municipality.name for v in response.context["page"].object_list}
    assert shown == {MUNICIPALITY_A}
    html = response.content.decode()
    for school in municipality_b.schools.all():
        assert school.short_name not in html
    assert "Утвердить перечень" not in html
    # Another municipality typed into the filter is not obeyed.
    filtered = client.get(reverse("schools:run_detail", args=[run.pk]), {"municipality": municipality_b.pk})
    assert all(v.school.municipality_id != municipality_b.pk for v in filtered.context["page"].object_list)


def test_criteria_are_read_only_for_the_coordinator_and_closed_to_schools(client, demo):
    client.force_login(demo["coordinator"])
    page = client.get(reverse("schools:criteria", args=[APPROVED_YEAR])).content.decode()
    assert "Средний балл ЕГЭ по русскому языку" in page and "только для чтения" in page
    assert "Изменить в бэк-офисе" not in page
    # The seeds' other criteria are there, switched off; the default ones carry their absolute lines.
    assert "Доля участников ВПР по математике, получивших «2»" in page and "50,0 → 85,0" in page
    client.force_login(demo["school"])
    assert client.get(reverse("schools:criteria", args=[APPROVED_YEAR])).status_code == 403


def test_progress_partial_polls_until_done(client, demo):
    run = run_start(region_id=home_region_id(), year=2026, actor=demo["department"])
    client.force_login(demo["department"])
    html = client.get(reverse("schools:run_progress", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and "progress-bar" in html
    run_execute(run)
    done = client.get(reverse("schools:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_compare_page_lists_who_entered_and_left(client, demo):
    old = IdentificationRun.objects.get(year=APPROVED_YEAR)
    new = run_execute(run_start(region_id=home_region_id(), year=2026, actor=demo["department"]))
    client.force_login(demo["department"])
    page = client.get(reverse("schools:run_compare", args=[new.pk]), {"other": old.pk}).content.decode()
    assert "Вошли в перечень" in page and "Вышли из перечня" in page


def test_run_page_keeps_query_count_as_schools_grow(client, demo, municipality_a):
    run = IdentificationRun.objects.get(year=APPROVED_YEAR)
    client.force_login(demo["department"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("schools:run_detail", args=[run.pk])).status_code == 200
        return len(ctx)

    before = count()
    School.objects.bulk_create(
        School(municipality=municipality_a, short_name=f"Новая {i}", name=f"Новая школа {i}") for i in range(60)
    )
    rerun = run_execute(run_start(region_id=home_region_id(), year=APPROVED_YEAR, actor=demo["department"]))
    run = rerun
    assert count() == before


def test_run_export_has_the_filtered_scoped_rows(client, demo, municipality_a):
    import io

    import openpyxl

    run = IdentificationRun.objects.get(year=APPROVED_YEAR)
    client.force_login(demo["coordinator"])
    response = client.get(reverse("schools:run_export", args=[run.pk]), {"status": "listed"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # «в перечне» is ШНОР, ШНСУ or both: not a school the run could not judge («недостаточно данных»)
    expected = run.verdicts.filter(school__municipality=municipality_a, status__in=["shnor", "shnsu", "both"]).count()
    assert len(rows) == expected > 0
    assert {row[0] for row in rows} == {MUNICIPALITY_A}
    assert all(row[8] for row in rows), "every row carries its explanation"
    client.force_login(demo["coordinator_b"])
    other = openpyxl.load_workbook(io.BytesIO(client.get(reverse("schools:run_export", args=[run.pk])).content)).active
    assert MUNICIPALITY_A not in {row[0] for row in other.iter_rows(min_row=2, values_only=True)}
