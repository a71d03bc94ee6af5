"""Events of programmes and of the identification list notify exactly the people whose roles reach the thing —
never the outsider (coordinator_b, another municipality), never the actor — and each recipient can open it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications import kinds, recipients
from notifications.models import Notification
from notifications.services import notify
from programs import services
from programs.models import Programme, Review
from schools.demo import CURATOR_SCHOOL, SCHOOL_TEAM_SCHOOL
from schools.identification import run_execute, run_start
from schools.models import IdentificationRun, RoleAssignment, School, SchoolYearStatus, Status
from schools.selection import list_approve
from schools.services import role_assign
from tests.conftest import home_region_id

from .conftest import fresh, received

pytestmark = pytest.mark.django_db


def opens(client, user, notification) -> int:
    client.force_login(user)
    return client.get(reverse("notifications:open", args=[notification.pk])).status_code


def test_a_submitted_school_programme_goes_to_the_coordinator_of_its_municipality_only(clean, programmes, client):
    programme = programmes["draft"]
    services.programme_submit(programme=programme, actor=clean["school"])
    got = received()
    assert list(got) == ["coordinator"]
    [notification] = got["coordinator"]
    review = programme.reviews.get(round=1)
    assert (notification.kind, notification.target, notification.actor) == (kinds.PROGRAMME_SUBMITTED, review, clean["school"])
    assert "Покровская СОШ" in notification.title and programme.title in notification.title
    assert notification.municipality_id == programme.municipality_id
    assert opens(client, clean["coordinator"], notification) == 302
    assert "coordinator_b" not in got and "school" not in got  # the outsider, and the actor itself


def test_a_resubmission_says_so(clean, programmes):
    programme = programmes["returned"]
    services.programme_submit(programme=programme, actor=clean["school"])
    [notification] = received()["coordinator"]
    assert "повторно (раунд 2)" in notification.title


def test_a_municipal_programme_goes_to_the_department_for_regional_review(clean, programmes):
    programme = programmes["municipal"]
    services.programme_submit(programme=programme, actor=clean["coordinator"])
    # the regional review is the department's: the region's and the district's, both acting for the municipality
    assert set(received(kinds.PROGRAMME_SUBMITTED)) == {"department", "district"}


def test_a_return_with_remarks_and_an_acceptance_go_to_the_school_team(clean, programmes, client):
    programme = programmes["draft"]
    services.programme_submit(programme=programme, actor=clean["school"])
    review = programme.reviews.get(round=1)
    services.review_complete(review=review, actor=clean["coordinator"], verdict="returned", remarks="Добавьте работу с родителями.")
    got = received(kinds.PROGRAMME_RETURNED)
    assert list(got) == ["school"]
    [returned] = got["school"]
    assert returned.target == Programme.objects.get(pk=programme.pk)
    assert "Добавьте работу с родителями." in returned.body
    assert opens(client, clean["school"], returned) == 302

    services.programme_submit(programme=Programme.objects.get(pk=programme.pk), actor=clean["school"])
    review = programme.reviews.get(round=2)
    services.review_complete(review=review, actor=clean["coordinator"], verdict="accepted", remarks="")
    assert list(received(kinds.PROGRAMME_ACCEPTED)) == ["school"]
    assert Notification.objects.filter(recipient=clean["coordinator_b"]).count() == 0


def test_a_mutual_review_goes_to_the_reviewer_school_and_it_can_open_it(clean, programmes, client):
    programme = programmes["submitted"]
    curator_school = School.objects.get(short_name=CURATOR_SCHOOL)
    review = services.review_assign_mutual(programme=programme, actor=clean["coordinator"], school=curator_school)
    got = received(kinds.REVIEW_ASSIGNED)
    assert list(got) == ["curator"]
    [notification] = got["curator"]
    assert notification.target == review
    assert opens(client, clean["curator"], notification) == 302


def test_the_approved_list_goes_to_coordinators_and_teams_of_listed_schools_only(clean):
    department = clean["department"]
    run = run_start(region_id=home_region_id(), year=2026, actor=department)
    run_execute(run)
    list_approve(run=IdentificationRun.objects.get(pk=run.pk), actor=department)
    listed = SchoolYearStatus.objects.filter(run=run).exclude(status=Status.NONE)
    listed_municipalities = set(listed.values_list("school__municipality_id", flat=True))
    listed_schools = set(listed.values_list("school_id", flat=True))

    expected = set(
        RoleAssignment.objects.filter(role=RoleAssignment.Role.COORDINATOR, municipality_id__in=listed_municipalities)
        .values_list("user__username", flat=True)
    ) | set(
        RoleAssignment.objects.filter(role=RoleAssignment.Role.SCHOOL_TEAM, school_id__in=listed_schools)
        .values_list("user__username", flat=True)
    )
    got = received(kinds.LIST_APPROVED)
    assert set(got) == expected
    assert "department" not in got  # the actor
    assert "curator" not in got and "tutor" not in got
    assert "school" in got  # Покровская СОШ is a ШНОР of the demo list


def test_a_school_not_on_the_list_hears_nothing(clean):
    """A second school team on a school that is not listed: no notification."""
    run = run_start(region_id=home_region_id(), year=2026, actor=clean["department"])
    run_execute(run)
    unlisted = run.verdicts.filter(status=Status.NONE).select_related("school").first().school
    other = get_user_model().objects.create_user("team_of_unlisted")
    role_assign(user=other, role=RoleAssignment.Role.SCHOOL_TEAM, school=unlisted)
    list_approve(run=IdentificationRun.objects.get(pk=run.pk), actor=clean["department"])
    assert "team_of_unlisted" not in received(kinds.LIST_APPROVED)


def test_every_event_of_the_demo_is_opened_by_its_recipient_and_by_nobody_else(demo, client):
    """seed_demo approves a list and moves programmes through review: every notification it leaves behind opens for
    its recipient; the outsider gets none about municipality A and cannot open anybody else's."""
    rows = list(Notification.objects.select_related("recipient"))
    assert {n.kind for n in rows} >= {kinds.LIST_APPROVED, kinds.PROGRAMME_SUBMITTED, kinds.PROGRAMME_RETURNED,
                                      kinds.REVIEW_ASSIGNED}
    outsider = demo["coordinator_b"]
    for notification in rows:
        assert opens(client, fresh(notification.recipient), notification) == 302, notification.title
        if notification.recipient_id != outsider.pk:
            assert opens(client, outsider, notification) == 404
    assert not Notification.objects.filter(recipient=outsider).exclude(kind=kinds.LIST_APPROVED).exists()


