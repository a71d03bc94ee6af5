from django.urls import path

from . import onboarding_views, people_views, personal_data_views, second_factor_views, views

app_name = "people"

urlpatterns = [
    path("", people_views.people_list, name="list"),
    path("<int:pk>/", people_views.person_detail, name="person"),
    path("<int:pk>/active/", people_views.person_active, name="person_active"),
    path("roles/<int:pk>/remove/", people_views.role_remove, name="role_remove"),
    path("personal-data-log/", personal_data_views.access_log_list, name="access_log"),
    path("import/", onboarding_views.people_import, name="import"),
    path("import/preview/", onboarding_views.people_import_preview_view, name="import_preview"),
    path("import/template/", onboarding_views.people_template, name="import_template"),
    path("invitations/", onboarding_views.invitations, name="invitations"),
    path("invitations/<int:pk>/resend/", onboarding_views.invitation_resend_view, name="invitation_resend"),
    path("2fa/", second_factor_views.otp_settings, name="otp_settings"),
    path("2fa/setup/", second_factor_views.otp_setup, name="otp_setup"),
    path("2fa/verify/", second_factor_views.otp_verify, name="otp_verify"),
    path("2fa/codes/", second_factor_views.otp_codes, name="otp_codes"),
    path("2fa/codes/new/", second_factor_views.otp_new_codes, name="otp_new_codes"),
    path("invitation/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
]
