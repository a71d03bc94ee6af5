"""The back office of the surveys: a region's questionnaires and their questions (questions are data), and its
campaigns and links for reading. Answers are not shown here: they are read on the results pages, above the
threshold."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from schools.admin_territory import TerritoryAdmin, TerritoryInline

from .models import Campaign, Question, Questionnaire, SchoolLink


class QuestionInline(TerritoryInline, admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "text", "kind", "area", "required"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["title", "audience", "region"]
    list_filter = ["audience", "region"]
    list_select_related = ["region"]
    search_fields = ["title", "questions__text"]
    inlines = [QuestionInline]


@admin.register(Campaign)
class CampaignAdmin(TerritoryAdmin, SimpleHistoryAdmin):
    list_display = ["title", "region", "year", "opens_on", "closes_on", "min_answers", "closed_at"]
    list_filter = ["year", "region"]
    list_select_related = ["region"]
    search_fields = ["title"]
    readonly_fields = ["closed_at", "created_by", "audiences"]


@admin.register(SchoolLink)
class SchoolLinkAdmin(TerritoryAdmin, admin.ModelAdmin):
    list_display = ["school", "campaign", "needs_class_code"]
    list_filter = ["needs_class_code", "campaign"]
    list_select_related = ["school", "campaign"]
    search_fields = ["school__short_name", "token"]
    raw_id_fields = ["school", "campaign"]
    readonly_fields = ["token"]
