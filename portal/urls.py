from django.contrib import admin
from django.urls import include, path

from shnor_portal.observability.health import health_view
from shnor_portal.observability.metrics import metrics_view

from . import history_views, views

admin.site.site_header = "Портал поддержки ШНОР и ШНСУ — бэк-офис"
admin.site.site_title = "Бэк-офис портала ШНОР"
admin.site.index_title = "Управление данными"
admin.site.site_url = "/"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("people.account_urls")),
    path("people/", include("people.urls")),
    path("accounts/password/", views.PortalPasswordChangeView.as_view(), name="password_change"),
    path("schools/", include("schools.urls")),
    path("programs/", include("programs.urls")),
    path("partnerships/", include("partnerships.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("notifications/", include("notifications.urls")),
    path("surveys/", include("surveys.urls")),
    path("public/", include("public_pages.urls")),
    path("history/<slug:kind>/<int:pk>/", history_views.history_view, name="history"),
    path("admin/", admin.site.urls),
    # For the load balancer and Prometheus, without a login (docs/PRODUCTION.md «Состояние и метрики»).
    path("health/", health_view, name="health"),
    path("metrics/", metrics_view, name="metrics"),
]
