"""The pages of the second factor: enrol an authenticator, type its code (or a recovery code), see new recovery
codes. They are reached before the second factor is confirmed (`people.second_factor.OPEN_URL_NAMES`)."""

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .forms import SecondFactorCodeForm
from .second_factor import (
    device_confirm,
    has_authenticator,
    pending_device,
    qr_svg,
    recovery_codes_issue,
    safe_next,
    second_factor_required,
    secret_text,
)

CODES_SESSION_KEY = "people.recovery_codes"


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrol an authenticator app: the QR code (and the key to type), then a code from the app to confirm it. Replacing
    an authenticator takes the current one's code first: a password alone never enrols a new phone."""
    if has_authenticator(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('people:otp_verify')}?next={request.get_full_path()}")
    device = pending_device(request.user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            request.session[CODES_SESSION_KEY] = device_confirm(device)
            django_otp.login(request, device)
            return redirect(f"{reverse('people:otp_codes')}?next={safe_next(request)}")
        form.add_error("code", "Код не подошёл. Проверьте время на телефоне и введите код, который приложение показывает сейчас.")
    context = {
        "form": form, "qr": qr_svg(device), "secret": secret_text(device), "required": second_factor_required(request.user),
        "has_authenticator": has_authenticator(request.user), "next": safe_next(request),
    }  # fmt: skip
    return render(request, "people/otp_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(safe_next(request))
        form.add_error("code", "Код не подошёл. Введите код, который приложение показывает сейчас, или код восстановления. "
                       "После каждой ошибки следующая попытка возможна через несколько секунд, и пауза растёт.")
    return render(request, "people/otp_verify.html", {"form": form, "next": safe_next(request)})


@login_required
def otp_codes(request):
    """The recovery codes just issued, shown once."""
    codes = request.session.pop(CODES_SESSION_KEY, None)
    if not codes:
        return redirect("people:otp_settings")
    return render(request, "people/otp_codes.html", {"codes": codes, "next": safe_next(request)})


@login_required
def otp_settings(request):
    context = {"has_authenticator": has_authenticator(request.user), "required": second_factor_required(request.user)}
    return render(request, "people/otp_settings.html", context)


@login_required
@require_POST
def otp_new_codes(request):
    if not (has_authenticator(request.user) and request.user.is_verified()):
        messages.info(request, "Сначала подключите приложение-аутентификатор и войдите с его кодом.")
        return redirect("people:otp_setup")
    request.session[CODES_SESSION_KEY] = recovery_codes_issue(request.user)
    return redirect("people:otp_codes")