def test_notify_never_raises_into_the_caller(clean, programmes, caplog, monkeypatch):
    programme = programmes["draft"]
    assert notify(kind="no-such-kind", recipients=[clean["coordinator"]], target=programme, title="x") == 0
    assert "no-such-kind" in caplog.text

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("notifications.services._store", broken)
    services.programme_submit(programme=programme, actor=clean["school"])  # the action itself goes through
    assert Programme.objects.get(pk=programme.pk).state == Programme.State.SUBMITTED
    assert Review.objects.filter(programme=programme).count() == 1
    assert "database hiccup" in caplog.text


def test_notify_stores_in_bulk_whatever_the_number_of_recipients(clean, programmes, django_assert_max_num_queries):
    programme = programmes["draft"]
    school = programme.school
    users = get_user_model().objects.bulk_create(get_user_model()(username=f"team{i}") for i in range(60))
    RoleAssignment.objects.bulk_create(RoleAssignment(user=u, role=RoleAssignment.Role.SCHOOL_TEAM, school=school) for u in users)
    with django_assert_max_num_queries(6):
        count = notify(kind=kinds.PROGRAMME_ACCEPTED, recipients=recipients.school_team_of(school), target=programme,
                       title="Программа принята", actor=clean["coordinator"])
    assert count == 61  # the 60 and the demo school team


def test_inactive_people_and_the_actor_are_skipped(clean, programmes):
    school_user = clean["school"]
    school_user.is_active = False
    school_user.save(update_fields=["is_active"])
    count = notify(kind=kinds.PROGRAMME_ACCEPTED, recipients=[school_user, clean["coordinator"]],
                   target=programmes["draft"], title="Программа принята", actor=clean["coordinator"])
    assert count == 0


def test_recipient_helpers_follow_the_roles(demo, programmes):
    school = School.objects.get(short_name=SCHOOL_TEAM_SCHOOL)
    names = lambda qs: set(qs.values_list("username", flat=True))  # noqa: E731
    assert names(recipients.departments_of_region(school.municipality.region_id)) == {"department"}
    # the municipality's department: its region's and its district's
    assert names(recipients.departments_of_municipality(school.municipality_id)) == {"department", "district"}
    assert names(recipients.coordinators_of(school.municipality)) == {"coordinator"}
    assert names(recipients.tutors_of(school.municipality_id)) == {"tutor"}
    assert names(recipients.school_team_of(school)) == {"school"}
    assert names(recipients.curator_users_of(School.objects.filter(short_name=CURATOR_SCHOOL).values("pk"))) == {"curator"}
    assert names(recipients.programme_owners(programmes["municipal"])) == {"coordinator"}
    assert names(recipients.programme_owners(programmes["draft"])) == {"school"}
    mutual = Review.objects.get(kind=Review.Kind.MUTUAL)
    assert names(recipients.reviewers_of(mutual)) == {"curator"}
    regional = Review.objects.filter(kind=Review.Kind.REGIONAL).first()
    # the department of the programme's municipality: the region's and the district's
    assert names(recipients.reviewers_of(regional)) == {"department", "district"}
