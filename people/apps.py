from django.apps import AppConfig


class PeopleConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "people"
    verbose_name = "люди и учётные записи"

    def ready(self):
        from . import receivers  # noqa: F401  (counts failed and successful logins per account)
