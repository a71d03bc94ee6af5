from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Municipality, Region, RoleAssignment, School
from .services import user_sync_back_office_access

User = get_user_model()


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    list_select_related = ["region"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["short_name", "kind", "municipality"]
    list_filter = ["kind", "municipality"]
    search_fields = ["short_name", "name"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "municipality", "school", "created_at"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "user__last_name", "user__first_name", "school__short_name", "municipality__name"]
    list_select_related = ["user", "municipality", "school"]
    autocomplete_fields = ["user", "municipality", "school"]

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


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["municipality", "school"]


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "last_name", "first_name", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "role_assignments__role"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_sync_back_office_access(user=form.instance)
