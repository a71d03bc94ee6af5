"""Two people editing the same agreement, teacher or plan: the later save made on an outdated page is refused with a
clear message, never merged over the other's — in the browser's flow and with two truly concurrent saves."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from partnerships.demo import seed_partnerships
from partnerships.models import Agreement, DevelopmentPlan, Teacher
from partnerships.services.agreements import agreement_update
from partnerships.services.common import StaleEdit
from tests.html_forms import form_data
from tests.seeding import seed_or_replay

from .helpers import fresh


@pytest.fixture
def world(demo):
    seed_or_replay(seed_partnerships)
    return demo


def two_editors(client_class, first, second, url):
    """Both open the edit page before either saves."""
    a, b = client_class(), client_class()
    a.force_login(first)
    b.force_login(second)
    return (a, form_data(a.get(url).content.decode())), (b, form_data(b.get(url).content.decode()))


@pytest.mark.django_db
def test_the_later_save_of_an_agreement_is_refused_and_the_earlier_kept(client, world):
    agreement = Agreement.objects.get(number="1-ШНОР")
    url = reverse("partnerships:agreement_edit", args=[agreement.pk])
    (coordinator, mine), (department, theirs) = two_editors(client.__class__, world["coordinator"], world["department"], url)
    assert mine["seen"] == theirs["seen"] and mine["seen"][0]

    theirs["subject"] = ["Тема управления"]
    assert department.post(url, theirs).status_code == 302

    mine["subject"] = ["Тема координатора"]
    refused = coordinator.post(url, mine)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Ваши изменения не сохранены" in html
    assert Agreement.objects.get(pk=agreement.pk).subject == "Тема управления"

    # Told, the coordinator saves again on purpose: now it applies to the current version.
    again = form_data(html)
    assert again["subject"] == ["Тема координатора"]
    assert coordinator.post(url, again).status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).subject == "Тема координатора"


@pytest.mark.django_db
def test_a_teacher_and_a_plan_edited_by_two_people_keep_the_first_save(client, world):
    teacher = Teacher.objects.filter(tutor_assignments__tutor=world["tutor"]).first()
    url = reverse("partnerships:teacher_edit", args=[teacher.pk])
    (school, mine), (coordinator, theirs) = two_editors(client.__class__, world["school"], world["coordinator"], url)
    theirs["full_name"] = ["Иванова Мария Петровна"]
    assert coordinator.post(url, theirs).status_code == 302
    mine["full_name"] = ["Иванова Мария"]
    assert "Ваши изменения не сохранены" in school.post(url, mine).content.decode()
    assert Teacher.objects.get(pk=teacher.pk).full_name == "Иванова Мария Петровна"

    plan = DevelopmentPlan.objects.filter(teacher__school=teacher.school).first()
    url = reverse("partnerships:plan_edit", args=[plan.pk])
    (tutor, mine), (coordinator, theirs) = two_editors(client.__class__, world["tutor"], world["coordinator"], url)
    theirs["goal"] = ["Цель координатора"]
    assert coordinator.post(url, theirs).status_code == 302
    mine["goal"] = ["Цель тьютора"]
    assert "Ваши изменения не сохранены" in tutor.post(url, mine).content.decode()
    assert DevelopmentPlan.objects.get(pk=plan.pk).goal == "Цель координатора"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_on_the_same_version_let_exactly_one_through(world):
    agreement = Agreement.objects.get(number="1-ШНОР")
    seen = agreement.history.order_by("-history_id").first().history_id
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(username: str, subject: str) -> None:
        from django.contrib.auth import get_user_model

        try:
            actor = fresh(get_user_model().objects.get(username=username))
            start.wait(timeout=10)
            agreement_update(agreement=agreement, actor=actor, seen=seen, subject=subject)
            outcomes[username] = "saved"
        except StaleEdit:
            outcomes[username] = "refused"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("coordinator", "Тема координатора")),
        threading.Thread(target=save, args=("department", "Тема управления")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    expected = {"coordinator": "Тема координатора", "department": "Тема управления"}[winner]
    assert Agreement.objects.get(pk=agreement.pk).subject == expected
    # The refused save left no trace in the history: one change on top of the version both opened.
    assert agreement.history.filter(history_id__gt=seen).count() == 1
