"""A parent, a pupil or a teacher answers a school's survey without an account; forged, replayed and over-limit
answers are refused with a Russian message and nothing of them is stored."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.models import AddressWindow, Answer, Audience, ClassCode, Question, Response, SchoolLink
from surveys.services import class_codes_issue

pytestmark = pytest.mark.django_db


def _form_data(client, url, value="4"):
    """The page and a filled form: `value` for every 1–5 scale, «да» for yes/no, a line of free text."""
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    data = {"csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)}
    for name in set(re.findall(r'type="radio" name="(q\d+)"', html)):
        data[name] = value if f'name="{name}" value="5"' in html else "1"
    for name in re.findall(r'<textarea name="(q\d+)"', html):
        data[name] = "Больше кружков после уроков"
    return page, data


def test_a_parent_answers_from_the_school_link_and_the_answer_is_stored_without_a_name(campaign, team_school):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7")
    start = client.get(reverse("surveys:answer_start", args=[link.token]))
    assert start.status_code == 200
    assert "Родители" in start.content.decode() and team_school.short_name in start.content.decode()
    url = reverse("surveys:answer", args=[link.token, Audience.PARENTS])
    page, data = _form_data(client, url, value="5")
    assert "Моему ребёнку в школе безопасно и комфортно." in page.content.decode()
    answered = client.post(url, data)
    assert answered.status_code == 302 and answered["Location"].endswith("/thanks/")
    response = Response.objects.get(link=link)
    assert response.audience == Audience.PARENTS
    scored = Answer.objects.filter(response=response, score__isnull=False)
    assert set(scored.values_list("score", flat=True)) == {100.0}  # 5 of 5 and «да»
    assert Answer.objects.get(response=response, question__kind=Question.Kind.TEXT).text == "Больше кружков после уроков"
    # nothing stored names the person or their address
    stored = " ".join(str(v) for v in Response.objects.values_list("device", "audience")) + " ".join(
        AddressWindow.objects.values_list("address_hash", flat=True)
    )
    assert "198.51.100.7" not in stored


def test_the_same_device_answering_again_is_refused_and_nothing_more_is_stored(campaign, team_school):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    client = Client(REMOTE_ADDR="198.51.100.8")
    url = reverse("surveys:answer", args=[link.token, Audience.PARENTS])
    _page, data = _form_data(client, url)
    assert client.post(url, data).status_code == 302
    replay = client.post(url, data)
    assert replay.status_code == 409
    assert "С этого устройства ответ уже получен" in replay.content.decode()
    assert Response.objects.filter(link=link).count() == 1
    # the same phone may answer once more as a pupil of the school
    _page, data = _form_data(client, reverse("surveys:answer", args=[link.token, Audience.PUPILS]))
    assert client.post(reverse("surveys:answer", args=[link.token, Audience.PUPILS]), data).status_code == 302


def test_forged_answers_are_refused(campaign, team_school):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    url = reverse("surveys:answer", args=[link.token, Audience.PARENTS])
    client = Client(REMOTE_ADDR="198.51.100.9")
    _page, data = _form_data(client, url)
    robot = client.post(url, data | {"website": "http://spam.example"})
    assert robot.status_code == 400 and "Ответ не принят" in robot.content.decode()
    no_cookie = Client(REMOTE_ADDR="198.51.100.9").post(url, data)
    assert no_cookie.status_code == 400 and "Разрешите cookie" in no_cookie.content.decode()
    forged_cookie = Client(REMOTE_ADDR="198.51.100.9")
    forged_cookie.cookies["survey_device"] = "made-up"
    assert forged_cookie.post(url, data).status_code == 400
    out_of_range = client.post(url, data | {next(k for k in data if k.startswith("q")): "9"})
    assert out_of_range.status_code == 200 and "Такого ответа нет." in out_of_range.content.decode()
    no_csrf = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.9")
    no_csrf.get(url)
    refused = no_csrf.post(url, {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"})
    assert refused.status_code == 403 and "Форма устарела" in refused.content.decode()
    assert not Response.objects.filter(link=link).exists()


def test_answers_over_the_limit_of_one_address_are_refused(campaign, team_school, settings):
    settings.SURVEY_ANSWERS_PER_ADDRESS = 3
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    url = reverse("surveys:answer", args=[link.token, Audience.PARENTS])
    statuses = []
    for _number in range(5):
        client = Client(REMOTE_ADDR="203.0.113.5")  # a new device each time, one address
        _page, data = _form_data(client, url)
        statuses.append(client.post(url, data).status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert Response.objects.filter(link=link).count() == 3
    other = Client(REMOTE_ADDR="203.0.113.6")
    _page, data = _form_data(other, url)
    assert other.post(url, data).status_code == 302


def test_a_school_that_asks_for_class_codes_takes_each_code_once(campaign, team_school):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    link.needs_class_code = True
    link.save()
    code = class_codes_issue(link=link, count=1, label="9 Б")[0]
    url = reverse("surveys:answer", args=[link.token, Audience.PUPILS])
    first = Client(REMOTE_ADDR="198.51.100.20")
    _page, data = _form_data(first, url)
    wrong = first.post(url, data | {"class_code": "NOPE1234"})
    assert wrong.status_code == 200 and "Такого кода у этой школы нет" in wrong.content.decode()
    assert first.post(url, data | {"class_code": code.code.lower()}).status_code == 302
    second = Client(REMOTE_ADDR="198.51.100.21")
    _page, data = _form_data(second, url)
    reused = second.post(url, data | {"class_code": code.code})
    assert "Этот код уже использован" in reused.content.decode()
    assert Response.objects.filter(link=link).count() == 1
    assert ClassCode.objects.get(pk=code.pk).used_at is not None


def test_the_link_closes_with_the_campaign(campaign, team_school):
    link = SchoolLink.objects.get(campaign=campaign, school=team_school)
    url = reverse("surveys:answer", args=[link.token, Audience.PARENTS])
    client = Client()
    _page, data = _form_data(client, url)
    campaign.closed_at = timezone.now()
    campaign.save()
    closed = client.post(url, data)
    assert "Опрос завершён" in closed.content.decode()
    assert not Response.objects.exists()
    campaign.closed_at = None
    campaign.opens_on = timezone.localdate() + datetime.timedelta(days=3)
    campaign.save()
    assert "Опрос ещё не начался" in client.get(url).content.decode()
    assert Client().get(reverse("surveys:answer_start", args=["no-such-link"])).status_code == 404


def test_launching_gives_every_school_of_the_region_a_link_and_the_region_its_questionnaires(campaign):
    from schools.models import School
    from surveys.models import Questionnaire

    region_schools = set(School.objects.filter(municipality__region=campaign.region).values_list("pk", flat=True))
    assert set(campaign.links.values_list("school_id", flat=True)) == region_schools
    own = Questionnaire.objects.filter(region=campaign.region)
    assert sorted(own.values_list("audience", flat=True)) == sorted(Audience.values)
    for questionnaire in own:
        assert questionnaire.questions.filter(kind=Question.Kind.TEXT).count() <= 1
        assert questionnaire.questions.filter(kind=Question.Kind.SCALE).count() >= 5
