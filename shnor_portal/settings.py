"""Settings of the ШНОР portal.

One file, read from the environment. Without any variables set, the portal runs
on an SQLite file under the project; `DATABASE_URL` switches it to PostgreSQL.

`DJANGO_ENV=production` selects the production profile: SECRET_KEY and ALLOWED_HOSTS
must be given, cookies are HTTPS-only, HSTS and the HTTPS redirect are on (behind a
reverse proxy that sets X-Forwarded-Proto), mail goes out by SMTP. `manage.py check
--deploy` is clean on it (tests/deployment/test_settings.py). docs/PRODUCTION.md lists
every variable.
"""

import os
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (a Docker/systemd credential)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, "")


# "production" hardens everything below; anything else (unset) is development, demo and tests.
DJANGO_ENV = env_str("DJANGO_ENV", "development").strip().lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={DJANGO_ENV!r}: допустимо «production» или «development».")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", False)
# Demo mode shows the demo logins on the login page; never enable it in production.
DEMO_MODE = env_bool("DEMO_MODE", False)
if PRODUCTION and (DEBUG or DEMO_MODE):
    raise ImproperlyConfigured("DJANGO_ENV=production: DEBUG и DEMO_MODE должны быть выключены.")

# Production must set SECRET_KEY (or SECRET_KEY_FILE); development runs on a fixed insecure key.
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_ENV=production: задайте SECRET_KEY (или SECRET_KEY_FILE).")
    SECRET_KEY = "django-insecure-development-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ENV=production: задайте ALLOWED_HOSTS (имена сайта через запятую).")
# Full origins, e.g. https://shnor.example.ru — needed when the proxy's host differs from what Django sees.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "import_export",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "shnor_portal.uploads",
    "shnor_portal.observability",
    "schools",
    "programs",
    "monitoring",
    "partnerships",
    "notifications",
    "surveys",
    "people",
    "public_pages",
    "portal",
]

MIDDLEWARE = [
    # Request metrics (django-prometheus): the first and the last middleware but axes, so that they time everything.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "people.second_factor.SecondFactorMiddleware",
    "shnor_portal.spreadsheets.ExportingUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "schools.context_processors.portal",
                "notifications.context_processors.bell",
            ],
            "libraries": {"portal_forms": "shnor_portal.form_fields"},
        },
    },
]

WSGI_APPLICATION = "shnor_portal.wsgi.application"

# Persistent connections: a new connection per request costs more than the page itself.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db' / 'portal.sqlite3'}",
        conn_max_age=CONN_MAX_AGE,
        conn_health_checks=True,
    )
}

# PostgreSQL through psycopg 3 with Django's connection pool (docs/PRODUCTION.md «PostgreSQL»): each process keeps
# DATABASE_POOL_MIN_SIZE…MAX_SIZE open connections and lends one per request, checked before it is lent, so a restart
# of the database costs no failed request. A pool replaces persistent connections (CONN_MAX_AGE is then 0).
# DATABASE_POOL=0 keeps one persistent connection per process instead.
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DATABASE_POOL", True):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # with a pool: the pool checks a connection before lending it
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 4),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
    }

# Query metrics (django-prometheus): the same backend, wrapped to count queries, their time and errors. Not tied to a
# driver: its PostgreSQL wrapper serves psycopg2 and psycopg 3 alike.
METERED_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = METERED_ENGINES.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])

