"""The production profile: `check --deploy` is clean, and it refuses to start without its secrets."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    clean = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SECRET_KEY", "DATABASE_URL"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_on_the_production_profile():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="shnor.example.ru",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_the_development_profile_is_not_deploy_ready_and_says_so():
    # The same check flags the development defaults, so the clean result above is the profile's doing.
    result = _manage("check", "--deploy")
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W009" in result.stderr  # the insecure development key


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="shnor.example.ru")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", DJANGO_ENV="production", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(secrets.token_urlsafe(50) + "\n")
    result = _manage(
        "check", "--deploy", DJANGO_ENV="production", SECRET_KEY_FILE=str(key_file), ALLOWED_HOSTS="shnor.example.ru"
    )
    assert result.returncode == 0, result.stderr
    assert "security.W009" not in result.stderr


def test_production_profile_values():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, list(s.SECURE_PROXY_SSL_HEADER), s.EMAIL_BACKEND, s.ALLOWED_HOSTS, "
        "s.TWO_FACTOR_REQUIRED, s.TRUSTED_PROXIES]))"
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SECRET_KEY"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="shnor_portal.settings",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="shnor.example.ru,www.shnor.example.ru",
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    import json

    debug, session_secure, csrf_secure, redirect, hsts, proxy_header, email, hosts, two_factor, proxies = json.loads(
        result.stdout
    )
    assert two_factor is True  # the territory roles and the back office need a second factor
    assert proxies == ["127.0.0.1", "::1"]  # X-Forwarded-For believed from the local nginx only
    assert (debug, session_secure, csrf_secure, redirect) == (False, True, True, True)
    assert hsts >= 31536000
    assert proxy_header == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert email == "django.core.mail.backends.smtp.EmailBackend"
    assert hosts == ["shnor.example.ru", "www.shnor.example.ru"]
