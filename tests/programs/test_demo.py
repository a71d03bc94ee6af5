import pytest
from django.apps import apps

from programs.demo import RISK_FACTORS, seed_programmes
from programs.models import MeasureYear, Programme, Review, RiskFactor, RoadmapMeasure

pytestmark = pytest.mark.django_db


def _counts():
    return {model.__name__: model.objects.count() for model in apps.get_app_config("programs").get_models()}


def test_seeding_twice_changes_nothing(demo):
    seed_programmes()
    before = _counts()
    states = dict(Programme.objects.values_list("pk", "state"))
    assert seed_programmes()["programmes"] == 0
    assert _counts() == before
    assert dict(Programme.objects.values_list("pk", "state")) == states


def test_municipal_roadmap_is_built_from_seed_002(programmes):
    municipal = programmes["municipal"]
    assert municipal.period_label == "2025–2027"
    assert municipal.sections.count() == 6 and municipal.measures.count() == 25
    selection = municipal.measures.get(name="Отбор ШНОР и ШНСУ для адресного сопровождения")
    assert selection.result_name == "Количество школ для адресного сопровождения и помощи"
    assert selection.planned_value == 4 and selection.executors == "ДО, УО, УМЦ"
    assert {row.year: row.planned_value for row in selection.years.all()} == {2025: 4, 2026: 4, 2027: 4}
    contests = municipal.measures.get(name="Муниципальные конкурсы профессионального мастерства")
    assert [row.planned_value for row in contests.years.order_by("year")] == [1, 2, 2]
    assert municipal.measures.get(planned_text="1/4").result_name == "Пакет инструментов, аналитические справки"
    assert MeasureYear.objects.filter(measure__programme=municipal, planned_text="не менее 1 раза в год").count() == 3
    assert municipal.goal.startswith("Повышение качества образования и уровня ресурсного обеспечения")


def test_school_programmes_in_every_state(programmes):
    states = {key: programme.state for key, programme in programmes.items()}
    assert states == {
        "municipal": "draft",
        "draft": "draft",
        "returned": "returned",
        "submitted": "submitted",
        "accepted": "accepted",
        "in_review": "in_review",
    }
    returned = programmes["returned"]
    assert returned.kind == Programme.Kind.ANTI_RISK
    assert returned.risk_factor.code == "low-motivation"
    assert RoadmapMeasure.objects.filter(programme=returned, risk_factor=returned.risk_factor).exists()
    assert returned.reviews.get().remarks.startswith("1. Для мероприятия 2.1")
    assert programmes["accepted"].snapshots.count() == 2
    assert programmes["in_review"].reviews.filter(kind=Review.Kind.MUTUAL, reviewer_school__short_name="Гимназия г. Заречный").exists()
    assert programmes["submitted"].reviews.filter(kind=Review.Kind.REGIONAL, status="pending").exists()


def test_default_risk_factors_and_checklist(programmes):
    assert list(RiskFactor.objects.values_list("code", flat=True)) == [code for code, _name in RISK_FACTORS]
    assert apps.get_model("programs", "ReviewCriterion").objects.filter(is_active=True).count() == 7
