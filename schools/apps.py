from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "schools"
    verbose_name = "Школы и роли"

    def ready(self):
        from shnor_portal import object_kinds, spreadsheets, sqlite  # noqa: F401  (sqlite: the SQLite LIKE fix)

        from . import access, act_targets, tasks  # noqa: F401  (tasks: the check for runs whose worker died)

        object_kinds.register(*access.object_kinds())
        act_targets.register(*access.act_targets_of_schools())
        spreadsheets.register_territory(access.territory_of)  # the territory in every export's running header
