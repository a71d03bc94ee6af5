"""Dashboards of the year: the coordinator's municipality on one page, the department's municipalities side by side,
the school's «what is due». Numbers are links to the lists they count, scope holds (the outsider sees nothing of A),
and the number of queries stays the same as the region grows."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.computed import compute
from monitoring.figures import FIGURES, year_figures
from monitoring.filters import self_assessments_filtered
from partnerships.models import SupportSession
from partnerships.selectors import session_list
from programs.models import MeasureStatus, Programme, RoadmapMeasure, RoadmapSection
from schools.filters import registry_schools, status_counts
from schools.models import School, SchoolYearStatus, Status
from tests.seeding import seed_or_replay

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'<(a|span)[^>]*data-figure="([^"]+)" data-value="([^"]*)"[^>]*>')


@pytest.fixture
def yr(mon):
    from partnerships.demo import seed_partnerships

    seed_or_replay(seed_partnerships)
    return mon


def figures_in(html: str, *, municipality: str) -> dict[str, str]:
    """The figures shown inside the block of one municipality (data-municipality="<id>" or "total")."""
    start = html.index(f'data-municipality="{municipality}"')
    block = html[start:]
    found = {}
    for tag, key, value in FIGURE.findall(block):
        found.setdefault(key, (tag, value))
    return found


def test_coordinator_dashboard_shows_every_figure_of_the_municipality_as_a_link(client, yr):
    client.force_login(yr.users["coordinator"])
    response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 302  # one municipality: straight to its page
    response = client.get(response.url)
    assert response.status_code == 200
    html = response.content.decode()
    shown = figures_in(html, municipality=str(yr.municipality_a.pk))
    assert set(shown) == {f.key for f in FIGURES}
    assert all(tag == "a" for tag, _value in shown.values())
    figures = year_figures(user=yr.users["coordinator"], year=yr.year).rows[yr.municipality_a.pk]
    for key, (_tag, value) in shown.items():
        assert value == ("" if figures[key] is None else str(figures[key])), key
    # the demo makes the page meaningful: ШНОР, programmes, overdue measures, agreements, a waiting self-assessment
    assert figures["shnor"] > 0 and figures["with_programme"] > 0 and figures["measures_overdue"] > 0
    assert figures["agreements_in_force"] > 0 and figures["sa_submitted"] == 1 and figures["sa_missing"] > 0
    assert figures["indicators_met"] + figures["indicators_not_met"] > 0


def test_every_link_of_the_coordinator_dashboard_opens_for_the_coordinator(client, yr):
    client.force_login(yr.users["coordinator"])
    html = client.get(reverse("monitoring:dashboard_municipality", args=[yr.municipality_a.pk])).content.decode()
    links = set(re.findall(r'<a href="([^"]+)" class="figure-link"', html))
    assert len(links) > 15
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_figures_equal_the_lists_behind_them(yr):
    """Where a list filters exactly what a figure counts, the list holds as many rows as the figure says."""
    user, year, a = yr.users["coordinator"], yr.year, yr.municipality_a
    figures = year_figures(user=user, year=year)
    row = figures.rows[a.pk]
    for key in ("shnor", "shnsu", "both"):
        _filter, schools = registry_schools(user=user, data={"municipality": a.pk, "year": figures.list_year})
        assert status_counts(schools)[key] == row[key], key
    start, end = figures.period
    for status, key in ((SupportSession.Status.CONFIRMED, "sessions"), (SupportSession.Status.PENDING, "sessions_pending")):
        _filter, sessions = session_list(
            user=user, data={"municipality": a.pk, "status": status, "held_from": start, "held_to": end}
        )
        assert sessions.count() == row[key], key
    assert row["sessions_pending"] >= 1
    for status in ("submitted", "returned", "accepted"):
        _filter, assessments = self_assessments_filtered(
            user=user, data={"municipality": a.pk, "year": year, "status": status}
        )
        assert assessments.count() == row[f"sa_{status}"], status
    from programs.access import visible_programmes
    from programs.filters import ProgrammeFilter

    for state in Programme.State:
        programmes = ProgrammeFilter(
            {"municipality": a.pk, "year": year, "state": state.value}, queryset=visible_programmes(user), user=user
        ).qs
        assert programmes.count() == row[f"programmes_{state.value}"], state
    assert sum(row[f"programmes_{state.value}"] for state in Programme.State) > row["with_programme"]


def test_programme_share_is_the_computed_indicators_value(yr):
    """«Passed review» on the dashboard is the computed indicator `accepted_programme_share`, to the decimal."""
    figures = year_figures(user=yr.users["department"], year=yr.year)
    for municipality, row in figures.row_list():
        expected = compute("accepted_programme_share", year=yr.year, municipality=municipality)
        assert row["accepted_share"] == (None if expected is None else round(expected, 1)), municipality


def test_department_sees_municipalities_side_by_side_with_results_charts(client, yr):
    client.force_login(yr.users["department"])
    response = client.get(reverse("monitoring:dashboard"), {"year": yr.year})
    assert response.status_code == 200
    html = response.content.decode()
    for municipality in response.context["figures"].municipalities:
        assert f'data-municipality="{municipality.pk}"' in html
    assert 'id="dynamics-chart-data"' in html and 'class="dynamics-chart"' in html
    charts = response.context["charts"]
    assert charts and {s["kind"] for s in charts[0]["series"]} == {"shnor", "other"}
    # no inline script and no event-handler attributes: the charts read their data from json_script
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_department_pages_and_searches_the_municipalities_while_totals_stay_whole(client, yr, settings):
    from monitoring import dashboard_views
    from schools.models import Municipality, Region

    region = Region.objects.order_by("pk").first()
    Municipality.objects.bulk_create(
        [Municipality(region=region, name=f"Тестовый район № {number:02d}") for number in range(60)]
    )
    client.force_login(yr.users["department"])
    first = client.get(reverse("monitoring:dashboard"), {"year": yr.year})
    shown = first.content.decode().count('<tr data-municipality="') - 1  # minus the totals row
    assert shown == dashboard_views.MUNICIPALITIES_PER_PAGE
    total_row = first.context["total"]
    second = client.get(reverse("monitoring:dashboard"), {"year": yr.year, "page": 2})
    assert second.context["total"] == total_row  # the totals are the whole region's on every page
    names = {row["municipality"].name for row in first.context["rows"]} | {
        row["municipality"].name for row in second.context["rows"]
    }
    assert len(names) == first.context["page"].paginator.count == Municipality.objects.count()
    found = client.get(reverse("monitoring:dashboard"), {"year": yr.year, "q": "тестовый район № 07"})
    assert [row["municipality"].name for row in found.context["rows"]] == ["Тестовый район № 07"]
    nothing = client.get(reverse("monitoring:dashboard"), {"year": yr.year, "q": "Атлантида"})
    assert "Муниципалитетов с таким названием нет" in nothing.content.decode()


def test_the_year_chooser_changes_the_figures(client, yr):
    """Last year's sessions (summer 2026) are counted in 2025/26, not in 2026/27."""
    user = yr.users["department"]
    this_year = year_figures(user=user, year=yr.year).total
    last_year = year_figures(user=user, year=yr.year - 1).total
    held = SupportSession.objects.filter(status=SupportSession.Status.CONFIRMED)
    start, end = datetime.date(yr.year - 2, 9, 1), datetime.date(yr.year - 1, 8, 31)
    assert last_year["sessions"] == held.filter(held_on__gte=start, held_on__lte=end).count()
    assert this_year["sessions"] == held.filter(held_on__gt=end).count()
    client.force_login(user)
    assert client.get(reverse("monitoring:dashboard"), {"year": "1999"}).status_code == 404
    assert client.get(reverse("monitoring:dashboard"), {"year": "abc"}).status_code == 404


