"""Back office of programmes: the installation's administrator keeps the default risk factors and common review
checklist here; a region's department starts its region's own lists from them and edits those
(`schools.admin_region_lists`), and reads its territory's other rows with their history. Programmes themselves are
kept in the portal (roadmap editing, review)."""

from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from schools.admin_region_lists import RegionListAdmin
from schools.admin_territory import TerritoryAdmin, TerritoryHistoryAdmin, TerritoryInline
from shnor_portal.history_admin import register_histories

from .models import (
    Evidence,
    MeasureYear,
    Programme,
    ProgrammeSnapshot,
    Review,
    ReviewCheck,
    ReviewCriterion,
    RiskFactor,
    RoadmapMeasure,
    RoadmapSection,
)
from .review_routes import ReviewRoute, ReviewStep


@admin.register(RiskFactor)
class RiskFactorAdmin(RegionListAdmin, TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["name", "code", "region", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "code", "description"]


class ReviewStepInline(TerritoryInline, admin.TabularInline):
    model = ReviewStep
    extra = 0
    fields = ["position", "name", "kind", "subject", "reviewer", "deciding", "required", "may_overturn", "due_month"]


@admin.register(ReviewRoute)
class ReviewRouteAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    """The routes are edited on «Маршруты экспертизы» (its checks of the whole route run there); here they are read."""

    list_display = ["__str__", "region", "owner", "basis"]
    list_filter = ["owner", "region"]
    list_select_related = ["region"]
    search_fields = ["region__name", "basis", "steps__name"]
    inlines = [ReviewStepInline]


@admin.register(ReviewStep)
class ReviewStepAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["name", "route", "position", "kind", "subject", "reviewer", "deciding", "required"]
    list_filter = ["kind", "subject", "reviewer", "deciding", "required"]
    list_select_related = ["route__region"]
    search_fields = ["name", "route__region__name"]
    raw_id_fields = ["route"]


@admin.register(ReviewCriterion)
class ReviewCriterionAdmin(RegionListAdmin, TerritoryAdmin, SimpleHistoryAdmin):
    """The common checklists (no step: a region's, or the default) and the steps' own; the steps' lists are edited on
    «Маршруты экспертизы»."""

    list_display = ["name", "step", "region", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", ("step", admin.EmptyFieldListFilter), "region"]
    list_select_related = ["step__route__region", "region"]

    def region_list_rows(self):
        return ReviewCriterion.objects.filter(step__isnull=True)
    raw_id_fields = ["step"]
    search_fields = ["name", "description"]


@admin.register(Programme)
class ProgrammeAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["title", "kind", "region", "municipality", "school", "period_start", "period_end", "state", "round"]
    list_filter = ["kind", "state", "region", "municipality", "period_start"]
    search_fields = ["title", "school__short_name", "municipality__name", "goal"]
    list_select_related = ["municipality", "school", "region"]
    autocomplete_fields = ["municipality", "school"]
    readonly_fields = ["state", "round", "version", "created_by", "created_at", "updated_at", "submitted_at", "accepted_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the portal's passport form


@admin.register(RoadmapSection)
class RoadmapSectionAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["title", "position", "programme"]
    list_filter = ["programme__kind", "programme__municipality"]
    search_fields = ["title", "programme__title"]
    list_select_related = ["programme"]
    raw_id_fields = ["programme"]


@admin.register(RoadmapMeasure)
class RoadmapMeasureAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["name", "programme", "status", "term", "executors"]
    list_filter = ["status", "deadline_kind", "programme__kind", "programme__municipality", "risk_factor"]
    search_fields = ["name", "result_name", "executors", "programme__title"]
    list_select_related = ["programme"]
    raw_id_fields = ["programme", "section"]
    date_hierarchy = "deadline"

    @admin.display(description="срок", ordering="deadline")
    def term(self, measure):
        return measure.deadline_label or "—"


@admin.register(MeasureYear)
class MeasureYearAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["measure", "year", "planned_value", "planned_text", "actual_value"]
    list_filter = ["year"]
    search_fields = ["measure__name", "measure__programme__title"]
    list_select_related = ["measure"]
    raw_id_fields = ["measure"]


@admin.register(Evidence)
class EvidenceAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    """Uploaded through the portal only (type and size are checked there); here they are read and removed."""

    list_display = ["title", "original_name", "measure", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type", "uploaded_at"]
    search_fields = ["title", "original_name", "measure__name", "measure__programme__title"]
    list_select_related = ["measure", "uploaded_by"]
    fields = ["title", "measure", "download", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["measure", "download", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="файл")
    def download(self, obj):
        return format_html('<a href="{}">скачать</a>', reverse("programs:evidence_download", args=[obj.pk]))


class ReviewCheckInline(TerritoryInline, admin.TabularInline):
    model = ReviewCheck
    extra = 0
    fields = ["criterion", "met", "comment"]
    readonly_fields = ["criterion"]
    can_delete = False


@admin.register(Review)
class ReviewAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["programme", "kind", "round", "status", "verdict", "reviewer_school", "completed_at"]
    list_filter = ["kind", "status", "verdict", "programme__municipality"]
    search_fields = ["programme__title", "programme__school__short_name", "remarks", "reviewer_school__short_name"]
    list_select_related = ["programme", "reviewer_school"]
    raw_id_fields = ["programme", "reviewer_school"]
    readonly_fields = ["created_at", "started_at", "completed_at"]
    inlines = [ReviewCheckInline]


@admin.register(ReviewCheck)
class ReviewCheckAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["review", "criterion", "met", "comment"]
    list_filter = ["met", "criterion"]
    search_fields = ["review__programme__title", "criterion__name", "comment"]
    list_select_related = ["review__programme", "criterion"]
    raw_id_fields = ["review"]


@admin.register(ProgrammeSnapshot)
class ProgrammeSnapshotAdmin(TerritoryAdmin, admin.ModelAdmin):
    """What each round of review saw; written on submission, never edited."""

    list_display = ["programme", "round", "submitted_at", "submitted_by"]
    list_filter = ["round", "programme__municipality"]
    search_fields = ["programme__title", "programme__school__short_name"]
    list_select_related = ["programme", "submitted_by"]
    readonly_fields = ["programme", "round", "submitted_at", "submitted_by", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


register_histories("programs", admin_class=TerritoryHistoryAdmin)
