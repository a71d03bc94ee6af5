from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from schools.admin_region_lists import RegionListAdmin
from schools.admin_territory import TerritoryAdmin, TerritoryHistoryAdmin, TerritoryInline
from shnor_portal.history_admin import register_histories

from . import models as m


@admin.register(m.Subject)
class SubjectAdmin(RegionListAdmin, TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["name", "code", "region", "position", "is_active"]
    list_filter = ["is_active", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "code"]
    list_editable = ["position", "is_active"]


@admin.register(m.DeficitArea)
class DeficitAreaAdmin(RegionListAdmin, TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["name", "code", "region", "position", "is_active"]
    list_filter = ["is_active", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "code", "description"]
    list_editable = ["position", "is_active"]


class AgreementPlanItemInline(TerritoryInline, admin.TabularInline):
    model = m.AgreementPlanItem
    extra = 0
    autocomplete_fields = ["risk_factor"]


@admin.register(m.Agreement)
class AgreementAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = [
        "__str__", "status", "signed_on", "starts_on", "ends_on", "curator_school", "curator_organisation",
        "supported_school",
    ]  # fmt: skip
    list_filter = ["status", "supported_school__municipality", "starts_on"]
    search_fields = [
        "number", "curator_school__short_name", "curator_organisation__short_name", "supported_school__short_name",
        "subject",
    ]  # fmt: skip
    list_select_related = ["curator_school", "curator_organisation", "supported_school"]
    autocomplete_fields = ["curator_school", "curator_organisation", "supported_school", "created_by"]
    date_hierarchy = "starts_on"
    inlines = [AgreementPlanItemInline]


@admin.register(m.AgreementPlanItem)
class AgreementPlanItemAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["agreement", "planned_on", "month_only", "format", "topic", "risk_factor"]
    list_filter = ["format", "month_only", "risk_factor"]
    search_fields = ["topic", "agreement__number", "agreement__supported_school__short_name"]
    list_select_related = [
        "agreement__curator_school", "agreement__curator_organisation", "agreement__supported_school", "risk_factor"
    ]  # fmt: skip
    autocomplete_fields = ["agreement", "risk_factor"]


class SessionEvidenceInline(TerritoryInline, admin.TabularInline):
    model = m.SessionEvidence
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(m.SupportSession)
class SupportSessionAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["held_on", "format", "topic", "agreement", "status", "hours", "teachers_count", "managers_count"]
    list_filter = ["status", "format", "held_on", "agreement__supported_school__municipality"]
    search_fields = ["topic", "outcome", "dispute_comment", "agreement__number", "agreement__supported_school__short_name"]
    list_select_related = ["agreement__curator_school", "agreement__curator_organisation", "agreement__supported_school"]
    autocomplete_fields = ["agreement", "plan_item", "risk_factor", "logged_by", "reviewed_by"]
    date_hierarchy = "held_on"
    inlines = [SessionEvidenceInline]


@admin.register(m.SessionEvidence)
class SessionEvidenceAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["original_name", "session", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type", "uploaded_at"]
    search_fields = ["original_name", "session__topic"]
    list_select_related = ["session"]
    autocomplete_fields = ["session", "uploaded_by"]


@admin.register(m.TutorProfile)
class TutorProfileAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["user", "municipality", "direction", "workplace"]
    list_filter = ["direction", "municipality"]
    search_fields = ["user__username", "user__last_name", "user__first_name", "note"]
    list_select_related = ["user", "municipality", "workplace"]
    autocomplete_fields = ["user", "municipality", "workplace", "subjects"]


@admin.register(m.Teacher)
class TeacherAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["full_name", "school", "subject", "category", "experience", "is_active"]
    list_filter = ["is_active", "category", "experience", "subject", "school__municipality"]
    search_fields = ["full_name", "school__short_name"]
    list_select_related = ["school", "subject"]
    autocomplete_fields = ["school", "subject", "created_by"]


@admin.register(m.TutorAssignment)
class TutorAssignmentAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["teacher", "tutor", "starts_on", "ends_on"]
    list_filter = ["starts_on", "ends_on", "teacher__school__municipality"]
    search_fields = ["teacher__full_name", "tutor__username", "tutor__last_name"]
    list_select_related = ["teacher", "tutor"]
    autocomplete_fields = ["teacher", "tutor", "assigned_by"]


@admin.register(m.TeacherDeficit)
class TeacherDeficitAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["teacher", "area", "level", "diagnosed_on", "resolved_on"]
    list_filter = ["level", "area", "diagnosed_on"]
    search_fields = ["teacher__full_name", "area__name", "source", "note"]
    list_select_related = ["teacher", "area"]
    autocomplete_fields = ["teacher", "area"]


class DevelopmentPlanItemInline(TerritoryInline, admin.TabularInline):
    model = m.DevelopmentPlanItem
    extra = 0
    autocomplete_fields = ["deficit"]


@admin.register(m.DevelopmentPlan)
class DevelopmentPlanAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["teacher", "year", "status", "tutor", "starts_on", "ends_on"]
    list_filter = ["year", "status", "teacher__school__municipality"]
    search_fields = ["teacher__full_name", "teacher__school__short_name", "goal"]
    list_select_related = ["teacher", "tutor"]
    autocomplete_fields = ["teacher", "tutor", "created_by"]
    inlines = [DevelopmentPlanItemInline]


@admin.register(m.DevelopmentPlanItem)
class DevelopmentPlanItemAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["action", "plan", "form", "due_on", "status", "done_on"]
    list_filter = ["status", "form", "due_on"]
    search_fields = ["action", "result", "plan__teacher__full_name"]
    list_select_related = ["plan__teacher"]
    autocomplete_fields = ["plan", "deficit"]


@admin.register(m.TutoringSession)
class TutoringSessionAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["held_on", "teacher", "tutor", "format", "topic", "hours"]
    list_filter = ["format", "held_on"]
    search_fields = ["topic", "note", "teacher__full_name", "tutor__last_name"]
    list_select_related = ["teacher", "tutor"]
    autocomplete_fields = ["teacher", "tutor"]


class PracticeFileInline(TerritoryInline, admin.TabularInline):
    model = m.PracticeFile
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(m.Practice)
class PracticeAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["title", "school", "status", "published_at", "download_count"]
    list_filter = ["status", "school__municipality", "subjects", "risk_factors"]
    search_fields = ["title", "description", "school__short_name"]
    list_select_related = ["school"]
    autocomplete_fields = ["school", "subjects", "risk_factors", "moderated_by", "created_by"]
    readonly_fields = ["download_count"]
    inlines = [PracticeFileInline]


@admin.register(m.PracticeFile)
class PracticeFileAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["original_name", "practice", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type", "uploaded_at"]
    search_fields = ["original_name", "practice__title"]
    list_select_related = ["practice"]
    autocomplete_fields = ["practice", "uploaded_by"]


@admin.register(m.PracticeDownload)
class PracticeDownloadAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["practice", "file", "user", "downloaded_at"]
    list_filter = ["downloaded_at"]
    search_fields = ["practice__title", "user__username"]
    list_select_related = ["practice", "file", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInvitationInline(TerritoryInline, admin.TabularInline):
    model = m.EventInvitation
    extra = 0
    autocomplete_fields = ["school"]


class EventAttendeeInline(TerritoryInline, admin.TabularInline):
    """People invited by name (the portal's page: «Приглашённые поимённо»)."""

    model = m.EventAttendee
    extra = 0
    raw_id_fields = ["teacher", "school", "municipality"]
    fields = ["kind", "teacher", "school", "municipality", "full_name", "position", "attended", "completed"]


@admin.register(m.MethodicalEvent)
class MethodicalEventAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = [
        "title", "format", "held_on", "ends_on", "municipality", "organiser", "target_group", "target_share",
        "is_cancelled",
    ]  # fmt: skip
    filter_horizontal = ["invited_municipalities"]
    list_filter = ["format", "municipality", "held_on", "is_cancelled"]
    search_fields = ["title", "organiser", "description"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality", "created_by"]
    date_hierarchy = "held_on"
    inlines = [EventInvitationInline, EventAttendeeInline]


@admin.register(m.SupportTarget)
class SupportTargetAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    """The targets per territory and school year (the portal's page: «Сопровождение» → «Цели»)."""

    list_display = ["__str__", "year", "region", "agreements_per_year", "event_participation", "teacher_coverage"]
    list_filter = ["year", "region"]
    search_fields = ["basis", "region__name"]
    list_select_related = ["region"]


class EventParticipantInline(TerritoryInline, admin.TabularInline):
    model = m.EventParticipant
    extra = 0


@admin.register(m.EventInvitation)
class EventInvitationAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["event", "school", "attended"]
    list_filter = ["attended", "event__format", "school__municipality"]
    search_fields = ["event__title", "school__short_name"]
    list_select_related = ["event", "school"]
    autocomplete_fields = ["event", "school"]
    inlines = [EventParticipantInline]


@admin.register(m.EventParticipant)
class EventParticipantAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["full_name", "position", "invitation"]
    list_filter = ["invitation__event__format"]
    search_fields = ["full_name", "position", "invitation__school__short_name", "invitation__event__title"]
    list_select_related = ["invitation__school", "invitation__event"]
    autocomplete_fields = ["invitation"]


@admin.register(m.EventAttendee)
class EventAttendeeAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    """A person invited by name, with attendance and, on a course, completion."""

    list_display = ["full_name", "kind", "event", "school", "municipality", "attended", "completed"]
    list_filter = ["kind", "attended", "completed", "event__format", "municipality"]
    search_fields = ["full_name", "position", "event__title", "school__short_name"]
    list_select_related = ["event", "school", "municipality"]
    raw_id_fields = ["event", "teacher", "school", "municipality"]


# The change history of every model above (django-simple-history): read-only, for the department's audits.


register_histories("partnerships", admin_class=TerritoryHistoryAdmin)