# The registry's covering index (INCLUDE columns) is PostgreSQL's; SQLite, the demo's database, builds it without
# them and says so on every migrate.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10 if PRODUCTION else 8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# AxesBackend first: it refuses a locked-out username+address before the password is even checked.
# It needs `request` in authenticate(): the login form passes it; tests log in with force_login.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "people.backends.AccountThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is refused for LOGIN_LOCKOUT_MINUTES, even with the right password. Keyed on the pair, so that
# someone guessing from elsewhere cannot lock a colleague out of the portal at their own desk.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_COOLOFF_MESSAGE = "Слишком много неудачных попыток входа. Вход временно заблокирован, попробуйте позже."
AXES_PERMALOCK_MESSAGE = "Слишком много неудачных попыток входа. Обратитесь к администратору портала."
# Behind the reverse proxy REMOTE_ADDR is the proxy itself; the client's address is the one the proxy appended
# to X-Forwarded-For (see shnor_portal/security.py and docs/PRODUCTION.md).
AXES_CLIENT_IP_CALLABLE = "shnor_portal.security.client_ip"
AXES_VERBOSE = False
# Per account, whatever the address (people/throttle.py): from the LOGIN_ACCOUNT_FAILURE_LIMIT-th wrong password the
# account closes for LOGIN_ACCOUNT_DELAY_MINUTES, doubling per further failure up to the maximum; a password reset
# by e-mail opens it at once.
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 10)
LOGIN_ACCOUNT_DELAY_MINUTES = env_int("LOGIN_ACCOUNT_DELAY_MINUTES", 1)
LOGIN_ACCOUNT_DELAY_MAX_MINUTES = env_int("LOGIN_ACCOUNT_DELAY_MAX_MINUTES", 60)
LOGIN_ACCOUNT_FAILURE_WINDOW_HOURS = env_int("LOGIN_ACCOUNT_FAILURE_WINDOW_HOURS", 24)
# Survey answers without an account (surveys/services.address_attempt): at most this many attempts per address in a
# window of minutes. A classroom behind one school router answers together, so the limit is above a class's size.
SURVEY_ANSWERS_PER_ADDRESS = env_int("SURVEY_ANSWERS_PER_ADDRESS", 60)
SURVEY_ADDRESS_WINDOW_MINUTES = env_int("SURVEY_ADDRESS_WINDOW_MINUTES", 10)
# Two-factor authentication (people/second_factor.py): required of the department, the institute, the federal operator
# and the back office's staff. Off in the demo, so its logins stay one password.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", PRODUCTION)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Портал ШНОР")
# An invitation's link (people/invitations.py) works for this many days.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
# A password-reset link works for this many days (Django's PASSWORD_RESET_TIMEOUT is in seconds).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_DAYS", 3) * 24 * 60 * 60
# Attempts stay out of the back office (the department's staff do not manage security logs there); the server's
# IT staff lift a lockout with `manage.py axes_reset_username NAME` (docs/PRODUCTION.md).
AXES_ENABLE_ADMIN = False

# Sessions end 8 hours after they were last saved (in practice: the login) and when the browser is closed.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# The interface speaks Russian only; strings are written in Russian in the code.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Stored files are only served through views that check the user's scope: no MEDIA_URL is routed.
MEDIA_URL = "/media-is-not-served/"
# The largest spreadsheet any import takes (results, registry, passports, values, self-assessments, roadmaps).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded files stay on the local disk (MEDIA_ROOT) unless a bucket is named: then they live in a private
# S3-compatible bucket (Yandex Object Storage, VK Cloud, MinIO) through django-storages. Nothing links to the bucket:
# downloads are streamed by the portal's views after their access check (shnor_portal/s3.py, docs/PRODUCTION.md).
def s3_media_storage(bucket: str) -> dict:
    """The STORAGES entry of the bucket, from the environment (the tests build theirs here too)."""
    return {
        "BACKEND": "shnor_portal.s3.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,  # https://storage.yandexcloud.net
            "region_name": env_str("AWS_S3_REGION_NAME") or None,  # ru-central1
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for MinIO without DNS names
            # Empty: boto3's own chain (AWS_ACCESS_KEY_ID…, ~/.aws/credentials, the cloud's instance role).
            "access_key": env_secret("AWS_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("AWS_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",  # every object private, whatever the bucket's default
            "querystring_auth": True,  # should a URL ever be signed, it is signed and short
            "querystring_expire": 60,
            "file_overwrite": False,  # a second file of the same name gets a new name, as on disk
            # An import reads its workbook through S3Storage.open(): past this size the copy goes to a temp file.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }


AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = s3_media_storage(AWS_STORAGE_BUCKET_NAME)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# The municipality select written in Python (shnor_portal.choices.NameSelect) keeps the class crispy gives a select.
CRISPY_CLASS_CONVERTERS = {"nameselect": "select"}
FORM_RENDERER = "shnor_portal.form_renderer.PortalFormRenderer"

MESSAGE_TAGS = {40: "danger"}  # messages.ERROR → Bootstrap's alert-danger

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The proxy terminates TLS and says so in X-Forwarded-Proto; it must overwrite (not pass on) the client's header.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", PRODUCTION)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The reverse proxies in front of gunicorn (addresses or networks): X-Forwarded-For is believed only as they wrote
# it (shnor_portal/security.py). Empty: REMOTE_ADDR is the client, whatever the header says.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1" if BEHIND_HTTPS_PROXY else "")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# The load balancer and Prometheus ask gunicorn on the loopback over plain HTTP: no redirect to HTTPS for them.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics/$"]
# HSTS: a year by default in production; the browser then refuses plain HTTP to the site and its subdomains.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)

# Content-Security-Policy (django-csp 4): scripts only from the portal's own static files — no inline <script>,
# no on*= handlers, no eval (tests/deployment/test_csp.py scans templates/ for them).
# Styles: <style> elements only from files ('self' in style-src-elem; htmx's injected indicator <style> is turned
# off by <meta name="htmx-config"> in base.html, its rules live in portal.css). Inline style *attributes* stay
# allowed (style-src-attr 'unsafe-inline'): templates set computed widths of progress bars and chart boxes, and
# Bootstrap, Chart.js and htmx set element styles; a style attribute cannot run code, and markup injection that
# could add one is already stopped by template auto-escaping. style-src keeps 'unsafe-inline' only as the fallback
# for browsers without the CSP 3 -elem/-attr directives (they obey the two stricter ones above).
# img-src allows data: for Bootstrap's inline SVG icons (select arrow, close button, navbar toggler).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": SECURE_SSL_REDIRECT,
    },
}

