"""Two people on the same value grid (the school team and its coordinator): a save over a cell somebody else changed
after the page was opened is refused as a whole and says which cell, never merged; two truly concurrent saves of one
cell let exactly one through."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from monitoring.models import Indicator, IndicatorValue, Stage
from monitoring.services import StaleValues, ValueEntry, indicator_values_save
from shnor_portal.history import last_change_id
from tests.html_forms import form_data


def grid(mon, stage=Stage.INTERIM):
    return reverse("monitoring:school_grid", args=[mon.school.pk, mon.year, stage])


def opened_by(client_class, user, url):
    client = client_class()
    client.force_login(user)
    return client, form_data(client.get(url).content.decode())


def cell(mon, code):
    indicator = Indicator.objects.get(code=code, municipality=mon.municipality_a)
    return indicator, f"value_{indicator.pk}"


@pytest.mark.django_db
def test_a_cell_changed_by_the_coordinator_meanwhile_is_not_overwritten(client, mon):
    training, training_field = cell(mon, "teachers-training")
    vacant, vacant_field = cell(mon, "vacant-management")
    url = grid(mon)
    school, mine = opened_by(client.__class__, mon.users["school"], url)
    coordinator, theirs = opened_by(client.__class__, mon.users["coordinator"], url)
    assert mine[f"seen_{training.pk}"] == theirs[f"seen_{training.pk}"]

    theirs[training_field] = ["77"]
    assert coordinator.post(url, theirs).status_code == 302

    # The school team changes another cell only; the training cell still holds what the page showed it.
    mine[vacant_field] = ["12"]
    refused = school.post(url, mine, follow=True)
    html = refused.content.decode()
    assert "Значения не сохранены" in html and training.name in html and "сейчас 77" in html
    stored = IndicatorValue.objects.get(indicator=training, school=mon.school, year=mon.year, stage=Stage.INTERIM)
    assert stored.value == Decimal("77")
    assert not IndicatorValue.objects.filter(indicator=vacant, school=mon.school, year=mon.year, stage=Stage.INTERIM,
                                             value=Decimal("12")).exists()  # fmt: skip

    # The refused page shows the coordinator's value in that cell and keeps the team's own typing elsewhere.
    again = form_data(html)
    assert again[training_field] == ["77,00"] and again[vacant_field] == ["12"]
    assert school.post(url, again).status_code == 302
    assert IndicatorValue.objects.get(indicator=vacant, school=mon.school, year=mon.year, stage=Stage.INTERIM).value == 12
    assert IndicatorValue.objects.get(pk=stored.pk).value == Decimal("77")


@pytest.mark.django_db
def test_a_cell_filled_or_emptied_by_somebody_else_meanwhile_is_refused(client, mon):
    training, training_field = cell(mon, "teachers-training")
    url = grid(mon, Stage.FINAL)
    IndicatorValue.objects.filter(indicator=training, school=mon.school, year=mon.year, stage=Stage.FINAL).delete()
    school, mine = opened_by(client.__class__, mon.users["school"], url)
    assert mine[f"seen_{training.pk}"] == ["0"]
    coordinator, theirs = opened_by(client.__class__, mon.users["coordinator"], url)
    theirs[training_field] = ["50"]
    assert coordinator.post(url, theirs).status_code == 302

    mine[training_field] = ["40"]
    assert "Значения не сохранены" in school.post(url, mine, follow=True).content.decode()
    assert IndicatorValue.objects.get(indicator=training, school=mon.school, year=mon.year, stage=Stage.FINAL).value == 50

    # Emptied by the coordinator after the team opened the page: the team's number does not bring it back silently.
    school, mine = opened_by(client.__class__, mon.users["school"], url)
    coordinator, theirs = opened_by(client.__class__, mon.users["coordinator"], url)
    theirs[training_field] = [""]
    assert coordinator.post(url, theirs).status_code == 302
    mine[training_field] = ["45"]
    html = school.post(url, mine, follow=True).content.decode()
    assert "значение удалено" in html
    assert not IndicatorValue.objects.filter(indicator=training, school=mon.school, year=mon.year, stage=Stage.FINAL).exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_cell_let_exactly_one_through(mon):
    from django.contrib.auth import get_user_model

    training, _ = cell(mon, "teachers-training")
    indicator_values_save(
        actor=mon.users["coordinator"], year=mon.year, stage=Stage.INTERIM, school=mon.school,
        entries=[ValueEntry(training, Decimal("60"))],
    )
    value = IndicatorValue.objects.get(indicator=training, school=mon.school, year=mon.year, stage=Stage.INTERIM)
    seen = last_change_id(value)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(username: str, number: str) -> None:
        try:
            actor = get_user_model().objects.get(username=username)
            start.wait(timeout=10)
            indicator_values_save(
                actor=actor, year=mon.year, stage=Stage.INTERIM, school=mon.school,
                entries=[ValueEntry(training, Decimal(number), "", seen)],
            )
            outcomes[username] = number
        except StaleValues:
            outcomes[username] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=("school", "61")), threading.Thread(target=save, args=("coordinator", "62"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values())[-1] == "refused" and len(outcomes) == 2
    saved = next(number for number in outcomes.values() if number != "refused")
    assert IndicatorValue.objects.get(pk=value.pk).value == Decimal(saved)
    assert value.history.filter(history_id__gt=seen).count() == 1
