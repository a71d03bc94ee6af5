from django.urls import path

from .views import evidence, programmes, reviews, roadmap, routes, workbook

app_name = "programs"

urlpatterns = [
    path("", programmes.programme_list, name="list"),
    path("new/", programmes.programme_create_view, name="create"),
    path("measures/", programmes.measure_list, name="measures"),
    path("<int:pk>/", programmes.programme_detail, name="detail"),
    path("<int:pk>/passport/", programmes.passport_edit, name="passport_edit"),
    path("<int:pk>/roadmap/", roadmap.roadmap_table, name="roadmap"),
    path("<int:pk>/sections/add/", roadmap.section_add_view, name="section_add"),
    path("<int:pk>/submit/", reviews.programme_submit_view, name="submit"),
    path("<int:pk>/reopen/", reviews.programme_reopen_view, name="reopen"),
    path("<int:pk>/reviews/mutual/", reviews.review_assign_view, name="review_assign"),
    path("<int:pk>/reviews/regional/", reviews.review_regional_view, name="review_regional"),
    path("<int:pk>/reviews/open/<int:step_id>/", reviews.review_open_view, name="review_open"),
    path("<int:pk>/compare/<int:number>/", reviews.compare_rounds, name="compare"),
    path("<int:pk>/compare/current/", reviews.compare_current, name="compare_current"),
    path("<int:pk>/history/", programmes.programme_history_view, name="history"),
    path("<int:pk>/history/<int:history_id>/restore/", programmes.passport_restore_view, name="passport_restore"),
    path("<int:pk>/print/", programmes.programme_print, name="print"),
    path("<int:pk>/export/", workbook.programme_export, name="export"),
    path("<int:pk>/import/", workbook.roadmap_import_view, name="import"),
    path("sections/<int:pk>/", roadmap.section_view, name="section"),
    path("sections/<int:pk>/edit/", roadmap.section_edit, name="section_edit"),
    path("sections/<int:pk>/delete/", roadmap.section_delete_view, name="section_delete"),
    path("sections/<int:pk>/move/<str:direction>/", roadmap.section_move_view, name="section_move"),
    path("sections/<int:pk>/measures/add/", roadmap.measure_add_view, name="measure_add"),
    path("measures/<int:pk>/", roadmap.measure_view, name="measure"),
    path("measures/<int:pk>/edit/", roadmap.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/delete/", roadmap.measure_delete_view, name="measure_delete"),
    path("measures/<int:pk>/done/", roadmap.measure_done_view, name="measure_done"),
    path("measures/<int:pk>/move/<str:direction>/", roadmap.measure_move_view, name="measure_move"),
    path("measures/<int:pk>/evidence/", evidence.evidence_list, name="evidence"),
    path("evidence/<int:pk>/", evidence.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", evidence.evidence_delete_view, name="evidence_delete"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review"),
    # review routes of the territories: the department edits them, coordinators read them
    path("routes/", routes.route_list, name="routes"),
    path("routes/<int:pk>/", routes.route_detail, name="route"),
    path("routes/<int:pk>/steps/add/", routes.step_add, name="step_add"),
    path("steps/<int:pk>/edit/", routes.step_edit, name="step_edit"),
    path("steps/<int:pk>/delete/", routes.step_delete_view, name="step_delete"),
    path("steps/<int:pk>/move/<str:direction>/", routes.step_move_view, name="step_move"),
    path("steps/<int:pk>/criteria/", routes.step_criteria, name="step_criteria"),
]
