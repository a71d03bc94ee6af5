"""Every monitoring URL × every role → the expected status. A new URL without a row here fails the suite.

Objects belong to municipality A («Покровская СОШ»); `coordinator_b` (municipality B) is the outsider and reaches
none of them: 404, files included. Read-only roles (tutor; curator, when an agreement gives it the school) get
pages but 403 on actions.
"""

import pytest
from django.urls import URLPattern, reverse

from monitoring import urls as monitoring_urls
from monitoring.models import Indicator, IndicatorValue, OpenReport, SelfAssessment, Stage
from schools.access import visible_schools

pytestmark = pytest.mark.django_db

ROLES = ["department", "coordinator", "coordinator_b", "school", "curator", "tutor"]

# Status per role; "scope" means: 200 when the user reaches «Покровская СОШ» read-only, 404 when not (curator:
# it depends on whether an agreement with the school is in force in the demo).
ALL_OK = dict.fromkeys(ROLES, 200)
A_OBJECT = {"department": 200, "coordinator": 200, "coordinator_b": 404, "school": 200, "curator": "scope",
            "tutor": 200}
A_ACTION_TEAM = {"department": 403, "coordinator": 403, "coordinator_b": 404, "school": 200, "curator": "scope403",
                 "tutor": 403}
A_TEMPLATE = {"department": 200, "coordinator": 200, "coordinator_b": 404, "school": 200, "curator": "scope403",
              "tutor": 403}
CONFIRMERS = {"department": 200, "coordinator": 200, "coordinator_b": 200, "school": 403, "curator": 403,
              "tutor": 403}
MUNICIPALITY_A = {"department": 200, "coordinator": 200, "coordinator_b": 404, "school": 200, "curator": 200,
                  "tutor": 200}

DASHBOARD = {"department": 200, "coordinator": 302, "coordinator_b": 302, "school": 403, "curator": 403,
             "tutor": 403}
A_DASHBOARD = {"department": 200, "coordinator": 200, "coordinator_b": 404, "school": 403, "curator": 403,
               "tutor": 403}
A_EXPORT = {"department": 200, "coordinator": 200, "coordinator_b": 404, "school": 404, "curator": 404,
            "tutor": 404}


def _export_of_a(mon):
    """A finished yearly-report export of municipality A, requested by its coordinator."""
    from django.core.files.base import ContentFile

    from monitoring.models import ReportExport

    export = ReportExport.objects.create(
        year=mon.year, municipality=mon.municipality_a, requested_by=mon.users["coordinator"],
        status=ReportExport.Status.DONE, progress=100,
    )
    export.file.save(export.file_name, ContentFile(b"PK\x03\x04 report"))
    return export


def _urls(mon):
    sa = SelfAssessment.objects.get(school=mon.school, year=mon.year, stage=Stage.ENTRY, is_current=True)
    report = OpenReport.objects.filter(school=mon.school).first()
    indicator = Indicator.objects.get(code="teachers-training", municipality=mon.municipality_a)
    school, year = mon.school.pk, mon.year
    export = _export_of_a(mon)
    value = IndicatorValue.objects.filter(school=mon.school).order_by("pk").first()
    preview_sa = {r: 302 for r in ROLES}  # no upload waiting in the session: back to the hub
    return {
        "index": (reverse("monitoring:index"), ALL_OK),
        "indicator_list": (reverse("monitoring:indicator_list"), ALL_OK),
        "indicator_list_export": (reverse("monitoring:indicator_list_export"), ALL_OK),
        "indicator_detail": (reverse("monitoring:indicator_detail", args=[indicator.pk]), MUNICIPALITY_A),
        "school": (reverse("monitoring:school", args=[school]), A_OBJECT),
        "school_grid": (reverse("monitoring:school_grid", args=[school, year, "entry"]), A_OBJECT),
        "municipality_grid": (reverse("monitoring:municipality_grid", args=[mon.municipality_a.pk, year, "final"]),
                              MUNICIPALITY_A),
        "value_restore": (reverse("monitoring:value_restore", args=[value.pk, value.history.earliest().history_id]),
                          {**CONFIRMERS, "coordinator_b": 404, "curator": "scope403"}),
        "queue": (reverse("monitoring:queue"), CONFIRMERS),
        "queue_export": (reverse("monitoring:queue_export"), CONFIRMERS),
        "values_import": (reverse("monitoring:values_import"), CONFIRMERS),
        "values_import_preview": (reverse("monitoring:values_import_preview"),
                                  {**CONFIRMERS, "department": 302, "coordinator": 302, "coordinator_b": 302}),
        "values_import_template": (reverse("monitoring:values_import_template") + f"?year={year}&stage=entry",
                                   CONFIRMERS),
        "self_assessment_list": (reverse("monitoring:self_assessment_list"), ALL_OK),
        "self_assessment_export": (reverse("monitoring:self_assessment_export"), ALL_OK),
        "self_assessment_preview": (reverse("monitoring:self_assessment_preview"), preview_sa),
        "self_assessment_detail": (reverse("monitoring:self_assessment_detail", args=[sa.pk]), A_OBJECT),
        "self_assessment_file": (reverse("monitoring:self_assessment_file", args=[sa.pk]), A_OBJECT),
        "self_assessment_template": (reverse("monitoring:self_assessment_template", args=[school, year, "entry"]),
                                     A_TEMPLATE),
        "self_assessment_upload": (reverse("monitoring:self_assessment_upload", args=[school, year, "entry"]),
                                   A_ACTION_TEAM),
        "open_report_file": (reverse("monitoring:open_report_file", args=[report.pk]), A_OBJECT),
        # dashboards and the yearly report: the department and coordinators; an export of A within A's scope
        "dashboard": (reverse("monitoring:dashboard"), DASHBOARD),
        "dashboard_municipality": (reverse("monitoring:dashboard_municipality", args=[mon.municipality_a.pk]),
                                   A_DASHBOARD),
        "report": (reverse("monitoring:report"), CONFIRMERS),
        "report_export": (reverse("monitoring:report_export", args=[export.pk]), A_EXPORT),
        "report_export_progress": (reverse("monitoring:report_export_progress", args=[export.pk]), A_EXPORT),
        "report_export_download": (reverse("monitoring:report_export_download", args=[export.pk]), A_EXPORT),
    }