def test_outsider_sees_nothing_of_municipality_a(client, yr):
    outsider = yr.users["coordinator_b"]
    figures = year_figures(user=outsider, year=yr.year)
    assert [m.pk for m in figures.municipalities] == [yr.municipality_b.pk]
    assert all(r["municipality"] in (None, yr.municipality_b) for r in figures.indicator_rows)
    assert {d["municipality_id"] for d in figures.dynamics} <= {yr.municipality_b.pk, None}
    client.force_login(outsider)
    assert client.get(reverse("monitoring:dashboard_municipality", args=[yr.municipality_a.pk])).status_code == 404
    response = client.get(reverse("monitoring:dashboard"), follow=True)
    html = response.content.decode()
    assert yr.municipality_b.name in html and yr.municipality_a.name not in html
    for school in yr.municipality_a.schools.all():
        assert school.short_name not in html


@pytest.mark.parametrize("username", ["school", "curator", "tutor"])
def test_dashboards_are_for_coordinators_and_the_department(client, yr, username):
    client.force_login(yr.users[username])
    assert client.get(reverse("monitoring:dashboard")).status_code == 403
    assert client.get(reverse("monitoring:dashboard_municipality", args=[yr.municipality_a.pk])).status_code == 403
    assert year_figures(user=yr.users[username], year=yr.year).municipalities == []


