from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from . import throttle


class PortalAuthenticationForm(AuthenticationForm):
    """Django's login form that says when an account closed by the throttle opens again, and how to get in sooner."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        until = throttle.closed_until(username) if username else None
        if until:
            raise forms.ValidationError(
                format_html(
                    "Для этой учётной записи было слишком много неудачных попыток входа. Вход закрыт до {}. "
                    "Если вы не помните пароль, <a href=\"{}\">восстановите его по "
                    "электронной почте</a> — после этого вход откроется сразу.",
                    timezone.localtime(until).strftime("%H:%M"),
                    reverse("password_reset"),
                ),
                code="account_throttled",
            )
        return super().clean()


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form: the letter goes to every active account with the address and a usable password, in
    Russian (templates/registration/password_reset_*)."""

    email = forms.EmailField(label="Адрес электронной почты", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Код", max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text="Шесть цифр из приложения-аутентификатора или один из кодов восстановления.",
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())
