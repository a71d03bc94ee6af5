"""An earlier version of a programme's passport can be brought back from its history — by the programme's owner,
after a confirmation that shows what changes, refused when somebody saved meanwhile, and recorded as a change."""

import pytest
from django.urls import reverse

from programs.models import Programme
from programs.services import programme_update_passport

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(programmes, demo):
    """The school team's draft programme, its goal changed once after creation."""
    programme = programmes["draft"]
    first_goal = programme.goal
    programme_update_passport(
        programme=programme, actor=demo["school"], data={"goal": "Новая цель, написанная по ошибке"},
        expected_version=programme.version,
    )  # fmt: skip
    programme.refresh_from_db()
    return programme, first_goal


def version_before_the_change(programme) -> int:
    return programme.history.order_by("-history_date", "-history_id")[1].history_id


def test_the_owner_restores_an_earlier_passport_after_seeing_what_changes(client, demo, draft):
    programme, first_goal = draft
    history_id = version_before_the_change(programme)
    client.force_login(demo["school"])
    history = client.get(reverse("programs:history", args=[programme.pk])).content.decode()
    url = reverse("programs:passport_restore", args=[programme.pk, history_id])
    assert url in history

    confirm = client.get(url).content.decode()
    assert "Новая цель, написанная по ошибке" in confirm and first_goal in confirm
    assert "Восстановить эту версию" in confirm
    programme.refresh_from_db()
    assert programme.goal == "Новая цель, написанная по ошибке"  # a GET changes nothing

    response = client.post(url, {"version": programme.version})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.goal == first_goal
    latest = programme.history.latest()
    assert latest.history_user == demo["school"]
    assert latest.history_change_reason.startswith("Восстановлена версия паспорта от")
    assert "Восстановлена версия паспорта" in client.get(reverse("programs:history", args=[programme.pk])).content.decode()


def test_a_restore_against_a_stale_page_is_refused_and_nothing_changes(client, demo, draft):
    programme, _first_goal = draft
    url = reverse("programs:passport_restore", args=[programme.pk, version_before_the_change(programme)])
    client.force_login(demo["school"])
    stale_version = programme.version
    programme_update_passport(
        programme=programme, actor=demo["department"], data={"goal": "Цель управления"}, expected_version=stale_version
    )
    response = client.post(url, {"version": stale_version}, follow=True)
    assert "Ваши изменения не сохранены" in response.content.decode()
    assert Programme.objects.get(pk=programme.pk).goal == "Цель управления"


def test_only_the_owner_restores_and_the_outsider_does_not_even_see_it(client, demo, draft):
    programme, _first_goal = draft
    url = reverse("programs:passport_restore", args=[programme.pk, version_before_the_change(programme)])
    client.force_login(demo["tutor"])
    assert client.post(url, {"version": programme.version}).status_code in (403, 404)
    client.force_login(demo["coordinator_b"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": programme.version}).status_code == 404
    programme.refresh_from_db()
    assert programme.goal == "Новая цель, написанная по ошибке"
    # A version of another programme is not a version of this one.
    other = Programme.objects.exclude(pk=programme.pk).first()
    client.force_login(demo["school"])
    foreign = other.history.first().history_id
    assert client.get(reverse("programs:passport_restore", args=[programme.pk, foreign])).status_code == 404
