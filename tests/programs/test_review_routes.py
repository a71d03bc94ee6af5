"""Review routes as data (issue 18, item 4): the order, due days, checklists and verdicts follow the territory's
route; the default route is the old behaviour; organisations' experts review; overdue reviews show and remind."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.models import Notification
from notifications.reminders import reminders_create
from programs import services
from programs.access import get_programme_or_404
from programs.demo_routes import EVIDENCE_STEP, SEED_004_STEPS
from programs.models import Programme, Review, ReviewCriterion
from programs.review_routes import ReviewRoute, ReviewStep
from programs.selectors import home_items
from programs.service_common import ProgrammeError
from schools.models import Municipality, Organisation, Region, RoleAssignment, School

from .conftest import make_programme

pytestmark = pytest.mark.django_db
State = Programme.State
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def a_school(demo):
    return School.objects.get(short_name="Никольская ООШ")


def territory(*municipalities) -> Region:
    """A territory of its own for these municipalities (the demo region has a route of its own already); the demo's
    department heads it too."""
    region = headed_region(f"Территория {Region.objects.count() + 1}")
    Municipality.objects.filter(pk__in=[m.pk for m in municipalities]).update(region=region)
    return region


def headed_region(name: str) -> Region:
    """A new region whose department is the demo's `department` (as well as of the demo region)."""
    region = Region.objects.create(name=name)
    department = get_user_model().objects.get(username="department")
    RoleAssignment.objects.create(user=department, role=RoleAssignment.Role.DEPARTMENT, region=region)
    return region


def territory_route(school_or_region, *steps) -> ReviewRoute:
    """A territory's own route for school programmes with the given steps (dicts of ReviewStep fields); given a
    school, its municipality gets a territory of its own first."""
    region = school_or_region if isinstance(school_or_region, Region) else territory(school_or_region.municipality)
    route = ReviewRoute.objects.create(region=region, owner="school")
    for position, fields in enumerate(steps, start=1):
        ReviewStep.objects.create(route=route, position=position, **fields)
    return route


MUNICIPAL = dict(name="Муниципальная экспертиза", kind="municipal", reviewer="coordinator", deciding=True)
REGIONAL = dict(name="Региональная экспертиза", kind="regional", reviewer="department", deciding=True)


def submitted(school, department, title="Программа по маршруту"):
    programme = make_programme(school=school, measures=3, sections=1, title=title)
    return services.programme_submit(programme=programme, actor=department)


def complete(review, actor, verdict="accepted", remarks=""):
    return services.review_complete(
        review=Review.objects.get(pk=review.pk), actor=actor, verdict=verdict, remarks=remarks
    )


# --- the default route ------------------------------------------------------------------------------------------


def test_the_default_routes_are_todays_order(demo):
    from programs.review_routes import default_route

    school_route = default_route("school")  # made when first read: `migrate` leaves an empty database empty
    steps = list(school_route.steps.order_by("position").values_list("kind", "deciding", "required"))
    assert steps == [("municipal", True, True), ("mutual", False, False), ("regional", True, False)]
    municipal_route = default_route("municipal")
    assert list(municipal_route.steps.values_list("kind", "deciding")) == [("regional", True)]


def test_a_territory_without_a_route_follows_the_default_one(demo, a_school):
    territory(a_school.municipality)
    programme = submitted(a_school, demo["department"])
    review = programme.reviews.get()
    assert (review.kind, review.deciding, review.step.position, review.due_on) == ("municipal", True, 1, None)
    assert review.step.route.region is None


# --- a territory's route ----------------------------------------------------------------------------------------


def test_a_custom_route_opens_in_order_with_due_days_and_its_own_checklist(demo, a_school):
    route = territory_route(a_school, MUNICIPAL | {"due_days": 10}, REGIONAL | {"due_month": 11, "may_overturn": True})
    first = route.steps.get(position=1)
    ReviewCriterion.objects.create(step=first, name="Мероприятия устраняют выявленные риски", position=1)
    programme = submitted(a_school, demo["department"])
    review = programme.reviews.get()
    today = timezone.localdate()
    assert review.step == first and review.due_on == today + datetime.timedelta(days=10)
    assert [c.criterion.name for c in review.checks.all()] == ["Мероприятия устраняют выявленные риски"]

    complete(review, demo["coordinator"])
    programme.refresh_from_db()
    assert programme.state == State.IN_REVIEW  # a required deciding step is still to come
    regional = programme.reviews.get(step__position=2)
    november = datetime.date(today.year if today <= datetime.date(today.year, 11, 30) else today.year + 1, 11, 30)
    assert regional.due_on == november
    assert regional.checks.count() == ReviewCriterion.objects.filter(step__isnull=True, is_active=True).count()

    complete(regional, demo["department"], "returned", "Нет мероприятий по второму фактору риска.")
    programme.refresh_from_db()
    assert programme.state == State.RETURNED  # the regional step may overturn the municipal acceptance


