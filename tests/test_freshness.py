"""Costly figures are counted once per state of the data, and never shown older than the last committed change."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse

from schools.freshness import counted, state_token
from schools.models import DataVersion, Municipality, Region, School, SchoolYearStatus


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return School.objects.count()


def _school(name="Школа") -> School:
    region, _ = Region.objects.get_or_create(name="Регион свежести")
    municipality, _ = Municipality.objects.get_or_create(region=region, name="Район свежести")
    return School.objects.create(municipality=municipality, short_name=name, name=name)


@pytest.mark.django_db
def test_a_figure_is_counted_once_while_the_data_stays_the_same():
    compute = Counter()
    assert counted("schools", compute) == counted("schools", compute) == 0
    assert compute.calls == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: _school("Новая"), id="save"),
        pytest.param(lambda: School.objects.filter(short_name="Было").update(name="Стало"), id="update"),
        pytest.param(lambda: School.objects.filter(short_name="Было").delete(), id="delete"),
        pytest.param(
            lambda: School.objects.bulk_create([School(municipality=Municipality.objects.get(), short_name="Б")]),
            id="bulk_create",
        ),
        pytest.param(
            lambda: connection.cursor().execute("UPDATE schools_school SET name = 'сырой SQL'"), id="raw SQL"
        ),
    ],
)
def test_any_write_to_the_portal_tables_is_seen_at_once(write):
    _school("Было")
    compute = Counter()
    before = counted("schools", compute)
    write()
    counted("schools", compute)
    assert compute.calls == 2, "the figure was not counted again after the write"
    assert before == 1


@pytest.mark.django_db
def test_writes_outside_the_portal_data_keep_the_figures():
    _school()
    compute = Counter()
    counted("schools", compute)
    token = state_token()
    get_user_model().objects.create_user("посторонний")  # a user, a session, a notification: not counted data
    counted("schools", compute)
    assert compute.calls == 1
    assert state_token() == token


@pytest.mark.django_db(transaction=True)
def test_the_token_changes_once_a_transaction_commits_and_not_before():
    _school()
    committed = state_token()
    seen_by_others = []
    with transaction.atomic():
        School.objects.update(name="Переименована")
        School.objects.update(name="Ещё раз")

        def other_connection():
            seen_by_others.append(state_token())
            connection.close()

        thread = threading.Thread(target=other_connection)
        thread.start()
        thread.join()
        assert state_token() != committed, "the writer must not read figures of the committed state"
    assert seen_by_others == [committed], "others keep the committed state until the commit"
    assert state_token() not in {committed, seen_by_others[0]}
    assert DataVersion.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_does_not_lose_the_later_change():
    _school()
    before = state_token()
    with transaction.atomic():
        try:
            with transaction.atomic():
                School.objects.update(name="Откат")
                raise RuntimeError
        except RuntimeError:
            pass
        School.objects.update(name="Сохранено")
    assert state_token() != before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_keeps_the_token():
    _school()
    before = state_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        School.objects.update(name="Откат")
        raise RuntimeError
    assert state_token() == before


@pytest.mark.django_db
def test_the_registry_counters_follow_a_change_of_the_list(client, demo):
    client.force_login(get_user_model().objects.get(username="department"))
    status = SchoolYearStatus.objects.filter(status="none").first()
    url = reverse("schools:list") + f"?year={status.year}"
    first = client.get(url).context["counts"]
    status.status = "shnsu"
    status.save()
    second = client.get(url).context["counts"]
    assert second["outside"] == first["outside"] - 1
    assert second["shnsu"] == first["shnsu"] + 1
