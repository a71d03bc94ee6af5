from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "schools"
    verbose_name = "Школы и роли"

    def ready(self):
        from shnor_portal import sqlite  # noqa: F401  (connects the SQLite LIKE fix)
