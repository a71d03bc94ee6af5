from django.urls import path

from . import onboarding_views, views

app_name = "people"

urlpatterns = [
    path("import/", onboarding_views.people_import, name="import"),
    path("import/preview/", onboarding_views.people_import_preview_view, name="import_preview"),
    path("import/template/", onboarding_views.people_template, name="import_template"),
    path("invitations/", onboarding_views.invitations, name="invitations"),
    path("invitations/<int:pk>/resend/", onboarding_views.invitation_resend_view, name="invitation_resend"),
    path("invitation/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
]
