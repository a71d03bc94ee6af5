"""The public pages of a region: what an anonymous visitor sees, downloads and never sees."""

import json
import re

import pytest
from django.db import reset_queries
from django.urls import reverse

from tests.public.conftest import SECRET_EMAIL, SECRET_FIRST_NAME, SECRET_NAME, add_schools, approve, event, practice

pytestmark = pytest.mark.django_db


def page(client, land):
    response = client.get(reverse("public:region", args=[land.region.pk]))
    assert response.status_code == 200
    return response.content.decode()


def year_figures_shown(html: str) -> dict[int, dict[str, int]]:
    """The figures of the table «Показатели по учебным годам», as a visitor reads them."""
    shown = {}
    for year, cells in re.findall(r'<tr data-year="(\d+)">(.*?)</tr>', html, re.S):
        shown[int(year)] = {key: int(value) for key, value in re.findall(r'data-key="(\w+)">(\d+)<', cells)}
    return shown


def chart_data(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


def test_the_index_lists_the_regions_with_schools_without_a_login(client, land):
    from schools.models import Region

    empty = Region.objects.create(name="Пустая область")
    html = client.get(reverse("public:index")).content.decode()
    assert reverse("public:region", args=[land.region.pk]) in html and land.other.name in html
    assert empty.name not in html
    assert "Войти" in html and "Мой кабинет" not in html  # nothing that needs a login


def test_the_page_shows_published_practices_acts_and_upcoming_events_only(client, land):
    html = page(client, land)
    assert land.published.title in html
    assert reverse("public:practice_file", args=[land.region.pk, land.published_file.pk]) in html
    for hidden in (land.draft, land.waiting, land.foreign_practice):
        assert hidden.title not in html
    assert land.act.title in html and land.municipal_act.title in html and land.foreign_act.title not in html
    assert reverse("public:act_file", args=[land.region.pk, land.act.pk]) in html
    assert land.upcoming.title in html and land.municipal.title in html  # today's event is still upcoming
    for hidden in (land.past, land.cancelled, land.foreign_event):
        assert hidden.title not in html
    assert land.region.department_name in html
    assert "«информирование педагогической общественности" in html  # the default text, quoting the seeds


def test_an_anonymous_download_of_a_published_practice_is_counted(client, land):
    from partnerships.models import PracticeDownload

    url = reverse("public:practice_file", args=[land.region.pk, land.published_file.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.get(url)
    land.published.refresh_from_db()
    assert land.published.download_count == 2
    downloads = PracticeDownload.objects.filter(practice=land.published)
    assert downloads.count() == 2 and set(downloads.values_list("user", flat=True)) == {None}
    assert set(downloads.values_list("file", flat=True)) == {land.published_file.pk}


def test_drafts_files_of_another_region_and_acts_without_a_file_are_404_and_not_counted(client, land):
    from partnerships.models import PracticeDownload

    region = land.region.pk
    for url in (
        reverse("public:practice_file", args=[region, land.draft_file.pk]),
        reverse("public:practice_file", args=[region, land.waiting_file.pk]),
        reverse("public:practice_file", args=[region, land.foreign_file.pk]),  # published, but of another region
        reverse("public:practice_file", args=[land.other.pk, land.published_file.pk]),
        reverse("public:act_file", args=[region, land.municipal_act.pk]),  # no file
        reverse("public:act_file", args=[region, land.foreign_act.pk]),
        reverse("public:act_file", args=[land.other.pk, land.act.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert not PracticeDownload.objects.exists()
    response = client.get(reverse("public:act_file", args=[region, land.act.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_the_public_pages_take_no_post_and_a_head_counts_no_download(client, land):
    region_url = reverse("public:region", args=[land.region.pk])
    file_url = reverse("public:practice_file", args=[land.region.pk, land.published_file.pk])
    assert client.post(region_url).status_code == 405 and client.post(file_url).status_code == 405
    assert client.head(region_url).status_code == 200
    assert client.head(file_url).status_code == 405
    land.published.refresh_from_db()
    assert land.published.download_count == 0


def test_the_list_of_shnor_is_shown_only_when_the_department_publishes_it(client, land):
    from public_pages.models import PublicPage

    listed = [land.s1.name, land.s3.name, land.s5.name]  # ШНОР and «ШНОР и ШНСУ» of this year's list
    html = page(client, land)
    assert 'id="list"' not in html and not any(name in html for name in listed)
    PublicPage.objects.create(region=land.region, publish_list=True)
    html = page(client, land)
    section = html[html.index('id="list"'):html.index('id="acts"')]
    assert all(name in section for name in listed)
    assert land.m1.name in section and land.m2.name in section
    for not_shnor in (land.s2, land.s4, land.s6, land.foreign):  # ШНСУ only, not listed, another region
        assert not_shnor.name not in section


def test_no_personal_data_reaches_the_pages(client, land):
    from public_pages.models import PublicPage

    PublicPage.objects.create(region=land.region, publish_list=True)
    pages = [reverse(f"public:{name}", args=[land.region.pk]) for name in ("region", "acts", "practices")]
    for url in (reverse("public:index"), *pages):
        html = client.get(url).content.decode()
        for secret in (SECRET_NAME, SECRET_FIRST_NAME, SECRET_EMAIL, land.person.username):
            assert secret not in html, (url, secret)


def test_the_figures_by_school_year_are_the_regions_own(client, land):
    """Two years ago s1 and s2 were ШНОР; last year had no list (it counts by that one); this year s1, s5 are ШНОР,
    s2 ШНСУ, s3 both. Accepted programmes: s1's (last year and this), s3's (this year); s4's is of a school off the
    list and s5's is not accepted."""
    from monitoring.figures import year_figures

    y = land.year
    shown = year_figures_shown(page(client, land))
    assert shown == {
        y - 2: {"shnor": 2, "shnsu": 0, "accepted": 0},
        y - 1: {"shnor": 2, "shnsu": 0, "accepted": 1},
        y: {"shnor": 3, "shnsu": 2, "accepted": 2},
    }
    # the numbers of the region's department's dashboard
    for each in (y - 1, y):
        total = year_figures(user=land.department, year=each, region=land.region).total
        assert {key: total[key] for key in ("shnor", "shnsu", "accepted")} == shown[each], each


def test_the_results_chart_sets_shnor_against_the_other_schools_of_the_region(client, land):
    """By this year's list s1 and s3 are ШНОР: last year 50 and 60 (mean 55) against s2 70 and s4 80 (mean 75); two
    years ago s1 40 against s2 60. The other region's school is not counted."""
    html = page(client, land)
    (chart,) = chart_data(html, "dynamics-chart-data")
    series = {s["kind"]: s["data"] for s in chart["series"]}
    assert chart["title"] == "ЕГЭ: тестовый предмет"
    assert series["shnor"][-3:] == [40.0, 55.0, None] and series["other"][-3:] == [60.0, 75.0, None]
    years = chart_data(html, "years-chart-data")
    assert [s["data"] for s in years["series"]] == [[2, 2, 3], [0, 0, 2], [0, 1, 2]]
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html and "cdn" not in html.lower()


def test_the_page_reads_the_same_number_of_queries_at_two_sizes(client, land, django_assert_max_num_queries):
    from partnerships.models import Practice
    from schools.models import Act, Status

    url = reverse("public:region", args=[land.region.pk])
    client.get(url)  # the first visit counts the region's summaries (monitoring.summaries); later ones read them
    reset_queries()  # the log keeps the last 9,000 queries: a full one would capture nothing
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    few = len(few.captured_queries)
    more = add_schools(land.m2, 12, first=10)
    approve(land.region, land.year - 1, {school: Status.SHNOR for school in more})
    for n, school in enumerate(more):
        practice(school, f"Практика {n}", Practice.Status.PUBLISHED)
        event(land.region, f"Семинар {n}", land.today, municipality=land.m2)
        Act.objects.create(kind=Act.Kind.ORDER, number=f"{n}", date=land.today, title=f"Приказ {n}", issuer="ИРО",
                           region=land.region)  # fmt: skip
    client.get(url)  # the changes marked the summaries: counted again once
    reset_queries()
    with django_assert_max_num_queries(few):
        html = client.get(url).content.decode()
    assert html.count("public-practice") == 13 and "Семинар 11" in html and "Приказ 11" in html


def test_a_second_visit_reads_the_counted_figures_and_sees_a_change_at_once(
    client, land, django_assert_max_num_queries
):
    from public_pages.models import PublicPage

    url = reverse("public:region", args=[land.region.pk])
    first = client.get(url).content.decode()
    with django_assert_max_num_queries(20):  # the lists as they are, the figures from their summaries
        again = client.get(url).content.decode()
    main = lambda html: html[html.index("<main"):html.index("</main>")]  # noqa: E731  (the CSRF token differs)
    assert main(again) == main(first)
    # a change of the data or of the page's settings is seen at once
    event(land.region, "Новый семинар", land.today)
    assert "Новый семинар" in client.get(url).content.decode()
    PublicPage.objects.create(region=land.region, about="Новый текст о проекте.")
    assert "Новый текст о проекте." in client.get(url).content.decode()
    # a download is never served from a cache: each one is counted
    download = reverse("public:practice_file", args=[land.region.pk, land.published_file.pk])
    for _ in range(3):
        client.get(download)
    land.published.refresh_from_db()
    assert land.published.download_count == 3
