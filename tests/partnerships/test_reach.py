"""A curator school reaches the schools it holds an agreement in force with — and loses them when it ends."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse

from partnerships.models import Agreement
from partnerships.services.agreements import (
    agreement_activate,
    agreement_create,
    agreement_finish,
    agreement_terminate,
    session_log,
)
from schools.access import get_school_or_404, reach_of, visible_schools

from .helpers import days, fresh

pytestmark = pytest.mark.django_db


def _names(user):
    return set(visible_schools(user).values_list("short_name", flat=True))


def _curator_urls(world):
    """What the curator opens while the agreement holds: the school, the agreement, its sessions and files."""
    return [
        reverse("schools:detail", args=[world.supported_school.pk]),
        reverse("partnerships:agreement", args=[world.agreement.pk]),
        reverse("partnerships:agreement_print", args=[world.agreement.pk]),
        reverse("partnerships:agreement_scan", args=[world.agreement.pk]),
        reverse("partnerships:session", args=[world.pending.pk]),
        reverse("partnerships:session_evidence", args=[world.evidence.pk]),
    ]


def test_curator_reaches_its_school_and_the_schools_it_supports(world):
    curator = fresh(world.users["curator"])
    assert _names(curator) == {
        world.curator_school.short_name,
        world.agreement.supported_school.short_name,
        world.second.supported_school.short_name,
    }
    assert get_school_or_404(curator, world.supported_school.pk) == world.supported_school
    assert reach_of(curator).curated_school_ids == {world.agreement.supported_school_id, world.second.supported_school_id}


def test_curator_does_not_reach_other_schools_of_the_municipality(world):
    curator = fresh(world.users["curator"])
    others = world.supported_school.municipality.schools.exclude(
        pk__in=[world.curator_school.pk, world.agreement.supported_school_id, world.second.supported_school_id]
    )
    for school in others:
        with pytest.raises(Http404):
            get_school_or_404(curator, school.pk)


@pytest.mark.parametrize("how", ["terminated", "finished", "term_over", "not_yet_begun"])
def test_curator_loses_the_school_and_its_files_when_the_agreement_ends(client, world, how):
    client.force_login(world.users["curator"])
    for url in _curator_urls(world):
        assert client.get(url).status_code == 200, url

    coordinator = world.users["coordinator"]
    if how == "terminated":
        agreement_terminate(agreement=world.agreement, actor=coordinator, reason="Школа вышла из перечня.")
    elif how == "finished":
        agreement_finish(agreement=world.agreement, actor=coordinator)
    elif how == "term_over":  # nobody pressed a button: the last day of the term has passed
        Agreement.objects.filter(pk=world.agreement.pk).update(
            starts_on=days(-400), ends_on=days(-1), signed_on=days(-401)
        )
    else:
        Agreement.objects.filter(pk=world.agreement.pk).update(starts_on=days(1), ends_on=days(300))

    assert world.supported_school.short_name not in _names(fresh(world.users["curator"]))
    for url in _curator_urls(world):
        assert client.get(url).status_code == 404, url
    listed = client.get(reverse("partnerships:agreements")).context["page"].object_list
    assert world.agreement.pk not in [a.pk for a in listed]
    # The curator's other agreement still holds.
    assert client.get(reverse("partnerships:agreement", args=[world.second.pk])).status_code == 200
    # The supported school and the coordinator keep the history.
    for role in ("school", "coordinator"):
        client.force_login(world.users[role])
        assert client.get(reverse("partnerships:session_evidence", args=[world.evidence.pk])).status_code == 200


def test_last_day_of_the_term_still_counts(world):
    Agreement.objects.filter(pk=world.agreement.pk).update(ends_on=days(0))
    assert world.supported_school.short_name in _names(fresh(world.users["curator"]))


def test_draft_agreement_gives_no_reach_until_signed(world):
    coordinator = world.users["coordinator"]
    target = world.supported_school.municipality.schools.get(short_name="Ильинская СОШ")
    draft = agreement_create(
        actor=coordinator, curator_school=world.curator_school, supported_school=target, number="",
        signed_on=None, starts_on=days(-1), ends_on=days(200), subject="Сотрудничество.",
        form_consulting=True, form_methodical=False, form_organisational=False, form_resource=False,
    )  # fmt: skip
    assert target.short_name not in _names(fresh(world.users["curator"]))
    draft.number, draft.signed_on = "3-ШНОР", days(-2)
    draft.save()
    agreement_activate(agreement=draft, actor=coordinator)
    assert target.short_name in _names(fresh(world.users["curator"]))


def test_reach_costs_the_curator_one_query_and_nobody_else_any(world, django_assert_num_queries):
    curator = fresh(world.users["curator"])
    with django_assert_num_queries(2):  # the roles, then the agreements in force
        reach_of(curator)
    with django_assert_num_queries(0):  # kept on the user object for the rest of the request
        reach_of(curator)
    for role in ("coordinator", "school", "tutor"):
        user = fresh(world.users[role])
        with django_assert_num_queries(1):
            reach_of(user)
    department = fresh(world.users["department"])
    with django_assert_num_queries(2):  # a region's department: the roles, then the region's municipalities
        reach_of(department)


def test_session_logging_stops_when_the_agreement_ends(client, world):
    curator = world.users["curator"]
    agreement_finish(agreement=world.agreement, actor=world.users["coordinator"])
    with pytest.raises(Exception) as caught:
        session_log(
            agreement=world.agreement, actor=fresh(curator), held_on=days(-1), format="consultation", topic="Тема",
            teachers_count=1, managers_count=0, hours=1,
        )  # fmt: skip
    assert caught.type.__name__ == "PermissionDenied"


def test_outsider_reaches_nothing_of_municipality_a(client, world):
    from partnerships.access import (
        visible_agreements,
        visible_events,
        visible_plans,
        visible_practices,
        visible_sessions,
        visible_teachers,
    )

    outsider = world.users["coordinator_b"]
    assert not visible_agreements(outsider).exists()
    assert not visible_sessions(outsider).exists()
    assert not visible_teachers(outsider).exists()
    assert not visible_plans(outsider).exists()
    assert not visible_events(outsider).filter(municipality__isnull=False).exists()
    assert set(visible_practices(outsider).values_list("status", flat=True)) <= {"published"}
    assert world.supported_school.short_name not in _names(outsider)


def test_terminated_agreement_frees_the_pair_for_a_new_term(world):
    coordinator = world.users["coordinator"]
    agreement_terminate(agreement=world.agreement, actor=coordinator, reason="Пересмотр условий.")
    renewed = agreement_create(
        actor=coordinator, curator_school=world.curator_school, supported_school=world.supported_school,
        number="1-ШНОР/2", signed_on=days(0), starts_on=days(0), ends_on=days(0) + datetime.timedelta(days=200),
        subject="Сотрудничество.", form_consulting=True, form_methodical=True, form_organisational=False,
        form_resource=False,
    )  # fmt: skip
    agreement_activate(agreement=renewed, actor=coordinator)
    assert world.supported_school.short_name in _names(fresh(world.users["curator"]))
