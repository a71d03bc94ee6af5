from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self):
        from . import tasks  # noqa: F401  (registers the check for exports whose worker died)