def test_the_departments_table_shows_one_group_of_columns_and_keeps_the_others_in_the_page(client, yr):
    client.force_login(yr.users["department"])

    def header(html: str, label: str) -> str:
        return re.search(rf"<th scope=\"col\"[^>]*>{re.escape(label)}</th>", html).group(0)

    html = client.get(reverse("monitoring:dashboard"), {"year": yr.year}).content.decode()
    assert "hidden" not in header(html, "Школ всего")
    assert "hidden" in header(html, "Скачиваний практик за год")
    assert 'data-figure="downloads"' in html  # hidden, not left out
    # a link that works without scripts: the group in the address, kept by the search and the pages
    html = client.get(reverse("monitoring:dashboard"), {"year": yr.year, "columns": "teachers"}).content.decode()
    assert "hidden" in header(html, "Школ всего")
    assert "hidden" not in header(html, "Скачиваний практик за год")
    assert '<input type="hidden" name="columns" value="teachers">' in html
    html = client.get(reverse("monitoring:dashboard"), {"year": yr.year, "columns": "nonsense"}).content.decode()
    assert "hidden" not in header(html, "Школ всего")


def test_the_hub_links_the_dashboard_and_the_report(client, yr):
    client.force_login(yr.users["coordinator"])
    html = client.get(reverse("monitoring:index")).content.decode()
    assert reverse("monitoring:dashboard") in html and reverse("monitoring:report") in html
    client.force_login(yr.users["school"])
    html = client.get(reverse("monitoring:index")).content.decode()
    assert reverse("monitoring:dashboard") not in html


def test_school_page_shows_what_is_due_with_links(client, yr):
    school = yr.school
    programme = Programme.objects.filter(school=school).first() or Programme.objects.create(
        kind=Programme.Kind.ANTI_RISK, title="Программа", municipality=school.municipality, school=school,
        period_start=yr.year - 1, period_end=yr.year,
    )
    section = RoadmapSection.objects.create(programme=programme, position=99, title="Задача")
    RoadmapMeasure.objects.create(
        programme=programme, section=section, position=1, name="Просроченное мероприятие",
        deadline=datetime.date.today() - datetime.timedelta(days=3), status=MeasureStatus.PLANNED,
    )
    client.force_login(yr.users["school"])
    response = client.get(reverse("monitoring:school", args=[school.pk]))
    html = response.content.decode()
    due = {item["label"]: item for item in response.context["due"]}
    overdue = due["Просроченные мероприятия программ"]
    assert overdue["count"] >= 1 and overdue["url"].startswith(reverse("programs:list"))
    assert "Что предстоит" in html and overdue["url"].replace("&", "&amp;") in html
    assert "Сопровождающие мероприятия куратора ждут подтверждения" in due  # the demo's pending session


# --- a constant number of queries ------------------------------------------------------------------------------------