# POST-only URLs: (status per role).
POST_ONLY = {
    "self_assessment_decide": {"department": 302, "coordinator": 302, "coordinator_b": 404, "school": 403,
                               "curator": "scope403", "tutor": 403},
    "open_report_upload": A_ACTION_TEAM | {"school": 302},
}


def _expected(status, user, mon):
    if status in ("scope", "scope403"):
        reaches = visible_schools(user).filter(pk=mon.school.pk).exists()
        return (200 if status == "scope" else 403) if reaches else 404
    return status


def test_every_monitoring_url_has_a_row_in_the_table(mon):
    names = {p.name for p in monitoring_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == set(_urls(mon)) | set(POST_ONLY)


@pytest.mark.parametrize("username", ROLES)
def test_get_urls_answer_by_role(client, mon, username):
    user = mon.users[username]
    client.force_login(user)
    failures = []
    for name, (url, expected) in _urls(mon).items():
        want = _expected(expected[username], user, mon)
        got = client.get(url).status_code
        if got != want:
            failures.append(f"{name}: {got} вместо {want}")
    assert not failures, failures


@pytest.mark.parametrize("username", ROLES)
def test_decide_by_role(client, mon, username):
    user = mon.users[username]
    sa = SelfAssessment.objects.get(school=mon.school, year=mon.year, stage=Stage.ENTRY, is_current=True)
    client.force_login(user)
    response = client.post(reverse("monitoring:self_assessment_decide", args=[sa.pk]), {"action": "accept"})
    assert response.status_code == _expected(POST_ONLY["self_assessment_decide"][username], user, mon)
    sa.refresh_from_db()
    assert (sa.status == SelfAssessment.Status.ACCEPTED) == (username in ("department", "coordinator"))


@pytest.mark.parametrize("username", ROLES)
def test_open_report_upload_by_role(client, mon, username):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = mon.users[username]
    client.force_login(user)
    before = OpenReport.objects.count()
    pdf = SimpleUploadedFile("доклад.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(reverse("monitoring:open_report_upload", args=[mon.school.pk, mon.year]), {"file": pdf})
    assert response.status_code == _expected(POST_ONLY["open_report_upload"][username], user, mon)
    assert OpenReport.objects.count() == before + (1 if username == "school" else 0)


def test_anonymous_is_sent_to_login(client, mon):
    for name, (url, _expected_by_role) in _urls(mon).items():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


def test_outsider_reaches_no_file_and_no_object_of_municipality_a(client, mon):
    """coordinator_b: every self-assessment, open report, school page and grid of A answers 404."""
    client.force_login(mon.users["coordinator_b"])
    for sa in SelfAssessment.objects.filter(school__municipality=mon.municipality_a):
        assert client.get(reverse("monitoring:self_assessment_file", args=[sa.pk])).status_code == 404
        assert client.get(reverse("monitoring:self_assessment_detail", args=[sa.pk])).status_code == 404
        assert client.post(reverse("monitoring:self_assessment_decide", args=[sa.pk]),
                           {"action": "return", "comment": "x"}).status_code == 404
    for report in OpenReport.objects.filter(school__municipality=mon.municipality_a):
        assert client.get(reverse("monitoring:open_report_file", args=[report.pk])).status_code == 404
    for school in mon.municipality_a.schools.all():
        assert client.get(reverse("monitoring:school", args=[school.pk])).status_code == 404
        assert client.get(reverse("monitoring:school_grid", args=[school.pk, mon.year, "final"])).status_code == 404
    for indicator in Indicator.objects.filter(municipality=mon.municipality_a):
        assert client.get(reverse("monitoring:indicator_detail", args=[indicator.pk])).status_code == 404
    # Lists and exports show nothing of A either.
    html = client.get(reverse("monitoring:self_assessment_list")).content.decode()
    assert mon.school.short_name not in html
    html = client.get(reverse("monitoring:indicator_list")).content.decode()
    assert "teachers-training" not in html
    html = client.get(reverse("monitoring:queue")).content.decode()
    assert mon.school.short_name not in html
    from io import BytesIO

    import openpyxl

    for url in (reverse("monitoring:self_assessment_export"), reverse("monitoring:queue_export"),
                reverse("monitoring:indicator_list_export")):
        workbook = openpyxl.load_workbook(BytesIO(client.get(url).content))
        cells = {str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c is not None}
        assert mon.school.short_name not in cells and mon.municipality_a.name not in cells, url


def test_file_downloads_are_attachments_with_the_original_name(client, mon):
    sa = SelfAssessment.objects.get(school=mon.school, year=mon.year, stage=Stage.ENTRY, is_current=True)
    client.force_login(mon.users["coordinator"])
    response = client.get(reverse("monitoring:self_assessment_file", args=[sa.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    report = OpenReport.objects.get(school=mon.school)
    response = client.get(reverse("monitoring:open_report_file", args=[report.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_media_files_are_not_served_by_url(client, mon):
    sa = SelfAssessment.objects.filter(school=mon.school).first()
    client.force_login(mon.users["department"])
    assert client.get("/media/" + sa.file.name).status_code == 404
    assert client.get("/media-is-not-served/" + sa.file.name).status_code == 404
