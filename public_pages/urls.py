from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:region_pk>/", views.region_page, name="region"),
    path("<int:region_pk>/acts/", views.act_list, name="acts"),
    path("<int:region_pk>/practices/", views.practice_list, name="practices"),
    path("<int:region_pk>/acts/<int:pk>/file/", views.act_file, name="act_file"),
    path("<int:region_pk>/practices/files/<int:pk>/", views.practice_file, name="practice_file"),
    path("<int:region_pk>/settings/", views.page_settings, name="settings"),
]
