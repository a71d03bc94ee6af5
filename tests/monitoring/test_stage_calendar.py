"""The monitoring calendar as data (issue 18, item 3): the stages a department names for its territory and school
year, a municipality's shift of their dates, and everything that follows them — values, self-assessments, labels,
reminders."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.calendar import stages_of
from monitoring.calendar_services import (
    monitoring_calendar_start,
    monitoring_stage_delete,
    monitoring_stage_save,
    stage_shift_save,
)
from monitoring.models import Indicator, IndicatorValue, MonitoringStage, MunicipalStageShift, SelfAssessment
from monitoring.reminders import self_assessment_reminders
from monitoring.services import MonitoringError, ValueEntry, indicator_values_save
from programs.models import Programme

from .conftest import fill_template

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Seed 004 names its stages by number: «в рамках проведения мониторинга 2 этапа реализации антирисковых программ».
FOUR = [("stage-1", "1 этап"), ("stage-2", "2 этап"), ("stage-3", "3 этап"), ("stage-4", "4 этап")]


def fresh(username):
    return get_user_model().objects.get(username=username)  # roles are cached per user object


def four_stages(mon) -> list[MonitoringStage]:
    """The territory of municipality A runs four stages this school year, the first before the year begins."""
    start = datetime.date(mon.year - 1, 9, 1)
    return [
        monitoring_stage_save(
            actor=fresh("department"),
            region=mon.municipality_a.region,
            year=mon.year,
            data={
                "code": code,
                "name": name,
                "position": n,
                "starts_on": start + datetime.timedelta(days=80 * n - 120),
                "due_on": start + datetime.timedelta(days=80 * n - 60),
                "basis": "приказ министерства",
            },
        )  # fmt: skip
        for n, (code, name) in enumerate(FOUR, start=1)
    ]


def test_without_a_calendar_of_its_own_a_year_runs_todays_three_stages(mon):
    far = mon.year + 8  # nobody has set it
    assert [(s.code, s.name, s.due_on) for s in stages_of(far, municipality=mon.municipality_a)] == [
        ("entry", "Входной мониторинг", None), ("interim", "Промежуточный мониторинг", None),
        ("final", "Итоговый мониторинг", None),
    ]  # fmt: skip
    # this year: the default calendar (the schedule the portal had), the same for every territory
    default = stages_of(mon.year, municipality=mon.municipality_a)
    assert [s.code for s in default] == ["entry", "interim", "final"] and all(s.due_on for s in default)
    assert default == stages_of(mon.year, municipality=mon.municipality_b)
    assert default[0].source == "календарь по умолчанию"


def test_a_territory_with_four_stages_takes_values_and_self_assessments_of_each(client, mon):
    four_stages(mon)
    assert [s.name for s in stages_of(mon.year, municipality=mon.municipality_a)] == [n for _c, n in FOUR]
    training = Indicator.objects.get(code="teachers-training", municipality=mon.municipality_a)
    for n, (code, _name) in enumerate(FOUR):
        indicator_values_save(
            actor=fresh("school"), year=mon.year, stage=code, school=mon.school,
            entries=[ValueEntry(indicator=training, value=60 + n)],
        )  # fmt: skip
    stored = IndicatorValue.objects.filter(indicator=training, school=mon.school, year=mon.year)
    assert dict(stored.filter(stage__startswith="stage-").values_list("stage", "value")) == {
        "stage-1": 60, "stage-2": 61, "stage-3": 62, "stage-4": 63,
    }  # fmt: skip

    client.force_login(fresh("school"))
    grid = client.get(reverse("monitoring:school_grid", args=[mon.school.pk, mon.year, "stage-3"]))
    assert grid.status_code == 200 and "3 этап" in grid.content.decode()
    # a stage of the default calendar is no stage of this territory's year
    assert client.get(reverse("monitoring:school_grid", args=[mon.school.pk, mon.year, "interim"])).status_code == 404

    url = reverse("monitoring:self_assessment_upload", args=[mon.school.pk, mon.year, "stage-4"])
    data = fill_template(mon.school, mon.year, "stage-4")
    client.post(url, {"file": SimpleUploadedFile("с.xlsx", data, content_type=XLSX)})
    confirmed = client.post(reverse("monitoring:self_assessment_preview"))
    assessment = SelfAssessment.objects.get(school=mon.school, year=mon.year, stage="stage-4")
    assert confirmed.url == reverse("monitoring:self_assessment_detail", args=[assessment.pk])
    page = client.get(reverse("monitoring:school", args=[mon.school.pk])).content.decode()
    for _code, name in FOUR:
        assert name in page  # the stages table and the indicators' columns
    detail = client.get(confirmed.url).content.decode()
    assert "этап «4 этап»" in detail


def test_a_stage_not_in_the_calendar_is_refused_with_a_russian_message_naming_it(mon):
    four_stages(mon)
    training = Indicator.objects.get(code="teachers-training", municipality=mon.municipality_a)
    with pytest.raises(MonitoringError) as refused:
        indicator_values_save(
            actor=fresh("school"), year=mon.year, stage="interim", school=mon.school,
            entries=[ValueEntry(indicator=training, value=70)],
        )  # fmt: skip
    assert str(refused.value).startswith("Этапа «interim» нет в календаре мониторинга на")
    assert "«2 этап» (stage-2)" in str(refused.value)
    assert not IndicatorValue.objects.filter(indicator=training, year=mon.year, stage="interim").exists()
    # municipality B lies in the same territory here: it follows the same four stages
    assert [s.code for s in stages_of(mon.year, municipality=mon.municipality_b)] == [c for c, _n in FOUR]


def test_seed_002_entry_stage_lies_before_the_programmes_first_year(mon):
    programme = Programme.objects.filter(kind=Programme.Kind.MUNICIPAL, municipality=mon.municipality_a).first()
    first_year = programme.period_start
    entry, *_ = stages_of(first_year, municipality=mon.municipality_a)
    assert entry.name == "Входной мониторинг" and entry.code == "entry"
    assert entry.starts_on == datetime.date(first_year - 1, 12, 1)  # «Декабрь 2021» for a 2022–2024 programme
    assert entry.due_on < programme.period_first_day
    assert entry.source == f"календарь территории «{mon.municipality_a.region.name}»"


def test_impossible_stages_are_refused_in_russian(client, mon):
    department = fresh("department")
    region = mon.municipality_a.region
    backwards = {"code": "late", "name": "Поздний этап", "position": 1, "starts_on": datetime.date(mon.year, 3, 1),
                 "due_on": datetime.date(mon.year, 2, 1), "basis": ""}  # fmt: skip
    with pytest.raises(MonitoringError, match="не может закончиться раньше, чем начнётся"):
        monitoring_stage_save(actor=department, region=region, year=mon.year, data=backwards)
    with pytest.raises(ValidationError, match="не может закончиться раньше, чем начнётся"):
        MonitoringStage(region=region, year=mon.year, **backwards).full_clean()  # the back office's check
    too_early = {**backwards, "starts_on": datetime.date(mon.year - 4, 1, 1)}
    with pytest.raises(ValidationError, match="не может начинаться раньше"):
        MonitoringStage(region=region, year=mon.year, **too_early).full_clean()
    client.force_login(department)
    form = client.post(reverse("monitoring:calendar_stage_create", args=[mon.year]) + f"?region={region.pk}", backwards)
    assert form.status_code == 200 and "не может закончиться раньше, чем начнётся" in form.content.decode()
    [first, *_] = four_stages(mon)
    with pytest.raises(MonitoringError, match="Этап с кодом «stage-1» .* уже есть"):
        monitoring_stage_save(actor=department, region=region, year=mon.year, data={**backwards, "code": "stage-1",
                              "due_on": datetime.date(mon.year, 4, 1)})  # fmt: skip
    for stage in MonitoringStage.objects.filter(region=region, year=mon.year).exclude(pk=first.pk):
        monitoring_stage_delete(actor=department, stage=stage)
    with pytest.raises(MonitoringError, match="хотя бы один этап"):
        monitoring_stage_delete(actor=department, stage=first)
    assert MonitoringStage.objects.filter(region=region, year=mon.year).count() == 1
    assert first.history.count() == 1 and MonitoringStage.history.filter(history_type="-").count() == 3


def test_a_municipality_shifts_dates_only_inside_the_departments(mon):
    region = mon.municipality_a.region  # the region's own calendar: the default one is the installation's
    monitoring_calendar_start(actor=fresh("department"), region=region, year=mon.year)
    stage = MonitoringStage.objects.get(region=region, year=mon.year, code="interim")
    coordinator = fresh("coordinator")
    inside = stage_shift_save(
        actor=coordinator, stage=stage, municipality=mon.municipality_a,
        starts_on=stage.starts_on + datetime.timedelta(days=3), due_on=stage.due_on - datetime.timedelta(days=7),
    )  # fmt: skip
    [_, interim, _] = stages_of(mon.year, municipality=mon.municipality_a)
    assert interim.due_on == inside.due_on and interim.shifted
    assert stages_of(mon.year, municipality=mon.municipality_b)[1].due_on == stage.due_on  # B keeps the department's
    with pytest.raises(MonitoringError, match="только внутри сроков управления"):
        stage_shift_save(
            actor=coordinator, stage=stage, municipality=mon.municipality_a,
            starts_on=stage.starts_on, due_on=stage.due_on + datetime.timedelta(days=1),
        )  # fmt: skip
    assert MunicipalStageShift.objects.get(stage=stage, municipality=mon.municipality_a).due_on == inside.due_on
    # the department's dates cannot then leave the municipality's shift outside
    with pytest.raises(MonitoringError, match="не вмещают сроки, сдвинутые муниципалитетами"):
        monitoring_stage_save(
            actor=fresh("department"), region=region, year=mon.year, stage=stage,
            data={"code": "interim", "name": stage.name, "position": stage.position, "starts_on": stage.starts_on,
                  "due_on": inside.due_on - datetime.timedelta(days=1), "basis": ""},
        )  # fmt: skip


def test_reminders_follow_the_municipalitys_shifted_due_date(mon):
    today = timezone.localdate()
    MonitoringStage.objects.all().delete()  # only this test's stage
    stage = MonitoringStage.objects.create(
        year=mon.year, code="interim", name="Промежуточный мониторинг", position=1,
        starts_on=today - datetime.timedelta(days=30), due_on=today + datetime.timedelta(days=10),
    )  # fmt: skip
    now = timezone.now()
    assert not [r for r in self_assessment_reminders(today=today, now=now) if r.target_id == mon.school.pk]
    stage_shift_save(
        actor=fresh("coordinator"), stage=stage, municipality=mon.municipality_a,
        starts_on=stage.starts_on, due_on=today - datetime.timedelta(days=1),
    )  # fmt: skip
    reminders = self_assessment_reminders(today=today, now=now)
    [mine] = [r for r in reminders if r.target_id == mon.school.pk]
    assert "этап «Промежуточный мониторинг»" in mine.body
    assert f"срок был {today - datetime.timedelta(days=1):%d.%m.%Y}" in mine.body
    assert all(r.municipality_id == mon.municipality_a.pk for r in reminders)  # B keeps the department's date


def test_coordinator_reads_the_calendar_and_shifts_through_the_pages(client, mon):
    stage = MonitoringStage.objects.get(region__isnull=True, year=mon.year, code="final")
    client.force_login(fresh("coordinator"))
    page = client.get(reverse("monitoring:calendar"), {"year": mon.year}).content.decode()
    assert "Итоговый мониторинг" in page and "Добавить этап" not in page and "Сдвинуть сроки" in page
    url = reverse("monitoring:calendar_stage_shift", args=[stage.pk, mon.municipality_a.pk])
    outside = client.post(url, {"starts_on": stage.starts_on, "due_on": stage.due_on + datetime.timedelta(days=5)})
    assert outside.status_code == 200 and "только внутри сроков управления" in outside.content.decode()
    inside = client.post(url, {"starts_on": stage.starts_on, "due_on": stage.due_on - datetime.timedelta(days=5)})
    assert inside.status_code == 302
    school_page = client.get(reverse("monitoring:school", args=[mon.school.pk])).content.decode()
    assert (
        f"{stage.due_on - datetime.timedelta(days=5):%d.%m.%Y}" in school_page and "сроки муниципалитета" in school_page
    )
    history = client.get(reverse("monitoring:calendar_history", args=[mon.year])).content.decode()
    assert mon.municipality_a.name in history


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_keep_their_query_count_as_stages_and_shifts_grow(client, mon):
    client.force_login(fresh("coordinator"))
    urls = [
        reverse("monitoring:calendar") + f"?year={mon.year}",
        reverse("monitoring:school", args=[mon.school.pk]),
        reverse("monitoring:self_assessment_list"),
        reverse("monitoring:queue"),
    ]
    four_stages(mon)
    small = {url: _count(client, url) for url in urls}
    extra = [
        MonitoringStage(region=mon.municipality_a.region, year=mon.year, code=f"extra-{n}", name=f"Этап {n + 5}",
                        position=n + 5, starts_on=datetime.date(mon.year, 3, 1), due_on=datetime.date(mon.year, 3, 20))
        for n in range(6)
    ]  # fmt: skip
    MonitoringStage.objects.bulk_create(extra)
    MunicipalStageShift.objects.bulk_create(
        MunicipalStageShift(stage=s, municipality=mon.municipality_a, starts_on=s.starts_on, due_on=s.due_on)
        for s in MonitoringStage.objects.filter(code__startswith="extra-")
    )
    assert {url: _count(client, url) for url in urls} == small


def test_lists_exports_and_the_yearly_report_name_the_territorys_stages(client, mon):
    from partnerships.demo import seed_partnerships
    from tests.seeding import seed_or_replay

    from .test_yearly_report import export_via_browser

    seed_or_replay(seed_partnerships)
    four_stages(mon)
    SelfAssessment.objects.create(
        school=mon.school, year=mon.year, stage="stage-2", file="monitoring/x.xlsx", original_name="x.xlsx"
    )
    client.force_login(fresh("coordinator"))
    listed = client.get(reverse("monitoring:self_assessment_list"), {"stage": "stage-2"})
    assert [a.stage_label for a in listed.context["page"].object_list] == ["2 этап"]
    assert "2 этап" in listed.content.decode()
    workbook = export_via_browser(client, fresh("department"), year=mon.year, municipality=mon.municipality_a.pk)
    header = [cell.value for cell in next(workbook["По школам"].iter_rows(max_row=1))]
    assert header[-4:] == [f"Самооценка: {name}" for _code, name in FOUR]