# Production sends mail by SMTP (EMAIL_HOST…); development prints it to the console.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@shnor.local")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# "Имя <адрес>, Имя <адрес>": who gets the e-mail about a server error (500) in production.
ADMINS = [parseaddr(item) for item in env_list("ADMINS")]
# SMTP, used when EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# Links in e-mails lead here (the address people open the portal at).
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# Send a notification's e-mail right after the action that caused it; 0 — only by `send_notifications` (cron).
NOTIFICATIONS_EMAIL_AT_ONCE = env_bool("NOTIFICATIONS_EMAIL_AT_ONCE", True)

# Lists show this many rows per page.
PAGE_SIZE = env_int("PAGE_SIZE", 25)

# Slow jobs — identification runs, yearly reports, notification e-mail, the daily reminders — are tasks
# (shnor_portal/jobs.py). "database": a queue in the portal's own database, run by `manage.py db_worker` beside the
# web server (`make demo` starts both; production: a systemd service, docs/PRODUCTION.md). "immediate": each task
# runs in the process that queued it, once its transaction commits (the tests; a tiny installation without a
# worker — the request then waits for the job). Or a backend's dotted path.
task_backend_paths = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "database").strip()
if TASKS_BACKEND not in task_backend_paths and "." not in TASKS_BACKEND:
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r}: допустимо «database», «immediate» или путь к классу.")
TASKS = {"default": {"BACKEND": task_backend_paths.get(TASKS_BACKEND, TASKS_BACKEND)}}
# A job whose heartbeat (a step of its progress) is older than this many seconds has lost its worker: the page marks
# it failed and offers to start it again. The longest step (a sheet of the country's yearly report) takes seconds.
JOBS_HEARTBEAT_TIMEOUT = env_int("JOBS_HEARTBEAT_TIMEOUT", 180)
# The dashboards' figures (monitoring.summaries) are marked when a change commits and counted again by the worker.
# With FIGURES_READ_FRESH a change marks them at once and a page counts marked ones again itself: for the test suite,
# where a test is one transaction that never commits (tests/monitoring/test_summaries.py checks the real way).
FIGURES_READ_FRESH = env_bool("FIGURES_READ_FRESH", False)
# The worker counts the marked figures this many seconds after the first change waiting (the changes of those seconds
# in one count): under a steady trickle of writes it counted back to back and took a core from the app hosts.
FIGURES_REFRESH_AFTER = env_int("FIGURES_REFRESH_AFTER", 5)

# /health/ (shnor_portal/observability/health.py) fails when a disk the portal writes to is fuller than this, in per
# cent; the disks are HEALTH_DISK_PATHS, or the media folder (when on this machine) and the temporary folder.
HEALTH_DISK_MAX_PERCENT = env_int("HEALTH_DISK_MAX_PERCENT", 90)
HEALTH_DISK_PATHS = env_list("HEALTH_DISK_PATHS")
# …and when a task has been ready for longer than this many minutes with no worker taking it.
HEALTH_QUEUE_MAX_AGE_MINUTES = env_int("HEALTH_QUEUE_MAX_AGE_MINUTES", 15)
# /metrics/ (shnor_portal/observability/metrics.py) answers a request straight to gunicorn from these addresses or
# networks, or one with `Authorization: Bearer METRICS_TOKEN`; anyone else gets 404. Many processes (gunicorn's
# workers, the task worker) sum their counters through PROMETHEUS_MULTIPROC_DIR, read by prometheus_client itself.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
METRICS_TOKEN = env_secret("METRICS_TOKEN")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "refusals_one_line": {"()": "shnor_portal.log_filters.RefusalsOneLine"},
        "health_probes": {"()": "shnor_portal.log_filters.HealthProbes"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # A refused request (403, 404) is one line at INFO; a server error keeps its traceback (shnor_portal.log_filters).
    # A failing /health/ is logged by its check, with the cause, not again by django.request at every probe.
    "loggers": {"django.request": {"filters": ["refusals_one_line", "health_probes"]}},
}
