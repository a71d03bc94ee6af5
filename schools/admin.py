from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import models
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from shnor_portal.history_admin import register_histories
from shnor_portal.uploads.backoffice import CheckedImportMixin

from .admin_territory import TerritoryAdmin, TerritoryHistoryAdmin, TerritoryInline
from .models import (
    Act,
    ActLink,
    Cluster,
    ClusterRule,
    Criterion,
    IdentificationRun,
    IdentificationSettings,
    IdentificationVerdict,
    ListChange,
    Measure,
    Municipality,
    Organisation,
    Region,
    ResultImport,
    RoleAssignment,
    School,
    SchoolNameAlias,
    SchoolResult,
    SchoolYearProfile,
    SchoolYearStatus,
)
from .resources import SchoolResource, SchoolYearProfileResource
from .services import school_archive, school_restore, user_sync_back_office_access

User = get_user_model()


@admin.register(Region)
class RegionAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["short_name", "kind", "region", "municipality", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["short_name", "name", "inn"]
    list_select_related = ["region", "municipality"]
    autocomplete_fields = ["municipality"]


@admin.register(Municipality)
class MunicipalityAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    list_select_related = ["region"]


class ClusterRuleForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label="Типы школ", choices=School.Kind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Ничего не отмечено — любой тип.",
    )

    class Meta:
        model = ClusterRule
        fields = ["cluster", "order", "kinds", "locality", "small", "min_pupils", "max_pupils"]


class ClusterRuleInline(TerritoryInline, admin.TabularInline):
    model = ClusterRule
    form = ClusterRuleForm
    extra = 0


@admin.register(Cluster)
class ClusterAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    list_filter = ["code"]
    inlines = [ClusterRuleInline]
    actions = ["assign_by_rule"]

    # Every region's schools: the installation's step (a department reads the clusters, `admin_territory`).
    @admin.action(description="Распределить школы по кластерам по правилу", permissions=["change"])
    def assign_by_rule(self, request, queryset):
        from .clusters import clusters_assign

        changed = clusters_assign()
        self.message_user(request, f"Кластер изменён у {changed} школ (назначенные вручную не тронуты).")


@admin.register(ClusterRule)
class ClusterRuleAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    form = ClusterRuleForm
    list_display = ["order", "cluster", "kinds", "locality", "small", "min_pupils", "max_pupils"]
    list_filter = ["cluster", "locality", "small"]
    search_fields = ["cluster__name"]
    list_select_related = ["cluster"]


@admin.register(ListChange)
class ListChangeAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["school", "kind", "status", "state", "run", "author", "created_at"]
    list_filter = ["kind", "state", "run__year"]
    search_fields = ["school__short_name", "reason"]
    list_select_related = ["school", "run", "author"]
    raw_id_fields = ["school", "run"]


class ArchivedFilter(admin.SimpleListFilter):
    title = "архив"
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("no", "действующие"), ("yes", "в архиве")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(archived_on__isnull=True)
        if self.value() == "yes":
            return queryset.filter(archived_on__isnull=False)
        return queryset


