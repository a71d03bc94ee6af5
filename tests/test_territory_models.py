"""The demo ships two territories' models as their documents write them (issue 18): the demo region runs seed 002's
municipal programme, «Пермский край» seed 004's regional project (`portal.demo_territories`). Loaded as `make demo`
loads them, each behaves as its seed says: targets, the monitoring calendar, the review route, the event's target."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from monitoring.calendar import stage_of, stages_of
from partnerships.event_counts import attach_group_counts
from partnerships.models import MethodicalEvent
from partnerships.targets import targets_for
from portal.demo_territories import CONCEPT_ORDER, INSTITUTE, PROJECT_YEAR, WEBINAR
from programs import services
from programs.models import Programme, Review
from programs.review_flow import route_steps
from schools.demo import REGION as DEMO_REGION
from schools.models import Act, Municipality, Organisation, Region, RoleAssignment, School
from schools.school_year import current_school_year
from schools.services import role_assign
from tests.programs.conftest import make_programme

pytestmark = pytest.mark.django_db

State = Programme.State


@pytest.fixture
def perm(full_demo):
    region = Region.objects.get(name="Пермский край")
    kochevo, gain = Municipality.objects.filter(region=region).order_by("name").reverse()
    return region, kochevo, gain


# --- seed 002: the municipal programme 2022–2024 ------------------------------------------------------------------


def test_seed_002_targets_are_one_agreement_a_year_and_coverage_growing_20_35_50(full_demo):
    region = Region.objects.get(name=DEMO_REGION[0])
    year = current_school_year()
    targets = [targets_for(y, region.pk) for y in (year - 1, year, year + 1)]
    assert [(t.agreements_per_year, t.teacher_coverage) for t in targets] == [(1, 20), (1, 35), (1, 50)]
    assert "«не менее 3»" in targets[0].basis and targets[0].event_participation == 80


def test_seed_002_entry_monitoring_lies_in_the_december_before_the_programme(full_demo):
    programme = Programme.objects.filter(kind=Programme.Kind.MUNICIPAL, municipality__region__name=DEMO_REGION[0]).first()
    stages = stages_of(programme.period_start, municipality=programme.municipality)
    assert [s.name for s in stages] == ["Входной мониторинг", "Промежуточный мониторинг", "Итоговый мониторинг"]
    entry = stages[0]
    assert (entry.starts_on.month, entry.starts_on.year) == (12, programme.period_start - 1)  # «Декабрь 2021»
    assert entry.due_on < programme.period_first_day


def test_seed_002_programmes_follow_the_default_route_the_coordinator_decides(full_demo):
    programme = make_programme(school=School.objects.get(short_name="Никольская ООШ"), measures=2, sections=1)
    first = route_steps(programme)[0]
    assert (first.kind, first.reviewer, first.deciding) == ("municipal", "coordinator", True)
    submitted = services.programme_submit(programme=programme, actor=full_demo["department"])
    review = submitted.reviews.get()
    _accept(review, full_demo["coordinator"])
    submitted.refresh_from_db()
    assert submitted.state == State.ACCEPTED  # the coordinator's verdict decides, as the default route has it


# --- seed 004: the regional project of Пермский край, 2023 --------------------------------------------------------


def test_seed_004_targets_and_acts_of_the_territory(perm):
    region, *_ = perm
    targets = targets_for(PROJECT_YEAR, region.pk)
    assert targets.event_participation == 80  # «не менее 80 % ШНОР приняли участие…» (п. 3.1.4)
    assert targets.source == "цели территории «Пермский край»"
    assert targets_for(PROJECT_YEAR, Region.objects.get(name=DEMO_REGION[0]).pk).source != targets.source
    concept = Act.objects.get(number=CONCEPT_ORDER)
    assert concept.date == datetime.date(2022, 6, 10) and "Пермского края" in concept.issuer
    assert Act.objects.filter(kind=Act.Kind.REGULATION, title__startswith="Положение о краевом проекте").exists()


def test_seed_004_calendar_has_its_two_stages_and_refuses_the_default_ones(perm, client, full_demo):
    region, kochevo, _gain = perm
    first, second = stages_of(PROJECT_YEAR, municipality=kochevo)
    assert (first.name, second.name) == ("Мониторинг 1 этапа", "Мониторинг 2 этапа")
    assert second.due_on == datetime.date(2023, 11, 30)  # «мониторинга 2 этапа … Ноябрь»
    with pytest.raises(ValidationError, match="Этапа «interim» нет в календаре мониторинга на 2023/24 учебный год"):
        stage_of(PROJECT_YEAR, "interim", municipality=kochevo)
    # the demo region keeps its own (the default) calendar for the same school year
    assert [s.code for s in stages_of(PROJECT_YEAR, region=Region.objects.get(name=DEMO_REGION[0]))] != ["stage-1", "stage-2"]
    school = School.objects.get(short_name="Кочёвская СОШ")
    client.force_login(full_demo["department_b"])
    assert client.get(reverse("monitoring:school_grid", args=[school.pk, PROJECT_YEAR, "stage-2"])).status_code == 200
    assert client.get(reverse("monitoring:school_grid", args=[school.pk, PROJECT_YEAR, "interim"])).status_code == 404


def test_seed_004_route_municipal_in_june_mutual_in_september_by_another_municipality_evidence_in_november(perm, full_demo):
    _region, kochevo, gain = perm
    department = full_demo["department_b"]
    coordinator = full_demo["coordinator_b"]
    role_assign(user=coordinator, role=RoleAssignment.Role.COORDINATOR, municipality=kochevo)
    programme = make_programme(school=School.objects.get(short_name="Кочёвская СОШ"), measures=2, sections=1)
    services.programme_submit(programme=programme, actor=department)
    municipal = programme.reviews.get()
    assert municipal.step.name == "Муниципальная экспертиза документов участников Проекта"
    assert (municipal.due_on.month, municipal.due_on.day) == (6, 30)  # «Июнь»
    _accept(municipal, coordinator)
    programme.refresh_from_db()
    assert programme.state == State.ACCEPTED  # the municipal verdict decides; the rest advise
    same_municipality = School.objects.get(short_name="Пелымская ООШ")
    with pytest.raises(PermissionDenied, match="Эту школу нельзя назначить экспертом"):  # «школами-участниками» of others
        services.review_assign_mutual(programme=programme, actor=coordinator, school=same_municipality)
    mutual = services.review_assign_mutual(
        programme=programme, actor=coordinator, school=School.objects.get(short_name="Гайнская СОШ", municipality=gain)
    )
    assert mutual.due_on.month == 9  # «Взаимоэкспертиза … Сентябрь»
    evidence_step = next(s for s in route_steps(programme) if s.subject == "evidence")
    institute = Organisation.objects.get(short_name=INSTITUTE[0])
    evidence = services.review_open_step(programme=programme, step=evidence_step, actor=department, organisation=institute)
    assert evidence.due_on.month == 11 and evidence.reviewer_organisation == institute  # «ЦНППМПР … Ноябрь»


def test_seed_004_webinar_misses_its_100_percent_of_municipal_specialists(perm, client, full_demo):
    event = MethodicalEvent.objects.get(title=WEBINAR)
    attach_group_counts([event])
    assert (event.target_count.invited, event.target_count.took_part, event.target_count.share) == (4, 3, 75.0)
    assert event.target_share == 100 and event.target_reached is False
    client.force_login(full_demo["department_b"])
    page = client.get(reverse("partnerships:event", args=[event.pk])).content.decode()
    assert "75" in page and "не достигнута" in page


def _accept(review: Review, user) -> None:
    services.review_complete(review=Review.objects.get(pk=review.pk), actor=user, verdict=Review.Verdict.ACCEPTED, remarks="")
