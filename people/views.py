from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from . import throttle
from .forms import PortalPasswordResetForm
from .invitation_letters import invitation_tokens
from .invitations import invitation_accept


class PasswordResetView(auth_views.PasswordResetView):
    """Says the same whether or not the address belongs to someone (Django's behaviour): nobody learns who has an
    account."""

    form_class = PortalPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set from the e-mailed link opens the account at once: the per-account throttle and every
    address's axes lockout for the username are lifted — the way back the lockout message points to."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        username = form.user.get_username()
        throttle.clear(username)
        axes_reset(username=username)
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"reset_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)}


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation's link: the person sets their password (Django's set-password step under the invitation's
    token), the invitation is marked accepted, and the login page greets them."""

    token_generator = invitation_tokens
    template_name = "people/invitation_accept.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        invitation_accept(form.user)
        messages.success(self.request, "Пароль задан. Войдите: имя для входа — ваш адрес электронной почты.")
        return response