def _grow(yr, count: int) -> None:
    """`count` more schools in A, on the list as ШНОР, each with a school programme and one overdue measure."""
    start = School.objects.count()
    schools = School.objects.bulk_create(
        School(municipality=yr.municipality_a, short_name=f"Доп. школа {start + i}", name=f"Школа {start + i}")
        for i in range(count)
    )
    run = SchoolYearStatus.objects.filter(year__lte=yr.year).order_by("-year").first()
    SchoolYearStatus.objects.bulk_create(
        SchoolYearStatus(school=s, year=run.year, status=Status.SHNOR, run=run.run) for s in schools
    )
    programmes = Programme.objects.bulk_create(
        Programme(kind=Programme.Kind.TRANSITION, title=f"Программа {s.short_name}", municipality=yr.municipality_a,
                  school=s, period_start=yr.year - 1, period_end=yr.year, state=Programme.State.ACCEPTED)
        for s in schools
    )
    sections = RoadmapSection.objects.bulk_create(RoadmapSection(programme=p, title="Задача") for p in programmes)
    RoadmapMeasure.objects.bulk_create(
        RoadmapMeasure(programme=p, section=s, name="Мероприятие", deadline=datetime.date(yr.year - 1, 10, 1))
        for p, s in zip(programmes, sections, strict=True)
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("username", ["department", "coordinator"])
def test_dashboards_keep_their_query_count_as_schools_grow(client, yr, username):
    client.force_login(yr.users[username])
    urls = [reverse("monitoring:dashboard_municipality", args=[yr.municipality_a.pk])]
    if username == "department":
        urls.append(reverse("monitoring:dashboard"))
    for url in urls:
        client.get(url)  # warm up
    _grow(yr, 5)
    small = {url: _queries(client, url) for url in urls}
    _grow(yr, 60)
    large = {url: _queries(client, url) for url in urls}
    assert large == small
    figures = year_figures(user=yr.users[username], year=yr.year).rows[yr.municipality_a.pk]
    assert figures["shnor"] >= 65 and figures["accepted"] >= 65


# The queries of one computation over the whole scope, per pooled indicator of the demo (`Indicator.aggregation`).
POOLED_SCOPE_QUERIES = {"shnor-share": 1, "accepted-programmes": 2}


@pytest.mark.parametrize("username", ["department", "coordinator"])
def test_year_figures_count_in_twenty_queries_and_one_computation_per_pooled_indicator(
    yr, username, django_assert_max_num_queries
):
    from monitoring.models import Indicator

    pooled = set(Indicator.objects.filter(aggregation=Indicator.Aggregation.POOLED).values_list("code", flat=True))
    assert pooled == set(POOLED_SCOPE_QUERIES)
    user = yr.users[username]
    year_figures(user=user, year=yr.year)  # the user's reach is read once and kept
    _grow(yr, 5)
    with django_assert_max_num_queries(20 + sum(POOLED_SCOPE_QUERIES.values())):
        year_figures(user=user, year=yr.year)


def test_a_chart_without_dynamics_says_why_and_every_chart_has_its_numbers_as_a_table(client, yr):
    from types import SimpleNamespace

    from monitoring.figures import DYNAMICS_YEARS, dynamics_charts

    def chart(shnor, other):
        item = {"municipality_id": None, "measure": SimpleNamespace(name="ЕГЭ, русский язык"), "shnor": shnor, "other": other}
        figures = SimpleNamespace(year=yr.year, dynamics=[item])
        return dynamics_charts(figures)[0]

    gap = [None] * (DYNAMICS_YEARS - 1)
    assert chart(gap + [61.0], gap + [70.0])["note"].startswith("Для динамики нужно два учебных года")
    assert chart([None] * DYNAMICS_YEARS, gap + [70.0])["note"].startswith("Результатов ШНОР за эти годы нет")
    assert chart([None] * (DYNAMICS_YEARS - 2) + [60.0, 61.0], [None] * (DYNAMICS_YEARS - 2) + [70.0, 71.0])["note"] == ""

    client.force_login(yr.users["department"])
    html = client.get(reverse("monitoring:dashboard")).content.decode()
    drawn = html.count('class="dynamics-chart"') + html.count("dynamics-note")
    assert drawn > 0 and html.count('class="visually-hidden dynamics-table"') == drawn
