import pytest

from notifications.models import Notification
from programs.demo import seed_programmes
from programs.models import Programme
from schools.demo import SCHOOL_TEAM_SCHOOL

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
FAILING = "tests.notifications.failing_backend.FailingBackend"
UNREACHABLE = "tests.notifications.failing_backend.UnreachableBackend"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.PORTAL_BASE_URL = "https://shnor.example.ru"


@pytest.fixture
def programmes(demo):
    seed_programmes()
    return {
        "draft": Programme.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.TRANSITION),
        "returned": Programme.objects.get(school__short_name=SCHOOL_TEAM_SCHOOL, kind=Programme.Kind.ANTI_RISK),
        "submitted": Programme.objects.get(school__short_name="Никольская ООШ"),
        "in_review": Programme.objects.get(school__short_name="Ильинская СОШ"),
        "municipal": Programme.objects.get(kind=Programme.Kind.MUNICIPAL),
    }


@pytest.fixture
def with_emails(demo):
    """Every demo user with an address, so that e-mail is queued for them."""
    from django.contrib.auth import get_user_model

    # the demo's users beyond the named ones too (the institute's expert, programs.demo_routes)
    others = get_user_model().objects.exclude(pk__in=[user.pk for user in demo.values()])
    for user in [*demo.values(), *others]:
        user.email = f"{user.username}@shnor.example.ru"
        user.save(update_fields=["email"])
    return demo


@pytest.fixture
def clean(demo):
    """No notifications left from seeding the demo: each test counts its own."""
    Notification.objects.all().delete()
    return demo


def fresh(user):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)


def received(kind=None):
    """{username: [notification, …]} of what was stored (optionally of one kind)."""
    rows = Notification.objects.select_related("recipient").order_by("pk")
    if kind:
        rows = rows.filter(kind=kind)
    result = {}
    for notification in rows:
        result.setdefault(notification.recipient.username, []).append(notification)
    return result
