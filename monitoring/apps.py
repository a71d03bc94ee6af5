from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self):
        from shnor_portal import object_kinds

        from . import access, reminders, tasks  # noqa: F401  (reminders and tasks register themselves)

        object_kinds.register(*access.object_kinds())
