from django.urls import path

from . import identification_views, import_views, views

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("<int:pk>/", views.school_detail, name="detail"),
    path("export/", views.school_list_export, name="list_export"),
    path("<int:pk>/profiles/<int:year>/", views.profile_edit, name="profile_edit"),
    path("import/", views.registry_import_page, name="registry_import"),
    path("import/template/", views.registry_template, name="registry_template"),
    path("import/results/", import_views.import_upload, name="results_import"),
    path("import/results/preview/", import_views.import_preview, name="results_import_preview"),
    path("import/results/template/", import_views.import_template, name="results_import_template"),
    path("identification/", identification_views.identification_list, name="identification"),
    path("identification/start/", identification_views.identification_start, name="identification_start"),
    path("identification/<int:pk>/", identification_views.run_detail, name="run_detail"),
    path("identification/<int:pk>/export/", identification_views.run_export, name="run_export"),
    path("identification/<int:pk>/progress/", identification_views.run_progress, name="run_progress"),
    path("identification/<int:pk>/approve/", identification_views.run_approve_view, name="run_approve"),
    path("identification/<int:pk>/compare/", identification_views.run_compare, name="run_compare"),
    path("identification/criteria/<int:year>/", identification_views.criteria_list, name="criteria"),
]
