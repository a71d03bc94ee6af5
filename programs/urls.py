from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create_view, name="create"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/passport/", views.passport_edit, name="passport_edit"),
    path("<int:pk>/roadmap/", views.roadmap_table, name="roadmap"),
    path("<int:pk>/sections/add/", views.section_add_view, name="section_add"),
    path("<int:pk>/submit/", views.programme_submit_view, name="submit"),
    path("<int:pk>/reopen/", views.programme_reopen_view, name="reopen"),
    path("<int:pk>/reviews/mutual/", views.review_assign_view, name="review_assign"),
    path("<int:pk>/reviews/regional/", views.review_regional_view, name="review_regional"),
    path("<int:pk>/compare/<int:number>/", views.compare_rounds, name="compare"),
    path("<int:pk>/compare/current/", views.compare_current, name="compare_current"),
    path("<int:pk>/history/", views.programme_history_view, name="history"),
    path("<int:pk>/history/<int:history_id>/restore/", views.passport_restore_view, name="passport_restore"),
    path("<int:pk>/print/", views.programme_print, name="print"),
    path("<int:pk>/export/", views.programme_export, name="export"),
    path("<int:pk>/import/", views.roadmap_import_view, name="import"),
    path("sections/<int:pk>/", views.section_view, name="section"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("sections/<int:pk>/delete/", views.section_delete_view, name="section_delete"),
    path("sections/<int:pk>/move/<str:direction>/", views.section_move_view, name="section_move"),
    path("sections/<int:pk>/measures/add/", views.measure_add_view, name="measure_add"),
    path("measures/<int:pk>/", views.measure_view, name="measure"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/delete/", views.measure_delete_view, name="measure_delete"),
    path("measures/<int:pk>/move/<str:direction>/", views.measure_move_view, name="measure_move"),
    path("measures/<int:pk>/evidence/", views.evidence_list, name="evidence"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete_view, name="evidence_delete"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
]
