from django.urls import path

from . import calendar_views, dashboard_views, regional_views, values_views, views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/<int:pk>/", dashboard_views.dashboard_municipality, name="dashboard_municipality"),
    path("regions/", dashboard_views.regions, name="regions"),
    path("regions/export/", dashboard_views.regions_export, name="regions_export"),
    # the region's own indicators (level «регион») and its department's values
    path("region/", regional_views.region_indicators, name="region_indicators"),
    path("region/indicators/<int:pk>/value/", regional_views.region_value, name="region_value"),
    path("report/", dashboard_views.report, name="report"),
    path("report/<int:pk>/", dashboard_views.report_export, name="report_export"),
    path("report/<int:pk>/progress/", dashboard_views.report_export_progress, name="report_export_progress"),
    path("report/<int:pk>/retry/", dashboard_views.report_export_retry_view, name="report_export_retry"),
    path("report/<int:pk>/download/", dashboard_views.report_export_download, name="report_export_download"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/export/", views.indicator_list_export, name="indicator_list_export"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("schools/<int:pk>/", views.school_page, name="school"),
    path("schools/<int:pk>/values/<int:year>/<str:stage>/", views.school_grid, name="school_grid"),
    path("municipalities/<int:pk>/values/<int:year>/<str:stage>/", views.municipality_grid, name="municipality_grid"),
    path("values/<int:pk>/restore/<int:history_id>/", values_views.value_restore, name="value_restore"),
    path("queue/", views.queue, name="queue"),
    path("queue/export/", views.queue_export, name="queue_export"),
    path("values/import/", values_views.values_import, name="values_import"),
    path("values/import/preview/", values_views.values_import_preview_view, name="values_import_preview"),
    path("values/import/template/", values_views.values_import_template, name="values_import_template"),
    path("self-assessments/", views.self_assessment_list, name="self_assessment_list"),
    path("self-assessments/export/", views.self_assessment_export, name="self_assessment_export"),
    path("self-assessments/preview/", views.self_assessment_preview, name="self_assessment_preview"),
    path("self-assessments/<int:pk>/", views.self_assessment_detail, name="self_assessment_detail"),
    path("self-assessments/<int:pk>/decide/", views.self_assessment_decide, name="self_assessment_decide"),
    path("self-assessments/<int:pk>/file/", views.self_assessment_file, name="self_assessment_file"),
    path(
        "schools/<int:pk>/self-assessment/<int:year>/<str:stage>/template/",
        views.self_assessment_template,
        name="self_assessment_template",
    ),
    path(
        "schools/<int:pk>/self-assessment/<int:year>/<str:stage>/upload/",
        views.self_assessment_upload,
        name="self_assessment_upload",
    ),
    path("schools/<int:pk>/open-report/<int:year>/", views.open_report_upload_view, name="open_report_upload"),
    path("open-reports/<int:pk>/file/", views.open_report_file, name="open_report_file"),
    # the monitoring calendar of a territory per school year, and a municipality's dates
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("calendar/<int:year>/stages/new/", calendar_views.stage_create, name="calendar_stage_create"),
    path("calendar/<int:year>/start/", calendar_views.calendar_start, name="calendar_start"),
    path("calendar/<int:year>/history/", calendar_views.calendar_history, name="calendar_history"),
    path("calendar/stages/<int:pk>/edit/", calendar_views.stage_edit, name="calendar_stage_edit"),
    path("calendar/stages/<int:pk>/delete/", calendar_views.stage_delete, name="calendar_stage_delete"),
    path(
        "calendar/stages/<int:pk>/municipalities/<int:municipality_pk>/",
        calendar_views.stage_shift,
        name="calendar_stage_shift",
    ),
]
