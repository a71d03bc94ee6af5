from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self):
        from programs import review_subjects
        from shnor_portal import object_kinds

        from . import access, reminders, selectors, summary_sources, tasks  # noqa: F401  (they register themselves: reminders, tasks, a computation)

        object_kinds.register(*access.object_kinds())
        summary_sources.connect()
        review_subjects.register_report_reader(access.open_reports_for_review)
