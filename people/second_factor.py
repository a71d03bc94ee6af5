"""Two-factor authentication (django-otp: TOTP with recovery codes), required of the roles that see a whole
territory — the department, the institute, the federal operator — and of the back office's staff; optional for the
others (issue 21 item 5). TWO_FACTOR_REQUIRED switches the requirement (on in production, off in the demo).

After the password, a person who must use a second factor — or who chose to, having enrolled an app — and has not
confirmed it in this session is sent to enrol (a QR code for an authenticator app, then ten one-time recovery codes)
or to type the code of their app or a recovery code. `SecondFactorMiddleware` is the one gate; the pages of this
module are outside it.
"""

import base64

import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from schools.access import Role, reach_of

RECOVERY_CODES = 10
SESSION_KEY = "people.second_factor"
REQUIRING_ROLES = (Role.DEPARTMENT, Role.INSTITUTE, Role.FEDERAL)
# Pages a person reaches before the second factor: the enrolment and the code, leaving, and the static files; the
# state and the metrics of the portal (shnor_portal.observability) are nobody's pages.
OPEN_URL_NAMES = {"people:otp_setup", "people:otp_verify", "people:otp_codes", "logout", "login", "password_reset",
                  "password_reset_done", "password_reset_confirm", "password_reset_complete",
                  "health", "metrics"}  # fmt: skip


def second_factor_required(user) -> bool:
    if not getattr(settings, "TWO_FACTOR_REQUIRED", False) or not user.is_authenticated:
        return False
    return user.is_staff or reach_of(user).has_role(*REQUIRING_ROLES)


def pending_device(user) -> TOTPDevice:
    """The user's authenticator being enrolled (unconfirmed), made once so the QR code does not change on reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Приложение-аутентификатор", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning QR code as inline SVG (no image request, nothing leaves the portal)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#212529")


def secret_text(device: TOTPDevice) -> str:
    """The key for typing into the app by hand, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def device_confirm(device: TOTPDevice) -> list[str]:
    """Confirm the authenticator (the one the user keeps: earlier ones go) and issue fresh recovery codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_issue(device.user)


@transaction.atomic
def recovery_codes_issue(user) -> list[str]:
    """Ten new one-time codes; the earlier ones stop working."""
    static, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Коды восстановления"})
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def safe_next(request, fallback: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(fallback)


class SecondFactorMiddleware:
    """Sends a person who must use a second factor to enrol or to type the code, before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _must_confirm(request) and _view_name(request) not in OPEN_URL_NAMES:
            step = "people:otp_verify" if user_has_device(request.user, confirmed=True) else "people:otp_setup"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def remember_at_login(request, user) -> None:
    """Whether this session needs a second factor, decided once at login (no query on every request after): the
    role requires it, or the person chose to protect their account with one."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = second_factor_required(user) or user_has_device(user, confirmed=True)


def _must_confirm(request) -> bool:
    if request.path.startswith(settings.STATIC_URL) or not request.session.get(SESSION_KEY):
        return False
    return request.user.is_authenticated and not request.user.is_verified()


def _view_name(request) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None
