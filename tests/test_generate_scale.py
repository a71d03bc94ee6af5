"""The scale generator (`manage.py generate_scale`) at 120 schools: the promised shapes, and determinism."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from monitoring.models import IndicatorValue, RiskProfile, SelfAssessment
from partnerships.models import Agreement, DevelopmentPlan, DevelopmentPlanItem, SupportSession, Teacher
from portal.scale import MEASURES_PER_PROGRAMME, generate, scale_checksum
from programs.models import Programme
from schools.models import (
    IdentificationRun,
    Municipality,
    RoleAssignment,
    School,
    SchoolResult,
    SchoolYearProfile,
    SchoolYearStatus,
    Status,
)

pytestmark = pytest.mark.django_db

N = 120


def _generate_and_roll_back(seed: int) -> str:
    with transaction.atomic():
        generate(schools=N, seed=seed)
        checksum = scale_checksum()
        transaction.set_rollback(True)
    return checksum


def test_generator_shapes_and_determinism():
    first = _generate_and_roll_back(seed=5)
    assert not School.objects.exists()
    generate(schools=N, seed=5)
    assert scale_checksum() == first, "the same seed must give the same data"

    assert School.objects.count() == N
    assert 2 <= Municipality.objects.count() <= 10
    # Every school: three years of results and of profiles.
    years = SchoolResult.objects.values("school").annotate(n=Count("year", distinct=True))
    assert len(years) == N and {row["n"] for row in years} == {3}
    assert SchoolYearProfile.objects.count() == 3 * N
    # Most rural schools are small.
    rural = School.objects.filter(locality=School.Locality.RURAL)
    assert rural.filter(is_small=True).count() > rural.count() / 2

    # Two approved lists; about 10 % ШНОР on the newest.
    assert IdentificationRun.objects.filter(approved_at__isnull=False).count() == 2
    year = SchoolYearStatus.objects.order_by("-year").values_list("year", flat=True).first()
    assert SchoolYearStatus.objects.filter(year=year).count() == N
    shnor = SchoolYearStatus.objects.filter(year=year, status__in=[Status.SHNOR, Status.BOTH])
    assert 0.05 * N <= shnor.count() <= 0.18 * N

    # Every ШНОР has a school programme of 30 measures.
    programmes = Programme.objects.filter(kind=Programme.Kind.TRANSITION).annotate(n=Count("measures"))
    assert set(programmes.values_list("school_id", flat=True)) == set(shnor.values_list("school_id", flat=True))
    assert {p.n for p in programmes} == {MEASURES_PER_PROGRAMME}
    assert Programme.objects.filter(kind=Programme.Kind.MUNICIPAL).exists()

    # Agreements with sessions, teachers with ИПРП and items, monitoring.
    assert Agreement.objects.count() >= shnor.count() * 0.8
    assert SupportSession.objects.filter(status=SupportSession.Status.CONFIRMED).exists()
    assert Teacher.objects.exists() and DevelopmentPlan.objects.exists()
    assert DevelopmentPlanItem.objects.count() == 4 * DevelopmentPlan.objects.count()
    assert IndicatorValue.objects.exists() and SelfAssessment.objects.exists() and RiskProfile.objects.exists()

    # A user for every role.
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {r.value for r in RoleAssignment.Role}
    assert get_user_model().objects.filter(username="department").exists()


def test_generator_refuses_a_database_with_schools():
    generate(schools=20, seed=1)
    with pytest.raises(CommandError, match="только пустую базу"):
        call_command("generate_scale", schools=20)
