"""The calls partnerships and monitoring are to add to their services, run here against their models: each reaches
exactly the people whose roles open the target — and the outsider neither gets it nor opens it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import kinds, recipients
from notifications.models import Notification
from notifications.services import notify
from schools.demo import CURATOR_SCHOOL, SCHOOL_TEAM_SCHOOL
from schools.models import School

from .conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(clean):
    from partnerships.models import Agreement

    today = timezone.localdate()
    return Agreement.objects.create(
        number="Т-9", signed_on=today, starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=300), curator_school=School.objects.get(short_name=CURATOR_SCHOOL),
        supported_school=School.objects.get(short_name=SCHOOL_TEAM_SCHOOL), subject="Сотрудничество",
        status=Agreement.Status.ACTIVE,
    )


@pytest.fixture
def session(agreement):
    from partnerships.models import SupportSession

    return SupportSession.objects.create(agreement=agreement, held_on=timezone.localdate(), format="consultation",
                                         topic="Анализ результатов ВПР", hours=2)


def delivered(client, kind) -> set[str]:
    """Who got the kind; each of them opens it, the outsider (coordinator_b) does not."""
    rows = Notification.objects.filter(kind=kind).select_related("recipient")
    for notification in rows:
        client.force_login(fresh(notification.recipient))
        assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 302
        client.force_login(fresh(notification.recipient.__class__.objects.get(username="coordinator_b")))
        assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    return {n.recipient.username for n in rows}


def test_agreement_activated(client, agreement, clean):
    notify(kind=kinds.AGREEMENT_ACTIVATED, recipients=recipients.agreement_parties(agreement), target=agreement,
           title=f"Договор о сотрудничестве {agreement.curator_school} — {agreement.supported_school} вступил в силу",
           actor=clean["coordinator"])
    assert delivered(client, kinds.AGREEMENT_ACTIVATED) == {"curator", "school"}


def test_session_logged_confirmed_disputed(client, session, clean):
    notify(kind=kinds.SESSION_LOGGED, recipients=recipients.session_confirmers(session), target=session,
           title=f"Занятие {session.held_on:%d.%m.%Y} «{session.topic}» ждёт подтверждения",
           body="Школа-куратор отметила занятие: подтвердите его или оспорьте.", actor=clean["curator"])
    assert delivered(client, kinds.SESSION_LOGGED) == {"school"}
    notify(kind=kinds.SESSION_CONFIRMED, recipients=recipients.session_curators(session), target=session,
           title=f"Занятие {session.held_on:%d.%m.%Y} подтверждено школой", actor=clean["school"])
    assert delivered(client, kinds.SESSION_CONFIRMED) == {"curator"}
    notify(kind=kinds.SESSION_DISPUTED,
           recipients=recipients.session_curators(session)
           | recipients.coordinators_of(session.agreement.supported_school.municipality_id),
           target=session, title=f"Занятие {session.held_on:%d.%m.%Y} оспорено школой",
           body="Не было на этой неделе.", actor=clean["school"])
    assert delivered(client, kinds.SESSION_DISPUTED) == {"curator", "coordinator"}


def test_practice_moderation(client, clean):
    from partnerships.models import Practice

    practice = Practice.objects.create(school=School.objects.get(short_name=SCHOOL_TEAM_SCHOOL), title="Практика",
                                       status=Practice.Status.SUBMITTED)
    notify(kind=kinds.PRACTICE_SUBMITTED, recipients=recipients.practice_moderators(practice), target=practice,
           title=f"{practice.school}: практика «{practice.title}» ждёт модерации", actor=clean["school"])
    assert delivered(client, kinds.PRACTICE_SUBMITTED) == {"coordinator"}
    notify(kind=kinds.PRACTICE_RETURNED, recipients=recipients.practice_authors(practice), target=practice,
           title=f"Практика «{practice.title}» возвращена на доработку", body="Замечания.", actor=clean["coordinator"])
    assert delivered(client, kinds.PRACTICE_RETURNED) == {"school"}


def test_self_assessment_uploaded_returned_accepted(client, clean):
    from monitoring.models import SelfAssessment

    assessment = SelfAssessment.objects.create(
        school=School.objects.get(short_name=SCHOOL_TEAM_SCHOOL), year=timezone.localdate().year + 1, stage="entry",
        original_name="самооценка.xlsx", file="x.xlsx",
    )
    notify(kind=kinds.SELF_ASSESSMENT_UPLOADED, recipients=recipients.self_assessment_checkers(assessment),
           target=assessment, title=f"{assessment.school}: самооценка загружена и ждёт проверки", actor=clean["school"])
    assert delivered(client, kinds.SELF_ASSESSMENT_UPLOADED) == {"coordinator"}
    notify(kind=kinds.SELF_ASSESSMENT_RETURNED, recipients=recipients.self_assessment_authors(assessment),
           target=assessment, title="Самооценка возвращена на доработку", body="Заполните раздел 3.",
           actor=clean["coordinator"])
    assert delivered(client, kinds.SELF_ASSESSMENT_RETURNED) == {"school"}
