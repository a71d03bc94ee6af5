from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.seeding import seed_or_replay


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and demo files go to a throwaway folder, never into the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(demo):
    """The demo region with the partnerships demo on top: the named users and the objects the tests walk through."""
    from partnerships.demo import SUPPORTED_SCHOOL, WEBINAR, seed_partnerships
    from partnerships.models import (
        Agreement,
        DevelopmentPlan,
        EventInvitation,
        MethodicalEvent,
        Practice,
        Teacher,
        TutorAssignment,
    )
    from schools.demo import CURATOR_SCHOOL, MUNICIPALITY_A, MUNICIPALITY_B
    from schools.models import School

    seed_or_replay(seed_partnerships)
    agreement = Agreement.objects.get(number="1-ШНОР")
    second = Agreement.objects.get(number="2-ШНОР")
    sessions = {s.status: s for s in agreement.sessions.order_by("held_on")}
    tutored = TutorAssignment.objects.current().filter(tutor=demo["tutor"]).values("teacher_id")
    teacher = Teacher.objects.filter(pk__in=tutored, plans__isnull=False).order_by("full_name").first()
    untutored = Teacher.objects.exclude(pk__in=tutored).filter(school__short_name=SUPPORTED_SCHOOL).order_by("full_name").first()
    seminar = MethodicalEvent.objects.filter(municipality__name=MUNICIPALITY_A).get()
    return SimpleNamespace(
        users=demo,
        agreement=agreement,
        second=second,
        pending=sessions["pending"],
        confirmed=sessions["confirmed"],
        disputed=sessions["disputed"],
        evidence=sessions["pending"].evidence.get(),
        teacher=teacher,
        untutored=untutored,
        plan=DevelopmentPlan.objects.filter(teacher=teacher).get(),
        published=Practice.objects.get(status=Practice.Status.PUBLISHED),
        waiting=Practice.objects.get(status=Practice.Status.SUBMITTED),
        seminar=seminar,
        webinar=MethodicalEvent.objects.get(title=WEBINAR),
        invitation=EventInvitation.objects.filter(event=seminar, attended=True).order_by("pk").first(),
        supported_school=School.objects.get(short_name=SUPPORTED_SCHOOL),
        curator_school=School.objects.get(short_name=CURATOR_SCHOOL),
        school_b=School.objects.filter(municipality__name=MUNICIPALITY_B).order_by("short_name").first(),
        today=timezone.localdate(),
    )
