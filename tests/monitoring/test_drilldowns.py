"""«Каждое число — ссылка»: every number of the dashboards opens a list holding exactly the rows it counts. The test
walks every number cell of a page, follows its link as the same user and compares the rows of the list it opens
(the paginator's count) with the number (for a share: with the count it is a share of)."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from monitoring.figures import FIGURES_BY_KEY, PERCENT, SHARES, year_figures
from tests.seeding import seed_or_replay

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="([^"]+)" class="figure-link" data-figure="([^"]+)" data-value="([^"]*)"')
PART_OF = {share_key: part for share_key, part, _whole in SHARES}


@pytest.fixture
def world(mon):
    from partnerships.demo import seed_partnerships

    seed_or_replay(seed_partnerships)
    return mon


def cells(html: str) -> list[tuple[str, str, str]]:
    """(figure key, link, value) of every number cell in a piece of a page."""
    return [(key, html_lib.unescape(url), value) for url, key, value in LINK.findall(html)]


def rows_behind(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def assert_every_number_is_its_rows(client, found: list[tuple[str, str, str]], counts: dict) -> None:
    """Each cell's number is the figure, and its link opens a list of as many rows as the figure counts."""
    assert found
    wrong = []
    for key, url, value in found:
        counted = counts[PART_OF[key]] if FIGURES_BY_KEY[key].kind == PERCENT else counts[key]
        if FIGURES_BY_KEY[key].kind != PERCENT:
            assert value == str(counted), key
        shown = rows_behind(client, url)
        if shown != counted:
            wrong.append(f"{key}: {counted} counted, {shown} listed at {url}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("years_back", [0, 1], ids=["this year", "last year"])
def test_every_number_of_the_coordinators_municipality_page_opens_its_rows(client, world, years_back):
    """This school year, and last one (counted on its last day: overdue measures, tutors on 31 August)."""
    user, a, year = world.users["coordinator"], world.municipality_a, world.year - years_back
    client.force_login(user)
    page = client.get(reverse("monitoring:dashboard_municipality", args=[a.pk]), {"year": year})
    found = cells(page.content.decode())
    assert {key for key, _url, _value in found} == set(FIGURES_BY_KEY)
    row = year_figures(user=user, year=year).rows[a.pk]
    # the demo gives most figures something to count, so that equal means something
    assert sum(1 for key, figure in FIGURES_BY_KEY.items() if figure.kind != PERCENT and row[key]) >= (
        25 if not years_back else 5
    )
    assert_every_number_is_its_rows(client, found, row)


def test_every_number_of_the_departments_dashboard_opens_its_rows(client, world):
    user, a = world.users["department"], world.municipality_a
    client.force_login(user)
    html = client.get(reverse("monitoring:dashboard"), {"year": world.year}).content.decode()
    figures = year_figures(user=user, year=world.year)
    start = html.index(f'<tr data-municipality="{a.pk}"')
    municipality_row = html[start : html.index("</tr>", start)]
    assert_every_number_is_its_rows(client, cells(municipality_row), figures.rows[a.pk])
    total = html[html.index('data-municipality="total"') :]  # the totals row and the region's sections below it
    found = cells(total)
    assert {key for key, _url, _value in found} == set(FIGURES_BY_KEY)
    assert_every_number_is_its_rows(client, found, figures.total)


# The numbers each role's home page shows with the demo data (the rest appear when there is something to count).
HOME_NUMBERS = {
    "department": {
        "home-municipalities", "home-schools", "home-sa-waiting", "home-values-waiting", "home-reviews",
        "home-agreements-in-force", "home-sessions", "home-sessions-disputed", "home-practices", "home-practices-waiting",
        "home-teachers", "home-with-plan",
    },
    "coordinator": {
        "home-schools", "home-shnor", "home-sa-waiting", "home-values-waiting", "home-reviews", "home-measures-overdue",
        "home-agreements-signed", "home-listed", "home-teachers",
    },
    "school": {"home-sessions-to-confirm", "home-programme-done", "home-programme-measures", "home-programme-overdue"},
    "curator": {"home-agreement-held", "home-agreement-pending", "home-agreement-disputed"},
    "tutor": {"home-schools", "home-my-teachers", "home-my-overdue-plans"},
    "curator_org": {"home-agreement-held"},
    "expert": {"home-reviews"},
}  # fmt: skip


@pytest.fixture
def home_world(world):
    """The demo, with one of each thing the home pages count that the demo leaves at nought: a practice waiting for
    moderation, a session the supported school disputed, an ИПРП item of the tutor's teacher past its date, a review
    waiting for the institute's expert."""
    import datetime

    from django.utils import timezone

    from partnerships.models import DevelopmentPlan, DevelopmentPlanItem, Practice, SupportSession, TutorAssignment

    today = timezone.localdate()
    practice = Practice.objects.filter(status=Practice.Status.PUBLISHED).first()
    if not Practice.objects.filter(status=Practice.Status.SUBMITTED).exists():
        Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.SUBMITTED)
    if not SupportSession.objects.filter(status=SupportSession.Status.DISPUTED, held_on__lte=today).exists():
        session = SupportSession.objects.filter(status=SupportSession.Status.CONFIRMED).order_by("-held_on").first()
        SupportSession.objects.filter(pk=session.pk).update(status=SupportSession.Status.DISPUTED)
    teachers = TutorAssignment.objects.current(today).filter(tutor=world.users["tutor"]).values("teacher_id")
    plan = DevelopmentPlan.objects.filter(teacher__in=teachers, status=DevelopmentPlan.Status.ACTIVE).first()
    DevelopmentPlanItem.objects.filter(plan=plan).update(due_on=today - datetime.timedelta(days=3))
    return world


