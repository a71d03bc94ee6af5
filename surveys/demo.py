"""Demo survey: the demo region's campaign of the current school year, open for a month around today, with answers.

«Покровская СОШ» (the demo school) has enough answers for its index (14 parents, 6 pupils, 3 teachers); three more
schools of municipality A have fewer than the threshold and show «недостаточно ответов»; one school asks for class
codes and has a sheet of them. Deterministic and idempotent: answers come from fixed devices, so reseeding adds none.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from schools.demo import MUNICIPALITY_A, REGION, SCHOOL_TEAM_SCHOOL
from schools.models import Region, School
from schools.school_year import current_school_year, school_year_label

from .models import Audience, Campaign, Question, Response, SchoolLink
from .services import answer_record, campaign_launch, class_codes_issue

# (audience, how many, the scale's answers in turn)
DEMO_SCHOOL_ANSWERS = [(Audience.PARENTS, 14, (5, 4, 4, 3, 5)), (Audience.PUPILS, 6, (4, 3, 5)),
                       (Audience.TEACHERS, 3, (4, 4, 5))]  # fmt: skip
FREE_TEXTS = ["Больше кружков после уроков", "Отремонтировать спортзал", "Чаще сообщать об оценках", ""]


def _answers(region, audience, value, number):
    answers = {}
    for question in Question.objects.filter(questionnaire__region=region, questionnaire__audience=audience):
        if question.kind == Question.Kind.SCALE:
            answers[question] = max(1, min(5, value - (question.order + number) % 2))
        elif question.kind == Question.Kind.YES_NO:
            answers[question] = int(number % 4 != 0)
        else:
            answers[question] = FREE_TEXTS[number % len(FREE_TEXTS)]
    return answers


def _answer(link, audience, count, values):
    have = set(Response.objects.filter(link=link, audience=audience).values_list("device", flat=True))
    for number in range(count):
        device = f"demo-{link.school_id}-{audience}-{number}"
        if device not in have:
            answer_record(link=link, audience=audience, device=device,
                          answers=_answers(link.campaign.region, audience, values[number % len(values)], number))  # fmt: skip


def seed_surveys() -> dict[str, int]:
    region = Region.objects.get(name=REGION[0])
    year = current_school_year()
    campaign = Campaign.objects.filter(region=region, year=year).first()
    if campaign is None:
        today = timezone.localdate()
        department = get_user_model().objects.filter(username="department").first()
        campaign = campaign_launch(
            actor=department, region=region, year=year,
            title=f"Удовлетворённость качеством образования, {school_year_label(year)} учебный год",
            opens_on=today - datetime.timedelta(days=14), closes_on=today + datetime.timedelta(days=30),
            audiences=list(Audience.values), min_answers=10,
        )
    demo_link = SchoolLink.objects.get(campaign=campaign, school__short_name=SCHOOL_TEAM_SCHOOL)
    for audience, count, values in DEMO_SCHOOL_ANSWERS:
        _answer(demo_link, audience, count, values)
    others = (
        SchoolLink.objects.filter(campaign=campaign, school__municipality__name=MUNICIPALITY_A)
        .exclude(pk=demo_link.pk).order_by("school__short_name")[:3]
    )  # fmt: skip
    for number, link in enumerate(others):
        _answer(link, Audience.PARENTS, 3 + 2 * number, (3, 4))
    coded = others[0] if others else None
    if coded is not None and not coded.needs_class_code:
        SchoolLink.objects.filter(pk=coded.pk).update(needs_class_code=True)
        class_codes_issue(link=coded, count=30, label="8 А")
    return {"campaigns": 1, "responses": Response.objects.filter(link__campaign=campaign).count(),
            "schools": School.objects.filter(survey_links__campaign=campaign).count()}  # fmt: skip
