from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "уведомления и напоминания"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the receivers of the lower apps' signals)
