from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from schools.admin_territory import TerritoryAdmin, TerritoryHistoryAdmin, TerritoryInline
from shnor_portal.history_admin import register_histories

from .models import (
    FigureSummary,
    Indicator,
    IndicatorPlan,
    IndicatorValue,
    MonitoringStage,
    MunicipalStageShift,
    OpenReport,
    ReportExport,
    RiskLevel,
    RiskProfile,
    SelfAssessment,
)


@admin.register(MonitoringStage)
class MonitoringStageAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    """The monitoring calendar per territory and school year (also edited on the portal: «Календарь мониторинга»)."""

    list_display = ["year", "region", "position", "code", "name", "starts_on", "due_on", "basis"]
    list_filter = ["year", "region"]
    search_fields = ["code", "name", "basis"]
    list_select_related = ["region"]


@admin.register(MunicipalStageShift)
class MunicipalStageShiftAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["stage", "municipality", "starts_on", "due_on", "note"]
    list_filter = ["stage__year", "municipality"]
    search_fields = ["municipality__name", "stage__name", "stage__code", "note"]
    list_select_related = ["stage", "municipality"]
    autocomplete_fields = ["municipality"]


class IndicatorPlanInline(TerritoryInline, admin.TabularInline):
    model = IndicatorPlan
    extra = 1


@admin.register(Indicator)
class IndicatorAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = [
        "code", "name", "unit", "direction", "level", "aggregation", "programme", "region", "municipality",
        "computed_by", "is_active",
    ]  # fmt: skip
    list_filter = ["level", "unit", "direction", "aggregation", "is_active", "region", "municipality", "computed_by"]
    search_fields = ["code", "name", "goal", "instrument", "data_source", "programme__title"]
    list_select_related = ["programme", "municipality", "region"]
    autocomplete_fields = ["municipality"]
    raw_id_fields = ["programme"]
    inlines = [IndicatorPlanInline]


@admin.register(IndicatorPlan)
class IndicatorPlanAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["indicator", "year", "planned_value"]
    list_filter = ["year"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator"]
    raw_id_fields = ["indicator"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["indicator", "year", "stage", "region", "municipality", "school", "value", "status", "source"]
    list_filter = ["status", "source", "stage", "year", "municipality"]
    search_fields = ["indicator__code", "indicator__name", "school__short_name", "municipality__name"]
    list_select_related = ["indicator", "municipality", "school"]
    raw_id_fields = ["indicator", "school", "municipality", "entered_by", "confirmed_by"]


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["school", "year", "stage", "status", "is_current", "uploaded_at", "decided_at"]
    list_filter = ["status", "stage", "year", "is_current", "school__municipality"]
    search_fields = ["school__short_name", "school__name", "original_name", "decision_comment"]
    list_select_related = ["school"]
    raw_id_fields = ["school", "uploaded_by", "decided_by"]
    readonly_fields = ["file", "data"]


@admin.register(OpenReport)
class OpenReportAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["school", "year", "original_name", "content_type", "size", "uploaded_at"]
    list_filter = ["year", "content_type", "school__municipality"]
    search_fields = ["school__short_name", "school__name", "original_name"]
    list_select_related = ["school"]
    raw_id_fields = ["school", "uploaded_by"]
    readonly_fields = ["file"]


class RiskLevelInline(TerritoryInline, admin.TabularInline):
    model = RiskLevel
    extra = 0


@admin.register(RiskProfile)
class RiskProfileAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["school", "year", "self_assessment", "updated_at"]
    list_filter = ["year", "school__municipality"]
    search_fields = ["school__short_name", "school__name"]
    list_select_related = ["school", "self_assessment"]
    raw_id_fields = ["school", "self_assessment"]
    inlines = [RiskLevelInline]


@admin.register(RiskLevel)
class RiskLevelAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["profile", "risk_factor", "level"]
    list_filter = ["level", "risk_factor", "profile__year"]
    search_fields = ["profile__school__short_name", "risk_factor__name", "comment"]
    list_select_related = ["profile__school", "risk_factor"]
    raw_id_fields = ["profile"]


class _HistoryAdmin(TerritoryHistoryAdmin):
    list_filter = ["history_type", "history_date", "status"]


@admin.register(IndicatorValue.history.model)
class IndicatorValueHistoryAdmin(_HistoryAdmin):
    search_fields = ["indicator__code", "indicator__name", "school__short_name", "history_user__username"]


@admin.register(SelfAssessment.history.model)
class SelfAssessmentHistoryAdmin(_HistoryAdmin):
    search_fields = ["school__short_name", "original_name", "decision_comment", "history_user__username"]


@admin.register(ReportExport)
class ReportExportAdmin(TerritoryAdmin, admin.ModelAdmin):
    """Exports of the yearly report, read-only: they are made on the report page and by the command."""

    list_display = ["created_at", "year", "municipality", "requested_by", "status", "progress", "finished_at"]
    list_filter = ["status", "year", "municipality"]
    search_fields = ["requested_by__username", "municipality__name", "error"]
    readonly_fields = [f.name for f in ReportExport._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


register_histories("monitoring", admin_class=TerritoryHistoryAdmin)


@admin.register(FigureSummary)
class FigureSummaryAdmin(TerritoryAdmin, admin.ModelAdmin):
    """The dashboards' figures as counted (`monitoring.summaries`): when, and whether a change waits to be counted.
    Read-only: the worker writes them."""

    list_display = ["municipality", "region", "year", "as_of", "counted_at", "stale_since", "changed_at"]
    list_filter = ["year", "region", ("changed_at", admin.EmptyFieldListFilter)]
    search_fields = ["municipality__name", "region__name"]
    readonly_fields = [f.name for f in FigureSummary._meta.fields]
    list_select_related = ["municipality", "region"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
