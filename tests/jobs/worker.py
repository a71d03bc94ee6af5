"""The real worker in tests: `manage.py db_worker` on the database queue, in this process or as a process of its
own against the test database."""

import io
import logging
import os
import signal
import subprocess
import sys
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.management import call_command
from django.db import connection

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
WORKER_LOGGERS = ("django_tasks", "django_tasks_db")


def run_worker_here() -> str:
    """`db_worker --batch` in this process: every queued task, then back. The worker sets its own signal handlers
    and log levels; they are put back. Only in a `transaction=True` test: the worker checks its connection between
    tasks, and would close the one a test transaction holds."""
    handlers = {number: signal.getsignal(number) for number in SIGNALS}
    levels = {name: logging.getLogger(name).level for name in WORKER_LOGGERS}
    out = io.StringIO()
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=out)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    return out.getvalue()


def database_url() -> str:
    """DATABASE_URL of the test database (its name, and the host and port however they were given)."""
    params = connection.settings_dict
    user = quote(params.get("USER") or "", safe="")
    password = quote(params.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    host = params.get("HOST") or ""
    port = f":{params['PORT']}" if params.get("PORT") else ""
    options = {key: value for key, value in (params.get("OPTIONS") or {}).items() if isinstance(value, str | int)}
    query = f"?{urlencode(options)}" if options else ""
    return f"postgres://{credentials}{host}{port}/{quote(params['NAME'], safe='')}{query}"


def worker_environment(**extra) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shnor_portal.settings",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "database",
        "DJANGO_ENV": "development",
        "DEBUG": "0",
        **{key: str(value) for key, value in extra.items()},
    }


def worker_command(*arguments) -> list[str]:
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker", "--no-reload", "--no-startup-delay",
            "--interval", "0.2", *arguments]  # fmt: skip


def start_worker(log, **extra) -> subprocess.Popen:
    """`manage.py db_worker` as a process of its own, against the test database; its output goes to `log`."""
    return subprocess.Popen(
        worker_command(), cwd=settings.BASE_DIR, env=worker_environment(**extra), stdout=log, stderr=subprocess.STDOUT
    )


def run_worker_batch(log, *, timeout: float = 180, **extra) -> int:
    """`manage.py db_worker --batch` as a process of its own: every queued task, then it exits."""
    return subprocess.run(
        worker_command("--batch"), cwd=settings.BASE_DIR, env=worker_environment(**extra), stdout=log,
        stderr=subprocess.STDOUT, timeout=timeout, check=False,
    ).returncode
