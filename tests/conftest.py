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


_test_database = {"ready": False}


def _autovacuum_off() -> None:
    """No autovacuum on the test database's tables (those a migration test made anew too)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "AND NOT coalesce(c.reloptions, '{}') @> ARRAY['autovacuum_enabled=false']"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} SET (autovacuum_enabled = false)")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, unchanged but for autovacuum, which is off on its tables.

    Every test writes in a transaction it rolls back, so between tests the tables hold no committed row, only dead
    ones. An autovacuum that comes by mid-run records such a table as having pages but no rows (reltuples 0), and
    from then on the planner takes every table the next tests fill for empty: nested loops over thousands of rows,
    and a test of a few seconds took minutes (the constant-query tests of the dashboards and the yearly report),
    depending only on when autovacuum happened to pass. Instead the tables are vacuumed between test modules
    (`_vacuumed_between_modules`), when no test holds them: the dead rows go, the emptied files are cut to nothing,
    and the planner measures each table by what a test puts in it, as on a fresh database."""
    with django_db_blocker.unblock():
        _autovacuum_off()
    _test_database["ready"] = True
    yield
    # The pool keeps its sessions open on the test database, which then could not be dropped.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("pool"):
            connection.close_pool()


@pytest.fixture(scope="module", autouse=True)
def _vacuumed_between_modules(django_db_blocker):
    yield
    from django.db import connection

    if not _test_database["ready"] or connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        if connection.in_atomic_block:
            return
        _autovacuum_off()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (SKIP_LOCKED)")


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_at_once():
    """Tasks run in the test's own process, at the commit (django-tasks' immediate backend): a test that never
    commits runs them under `django_capture_on_commit_callbacks(execute=True)`. Session-wide, so that the
    module-wide fixtures queue nothing either; tests/jobs/ runs the real worker on the database queue."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}, FIGURES_READ_FRESH=True
    ):
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
