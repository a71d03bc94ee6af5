"""A region's whole register of acts and bank of practices, for a visitor without an account: a page at a time, found
by words and filters, the region's public rows only, in the same number of queries at any size."""

import datetime

import pytest
from django.urls import reverse

from tests.public.conftest import add_schools, practice

pytestmark = pytest.mark.django_db


def shown(client, name, land, query="") -> str:
    response = client.get(reverse(f"public:{name}", args=[land.region.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def add_acts(land, count):
    from schools.models import Act

    return [
        Act.objects.create(
            kind=Act.Kind.RESOLUTION if n % 2 else Act.Kind.ORDER, number=f"{n}-п", title=f"Приказ номер {n}",
            date=land.today - datetime.timedelta(days=100 + n), issuer="Министерство", region=land.region,
            municipality=land.m2 if n % 3 == 0 else None,
        )
        for n in range(count)
    ]  # fmt: skip


def test_the_region_page_leads_to_every_act_a_page_at_a_time_newest_first(client, land, settings):
    settings.PAGE_SIZE = 5
    add_acts(land, 11)  # 13 acts of the region in all: three pages
    assert reverse("public:acts", args=[land.region.pk]) in shown(client, "region", land)
    first = shown(client, "acts", land)
    assert "Найдено актов: 13" in first and "Страница 1 из 3" in first
    assert first.index(land.municipal_act.title) < first.index(land.act.title) < first.index("Приказ номер 0")
    assert land.foreign_act.title not in first
    last = shown(client, "acts", land, "?page=3")
    assert "Приказ номер 10" in last and "Приказ номер 0<" not in last
    assert reverse("public:act_file", args=[land.region.pk, land.act.pk]) in first  # its PDF, as on the region page
    assert "Страница 1 из 3" in shown(client, "acts", land, "?page=какая-то")  # a page that is not a number: the first


def test_acts_are_found_by_words_kind_and_municipality_and_the_filters_stay_on_the_pages(client, land, settings):
    from schools.models import Act

    settings.PAGE_SIZE = 2
    add_acts(land, 9)
    found = shown(client, "acts", land, "?q=номер+7")
    assert "Найдено актов: 1" in found and "Приказ номер 7" in found
    resolutions = shown(client, "acts", land, f"?kind={Act.Kind.RESOLUTION}")
    assert "Найдено актов: 4" in resolutions and "kind=resolution&amp;page=2" in resolutions
    municipal = shown(client, "acts", land, f"?municipality={land.m1.pk}")
    assert "Найдено актов: 1" in municipal and land.municipal_act.title in municipal
    # the register's own words are not searched by a visitor: a note is the department's, not the public's
    Act.objects.filter(pk=land.act.pk).update(note="служебная пометка")
    assert "Найдено актов" not in shown(client, "acts", land, "?q=пометка")
    # another region's act is not found, even by its own words, nor by its municipality
    assert land.foreign_act.title not in shown(client, "acts", land, "?q=Чужой")
    refused = shown(client, "acts", land, f"?municipality={land.m_other.pk}")
    assert "Условия отбора заданы неверно" in refused and land.foreign_act.title not in refused


def test_the_bank_shows_every_published_practice_of_the_region_and_nothing_else(client, land, settings):
    from partnerships.models import Practice

    settings.PAGE_SIZE = 4
    more = add_schools(land.m2, 6, first=20)
    for n, school in enumerate(more):
        practice(school, f"Практика по математике {n}", Practice.Status.PUBLISHED)
    assert reverse("public:practices", args=[land.region.pk]) in shown(client, "region", land)
    first = shown(client, "practices", land)
    assert "Найдено практик: 7" in first and "Страница 1 из 2" in first
    every = first + shown(client, "practices", land, "?page=2")
    assert land.published.title in every and all(f"Практика по математике {n}" in every for n in range(6))
    for hidden in (land.draft, land.waiting, land.foreign_practice):
        assert hidden.title not in every
    assert reverse("public:practice_file", args=[land.region.pk, land.published_file.pk]) in every
    found = shown(client, "practices", land, f"?q=математике&municipality={land.m2.pk}")
    assert "Найдено практик: 6" in found
    assert "Найдено практик: 1" in shown(client, "practices", land, f"?municipality={land.m1.pk}")
    assert "Найдено практик" not in shown(client, "practices", land, "?q=Черновик")


@pytest.mark.parametrize("name", ["acts", "practices"])
def test_each_list_reads_the_same_number_of_queries_at_two_sizes(
    client, land, name, django_assert_num_queries, django_assert_max_num_queries
):
    from partnerships.models import Practice

    url = reverse(f"public:{name}", args=[land.region.pk])
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    add_acts(land, 30)
    for n, school in enumerate(add_schools(land.m2, 30, first=40)):
        practice(school, f"Практика {n}", Practice.Status.PUBLISHED)
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "Страница 1 из 2" in html
