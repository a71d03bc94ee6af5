from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "Программы и дорожные карты"

    def ready(self):
        from schools import act_targets
        from schools.filters import register_school_filter
        from shnor_portal import object_kinds

        from . import access, reminders  # noqa: F401  (reminders registers its providers)

        object_kinds.register(*access.object_kinds())
        act_targets.register(*access.act_targets())
        from .filters import school_programme_filter

        register_school_filter("programme", school_programme_filter)
