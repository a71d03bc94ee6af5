from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    """Counts the tasks from the signals of django-tasks, in the web server and in the worker alike."""

    name = "shnor_portal.observability"
    label = "observability"
    verbose_name = "Состояние и метрики"

    def ready(self):
        from . import metrics

        metrics.connect_task_counters()