@pytest.mark.parametrize("role", list(HOME_NUMBERS))
def test_every_number_of_the_home_page_opens_its_rows(client, home_world, role):
    """Each role's home page: every number is a link («Каждое число — ссылка»), and the list it opens holds as many
    rows as the number says."""
    client.force_login(home_world.users[role])
    html = client.get(reverse("home")).content.decode()
    found = cells(html)
    missing = HOME_NUMBERS[role] - {key for key, _url, _value in found}
    assert not missing, f"not a link on the home page: {missing}"
    wrong = [
        f"{key}: {value} shown, {shown} listed at {url}"
        for key, url, value in found
        if (shown := rows_behind(client, url)) != int(value)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ["department", "coordinator"])
def test_every_number_of_the_yearly_reports_summary_links_to_its_rows(client, world, role, settings):
    """The summary sheet's numbers carry a hyperlink to the portal's list of their rows (absolute, with the site's
    address `PORTAL_BASE_URL`); the list holds as many rows as the number."""
    import io

    import openpyxl

    from monitoring.yearly_report import Report
    from shnor_portal.spreadsheets import xlsx_write_typed

    settings.PORTAL_BASE_URL = "https://shnor.example.ru/"
    user = world.users[role]
    municipality = world.municipality_a if role == "coordinator" else None
    report = Report(user=user, year=world.year, municipality=municipality)
    target = io.BytesIO()
    xlsx_write_typed(target, [report.summary()])
    sheet = openpyxl.load_workbook(io.BytesIO(target.getvalue()))["Сводка"]
    links = {row[3].value: row[4].hyperlink.target for row in sheet.iter_rows(min_row=2) if row[4].hyperlink}
    assert set(links) == set(FIGURES_BY_KEY)
    client.force_login(user)
    found = [(key, url.removeprefix("https://shnor.example.ru"), "") for key, url in links.items()]
    assert all(url.startswith("/") for _key, url, _value in found)
    total = report.figures.total
    wrong = []
    for key, url, _value in found:
        counted = total[PART_OF[key]] if FIGURES_BY_KEY[key].kind == PERCENT else total[key]
        if (shown := rows_behind(client, url)) != counted:
            wrong.append(f"{key}: {counted} counted, {shown} listed at {url}")
    assert not wrong, "\n".join(wrong)


