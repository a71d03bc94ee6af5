"""A region's reference lists (issue 20): risk factors, the common review checklist, subjects and deficit areas are
the region's own once it starts them from the defaults, else the installation's defaults; every choice list of a
programme, a teacher or a deficit offers its owner's region's list (`schools.region_lists`)."""

import pytest

from partnerships.forms import DeficitForm, TeacherForm
from partnerships.models import DeficitArea, Subject, Teacher
from programs.forms import MeasureForm, PassportForm, ProgrammeCreateForm
from programs.models import ReviewCriterion, RiskFactor
from programs.region_lists import common_checklist, risk_factors_of
from schools.models import Municipality, School
from schools.region_lists import region_list_start, region_rows

from .conftest import make_programme
from .test_review_routes import submitted
from .test_review_routes import territory as new_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_school(demo):
    return School.objects.get(short_name="Никольская ООШ")


@pytest.fixture
def lists(demo):
    """Default lists of each kind (the demo's, plus one row where the demo has none)."""
    for model, code in ((RiskFactor, "low-motivation"), (Subject, "math"), (DeficitArea, "assessment")):
        if not model.objects.filter(region__isnull=True).exists():
            model.objects.create(code=code, name=f"По умолчанию: {code}")
    if not ReviewCriterion.objects.filter(step__isnull=True, region__isnull=True).exists():
        ReviewCriterion.objects.create(name="Цель соответствует рискам")


def territory(municipality):
    """A territory of its own for the municipality (the demo's department heads it); the municipality object is
    refreshed, so that the objects holding it see its new region."""
    region = new_territory(municipality)
    municipality.refresh_from_db()
    return region


def _names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_a_region_follows_the_defaults_until_it_starts_its_own_list(lists, a_school):
    region = territory(a_school.municipality)
    defaults = RiskFactor.objects.filter(region__isnull=True, is_active=True)
    assert _names(risk_factors_of(region.pk)) == _names(defaults)
    copied = region_list_start(rows=RiskFactor.objects.all(), region=region)
    assert copied == RiskFactor.objects.filter(region__isnull=True).count()
    assert region_list_start(rows=RiskFactor.objects.all(), region=region) == 0  # once
    own = RiskFactor.objects.filter(region=region)
    own.filter(pk=own.first().pk).update(name="Свой фактор края")
    assert set(risk_factors_of(region.pk)) == set(own.filter(is_active=True))
    assert "Свой фактор края" in _names(risk_factors_of(region.pk))
    # the defaults are untouched, and another region still follows them
    assert _names(risk_factors_of(None)) == _names(defaults)
    other = Municipality.objects.exclude(region=region).first()
    assert set(risk_factors_of(other.region_id)) == set(defaults)
    # a region that retires every row of its own keeps its own (empty) list: it does not fall back
    own.update(is_active=False)
    assert not risk_factors_of(region.pk).exists()
    assert region_rows(RiskFactor.objects.all(), region.pk).count() == copied


def test_a_programme_offers_its_regions_risk_factors_once_it_has_its_own(lists, a_school, demo):
    region = territory(a_school.municipality)
    programme = make_programme(school=a_school, measures=1, sections=1, title="Программа края")
    elsewhere = make_programme(
        municipality=Municipality.objects.exclude(region=region).first(), measures=1, sections=1, title="Чужая"
    )
    region_list_start(rows=RiskFactor.objects.all(), region=region)
    own = set(RiskFactor.objects.filter(region=region, is_active=True))
    assert set(PassportForm(instance=programme).fields["risk_factor"].queryset) == own
    assert set(MeasureForm(programme=programme).fields["risk_factor"].queryset) == own
    defaults = set(RiskFactor.objects.filter(region__isnull=True, is_active=True))
    assert set(PassportForm(instance=elsewhere).fields["risk_factor"].queryset) == defaults
    # a programme holding a default factor still shows it (it is not lost by the region's start)
    held = next(iter(defaults))
    programme.risk_factor = held
    assert held in PassportForm(instance=programme).fields["risk_factor"].queryset


def test_a_new_programme_refuses_another_regions_factor(lists, a_school, demo):
    region = territory(a_school.municipality)
    region_list_start(rows=RiskFactor.objects.all(), region=region)
    default = RiskFactor.objects.filter(region__isnull=True, is_active=True).first()
    own = RiskFactor.objects.filter(region=region, is_active=True).first()
    data = {"kind": "anti_risk", "school": a_school.pk, "title": "Антирисковая", "period_start": 2025,
            "period_end": 2026}  # fmt: skip
    form = ProgrammeCreateForm({**data, "risk_factor": own.pk}, user=demo["department"])
    assert form.is_valid(), form.errors
    form = ProgrammeCreateForm({**data, "risk_factor": default.pk}, user=demo["department"])
    assert not form.is_valid() and "risk_factor" in form.errors


def test_a_review_reads_its_regions_common_checklist(lists, a_school, demo):
    region = territory(a_school.municipality)
    region_list_start(rows=ReviewCriterion.objects.filter(step__isnull=True), region=region)
    ReviewCriterion.objects.filter(region=region).update(is_active=False)
    ReviewCriterion.objects.create(region=region, name="Критерий края", position=1)
    assert [c.name for c in common_checklist(region.pk)] == ["Критерий края"]
    programme = submitted(a_school, demo["department"])  # the default route: its steps keep no checklist of their own
    review = programme.reviews.get()
    assert [c.criterion.name for c in review.checks.all()] == ["Критерий края"]
    other = Municipality.objects.exclude(region=region).first().region_id
    assert "Критерий края" not in {c.name for c in common_checklist(other)}


def test_a_teacher_and_a_deficit_offer_their_regions_lists(lists, a_school, demo):
    region = territory(a_school.municipality)
    region_list_start(rows=Subject.objects.all(), region=region)
    region_list_start(rows=DeficitArea.objects.all(), region=region)
    own_subject = Subject.objects.filter(region=region).first()
    experience = Teacher.Experience.values[0]
    teacher = Teacher.objects.create(
        school=a_school, full_name="Иванова Анна Петровна", subject=own_subject, experience=experience
    )
    form = TeacherForm(instance=teacher, user=demo["department"])
    assert set(form.fields["subject"].queryset) == set(Subject.objects.filter(region=region, is_active=True))
    form = DeficitForm(teacher=teacher)
    assert set(form.fields["area"].queryset) == set(DeficitArea.objects.filter(region=region, is_active=True))
    # a new teacher of the region's school takes a subject of the region's list, not a default one
    default = Subject.objects.filter(region__isnull=True).first()
    data = {"school": a_school.pk, "full_name": "Петров Пётр Петрович", "category": Teacher.Category.NONE,
            "experience": experience}  # fmt: skip
    form = TeacherForm({**data, "subject": default.pk}, user=demo["department"])
    assert not form.is_valid() and "subject" in form.errors


def test_codes_are_unique_per_region(lists, a_school):
    from django.db import IntegrityError, transaction

    region = territory(a_school.municipality)
    region_list_start(rows=RiskFactor.objects.all(), region=region)  # the same codes as the defaults: allowed
    code = RiskFactor.objects.filter(region=region).first().code
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactor.objects.create(region=region, code=code, name="Дубль")
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactor.objects.create(code=code, name="Дубль по умолчанию")
