"""A roadmap of 300 measures costs the same number of queries as one of 10 (lists, detail, print, export, home)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.selectors import home_items
from tests.programs.conftest import make_programme

pytestmark = pytest.mark.django_db


def queries(callable_):
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context)


@pytest.mark.parametrize("url_name", ["programs:detail", "programs:print", "programs:export", "programs:history"])
@pytest.mark.parametrize("username", ["coordinator", "department"])
def test_roadmap_pages_keep_their_query_count_from_10_to_300_measures(client, demo, municipality_a, url_name, username):
    small = make_programme(municipality=municipality_a, measures=10, sections=5)
    large = make_programme(municipality=municipality_a, measures=300, sections=12)
    client.force_login(demo[username])

    def get(programme):
        def run():
            response = client.get(reverse(url_name, args=[programme.pk]))
            assert response.status_code == 200
            if url_name == "programs:detail":
                html = response.content.decode()
                assert html.count('class="measure-row') == programme.measures.count()

        return run

    get(small)()  # warm up (sessions, content types)
    assert queries(get(large)) == queries(get(small))


def test_section_and_row_responses_are_constant(client, demo, municipality_a):
    small = make_programme(municipality=municipality_a, measures=10, sections=1)
    large = make_programme(municipality=municipality_a, measures=300, sections=1)
    client.force_login(demo["coordinator"])

    def section_view(programme):
        return lambda: client.get(
            reverse("programs:section", args=[programme.sections.get().pk]), HTTP_HX_REQUEST="true"
        )

    def move(programme):
        measure = programme.measures.order_by("position")[5]
        return lambda: client.post(reverse("programs:measure_move", args=[measure.pk, "up"]), HTTP_HX_REQUEST="true")

    section_view(small)()
    assert queries(section_view(large)) == queries(section_view(small))
    assert queries(move(large)) == queries(move(small))


def test_programme_list_keeps_its_query_count(client, demo, municipality_a):
    client.force_login(demo["coordinator"])
    make_programme(municipality=municipality_a, measures=5, sections=1)

    def run():
        assert client.get(reverse("programs:list")).status_code == 200

    run()
    before = queries(run)
    for index in range(20):
        make_programme(municipality=municipality_a, measures=30, sections=3, title=f"Программа {index}")
    assert queries(run) == before


@pytest.mark.parametrize("username", ["coordinator", "school", "department", "curator"])
def test_home_items_keep_their_query_count(demo, programmes, municipality_a, username):
    from django.contrib.auth import get_user_model

    def run():
        user = get_user_model().objects.get(username=username)  # fresh: the roles are read once per user object
        home_items(user=user)

    before = queries(run)
    make_programme(municipality=municipality_a, measures=300, sections=10, title="Большая программа")
    make_programme(school=programmes["draft"].school, measures=300, sections=10, title="Большая школьная")
    assert queries(run) == before
