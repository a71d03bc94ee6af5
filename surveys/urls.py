from django.urls import path

from . import public_views, views

app_name = "surveys"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/export/", views.campaign_export, name="export"),
    path("<int:pk>/close/", views.campaign_close_view, name="close"),
    path("<int:pk>/publish/", views.campaign_publish, name="publish"),
    path("schools/<int:pk>/", views.link_detail, name="link"),
    path("schools/<int:pk>/codes/", views.class_codes_create, name="class_codes"),
    path("schools/<int:pk>/poster/", views.link_poster, name="poster"),
    # without an account: a school's public link
    path("a/<str:token>/", public_views.answer_start, name="answer_start"),
    path("a/<str:token>/thanks/", public_views.answer_thanks, name="answer_thanks"),
    path("a/<str:token>/<str:audience>/", public_views.answer, name="answer"),
]
