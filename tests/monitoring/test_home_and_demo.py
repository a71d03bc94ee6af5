"""The home page items of monitoring, the demo data, and the back office of the app."""

import datetime
import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from monitoring.demo import seed_monitoring
from monitoring.models import (
    Indicator,
    IndicatorPlan,
    IndicatorValue,
    MonitoringStage,
    RiskProfile,
    SelfAssessment,
    Stage,
)
from monitoring.selectors import home_items
from programs.models import Programme

pytestmark = pytest.mark.django_db


def fresh(username):
    return get_user_model().objects.get(username=username)  # roles are cached per user object


def test_school_team_sees_due_returned_and_values_to_enter(mon):
    MonitoringStage.objects.filter(year=mon.year).update(
        starts_on=datetime.date(2000, 1, 1), due_on=datetime.date(2000, 2, 1)
    )
    items = home_items(user=fresh("school"))
    entry = items["schools"][0]
    assert entry["school"] == mon.school
    # Entry is uploaded and waits; interim and final are due (and, with these dates, overdue).
    assert [a.stage for a in entry["waiting"]] == [Stage.ENTRY]
    assert [d["schedule"].code for d in entry["due"]] == [Stage.INTERIM, Stage.FINAL]
    assert all(d["overdue"] for d in entry["due"])
    assert entry["stage_now"] == Stage.FINAL and entry["values_to_enter"] > 0
    waiting = SelfAssessment.objects.get(school=mon.school, year=mon.year, stage=Stage.ENTRY, is_current=True)
    from monitoring.services import self_assessment_return

    self_assessment_return(actor=fresh("coordinator"), assessment=waiting, comment="Нет выводов")
    entry = home_items(user=fresh("school"))["schools"][0]
    assert [a.decision_comment for a in entry["returned"]] == ["Нет выводов"]
    html = render_to_string("monitoring/_home_panel.html", {"items": home_items(user=fresh("school"))})
    assert "возвращена на доработку" in html and "Нет выводов" in html and "срок прошёл" in html


def test_coordinator_and_department_see_what_waits_for_them(mon):
    items = home_items(user=fresh("coordinator"))
    [entry] = items["municipalities"]
    assert entry["municipality"] == mon.municipality_a
    assert entry["self_assessments"] == 1  # the demo upload of this year
    assert entry["values"] == IndicatorValue.objects.filter(
        municipality=mon.municipality_a, status=IndicatorValue.Status.SUBMITTED
    ).count() > 0
    html = render_to_string("monitoring/_home_panel.html", {"items": items})
    # the number is the link to the list of the waiting ones (tests/monitoring/test_drilldowns.py follows it)
    assert re.search(r'Самооценки школ ждут проверки: <strong><a href="[^"]*status=submitted[^"]*"[^>]*>1</a>', html)
    assert reverse("monitoring:queue") in html
    department = home_items(user=fresh("department"))["department"]
    assert department["self_assessments"] == 1
    outsider = home_items(user=fresh("coordinator_b"))["municipalities"][0]
    assert outsider["self_assessments"] == 0 and outsider["values"] == 0
    assert home_items(user=fresh("tutor"))["is_empty"]
    assert render_to_string("monitoring/_home_panel.html", {"items": home_items(user=fresh("tutor"))}).strip() == ""


def test_demo_loads_seed_002_indicators_on_the_municipal_programme(mon):
    programme = Programme.objects.filter(kind=Programme.Kind.MUNICIPAL, municipality=mon.municipality_a).first()
    training = Indicator.objects.get(code="teachers-training", municipality=mon.municipality_a)
    assert training.programme == programme
    assert training.name.startswith("Доля педагогов, прошедших курсы повышения квалификации")
    assert training.baseline_value == 50 and training.baseline_year == programme.period_start - 1
    plans = list(IndicatorPlan.objects.filter(indicator=training).order_by("year").values_list("planned_value", flat=True))
    assert plans == [75, 100, 100]
    vacant = Indicator.objects.get(code="vacant-management", municipality=mon.municipality_a)
    assert vacant.direction == Indicator.Direction.LOWER_BETTER
    assert Indicator.objects.filter(municipality=mon.municipality_a).count() == 18
    assert MonitoringStage.objects.filter(region__isnull=True, year=mon.year).count() == 3
    accepted = SelfAssessment.objects.get(school=mon.school, year=mon.year - 1, status="accepted")
    assert RiskProfile.objects.get(school=mon.school, year=mon.year - 1).self_assessment == accepted
    assert SelfAssessment.objects.get(school=mon.school, year=mon.year, is_current=True).status == "submitted"


def test_demo_is_idempotent(mon):
    from monitoring.models import OpenReport, RiskLevel

    models = [
        Indicator,
        IndicatorPlan,
        IndicatorValue,
        SelfAssessment,
        RiskProfile,
        RiskLevel,
        OpenReport,
        MonitoringStage,
    ]
    before = {m.__name__: m.objects.count() for m in models}
    seed_monitoring()
    assert {m.__name__: m.objects.count() for m in models} == before


def test_every_monitoring_model_is_in_the_back_office_with_search_and_filters(client, mon):
    from django.apps import apps

    client.force_login(mon.users["department"])
    for model in apps.get_app_config("monitoring").get_models():
        model_admin = admin.site._registry.get(model)
        assert model_admin is not None and model_admin.search_fields and model_admin.list_filter, model
        url = reverse(f"admin:monitoring_{model._meta.model_name}_changelist")
        assert client.get(url, {"q": "Покров"}).status_code == 200, url
    sa = SelfAssessment.objects.filter(school=mon.school).first()
    assert client.get(reverse("admin:monitoring_selfassessment_history", args=[sa.pk])).status_code == 200
