"""Lists, detail pages, exports and the home items keep a constant number of queries as data grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import Indicator, IndicatorValue, RiskProfile, SelfAssessment, Stage
from monitoring.selectors import home_items
from schools.models import School

pytestmark = pytest.mark.django_db


def _grow(mon, count: int) -> None:
    """`count` more schools in municipality A, each with values of every stage, a submitted self-assessment and
    a risk profile."""
    start = School.objects.count()
    schools = School.objects.bulk_create(
        School(municipality=mon.municipality_a, short_name=f"Доп. школа {start + i}", name=f"Школа {start + i}")
        for i in range(count)
    )
    indicators = list(Indicator.objects.filter(municipality=mon.municipality_a, level="school", computed_by=""))
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=indicator, year=year, stage=stage, school=school, municipality=mon.municipality_a,
                       value=50, status=IndicatorValue.Status.SUBMITTED)
        for school in schools
        for indicator in indicators[:4]
        for year in (mon.year - 1, mon.year)
        for stage in Stage.values
    )
    SelfAssessment.objects.bulk_create(
        SelfAssessment(school=school, year=mon.year, stage=stage, file="monitoring/x.xlsx", original_name="x.xlsx")
        for school in schools
        for stage in Stage.values
    )
    RiskProfile.objects.bulk_create(RiskProfile(school=school, year=mon.year) for school in schools)


def _urls(mon):
    training = Indicator.objects.get(code="teachers-training", municipality=mon.municipality_a)
    network = Indicator.objects.get(code="network-schools", municipality=mon.municipality_a)
    return [
        reverse("monitoring:index"),
        reverse("monitoring:indicator_list"),
        reverse("monitoring:indicator_list_export"),
        reverse("monitoring:indicator_detail", args=[training.pk]),
        reverse("monitoring:indicator_detail", args=[training.pk]) + f"?year={mon.year}&stage=final",
        reverse("monitoring:indicator_detail", args=[network.pk]),
        reverse("monitoring:self_assessment_list"),
        reverse("monitoring:self_assessment_list") + "?versions=all&status=submitted",
        reverse("monitoring:self_assessment_export"),
        reverse("monitoring:queue"),
        reverse("monitoring:queue_export"),
        reverse("monitoring:school", args=[mon.school.pk]),
        reverse("monitoring:school_grid", args=[mon.school.pk, mon.year, "entry"]),
        reverse("monitoring:municipality_grid", args=[mon.municipality_a.pk, mon.year, "final"]),
        reverse("monitoring:values_import_template") + f"?year={mon.year}&stage=entry",
    ]


def _counts(client, urls) -> dict[str, int]:
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


@pytest.mark.parametrize("username", ["department", "coordinator"])
def test_pages_keep_their_query_count_as_schools_grow(client, mon, settings, username):
    settings.PAGE_SIZE = 10
    client.force_login(mon.users[username])
    urls = _urls(mon)
    _grow(mon, 12)
    small = _counts(client, urls)
    _grow(mon, 40)
    large = _counts(client, urls)
    assert large == small
    assert max(small.values()) <= 40, small


def test_school_team_pages_keep_their_query_count(client, mon):
    client.force_login(mon.users["school"])
    urls = [
        reverse("monitoring:school", args=[mon.school.pk]),
        reverse("monitoring:school_grid", args=[mon.school.pk, mon.year, "entry"]),
        reverse("monitoring:self_assessment_list"),
    ]
    _grow(mon, 5)
    small = _counts(client, urls)
    _grow(mon, 30)
    assert _counts(client, urls) == small


@pytest.mark.parametrize("username", ["department", "coordinator", "school"])
def test_home_items_run_a_fixed_number_of_queries(mon, username, django_assert_max_num_queries):
    from django.contrib.auth import get_user_model

    _grow(mon, 30)
    user = get_user_model().objects.get(username=username)
    with django_assert_max_num_queries(7):
        home_items(user=user)