def test_the_missing_self_assessments_list_its_pages_and_its_export_hold_the_pairs(client, world, settings):
    """«Не сдана в срок» lists (school × stage) pairs: page after page and in the export, as many as the figure."""
    import io

    import openpyxl

    settings.PAGE_SIZE = 1
    user, a = world.users["coordinator"], world.municipality_a
    missing = year_figures(user=user, year=world.year).rows[a.pk]["sa_missing"]
    assert missing >= 2
    client.force_login(user)
    query = {"municipality": a.pk, "year": world.year, "status": "missing"}
    first = client.get(reverse("monitoring:self_assessment_list"), query)
    html = first.content.decode()
    assert "не сдана в срок (нет загрузки)" in html and "Срок сдачи" in html
    assert "status=missing" in first.context["query"]  # the page links keep the mode
    seen = set()
    for number in range(1, missing + 1):
        page = client.get(reverse("monitoring:self_assessment_list"), {**query, "page": number}).context["page"]
        seen |= {(row["school"].pk, row["stage"].code) for row in page.object_list}
    assert len(seen) == missing
    export = client.get(reverse("monitoring:self_assessment_export"), query)
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row - 1 == missing
    assert [cell.value for cell in sheet[1]] == ["Муниципалитет", "Школа", "Учебный год", "Этап", "Срок сдачи"]


@pytest.mark.parametrize(
    ("url_name", "query"),
    [("programs:measures", {"status": "active"}), ("partnerships:practice_downloads", {})],
)
def test_the_new_lists_read_a_fixed_number_of_queries_however_many_rows_a_page_shows(
    client, world, settings, url_name, query
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users["department"])
    client.get(reverse(url_name), query)  # warm up: the user's reach is read once and kept

    def queries(page_size: int) -> tuple[int, int]:
        settings.PAGE_SIZE = page_size
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse(url_name), query)
        return len(context), len(response.context["page"].object_list)

    (few, shown_few), (many, shown_many) = queries(1), queries(50)
    assert shown_many > shown_few
    assert few == many


def test_the_home_numbers_filters_open_nothing_beyond_the_users_reach(client, home_world):
    """The outsider (another municipality's coordinator) typing the links of municipality A's home numbers into the
    address sees no row of municipality A: the lists stay scoped whatever the filter says."""
    from partnerships.models import Agreement
    from programs.models import Programme
    from schools.demo import SCHOOL_TEAM_SCHOOL

    agreement = Agreement.objects.get(number="1-ШНОР")
    programme = Programme.objects.filter(school__short_name=SCHOOL_TEAM_SCHOOL).first()
    a = home_world.municipality_a.pk
    lists = [
        (f"{reverse('partnerships:sessions')}?agreement={agreement.pk}", "agreement__supported_school__municipality_id"),
        (f"{reverse('programs:measures')}?programme={programme.pk}", "programme__municipality_id"),
        (f"{reverse('programs:list')}?review=mine", "municipality_id"),
        (f"{reverse('partnerships:teachers')}?mine=me", "school__municipality_id"),
        (f"{reverse('partnerships:plans')}?mine=me&due=overdue", "teacher__school__municipality_id"),
    ]

    def municipalities(url: str, path: str) -> set[int]:
        response = client.get(url)
        assert response.status_code == 200, url
        return set(response.context["page"].paginator.object_list.values_list(path, flat=True))

    client.force_login(home_world.users["coordinator"])
    assert municipalities(*lists[0]) == {a} and municipalities(*lists[1]) == {a}
    client.force_login(home_world.users["coordinator_b"])
    for url, path in lists:
        assert a not in municipalities(url, path), url


@pytest.mark.parametrize("username", ["department", "coordinator"])
@pytest.mark.parametrize(
    ("url_name", "query"),
    [("programs:measures", {"status": "active"}), ("programs:measures", {}),
     ("partnerships:practice_downloads", {"year": ""}), ("partnerships:practice_downloads", {})],
)  # fmt: skip
def test_the_new_lists_export_the_rows_they_count_with_the_same_filters(client, world, username, url_name, query):
    """The list's «Выгрузить в Excel» keeps its filters: the workbook holds the rows the page counts, one a row."""
    import io

    import openpyxl

    client.force_login(world.users[username])
    page = client.get(reverse(url_name), query)
    assert reverse(url_name + "_export") in page.content.decode()  # the button
    export = client.get(reverse(url_name + "_export"), query)
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row - 1 == page.context["page"].paginator.count > 0
