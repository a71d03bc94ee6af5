"""The demo tells the whole story, seeding twice changes nothing, and each role finds its queue."""

import hashlib

import pytest
from django.apps import apps
from django.template.loader import render_to_string
from django.test import RequestFactory

from partnerships.demo import seed_partnerships
from partnerships.models import Agreement, EventInvitation, Practice, SupportSession, Teacher
from partnerships.selectors import home_items
from schools.access import reach_of

from .helpers import fresh

pytestmark = pytest.mark.django_db


def _fingerprint():
    rows = []
    for model in apps.get_app_config("partnerships").get_models():
        if model.__name__.startswith("Historical"):
            rows.append((model.__name__, model.objects.count()))
        else:
            rows.append((model.__name__, list(model.objects.order_by("pk").values_list())))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_seed_partnerships_is_idempotent(demo, settings, tmp_path):
    first = seed_partnerships()
    before = _fingerprint()
    files = sorted(p.name for p in (tmp_path / "media").rglob("*") if p.is_file())
    assert seed_partnerships() == first
    assert _fingerprint() == before
    assert sorted(p.name for p in (tmp_path / "media").rglob("*") if p.is_file()) == files


def test_demo_tells_the_story(world):
    curator = fresh(world.users["curator"])
    in_force = Agreement.objects.in_force().filter(curator_school=world.curator_school)
    assert set(in_force.values_list("supported_school__short_name", flat=True)) == {
        world.supported_school.short_name,
        world.second.supported_school.short_name,
    }
    assert world.supported_school.pk in reach_of(curator).school_ids
    statuses = list(world.agreement.sessions.values_list("status", flat=True))
    assert statuses.count("confirmed") >= 2 and statuses.count("pending") == 1 and statuses.count("disputed") == 1
    assert all(s.evidence.exists() for s in SupportSession.objects.all())
    # The tutor keeps teachers of the supported school, with deficits and an ИПРП.
    assert world.teacher.school == world.supported_school and world.teacher.deficits.exists()
    assert world.plan.status == "active" and world.plan.items.count() == 4 and world.plan.tutor == world.users["tutor"]
    # The bank: one published practice with downloads, one awaiting moderation.
    assert world.published.download_count == 3 and world.published.downloads.count() == 3
    assert world.waiting.status == Practice.Status.SUBMITTED
    # An event with attendance.
    assert EventInvitation.objects.filter(event=world.seminar, attended=True).count() == 3
    assert world.seminar.invitations.filter(attended=True, participants__isnull=False).exists()
    assert Teacher.objects.filter(school=world.supported_school).count() == 8


def test_home_items_per_role(world):
    items = home_items(user=fresh(world.users["curator"]))
    assert set(items) == {"curator"}
    assert {a.supported_school_id for a in items["curator"]["agreements"]} == {
        world.supported_school.pk,
        world.second.supported_school_id,
    }
    assert items["curator"]["next_sessions"] and items["curator"]["to_log"]
    assert [s.pk for s in items["curator"]["disputed"]] == [world.disputed.pk]

    items = home_items(user=fresh(world.users["school"]))
    assert set(items) == {"school_team"}
    assert [s.pk for s in items["school_team"]["to_confirm"]] == [world.pending.pk]

    items = home_items(user=fresh(world.users["tutor"]))
    assert set(items) == {"tutor"} and items["tutor"]["teacher_count"] == 4
    assert items["tutor"]["items_due"] and items["tutor"]["overdue_count"] >= 1

    items = home_items(user=fresh(world.users["coordinator"]))
    [municipal] = items["coordinator"]
    assert municipal["municipality"] == world.supported_school.municipality
    # the demo's seed 002 target of the school year; in force: 1-ШНОР, 2-ШНОР and the ДДТ's 3-ДО
    assert municipal["target"] == 1 and municipal["in_force"] == 3
    assert municipal["plan_share"] is not None

    items = home_items(user=fresh(world.users["coordinator_b"]))
    [outsider] = items["coordinator"]
    assert outsider["in_force"] == 0 and outsider["teachers"] == 0

    items = home_items(user=fresh(world.users["department"]))
    assert items["department"]["agreements_in_force"] == 3 and items["department"]["downloads"] == 3


@pytest.mark.parametrize(
    ("username", "texts"),
    [
        ("curator", ["Школы, которые вы сопровождаете", "Покровская СОШ", "Ближайшие занятия по плану"]),
        ("school", ["ожидающие подтверждения: <a", 'data-value="1">1</a>', "Гимназия г. Заречный"]),
        ("tutor", ["Закреплённые за вами педагоги: <a", 'data-figure="home-my-teachers" data-value="4">4</a>', "Пункты ИПРП"]),
        ("coordinator", ["Заречный муниципальный район: сопровождение", "договоров подписано / цель — не менее 1", "без куратора"]),
        ("department", ["договоров действует", "практик в банке"]),
    ],
)
def test_home_panel_renders_the_items(world, username, texts):
    user = fresh(world.users[username])
    request = RequestFactory().get("/")
    request.user = user
    html = render_to_string("partnerships/_home_panel.html", {"items": home_items(user=user), "user": user}, request=request)
    for text in texts:
        assert text in html, text
    assert "Озёрский" not in html


def test_home_panel_is_empty_for_a_user_without_a_role(db, django_user_model):
    user = django_user_model.objects.create_user("newcomer", password="x")
    assert home_items(user=user) == {}
    assert render_to_string("partnerships/_home_panel.html", {"items": {}, "user": user}).strip() == ""