def test_a_later_step_that_may_not_overturn_refuses_a_contrary_verdict(demo, a_school):
    territory_route(a_school, MUNICIPAL, REGIONAL)
    programme = submitted(a_school, demo["department"])
    complete(programme.reviews.get(), demo["coordinator"])
    regional = programme.reviews.get(step__position=2)
    with pytest.raises(ProgrammeError, match="не может изменить это решение"):
        complete(regional, demo["department"], "returned", "Не согласны.")
    complete(regional, demo["department"])
    programme.refresh_from_db()
    assert programme.state == State.ACCEPTED


def test_a_return_closes_the_round_when_no_later_step_may_overturn_it(demo, a_school):
    territory_route(a_school, MUNICIPAL, REGIONAL)
    programme = submitted(a_school, demo["department"])
    complete(programme.reviews.get(), demo["coordinator"], "returned", "Доработать цели.")
    programme.refresh_from_db()
    assert programme.state == State.RETURNED
    assert not programme.reviews.filter(step__position=2).exists()


def test_mutual_reviewers_may_come_from_other_municipalities_when_the_step_says_so(demo, a_school):
    far = School.objects.exclude(municipality=a_school.municipality).first()
    territory_route(
        territory(a_school.municipality, far.municipality), MUNICIPAL,
        dict(name="Взаимоэкспертиза документов Проекта", kind="mutual", reviewer="school", deciding=False,
             required=False, with_previous=True, school_scope="other"),
    )  # fmt: skip
    programme = submitted(a_school, demo["department"])
    neighbour = School.objects.filter(municipality=a_school.municipality).exclude(pk=a_school.pk).first()
    with pytest.raises(PermissionDenied):
        services.review_assign_mutual(programme=programme, actor=demo["coordinator"], school=neighbour)
    review = services.review_assign_mutual(programme=programme, actor=demo["coordinator"], school=far)
    assert review.reviewer_school == far and not review.deciding


# --- evidence reviewed by an organisation's expert --------------------------------------------------------------


@pytest.fixture
def institute(demo, a_school):
    organisation = Organisation.objects.create(
        name="Институт развития образования", short_name="ИРО", kind="institute", region=a_school.municipality.region
    )
    expert = get_user_model().objects.create_user("expert_iro", password="x", last_name="Экспертова")
    RoleAssignment.objects.create(user=expert, role=RoleAssignment.Role.EXPERT, organisation=organisation)
    return organisation, expert


