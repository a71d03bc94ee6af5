from django.contrib import admin

from schools.admin_territory import TerritoryAdmin

from . import kinds
from .models import EmailPreference, Notification


class KindFilter(admin.SimpleListFilter):
    title = "вид"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kinds.choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class ReadFilter(admin.SimpleListFilter):
    title = "прочитано"
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", "не прочитано"), ("yes", "прочитано")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind_label", "title", "read_at", "email_state", "email_attempts"]
    list_filter = [KindFilter, ReadFilter, "email_state", "municipality", "created_at"]
    search_fields = [
        "title", "body", "recipient__username", "recipient__last_name", "recipient__email", "dedupe_key", "email_error",
    ]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "actor"]
    date_hierarchy = "created_at"
    readonly_fields = ["target_type", "target_id", "dedupe_key", "created_at", "emailed_at", "email_error"]
    actions = ["requeue_email"]

    @admin.display(description="вид", ordering="kind")
    def kind_label(self, obj):
        return obj.kind_label

    @admin.action(description="Отправить письмо ещё раз (следующей рассылкой)")
    def requeue_email(self, request, queryset):
        count = queryset.filter(recipient__email__gt="").update(
            email_state=Notification.EmailState.PENDING, email_attempts=0, email_error=""
        )
        self.message_user(request, f"Письма поставлены в очередь: {count}.")


@admin.register(EmailPreference)
class EmailPreferenceAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["user", "digest", "muted_kinds", "updated_at"]
    list_filter = ["digest"]
    search_fields = ["user__username", "user__last_name", "user__email"]
    raw_id_fields = ["user"]
