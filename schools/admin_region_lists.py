"""A region's reference list in the back office (risk factors, the common review checklist, subjects, deficit areas).

The department of a region sees its region's rows and the installation's defaults (read-only, `admin_territory`), and
«Начать со списка по умолчанию» copies the defaults into its region (`region_lists.region_list_start`): from then on
its programmes, teachers and reviews are offered its own list, which it edits; the defaults stay the operator's.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse

from .admin_territory import scope_of
from .models import Region
from .region_lists import has_own_list, region_list_start


class RegionListAdmin:
    """Mixin for the ModelAdmin of a region's reference list (before `TerritoryAdmin` in the bases)."""

    change_list_template = "admin/region_list_change_list.html"

    def region_list_rows(self) -> QuerySet:
        """The rows that make the list (the common checklist: the criteria of no step)."""
        return self.model._default_manager.all()

    def _startable_regions(self, request) -> list[Region]:
        """The regions the user keeps (its regional department) that follow the default list yet."""
        scope = scope_of(request.user)
        if scope is None or not self.has_module_permission(request):
            return []
        rows = self.region_list_rows()
        return [r for r in Region.objects.filter(pk__in=scope.regions) if not has_own_list(rows, r.pk)]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "region_list_starts": self._startable_regions(request),
            "region_list_start_url": reverse(f"admin:{self._url_name()}", current_app=self.admin_site.name),
        }
        return super().changelist_view(request, extra_context)

    def _url_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_start_region_list"

    def get_urls(self):
        own = [
            path(
                "start-region-list/",
                self.admin_site.admin_view(self.start_region_list_view),
                name=self._url_name(),
            )
        ]
        return own + super().get_urls()

    def start_region_list_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            region_id = int(request.POST.get("region", ""))
        except ValueError:
            region_id = None
        scope = scope_of(request.user)
        may = scope.regions if scope is not None else set(Region.objects.values_list("pk", flat=True))
        if region_id not in may or not super().has_change_permission(request):
            raise PermissionDenied("Список этой территории вам не доступен.")
        region = Region.objects.get(pk=region_id)
        copied = region_list_start(rows=self.region_list_rows(), region=region)
        plural = self.model._meta.verbose_name_plural
        if copied:
            messages.success(request, f"Список «{plural}» территории «{region.name}» начат с копии списка по умолчанию "
                             f"({copied}): дальше правьте его.")
        else:
            messages.info(request, f"У территории «{region.name}» уже есть свой список «{plural}».")
        return redirect(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist")