def test_an_organisation_expert_reviews_the_evidence_of_an_accepted_programme(demo, a_school, institute, client):
    organisation, expert = institute
    today = timezone.localdate()
    region = territory(a_school.municipality)
    Organisation.objects.filter(pk=organisation.pk).update(region=region)
    route = territory_route(
        region, MUNICIPAL,
        dict(name="Региональная экспертиза подтверждающих документов", kind="regional", subject="evidence",
             reviewer="organisation", deciding=False, stage_from=today - datetime.timedelta(days=30), stage_to=today),
    )  # fmt: skip
    evidence_step = route.steps.get(position=2)
    programme = submitted(a_school, demo["department"])
    services.evidence_add(
        measure=programme.measures.first(),
        actor=demo["department"],
        title="Приказ № 12",
        file=ContentFile(PDF, "p.pdf"),
    )
    with pytest.raises(ProgrammeError, match="для принятой программы"):
        services.review_open_step(
            programme=programme, step=evidence_step, actor=demo["department"], organisation=organisation
        )
    complete(programme.reviews.get(), demo["coordinator"])
    review = services.review_open_step(
        programme=programme, step=evidence_step, actor=demo["department"], organisation=organisation
    )
    assert get_programme_or_404(expert, programme.pk) == programme

    client.force_login(expert)
    page = client.get(reverse("programs:review", args=[review.pk]))
    assert page.status_code == 200 and "Приказ № 12" in page.content.decode()
    response = client.post(
        reverse("programs:review", args=[review.pk]),
        {"action": "complete", "verdict": "returned", "remarks": "Нет протокола педсовета."},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    programme.refresh_from_db()
    assert (review.status, review.verdict, review.completed_by) == ("done", "returned", expert)
    assert programme.state == State.ACCEPTED  # evidence reviewed: remarks, not a new decision on the plan


def test_an_organisation_expert_reviews_the_schools_open_report_and_downloads_it(demo, a_school, institute, client):
    from monitoring.models import OpenReport

    organisation, expert = institute
    region = territory(a_school.municipality)
    Organisation.objects.filter(pk=organisation.pk).update(region=region)
    route = territory_route(
        region, MUNICIPAL,
        dict(name="Экспертиза открытого доклада", kind="custom", subject="report", reviewer="organisation", deciding=False),
    )  # fmt: skip
    programme = submitted(a_school, demo["department"])
    complete(programme.reviews.get(), demo["coordinator"])
    programme.refresh_from_db()

    def report(school, year, name):
        return OpenReport.objects.create(
            school=school, year=year, file=ContentFile(PDF, name), original_name=name, content_type="application/pdf"
        )

    own = report(a_school, programme.period_start, "доклад-2025.pdf")
    other = report(School.objects.exclude(pk=a_school.pk).first(), programme.period_start, "чужой.pdf")
    client.force_login(expert)
    assert client.get(reverse("monitoring:open_report_file", args=[own.pk])).status_code == 404  # not given yet
    review = services.review_open_step(
        programme=programme, step=route.steps.get(position=2), actor=demo["department"], organisation=organisation
    )
    page = client.get(reverse("programs:review", args=[review.pk])).content.decode()
    assert "Открытые доклады школы: 1" in page and "доклад-2025.pdf" in page and "чужой.pdf" not in page
    assert client.get(reverse("monitoring:open_report_file", args=[own.pk])).status_code == 200
    assert client.get(reverse("monitoring:open_report_file", args=[other.pk])).status_code == 404


def test_an_outsider_cannot_reach_the_organisation_review(demo, a_school, institute, client):
    organisation, _expert = institute
    region = territory(a_school.municipality)
    Organisation.objects.filter(pk=organisation.pk).update(region=region)
    territory_route(region, MUNICIPAL | {"required": False},
                    dict(name="Экспертиза площадки", kind="custom", reviewer="organisation", with_previous=True))  # fmt: skip
    programme = submitted(a_school, demo["department"])
    assert not programme.reviews.exists()  # nothing opens by itself: the first step is optional, the second named
    review = services.review_open_step(
        programme=programme, step=ReviewStep.objects.get(name="Экспертиза площадки"), actor=demo["coordinator"],
        organisation=organisation,
    )  # fmt: skip
    other_expert = get_user_model().objects.create_user("expert_other", password="x")
    other = Organisation.objects.create(name="Другая площадка", short_name="Другая", kind="innovation_platform",
                                        region=region)  # fmt: skip
    RoleAssignment.objects.create(user=other_expert, role=RoleAssignment.Role.EXPERT, organisation=other)
    for outsider in (other_expert, demo["coordinator_b"], demo["tutor"]):
        client.force_login(outsider)
        assert client.get(reverse("programs:review", args=[review.pk])).status_code == 404
        assert client.get(reverse("programs:detail", args=[programme.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.review_complete(review=review, actor=other_expert, verdict="accepted", remarks="")


# --- overdue reviews --------------------------------------------------------------------------------------------


def test_an_overdue_review_shows_on_the_home_page_and_in_reminders(demo, a_school, client):
    territory_route(a_school, MUNICIPAL | {"due_days": 5})
    programme = submitted(a_school, demo["department"], title="Программа с просроченной экспертизой")
    review = programme.reviews.get()
    later = timezone.localdate() + datetime.timedelta(days=8)
    Review.objects.filter(pk=review.pk).update(due_on=later - datetime.timedelta(days=3))

    client.force_login(demo["coordinator"])
    html = client.get(reverse("home")).content.decode()
    assert "Программа с просроченной экспертизой" in html
    # as of today it is not overdue yet
    assert "Просрочена экспертиза" not in html
    Review.objects.filter(pk=review.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    html = client.get(reverse("home")).content.decode()
    assert "Просрочена экспертиза: срок был" in html and "просрочено: <a" in html
    assert 'data-figure="home-reviews-overdue" data-value="1">1</a>' in html

    now = timezone.now()
    reminders_create(today=timezone.localdate(), now=now)
    notice = Notification.objects.get(kind=kinds.REVIEW_OVERDUE, target_id=review.pk)
    assert notice.recipient == demo["coordinator"]
    assert "Просрочена экспертиза «Муниципальная экспертиза»" in notice.title
    # a completed review is not overdue any more
    complete(review, demo["coordinator"])
    items = home_items(user=demo["coordinator"])
    assert review.pk not in [r.pk for r in items["reviews"]]


# --- editing the routes -----------------------------------------------------------------------------------------


def step_data(step, **changes):
    data = {name: getattr(step, name) for name in ("name", "kind", "subject", "reviewer", "school_scope")} | {
        "deciding": "on" if step.deciding else "",
        "required": "on" if step.required else "",
    }
    data |= {"with_previous": "on" if step.with_previous else "", "due_month": step.due_month or ""}
    return {k: v for k, v in (data | changes).items() if v != ""}


def test_route_editing_refuses_impossible_routes_in_russian(demo, client):
    from programs.route_services import route_create

    # the region's own route for municipal programmes (the default one is the installation's, kept in the back office)
    region = School.objects.get(short_name="Никольская ООШ").municipality.region
    route = route_create(actor=demo["department"], region=region, owner="municipal")
    only = route.steps.get()
    client.force_login(demo["department"])
    edit = reverse("programs:step_edit", args=[only.pk])

    page = client.post(edit, step_data(only, may_overturn="on"))
    assert "первая решающая экспертиза" in page.content.decode()
    page = client.post(edit, step_data(only, deciding=""))
    assert "нет решающей экспертизы программы" in page.content.decode()
    page = client.post(edit, step_data(only, due_month="13"))
    assert "Месяц срока — от 1 до 12." in page.content.decode()
    only.refresh_from_db()
    assert (only.deciding, only.may_overturn, only.due_month) == (True, False, None)

    page = client.post(reverse("programs:step_delete", args=[only.pk]))
    assert "хотя бы один шаг" in page.content.decode() or "уже проводились экспертизы" in page.content.decode()
    assert route.steps.count() == 1

    assert client.post(edit, step_data(only, due_month="9")).status_code == 302
    only.refresh_from_db()
    assert only.due_month == 9 and only.due_label == "сентябрь"
    history = client.get(reverse("programs:route", args=[route.pk])).content.decode()
    assert "шаг «Региональная экспертиза» изменён" in history


def test_a_step_checklist_is_edited_line_by_line(demo, client):
    step = territory_route(headed_region("Территория с чек-листом"), MUNICIPAL, REGIONAL).steps.get(position=2)
    client.force_login(demo["department"])
    url = reverse("programs:step_criteria", args=[step.pk])
    client.post(url, {"criteria": "Рекомендации подготовлены\nОпыт описан"})
    assert list(step.criteria.filter(is_active=True).values_list("name", flat=True)) == [
        "Рекомендации подготовлены",
        "Опыт описан",
    ]
    client.post(url, {"criteria": "Опыт описан"})
    assert list(step.criteria.filter(is_active=True).values_list("name", flat=True)) == ["Опыт описан"]
    page = client.post(url, {"criteria": "Одно\nОдно"})
    assert "одинаковые критерии" in page.content.decode()


def test_coordinators_read_the_routes_and_only_the_department_edits(demo, client):
    step = ReviewStep.objects.get(route__region__isnull=True, route__owner="school", position=1)
    client.force_login(demo["coordinator"])
    page = client.get(reverse("programs:routes")).content.decode()
    assert "Муниципальная экспертиза" in page and "Изменить" not in page
    assert client.post(reverse("programs:step_edit", args=[step.pk]), step_data(step, name="Иначе")).status_code == 403
    assert client.post(reverse("programs:step_move", args=[step.pk, "down"])).status_code == 403
    step.refresh_from_db()
    assert (step.name, step.position) == ("Муниципальная экспертиза", 1)
    client.force_login(demo["school"])
    assert client.get(reverse("programs:routes")).status_code == 403
    assert client.get(reverse("programs:route", args=[step.route_id])).status_code == 404


def test_moving_a_step_keeps_the_order_and_refuses_an_overturning_first_step(demo, client):
    route = territory_route(
        headed_region("Пустая территория"), MUNICIPAL, REGIONAL | {"may_overturn": True}
    )
    second = route.steps.get(position=2)
    client.force_login(demo["department"])
    page = client.post(reverse("programs:step_move", args=[second.pk, "up"]), follow=True).content.decode()
    assert "Шаг не перемещён" in page and "первая решающая экспертиза" in page
    assert list(route.steps.order_by("position").values_list("kind", flat=True)) == ["municipal", "regional"]
    ReviewStep.objects.filter(pk=second.pk).update(may_overturn=False)
    client.post(reverse("programs:step_move", args=[second.pk, "up"]))
    assert list(route.steps.order_by("position").values_list("kind", flat=True)) == ["regional", "municipal"]


# --- queries ----------------------------------------------------------------------------------------------------


def test_review_pages_keep_their_query_count_as_reviews_grow(demo, a_school, client):
    programme = submitted(a_school, demo["department"])
    others = School.objects.filter(municipality=a_school.municipality).exclude(pk=a_school.pk)
    client.force_login(demo["coordinator"])
    review = programme.reviews.get()

    def counts():
        with CaptureQueriesContext(connection) as detail:
            assert client.get(reverse("programs:detail", args=[programme.pk])).status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("programs:review", args=[review.pk])).status_code == 200
        with CaptureQueriesContext(connection) as routes:
            assert client.get(reverse("programs:routes")).status_code == 200
        return len(detail), len(page), len(routes)

    services.review_assign_mutual(programme=programme, actor=demo["coordinator"], school=others[0])
    counts()  # the first read of the routes makes the default ones
    small = counts()
    for school in others[1:4]:
        services.review_assign_mutual(programme=programme, actor=demo["coordinator"], school=school)
    assert counts() == small


# --- seed 004 and the demo --------------------------------------------------------------------------------------


def test_seed_004_route_runs_as_the_plan_schedule_says(demo, a_school):
    """«Муниципальная экспертиза… Июнь», «Взаимоэкспертиза документов Проекта… Сентябрь» by the project's schools
    (of other municipalities), «Региональная экспертиза подтверждающих документов… 2 этапа… Ноябрь» by ЦНППМПР."""
    far = School.objects.exclude(municipality=a_school.municipality).first()
    region = territory(a_school.municipality, far.municipality)
    route = territory_route(region, *SEED_004_STEPS)
    institute = Organisation.objects.create(name="ЦНППМПР", short_name="ЦНППМПР", kind="institute", region=region)
    programme = submitted(a_school, demo["department"], title="Антирисковая программа")
    municipal = programme.reviews.get()
    assert municipal.due_on.month == 6 and municipal.due_on.day == 30
    complete(municipal, demo["coordinator"])
    programme.refresh_from_db()
    assert programme.state == State.ACCEPTED  # the municipal verdict decides; the rest advise
    mutual = services.review_assign_mutual(programme=programme, actor=demo["coordinator"], school=far)
    assert mutual.due_on.month == 9 and mutual.step.name == "Взаимоэкспертиза документов Проекта"
    evidence = services.review_open_step(
        programme=programme, step=route.steps.get(subject="evidence"), actor=demo["department"], organisation=institute
    )
    assert evidence.due_on.month == 11 and evidence.reviewer_organisation == institute


def test_the_demo_expert_finds_the_evidence_review_waiting(demo, client):
    from programs.demo import seed_programmes

    seed_programmes()
    review = Review.objects.get(step__name=EVIDENCE_STEP)
    assert review.programme.state == State.ACCEPTED and review.reviewer_organisation.short_name == "ЦНППМПР ИРО"
    expert = get_user_model().objects.get(username="expert")
    assert expert.check_password("demo12345")
    client.force_login(expert)
    html = client.get(reverse("home")).content.decode()
    assert "Вы — эксперт организации" in html and review.programme.title in html
    assert client.get(reverse("programs:review", args=[review.pk])).status_code == 200


def test_the_page_buttons_leave_a_regional_review_of_evidence_to_the_routes_block(demo, client):
    from programs.demo import seed_programmes

    seed_programmes()
    accepted = Review.objects.get(step__name=EVIDENCE_STEP).programme
    client.force_login(demo["department"])
    html = client.get(reverse("programs:detail", args=[accepted.pk])).content.decode()
    assert reverse("programs:review_regional", args=[accepted.pk]) not in html  # the plan is decided
    response = client.post(reverse("programs:review_regional", args=[accepted.pk]))
    assert response.status_code == 403
    assert "Региональная экспертиза подтверждающих документов" in html  # in the table and open for the expert
