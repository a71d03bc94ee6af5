from django.urls import path

from . import act_views, identification_views, import_views, list_views, organisation_views, passport_views, views

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("<int:pk>/", views.school_detail, name="detail"),
    path("export/", views.school_list_export, name="list_export"),
    path("<int:pk>/profiles/<int:year>/", views.profile_edit, name="profile_edit"),
    path("import/", views.registry_import_page, name="registry_import"),
    path("import/preview/", views.registry_import_preview_page, name="registry_import_preview"),
    path("import/template/", views.registry_template, name="registry_template"),
    path("import/results/", import_views.import_upload, name="results_import"),
    path("import/results/preview/", import_views.import_preview, name="results_import_preview"),
    path("import/results/template/", import_views.import_template, name="results_import_template"),
    path("import/passports/", passport_views.passport_import, name="passport_import"),
    path("import/passports/preview/", passport_views.passport_preview, name="passport_preview"),
    path("import/passports/template/", passport_views.passport_template, name="passport_template"),
    path("identification/", identification_views.identification_list, name="identification"),
    path("identification/start/", identification_views.identification_start, name="identification_start"),
    path("identification/<int:pk>/", identification_views.run_detail, name="run_detail"),
    path("identification/<int:pk>/export/", identification_views.run_export, name="run_export"),
    path("identification/<int:pk>/progress/", identification_views.run_progress, name="run_progress"),
    path("identification/<int:pk>/retry/", identification_views.run_retry_view, name="run_retry"),
    path("identification/<int:pk>/approve/", identification_views.run_approve_view, name="run_approve"),
    path("identification/<int:pk>/compare/", identification_views.run_compare, name="run_compare"),
    path("identification/criteria/<int:year>/", identification_views.criteria_list, name="criteria"),
    path("identification/list/", list_views.selection_latest, name="selection_latest"),
    path("identification/<int:pk>/list/", list_views.selection, name="selection"),
    path("identification/<int:pk>/list/changes/", list_views.selection_change_add, name="selection_change_add"),
    path("identification/<int:pk>/list/approve/", list_views.selection_approve, name="selection_approve"),
    path("identification/<int:pk>/list/print/", list_views.selection_print, name="selection_print"),
    path("identification/<int:pk>/list/export/", list_views.selection_export, name="selection_export"),
    path(
        "identification/list/changes/<int:pk>/withdraw/", list_views.selection_change_withdraw,
        name="selection_change_withdraw",
    ),
    path(
        "identification/list/changes/<int:pk>/decide/", list_views.selection_change_decide,
        name="selection_change_decide",
    ),
    # the register of acts (реестр актов)
    path("acts/", act_views.act_list, name="acts"),
    path("acts/export/", act_views.act_export, name="acts_export"),
    path("acts/new/", act_views.act_create, name="act_create"),
    path("acts/<int:pk>/", act_views.act_detail, name="act_detail"),
    path("acts/<int:pk>/edit/", act_views.act_edit, name="act_edit"),
    path("acts/<int:pk>/delete/", act_views.act_delete, name="act_delete"),
    path("acts/<int:pk>/file/", act_views.act_file, name="act_file"),
    path("acts/<int:pk>/links/<int:link_pk>/delete/", act_views.act_unlink, name="act_unlink"),
    path("acts/link/<slug:target>/<int:object_id>/", act_views.act_link, name="act_link"),
    # the registry of organisations: partners and experts besides schools
    path("organisations/", organisation_views.organisation_list, name="organisations"),
    path("organisations/new/", organisation_views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", organisation_views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", organisation_views.organisation_edit, name="organisation_edit"),
]
