"""Settings of the benchmark's gunicorn (bench/scale.py, throughput): the portal's, with the floor view routed."""

from shnor_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
