import os
import shutil

import pytest
from django.test.utils import override_settings

# live_server runs in a thread beside sync Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.mail", "tests.s3"]

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_at_once():
    """Tasks run in the test's own process, at the commit (django-tasks' immediate backend): a test that never
    commits runs them under `django_capture_on_commit_callbacks(execute=True)`. Session-wide, so that the
    module-wide fixtures queue nothing either; tests/jobs/ runs the real worker on the database queue."""
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        yield


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render templates without a collectstatic run; production uses the hashed manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and demo files go to a throwaway folder, never into the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    """The demo region with its named users: department, coordinator, coordinator_b (the outsider), school,
    curator, tutor."""
    from django.contrib.auth import get_user_model

    from portal.demo import DEMO_USERS, seed_demo
    from tests.seeding import seed_or_replay

    seed_or_replay(seed_demo)
    users = get_user_model().objects.in_bulk([row[0] for row in DEMO_USERS], field_name="username")
    return users


@pytest.fixture
def full_demo(db):
    """What `make demo` seeds: the registry and programmes, partnerships, monitoring and the notifications."""
    from django.contrib.auth import get_user_model

    from portal.demo import DEMO_USERS, seed_full_demo
    from tests.seeding import seed_or_replay

    seed_or_replay(seed_full_demo)
    return get_user_model().objects.in_bulk([row[0] for row in DEMO_USERS], field_name="username")


@pytest.fixture
def municipality_a(demo):
    from schools.demo import MUNICIPALITY_A
    from schools.models import Municipality

    return Municipality.objects.get(name=MUNICIPALITY_A)


@pytest.fixture
def municipality_b(demo):
    from schools.demo import MUNICIPALITY_B
    from schools.models import Municipality

    return Municipality.objects.get(name=MUNICIPALITY_B)


def login(client, user):
    client.force_login(user)
    return client


def home_region_id() -> int:
    """The region the tests identify in: the demo's own (`schools.demo.REGION`), else the first one, else a new one."""
    from schools.demo import REGION
    from schools.models import Region

    region = Region.objects.filter(name=REGION[0]).first() or Region.objects.order_by("pk").first()
    return (region or Region.objects.create(name="Тестовый регион")).pk
