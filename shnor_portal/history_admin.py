"""The history tables themselves in the back office (django-simple-history): read-only, searchable by who changed
what, for the department's audits. Each app registers its own with `register_histories`."""

from django.apps import apps
from django.contrib import admin

OWN_TEXT_FIELDS = ("title", "name", "short_name", "full_name", "remarks", "original_name", "comment", "username")


class HistoryRecordAdmin(admin.ModelAdmin):
    list_display = ["history_date", "history_user", "history_type", "history_change_reason", "__str__"]
    list_filter = ["history_type", "history_date"]
    list_select_related = ["history_user"]
    search_fields = ["history_user__username", "history_user__last_name", "history_change_reason"]
    date_hierarchy = "history_date"

    def get_search_fields(self, request):
        names = {f.name for f in self.model._meta.get_fields()}
        return [*(name for name in OWN_TEXT_FIELDS if name in names), *self.search_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register_histories(app_label: str, site=admin.site) -> None:
    """List every history model of the app (HistoricalSchool, HistoricalProgramme, …) not registered yet."""
    for model in apps.get_app_config(app_label).get_models():
        if model.__name__.startswith("Historical") and model not in site._registry:
            site.register(model, HistoryRecordAdmin)
