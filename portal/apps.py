from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The shell: the pages and commands that bring every section together (home, history, demo, scale)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "Портал"
