from django.apps import AppConfig


class UploadsConfig(AppConfig):
    """The upload pipeline shared by every import: no models, a template include and a management command."""

    name = "shnor_portal.uploads"
    label = "uploads"
    verbose_name = "Загрузки файлов"
