from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"
    verbose_name = "Партнёрство и сопровождение"

    def ready(self):
        from schools import access as school_access
        from schools import act_targets, school_page
        from shnor_portal import object_kinds

        from . import access, reminders, selectors  # noqa: F401  (reminders registers its providers)

        object_kinds.register(*access.object_kinds())
        act_targets.register(*access.act_targets())
        school_page.register(lambda school: {"support": selectors.school_support(school=school)})
        school_access.register_extra_school_reach(school_access.Role.CURATOR, access.schools_curated_by)
        from schools.filters import register_school_filter

        from .filters import school_curator_filter, school_events_filter

        register_school_filter("events", school_events_filter)
        register_school_filter("curator", school_curator_filter)
