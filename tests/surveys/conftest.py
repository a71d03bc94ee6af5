import datetime

import pytest
from django.utils import timezone

from schools.demo import SCHOOL_TEAM_SCHOOL
from schools.models import Region, School
from surveys.models import Audience, Question
from surveys.services import answer_record, campaign_launch
from tests.conftest import home_region_id


@pytest.fixture
def campaign(demo):
    return launch_campaign(demo)


def launch_campaign(demo):
    """The demo region's campaign of 2025/26, open from yesterday for a month, threshold 10."""
    today = timezone.localdate()
    return campaign_launch(
        actor=demo["department"], region=Region.objects.get(pk=home_region_id()), year=2026,
        title="Удовлетворённость 2025/26", opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30), audiences=list(Audience.values), min_answers=10,
    )


@pytest.fixture
def team_school(demo):
    return School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)


def answers_of(campaign, audience: str, value: int, text: str = "") -> dict:
    """Every question of the audience's questionnaire answered with `value` (yes for yes/no), and a free text."""
    answers = {}
    for question in Question.objects.filter(questionnaire__region=campaign.region, questionnaire__audience=audience):
        if question.kind == Question.Kind.SCALE:
            answers[question] = value
        elif question.kind == Question.Kind.YES_NO:
            answers[question] = 1
        else:
            answers[question] = text
    return answers


def answer_many(link, count: int, *, audience=Audience.PARENTS, value=4, start=0):
    for number in range(start, start + count):
        answer_record(link=link, audience=audience, device=f"device-{number}", answers=answers_of(link.campaign, audience, value))