@admin.register(School)
class SchoolAdmin(TerritoryAdmin, CheckedImportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [SchoolResource]
    list_display = ["short_name", "kind", "locality", "is_small", "cluster", "municipality", "archived_on"]
    list_filter = [ArchivedFilter, "kind", "locality", "is_small", "cluster", "municipality"]
    search_fields = ["short_name", "name", "inn", "director"]
    list_select_related = ["municipality", "cluster"]
    autocomplete_fields = ["municipality"]
    actions = ["archive", "restore"]
    # A site typed without a scheme is https (Django 6's default, chosen now so the form does not warn).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        """A school with history (results, lists, programmes, agreements…) is archived, never deleted: deleting
        it would take its results and verdicts with it. The bulk delete is not offered for schools at all."""
        if obj is not None and obj.history_counts():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        school = self.get_object(request, object_id)
        if request.method == "GET" and school is not None and (counts := school.history_counts()):
            listed = ", ".join(f"{name}: {count}" for name, count in counts.items())
            self.message_user(
                request,
                f"У школы есть история ({listed}), поэтому удалить её нельзя. Если школа закрыта или "
                "реорганизована, переведите её в архив: действие «Перевести в архив» в списке школ.",
                level="info",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Перевести в архив (школа закрыта или реорганизована)", permissions=["change"])
    def archive(self, request, queryset):
        moved = school_archive(
            schools=list(queryset), note=f"переведена в архив: {request.user.get_username()}", actor=request.user
        )
        self.message_user(request, f"Переведено в архив: {moved}. История школ сохранена.")

    @admin.action(description="Вернуть из архива", permissions=["change"])
    def restore(self, request, queryset):
        self.message_user(request, f"Возвращено из архива: {school_restore(schools=list(queryset), actor=request.user)}.")


@admin.register(SchoolYearProfile)
class SchoolYearProfileAdmin(TerritoryAdmin, CheckedImportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [SchoolYearProfileResource]
    list_display = ["school", "year", "pupils", "teachers", "share_low_income", "share_special_needs"]
    list_filter = ["year", "school__municipality"]
    search_fields = ["school__short_name", "school__name"]
    list_select_related = ["school"]
    autocomplete_fields = ["school"]


@admin.register(SchoolNameAlias)
class SchoolNameAliasAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["name", "municipality_name", "school", "created_at"]
    list_filter = ["school__municipality"]
    search_fields = ["name", "municipality_name", "school__short_name"]
    autocomplete_fields = ["school"]
    list_select_related = ["school"]


@admin.register(Measure)
class MeasureAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "exam", "subject", "metric", "unit"]
    list_filter = ["exam", "metric", "subject"]
    search_fields = ["code", "name", "subject"]


@admin.register(ResultImport)
class ResultImportAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["file_name", "imported_at", "imported_by", "years", "school_count", "value_count"]
    list_filter = ["imported_at"]
    search_fields = ["file_name", "summary"]
    list_select_related = ["imported_by"]


@admin.register(SchoolResult)
class SchoolResultAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["school", "year", "measure", "value"]
    list_filter = ["year", "measure__exam", "school__municipality"]
    search_fields = ["school__short_name", "measure__code", "measure__name"]
    list_select_related = ["school", "measure"]
    autocomplete_fields = ["school", "measure"]


@admin.register(Criterion)
class CriterionAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "year", "kind", "direction", "weight", "rule", "line", "compare_within", "is_active"]
    list_filter = ["year", "kind", "rule", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["measure", "per_measure"]
    list_editable = ["weight", "line", "is_active"]


@admin.register(IdentificationSettings)
class IdentificationSettingsAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = [
        "year", "oip_threshold", "social_threshold", "window_years", "min_low_years", "min_result_years", "index_scale",
        "curator_threshold",
    ]
    list_filter = ["year"]
    search_fields = ["year"]
    fieldsets = [
        (None, {"fields": [
            "year", "oip_threshold", "social_threshold", "window_years", "min_low_years", "min_result_years",
            "index_scale", "preventive_drop", "preventive_margin", "curator_threshold",
        ]}),
        ("Признаки необъективности ВПР (решение не меняют)", {"fields": [
            "vpr_oge_gap", "vpr_top_share_ratio", "vpr_top_share_min", "vpr_boundary_share", "vpr_term_gap",
            "vpr_ege_rank_gap", "vpr_min_region_schools", "vpr_min_participants",
        ]}),
        ("Перечни районов", {"fields": ["districts_identify"]}),
    ]  # fmt: skip


class ReadOnlyAdmin(TerritoryAdmin, admin.ModelAdmin):
    """Computed records: they are made by the identification, never typed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ActLinkInline(TerritoryInline, admin.TabularInline):
    model = ActLink
    extra = 0
    fields = ["target", "object_id", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Act)
class ActAdmin(ReadOnlyAdmin):
    """The register of acts is kept on the portal's pages (`schools:acts`), where the file and the duplicates are
    checked and the links are made; the back office lists and searches it."""

    list_display = ["__str__", "title", "issuer", "municipality", "created_at"]
    list_filter = ["kind", "municipality"]
    search_fields = ["number", "title", "issuer", "note"]
    list_select_related = ["municipality"]
    inlines = [ActLinkInline]


@admin.register(ActLink)
class ActLinkAdmin(ReadOnlyAdmin):
    list_display = ["act", "target", "object_id", "created_by", "created_at"]
    list_filter = ["target"]
    search_fields = ["act__number", "act__title"]
    list_select_related = ["act", "created_by"]


@admin.register(IdentificationRun)
class IdentificationRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "year", "state", "created_at", "created_by", "approved_at", "shnor_count", "shnsu_count"]
    list_filter = ["year", "state"]
    search_fields = ["note", "year"]
    exclude = ["inputs"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("inputs")


class RunRowsAdmin(ReadOnlyAdmin):
    """Rows a run made (verdicts, statuses): listed with their run, but not the run's packed inputs — megabytes
    at a country's scale, for each row of the page."""

    list_select_related = ["school", "run"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("run__inputs")


@admin.register(IdentificationVerdict)
class IdentificationVerdictAdmin(RunRowsAdmin):
    list_display = ["school", "run", "status", "oip", "social_index", "preventive", "curator_candidate"]
    list_filter = ["run__year", "status", "preventive", "curator_candidate"]
    search_fields = ["school__short_name"]


@admin.register(SchoolYearStatus)
class SchoolYearStatusAdmin(RunRowsAdmin):
    list_display = ["school", "year", "status", "preventive", "curator_candidate", "run"]
    list_filter = ["year", "status", "preventive", "curator_candidate", "school__municipality"]
    search_fields = ["school__short_name"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["user", "role", "municipality", "school", "organisation", "created_at"]
    list_filter = ["role", "municipality"]
    search_fields = [
        "user__username", "user__last_name", "user__first_name", "school__short_name", "municipality__name",
        "organisation__short_name",
    ]  # fmt: skip
    list_select_related = ["user", "municipality", "school", "organisation"]
    autocomplete_fields = ["user", "municipality", "school", "organisation"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_sync_back_office_access(user=obj.user)

    def delete_model(self, request, obj):
        user = obj.user
        super().delete_model(request, obj)
        user_sync_back_office_access(user=user)

    def delete_queryset(self, request, queryset):
        users = list(User.objects.filter(role_assignments__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for user in users:
            user_sync_back_office_access(user=user)


class RoleAssignmentInline(TerritoryInline, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["municipality", "school", "organisation"]


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(TerritoryAdmin, UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "last_name", "first_name", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "role_assignments__role"]

    def get_readonly_fields(self, request, obj=None):
        """The back office's rights come with the department's role (`user_sync_back_office_access`); only the
        installation's administrator gives them by hand."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_sync_back_office_access(user=form.instance)


admin.site.unregister(Group)


@admin.register(Group)
class PortalGroupAdmin(TerritoryAdmin, GroupAdmin):
    """The department's group and its permissions are the installation's (`services.department_group`)."""


register_histories("schools", admin_class=TerritoryHistoryAdmin)
