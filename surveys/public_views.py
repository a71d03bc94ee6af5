"""The answering pages: no account, no name, a school's public link (its QR code) and one answer per device."""

import secrets

from django.core.signing import BadSignature
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from shnor_portal.security import client_ip

from .forms import AnswerForm
from .models import Audience, Question, Response, SchoolLink
from .services import ALREADY, SurveyRefusal, address_attempt, answer_record

DEVICE_COOKIE = "survey_device"
DEVICE_SALT = "surveys.device"
DEVICE_MAX_AGE = 400 * 24 * 3600

FORGED = "Ответ не принят: форма отправлена не со страницы опроса. Откройте ссылку школы ещё раз."
NO_COOKIE = "Ответ не принят: браузер не сохранил отметку об устройстве. Разрешите cookie для этого сайта и откройте ссылку ещё раз."
OVER_LIMIT = "С вашего адреса за последние минуты пришло слишком много ответов. Попробуйте, пожалуйста, позже."


def _link_or_404(token) -> SchoolLink:
    return get_object_or_404(SchoolLink.objects.select_related("campaign__region", "school__municipality"), token=token)


def _closed_page(request, link):
    campaign = link.campaign
    not_yet = campaign.closed_at is None and timezone.localdate() < campaign.opens_on
    return render(request, "surveys/answer_closed.html", {"link": link, "not_yet": not_yet})


def _device(request) -> str | None:
    try:
        return request.get_signed_cookie(DEVICE_COOKIE, salt=DEVICE_SALT)
    except (KeyError, BadSignature):
        return None


def _refused(request, link, message: str, status: int):
    return render(request, "surveys/answer_refused.html", {"link": link, "message": message}, status=status)


@require_http_methods(["GET"])
def answer_start(request, token):
    link = _link_or_404(token)
    if not link.campaign.is_open_on(timezone.localdate()):
        return _closed_page(request, link)
    audiences = [(value, label) for value, label in Audience.choices if value in link.campaign.audiences]
    if len(audiences) == 1:
        return redirect("surveys:answer", token, audiences[0][0])
    return render(request, "surveys/answer_start.html", {"link": link, "audiences": audiences})


@require_http_methods(["GET", "POST"])
def answer(request, token, audience):
    link = _link_or_404(token)
    campaign = link.campaign
    if audience not in campaign.audiences:
        return redirect("surveys:answer_start", token)
    if not campaign.is_open_on(timezone.localdate()):
        return _closed_page(request, link)
    questions = list(
        Question.objects.filter(questionnaire__region=campaign.region, questionnaire__audience=audience)
        .select_related("questionnaire")
    )  # fmt: skip
    form = AnswerForm(request.POST or None, questions=questions, needs_class_code=link.needs_class_code)
    device = _device(request)
    if device and Response.objects.filter(link=link, audience=audience, device=device).exists():
        return _refused(request, link, ALREADY, 409 if request.method == "POST" else 200)
    if request.method == "POST":
        if request.POST.get("website"):
            return _refused(request, link, FORGED, 400)
        if device is None:
            return _refused(request, link, NO_COOKIE, 400)
        if not address_attempt(client_ip(request) or "unknown"):
            return _refused(request, link, OVER_LIMIT, 429)
        if form.is_valid():
            try:
                answer_record(link=link, audience=audience, device=device, answers=form.answers(),
                              class_code=form.cleaned_data.get("class_code", ""))  # fmt: skip
            except SurveyRefusal as exc:
                if exc.field:
                    form.add_error(exc.field, str(exc))
                else:
                    return _refused(request, link, str(exc), 409)
            else:
                return redirect(reverse("surveys:answer_thanks", args=[token]))
    context = {"link": link, "form": form, "audience_label": Audience(audience).label,
               "questionnaire": questions[0].questionnaire if questions else None}  # fmt: skip
    response = render(request, "surveys/answer_form.html", context)
    if device is None:
        response.set_signed_cookie(DEVICE_COOKIE, secrets.token_urlsafe(24), salt=DEVICE_SALT,
                                   max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                                   secure=request.is_secure())  # fmt: skip
    return response


@require_http_methods(["GET"])
def answer_thanks(request, token):
    link = _link_or_404(token)
    return render(request, "surveys/answer_thanks.html", {"link": link})
