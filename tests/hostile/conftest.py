from types import SimpleNamespace

import pytest


@pytest.fixture
def site(full_demo):
    """The whole demo (`make demo`) and, for each upload point, the object it is posted to and who posts there."""
    from monitoring.models import Stage
    from partnerships.models import Agreement, Practice, SupportSession
    from programs.models import Programme, RoadmapMeasure
    from schools.demo import SCHOOL_TEAM_SCHOOL
    from schools.models import School
    from schools.school_year import current_school_year

    users = full_demo
    school = School.objects.select_related("municipality").get(short_name=SCHOOL_TEAM_SCHOOL)
    draft = Programme.objects.get(school=school, kind=Programme.Kind.TRANSITION)
    agreement = Agreement.objects.get(number="1-ШНОР")
    # The demo's practices are all submitted or published; one is returned to its author so files can be added.
    practice = Practice.objects.filter(status=Practice.Status.SUBMITTED).order_by("pk").first()
    Practice.objects.filter(pk=practice.pk).update(status=sorted(Practice.EDITABLE)[0])
    practice.refresh_from_db()
    assert practice.is_editable
    return SimpleNamespace(
        users=users,
        school=school,
        draft=draft,
        measure=RoadmapMeasure.objects.filter(programme=draft).order_by("pk").first(),
        agreement=agreement,
        session=agreement.sessions.filter(status=SupportSession.Status.PENDING).order_by("pk").first(),
        practice=practice,
        year=current_school_year(),
        stage=Stage.INTERIM,
    )
