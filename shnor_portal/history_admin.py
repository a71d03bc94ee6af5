"""The history tables themselves in the back office (django-simple-history): read-only, searchable by who changed
what, for the department's audits. Each app registers its own with `register_histories`."""

from django.apps import apps
from django.contrib import admin

OWN_TEXT_FIELDS = ("title", "name", "short_name", "full_name", "remarks", "original_name", "comment", "username")


class HistoryRecordAdmin(admin.ModelAdmin):
    list_display = ["history_date", "history_user", "history_type", "history_change_reason", "record"]
    list_filter = ["history_type", "history_date"]
    list_select_related = ["history_user"]
    search_fields = ["history_user__username", "history_user__last_name", "history_change_reason"]
    date_hierarchy = "history_date"

    def get_search_fields(self, request):
        names = {f.name for f in self.model._meta.get_fields()}
        return [*(name for name in OWN_TEXT_FIELDS if name in names), *self.search_fields]

    @admin.display(description="Запись")
    def record(self, obj) -> str:
        # simple-history's own str() reads «… as of <date>»; the date has its own column.
        return str(obj.history_object)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def name_in_russian(model) -> None:
    """simple-history names a history model «historical <name>» in English; the back office speaks Russian.

    Set on the model's options at run time, not in `HistoricalRecords(verbose_name=…)`: the names stay out of the
    migrations (one per app otherwise), and one place names all of them alike."""
    base = model.instance_type._meta
    model._meta.verbose_name = f"запись истории «{base.verbose_name}»"
    model._meta.verbose_name_plural = f"история: {base.verbose_name_plural}"


def register_histories(app_label: str, site=admin.site, admin_class=HistoryRecordAdmin) -> None:
    """Name every history model of the app (HistoricalSchool, HistoricalProgramme, …) in Russian and list those not
    registered yet, with `admin_class` (an app's own, e.g. one that keeps a department in its territory)."""
    for model in apps.get_app_config(app_label).get_models():
        if not model.__name__.startswith("Historical") or not hasattr(model, "instance_type"):
            continue
        name_in_russian(model)
        if model not in site._registry:
            site.register(model, admin_class)
