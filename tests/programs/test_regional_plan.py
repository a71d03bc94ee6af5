"""The regional plan-schedule (seed 004's «План-график («дорожная карта») реализации Проекта»): the region's
ministry keeps and approves it, its institute reports the execution, the region reads it, nobody else sees it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from programs.access import visible_programmes
from programs.models import Programme
from programs.services import (
    MeasureData,
    ProgrammeError,
    measure_add,
    measure_mark_done,
    programme_approve,
    programme_create,
    programme_reopen,
    programme_submit,
    section_add,
)
from schools.models import Region
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(demo):
    """The demo region (department, institute) and Пермский край with its approved plan-schedule (`department_b`)."""
    from portal.demo_territories import REGION, seed_territories

    seed_territories()
    demo["region_a"] = Region.objects.get(pk=demo["department"].role_assignments.get(role="department").region_id)
    demo["region_b"] = Region.objects.get(name=REGION[0])
    return demo


def _plan(users, region, title="План-график региона"):
    department = users["department"]
    plan = programme_create(
        actor=department, kind=Programme.Kind.REGIONAL, title=title, period_start=2026, period_end=2026, region=region
    )
    section = section_add(programme=plan, actor=department, title="Мероприятия плана-графика")
    measure = measure_add(
        section=section, actor=department,
        data=MeasureData(name="Информационное сопровождение Проекта", executors="ЦНППМПР"),
    )  # fmt: skip
    return plan, measure


def test_the_demo_gives_perm_its_approved_plan_with_the_seed_measures(two):
    plan = Programme.objects.get(kind=Programme.Kind.REGIONAL, region=two["region_b"])
    assert plan.state == Programme.State.ACCEPTED
    names = list(plan.measures.order_by("position").values_list("name", flat=True))
    assert "Формирование перечня общеобразовательных организаций для участия в Проекте" in names
    results = set(plan.measures.values_list("result_name", flat=True))
    assert (
        "Не менее чем в 50% муниципальных образованиях разработаны муниципальные программы/планы мероприятий "
        "(дорожные карты) по сопровождению школ с низкими образовательными результатами" in results
    )
    assert plan.history.filter(history_change_reason="План-график утверждён министерством").exists()
    # its two indicators of the region's level: one counted by the portal, one the ministry entered (confirmed)
    from monitoring.models import Indicator

    indicators = {i.code: i for i in Indicator.objects.filter(programme=plan)}
    assert indicators["municipal-programmes"].computed_by == "municipal_programme_share"
    value = indicators["municipal-reports"].values.get()
    assert (value.region, value.value, value.status) == (two["region_b"], 100, "confirmed")


def test_a_department_of_another_region_neither_sees_nor_edits_the_plan(client, two):
    plan, _measure = _plan(two, two["region_a"])
    other = two["department_b"]
    assert not visible_programmes(other).filter(pk=plan.pk).exists()
    login(client, other)
    assert client.get(reverse("programs:detail", args=[plan.pk])).status_code == 404
    assert client.post(reverse("programs:approve", args=[plan.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        section_add(programme=plan, actor=other, title="Чужая задача")
    # and the list of programmes names none of region A's plan
    page = client.get(reverse("programs:list") + "?kind=regional").content.decode()
    assert "План-график региона" not in page


def test_the_region_reads_the_plan_the_schools_do_not(client, two):
    plan, _measure = _plan(two, two["region_a"])
    for username in ("department", "coordinator", "coordinator_b", "institute", "federal", "district"):
        assert visible_programmes(two[username]).filter(pk=plan.pk).exists(), username
    for username in ("school", "curator", "tutor"):
        assert not visible_programmes(two[username]).filter(pk=plan.pk).exists(), username
    login(client, two["federal"])
    assert client.get(reverse("programs:detail", args=[plan.pk])).status_code == 200
    assert client.post(reverse("programs:approve", args=[plan.pk])).status_code == 403


def test_the_ministry_approves_without_review_and_may_reopen(client, two):
    plan, _measure = _plan(two, two["region_a"])
    with pytest.raises(ProgrammeError, match="не отправляют на экспертизу"):
        programme_submit(programme=plan, actor=two["department"])
    with pytest.raises(PermissionDenied):
        programme_approve(programme=plan, actor=two["district"])
    login(client, two["department"])
    page = client.get(reverse("programs:detail", args=[plan.pk])).content.decode()
    assert "Утвердить план-график" in page and "Отправить на экспертизу" not in page
    client.post(reverse("programs:approve", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.state == Programme.State.ACCEPTED and plan.accepted_at is not None
    record = plan.history.first()
    assert record.history_user == two["department"] and record.history_change_reason.startswith("План-график утверждён")
    assert plan.reviews.count() == 0
    programme_reopen(programme=plan, actor=two["department"])
    plan.refresh_from_db()
    assert plan.state == Programme.State.DRAFT


def test_the_institute_reports_execution_but_does_not_change_the_plan(client, two):
    plan, measure = _plan(two, two["region_a"])
    institute = two["institute"]
    with pytest.raises(PermissionDenied):
        section_add(programme=plan, actor=institute, title="Своя задача")
    measure_mark_done(measure=measure, actor=institute, expected_version=measure.version)
    measure.refresh_from_db()
    assert measure.status == "done"
    login(client, institute)
    assert client.get(reverse("programs:passport_edit", args=[plan.pk])).status_code == 403


def test_a_regional_plan_has_a_region_and_nothing_else(two, municipality_a):
    with pytest.raises(ValidationError) as caught:
        Programme(kind=Programme.Kind.REGIONAL, title="Без региона", period_start=2026, period_end=2026).full_clean()
    assert "Региональный план-график принадлежит региону" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        Programme(
            kind=Programme.Kind.MUNICIPAL, title="С регионом", municipality=municipality_a, region=two["region_a"],
            period_start=2026, period_end=2026,
        ).full_clean()  # fmt: skip
    assert "Регион указывают только у регионального плана-графика" in str(caught.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(
            kind=Programme.Kind.REGIONAL, title="И муниципалитет", municipality=municipality_a,
            region=two["region_a"], period_start=2026, period_end=2026,
        )  # fmt: skip


def test_the_list_filters_by_kind_in_a_fixed_number_of_queries(client, two, django_assert_max_num_queries):
    login(client, two["federal"])
    url = reverse("programs:list") + "?kind=regional"
    _plan(two, two["region_a"])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        page = client.get(url).content.decode()
    assert "План-график региона" in page
    for n in range(3):
        _plan(two, two["region_a"], title=f"План-график {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "План-график 2" in page
    assert "Адресная методическая помощь" in page  # Пермский край's, of the demo
