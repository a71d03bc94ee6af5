"""The pages that bring every section together: the home page of each role, and the account's password."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import render
from django.urls import reverse_lazy

from monitoring.access import can_compare_regions
from monitoring.selectors import home_items as monitoring_items
from notifications.selectors import latest_unread
from partnerships.selectors import home_items as partnership_items
from programs.selectors import home_items as programme_items
from public_pages.access import regions_to_edit as public_pages_to_edit
from schools.selectors import home_panels

# The newest unread notifications shown on the home page; the rest are one click away on the bell.
HOME_NOTIFICATIONS = 5


@login_required
def home(request):
    user = request.user
    latest, request.notifications_unread = latest_unread(user=user, limit=HOME_NOTIFICATIONS)
    return render(
        request,
        "home.html",
        {
            "panels": home_panels(user=user),
            "programmes": programme_items(user=user),
            "partnerships": partnership_items(user=user),
            "monitoring": monitoring_items(user=user),
            "latest_notifications": latest,
            "compares_regions": can_compare_regions(user),
            "public_regions": public_pages_to_edit(user),
        },
    )




class PortalPasswordChangeView(SuccessMessageMixin, PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")
    success_message = "Пароль изменён."
