"""Self-assessment through the pages: upload → preview → confirm, bad uploads change nothing, history on
re-upload, the coordinator's decision, the risk profile and its comparison with last year."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.models import IndicatorValue, OpenReport, RiskLevel, RiskProfile, SelfAssessment, Stage
from monitoring.services import MonitoringError, self_assessment_accept, self_assessment_return
from programs.models import RiskFactor

from .conftest import fill_template

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent.parent / "files"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def counts():
    return (
        SelfAssessment.objects.count(),
        RiskProfile.objects.count(),
        RiskLevel.objects.count(),
        IndicatorValue.objects.count(),
        OpenReport.objects.count(),
    )


def upload(client, mon, data, *, stage=Stage.INTERIM, year=None, name="самооценка.xlsx"):
    url = reverse("monitoring:self_assessment_upload", args=[mon.school.pk, year or mon.year, stage])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


@pytest.fixture
def school_client(client, mon):
    client.force_login(mon.users["school"])
    return client


def test_school_uploads_previews_and_confirms(school_client, mon):
    template = school_client.get(
        reverse("monitoring:self_assessment_template", args=[mon.school.pk, mon.year, Stage.INTERIM])
    )
    assert template.status_code == 200 and template["Content-Type"] == XLSX
    data = fill_template(mon.school, mon.year, Stage.INTERIM, ratings={"low-motivation": 3})
    before = counts()
    response = upload(school_client, mon, data)
    assert response.status_code == 302 and response.url == reverse("monitoring:self_assessment_preview")
    preview = school_client.get(response.url)
    html = preview.content.decode()
    assert "Подтвердить и отправить координатору" in html and "3 — высокий" in html
    assert counts() == before  # nothing stored before the school confirms
    confirmed = school_client.post(reverse("monitoring:self_assessment_preview"))
    assessment = SelfAssessment.objects.get(school=mon.school, year=mon.year, stage=Stage.INTERIM)
    assert confirmed.url == reverse("monitoring:self_assessment_detail", args=[assessment.pk])
    assert assessment.status == SelfAssessment.Status.SUBMITTED and assessment.is_current
    assert assessment.uploaded_by == mon.users["school"]
    assert assessment.file.read()[:2] == b"PK"
    assert assessment.history.count() == 1
    # The preview file waits no longer: a second confirmation has nothing to confirm.
    assert school_client.post(reverse("monitoring:self_assessment_preview")).status_code == 302
    assert SelfAssessment.objects.filter(school=mon.school, stage=Stage.INTERIM).count() == 1


BAD_UPLOADS = {
    "changed-template": (
        lambda mon: fill_template(mon.school, mon.year, Stage.INTERIM,
                                  edit=lambda wb: wb["Самооценка"].cell(row=9, column=1, value="x")),
        "Лист «Самооценка», строка 9, столбец A («Код фактора»): ожидался код фактора",
    ),
    "rating-out-of-range": (
        lambda mon: fill_template(mon.school, mon.year, Stage.INTERIM, ratings={"low-motivation": 5}),
        "Лист «Самооценка», строка 9, столбец C («Оценка (1–3)»): ожидается число от 1 до 3, а указано 5.",
    ),
    "missing-required-cell": (
        lambda mon: fill_template(mon.school, mon.year, Stage.INTERIM,
                                  edit=lambda wb: setattr(wb["Самооценка"]["C10"], "value", None)),
        "Лист «Самооценка», строка 10, столбец C («Оценка (1–3)»): не указана оценка фактора",
    ),
    "another-school": (
        lambda mon: fill_template(mon.neighbour, mon.year, Stage.INTERIM),
        "Лист «Служебный», строка 4, столбец B: файл составлен для другой школы",
    ),
    "another-year": (
        lambda mon: fill_template(mon.school, mon.year - 1, Stage.INTERIM),
        "Лист «Служебный», строка 5, столбец B: файл составлен на",
    ),
}


@pytest.mark.parametrize("kind", BAD_UPLOADS)
def test_bad_upload_is_named_in_russian_and_changes_nothing(school_client, mon, kind):
    make, expected = BAD_UPLOADS[kind]
    before = counts()
    response = upload(school_client, mon, make(mon))
    preview = school_client.get(response.url)
    html = preview.content.decode()
    assert "В файле есть ошибки — загрузить его нельзя" in html
    assert expected in html
    assert "Подтвердить и отправить координатору" not in html
    # Pressing confirm anyway stores nothing either.
    school_client.post(reverse("monitoring:self_assessment_preview"))
    assert counts() == before


def test_a_renamed_pdf_is_refused_by_the_form(school_client, mon):
    before = counts()
    response = upload(school_client, mon, (FILES / "renamed_pdf.xlsx").read_bytes())
    assert response.status_code == 200
    assert "Файл не является книгой Excel (.xlsx)" in response.content.decode()
    assert counts() == before


def test_empty_file_is_refused_by_the_form(school_client, mon):
    before = counts()
    response = upload(school_client, mon, b"")
    assert response.status_code == 200
    assert "Отправленный файл пуст" in response.content.decode() or "Файл пуст" in response.content.decode()
    assert counts() == before


def test_huge_file_is_refused_by_the_form(school_client, mon, settings):
    settings.UPLOAD_MAX_BYTES = 10_000
    before = counts()
    response = upload(school_client, mon, b"PK" + b"\0" * 20_000)
    assert response.status_code == 200
    assert "Файл больше допустимого размера (10 КБ)" in response.content.decode()
    assert counts() == before


def _submit(client, mon, *, stage=Stage.INTERIM, ratings=None, values=None):
    upload(client, mon, fill_template(mon.school, mon.year, stage, ratings=ratings, values=values), stage=stage)
    response = client.post(reverse("monitoring:self_assessment_preview"))
    assert response.status_code == 302, response.content.decode()[:2000]
    return SelfAssessment.objects.get(school=mon.school, year=mon.year, stage=stage, is_current=True)


def test_new_upload_keeps_the_earlier_one_in_history(school_client, mon):
    first = _submit(school_client, mon, ratings={"low-motivation": 3})
    second = _submit(school_client, mon, ratings={"low-motivation": 1})
    first.refresh_from_db()
    assert first.pk != second.pk
    assert not first.is_current and first.status == SelfAssessment.Status.SUPERSEDED
    assert second.is_current and second.status == SelfAssessment.Status.SUBMITTED
    assert SelfAssessment.objects.filter(school=mon.school, year=mon.year, stage=Stage.INTERIM).count() == 2
    html = school_client.get(reverse("monitoring:self_assessment_detail", args=[second.pk])).content.decode()
    assert "заменена новой загрузкой" in html  # the earlier upload is listed with the current one
    # An earlier upload cannot be decided on any more.
    with pytest.raises(MonitoringError):
        self_assessment_accept(actor=mon.users["coordinator"], assessment=first)


def test_returned_then_reuploaded_then_accepted(client, mon):
    client.force_login(mon.users["school"])
    first = _submit(client, mon)
    client.force_login(mon.users["coordinator"])
    no_comment = client.post(reverse("monitoring:self_assessment_decide", args=[first.pk]), {"action": "return"})
    assert no_comment.status_code == 400
    assert "без комментария вернуть нельзя" in no_comment.content.decode()
    first.refresh_from_db()
    assert first.status == SelfAssessment.Status.SUBMITTED
    client.post(reverse("monitoring:self_assessment_decide", args=[first.pk]),
                {"action": "return", "comment": "Оцените климат честнее."})
    first.refresh_from_db()
    assert first.status == SelfAssessment.Status.RETURNED and first.decision_comment == "Оцените климат честнее."
    assert first.decided_by == mon.users["coordinator"]
    # The school sees the comment and uploads again; the returned one stays in history as returned.
    client.force_login(mon.users["school"])
    html = client.get(reverse("monitoring:school", args=[mon.school.pk])).content.decode()
    assert "Оцените климат честнее." in html
    second = _submit(client, mon, ratings={"poor-climate": 3})
    first.refresh_from_db()
    assert first.status == SelfAssessment.Status.RETURNED and not first.is_current
    client.force_login(mon.users["coordinator"])
    client.post(reverse("monitoring:self_assessment_decide", args=[second.pk]), {"action": "accept"})
    second.refresh_from_db()
    assert second.status == SelfAssessment.Status.ACCEPTED
    # Decided once: no second decision, and no new upload once accepted.
    with pytest.raises(MonitoringError):
        self_assessment_return(actor=mon.users["coordinator"], assessment=second, comment="передумал")
    client.force_login(mon.users["school"])
    upload(client, mon, fill_template(mon.school, mon.year, Stage.INTERIM))
    response = client.post(reverse("monitoring:self_assessment_preview"))
    assert "уже принята координатором" in response.content.decode()
    assert SelfAssessment.objects.filter(school=mon.school, year=mon.year, stage=Stage.INTERIM).count() == 2


def test_other_coordinator_and_school_cannot_decide(client, mon):
    client.force_login(mon.users["school"])
    assessment = _submit(client, mon)
    response = client.post(reverse("monitoring:self_assessment_decide", args=[assessment.pk]), {"action": "accept"})
    assert response.status_code == 403
    client.force_login(mon.users["coordinator_b"])
    response = client.post(reverse("monitoring:self_assessment_decide", args=[assessment.pk]), {"action": "accept"})
    assert response.status_code == 404
    assessment.refresh_from_db()
    assert assessment.status == SelfAssessment.Status.SUBMITTED


def test_accepting_stores_the_risk_profile_and_compares_it_with_last_year(client, mon):
    last_year = RiskProfile.objects.get(school=mon.school, year=mon.year - 1)  # accepted in the demo
    last_levels = {lvl.risk_factor.code: lvl.level for lvl in last_year.levels.select_related("risk_factor")}
    assert last_levels["low-motivation"] == 3
    client.force_login(mon.users["school"])
    ratings = {"low-motivation": 1, "teacher-shortage": 3, "poor-climate": 3}
    assessment = _submit(client, mon, ratings=ratings, values={"teachers-training": 81})
    client.force_login(mon.users["coordinator"])
    client.post(reverse("monitoring:self_assessment_decide", args=[assessment.pk]), {"action": "accept"})

    profile = RiskProfile.objects.get(school=mon.school, year=mon.year)
    assert profile.self_assessment_id == assessment.pk
    levels = {lvl.risk_factor.code: lvl.level for lvl in profile.levels.select_related("risk_factor")}
    assert len(levels) == RiskFactor.objects.filter(is_active=True).count()
    assert levels["low-motivation"] == 1 and levels["teacher-shortage"] == 3 and levels["special-needs"] == 2
    # The value reported in the file became a confirmed value of the stage.
    value = IndicatorValue.objects.get(indicator__code="teachers-training", school=mon.school, year=mon.year,
                                       stage=Stage.INTERIM)
    assert value.value == 81 and value.status == IndicatorValue.Status.CONFIRMED
    assert value.source == IndicatorValue.Source.SELF_ASSESSMENT

    response = client.get(reverse("monitoring:school", args=[mon.school.pk]))
    rows = {row["factor"].code: row for row in response.context["risk"]["rows"]}
    assert rows["low-motivation"]["change"] == "better"  # 3 → 1
    assert rows["poor-climate"]["change"] == "worse"  # 2 → 3
    assert rows["special-needs"]["change"] == "worse"  # 1 → 2
    html = response.content.decode()
    assert 'data-change="better"' in html and "risk-chart-data" in html


def test_open_report_accepts_pdf_and_docx_and_refuses_the_rest(school_client, mon):
    url = reverse("monitoring:open_report_upload", args=[mon.school.pk, mon.year])
    before = OpenReport.objects.count()
    school_client.post(url, {"file": SimpleUploadedFile("доклад.pdf", b"%PDF-1.7\n%%EOF\n")})
    assert OpenReport.objects.count() == before + 1
    report = OpenReport.objects.latest("pk")
    assert report.content_type == "application/pdf" and report.original_name == "доклад.pdf"
    assert not report.file.name.endswith("доклад.pdf")  # stored under a random name

    png = SimpleUploadedFile("доклад.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    response = school_client.post(url, {"file": png}, follow=True)
    assert "Открытый доклад принимается в PDF или документом Word (.docx)" in response.content.decode()
    fake = SimpleUploadedFile("доклад.pdf", b"just text, not a document")
    response = school_client.post(url, {"file": fake}, follow=True)
    assert "Тип определяется по содержимому файла" in response.content.decode()
    empty = SimpleUploadedFile("доклад.pdf", b"")
    response = school_client.post(url, {"file": empty}, follow=True)
    assert "Открытый доклад не загружен" in response.content.decode()
    assert OpenReport.objects.count() == before + 1


def test_coordinator_sees_the_waiting_demo_self_assessment(client, mon):
    client.force_login(mon.users["coordinator"])
    response = client.get(reverse("monitoring:self_assessment_list"), {"status": "submitted"})
    schools = [a.school for a in response.context["page"].object_list]
    assert mon.school in schools
    response = client.get(reverse("monitoring:self_assessment_list"), {"year": mon.year - 1, "status": "accepted"})
    assert [a.school for a in response.context["page"].object_list] == [mon.school]


def test_list_shows_earlier_uploads_only_on_request(school_client, mon):
    _submit(school_client, mon)
    _submit(school_client, mon)
    current = school_client.get(reverse("monitoring:self_assessment_list"), {"stage": "interim"})
    assert len(current.context["page"].object_list) == 1
    everything = school_client.get(reverse("monitoring:self_assessment_list"), {"stage": "interim", "versions": "all"})
    assert len(everything.context["page"].object_list) == 2
