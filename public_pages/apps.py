from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The territories' open pages: what each region tells the public about its support of ШНОР and ШНСУ, read
    without a login (docs/PUBLIC.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "public_pages"
    verbose_name = "Открытые страницы территорий"
