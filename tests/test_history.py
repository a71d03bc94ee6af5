"""Every change to an agreement, a session, a teacher, a plan, a practice, an event, a self-assessment or an
indicator value is on its history page: who, when, what (old → new) — for the coordinator and the department,
within their reach, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.demo import seed_partnerships
from partnerships.models import Agreement
from partnerships.services.agreements import agreement_update
from tests.seeding import seed_or_replay

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(demo):
    seed_or_replay(seed_partnerships)
    agreement = Agreement.objects.get(number="1-ШНОР")
    agreement_update(agreement=agreement, actor=demo["coordinator"], subject="Повышение качества обучения")
    return agreement


def test_the_coordinator_reads_who_changed_what_on_an_agreement(client, demo, agreement):
    before = Agreement.history.filter(id=agreement.pk).order_by("history_date")[0].subject
    client.force_login(demo["coordinator"])
    page = client.get(reverse("partnerships:agreement", args=[agreement.pk])).content.decode()
    url = reverse("history", args=["agreement", agreement.pk])
    assert url in page
    html = client.get(url).content.decode()
    row = html.split('data-history="')[1]  # the newest change first
    assert "Андрей Сергеевич Михайлов" in row or demo["coordinator"].username in row
    assert "договор изменён" in row
    assert "Повышение качества обучения" in row and before in row


@pytest.mark.parametrize(
    ("username", "status"), [("school", 403), ("curator", 403), ("tutor", 404), ("coordinator_b", 404)]
)
def test_the_history_is_the_overseers_and_out_of_reach_is_404(client, demo, agreement, username, status):
    client.force_login(demo[username])
    assert client.get(reverse("history", args=["agreement", agreement.pk])).status_code == status
    page = client.get(reverse("partnerships:agreement", args=[agreement.pk]))
    if page.status_code == 200:
        assert reverse("history", args=["agreement", agreement.pk]) not in page.content.decode()


def test_anonymous_visitors_go_to_the_login_and_unknown_kinds_are_404(client, demo, agreement):
    url = reverse("history", args=["agreement", agreement.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(demo["department"])
    assert client.get(reverse("history", args=["school-secrets", agreement.pk])).status_code == 404
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("kind", ["session", "teacher", "plan", "practice", "event"])
def test_every_kept_object_has_its_history_page(client, demo, agreement, kind):
    from partnerships.models import DevelopmentPlan, MethodicalEvent, Practice, SupportSession, Teacher

    model = {"session": SupportSession, "teacher": Teacher, "plan": DevelopmentPlan, "practice": Practice,
             "event": MethodicalEvent}[kind]  # fmt: skip
    obj = model.objects.filter(pk__in=model.history.values("id")).order_by("pk").first()
    client.force_login(demo["department"])
    html = client.get(reverse("history", args=[kind, obj.pk])).content.decode()
    assert "создано" in html.lower()


def test_a_long_history_costs_the_same_queries_as_a_short_one(client, demo, agreement):
    client.force_login(demo["department"])
    url = reverse("history", args=["agreement", agreement.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    before = queries()
    for i in range(60):
        agreement_update(agreement=agreement, actor=demo["coordinator"], subject=f"Предмет {i}")
    assert queries() == before
    assert "Предмет 59" in client.get(url).content.decode()
    assert "Предмет 0" in client.get(url + "?page=2").content.decode()


def test_a_self_assessment_and_an_indicator_value_have_their_history_too(client, full_demo):
    from monitoring.models import IndicatorValue, SelfAssessment
    from schools.demo import MUNICIPALITY_A

    assessment = SelfAssessment.objects.filter(school__municipality__name=MUNICIPALITY_A).first()
    value = IndicatorValue.objects.filter(school__municipality__name=MUNICIPALITY_A).first()
    client.force_login(full_demo["coordinator"])
    page = client.get(reverse("monitoring:self_assessment_detail", args=[assessment.pk])).content.decode()
    assert reverse("history", args=["self-assessment", assessment.pk]) in page
    assert "Создано" in client.get(reverse("history", args=["self-assessment", assessment.pk])).content.decode()
    assert client.get(reverse("history", args=["indicator-value", value.pk])).status_code == 200
    client.force_login(full_demo["coordinator_b"])
    assert client.get(reverse("history", args=["self-assessment", assessment.pk])).status_code == 404
    assert client.get(reverse("history", args=["indicator-value", value.pk])).status_code == 404
