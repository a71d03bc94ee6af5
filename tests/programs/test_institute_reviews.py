"""The institute (методический центр) as a reviewer of a route's step (issue 20, item 4): the institute of the
programme's region, or of its district, opens and carries out the review, is notified of it and finds it among the
reviews given to it; an institute of another region (or district) cannot act on it, and nothing else of the
department's becomes the institute's."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from notifications.models import Notification
from notifications.recipients import reviewers_of
from programs import services
from programs.access import can_act_on_review, get_review_or_404, reviews_given_to
from programs.models import Programme, Review
from programs.selectors import my_open_reviews
from schools.access import can_edit_criteria
from schools.models import Municipality, Region, RoleAssignment, School

from .test_review_routes import MUNICIPAL, complete, submitted, territory_route

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_school(demo):
    return School.objects.get(short_name="Никольская ООШ")

INSTITUTE = dict(name="Экспертиза ЦНППМПР", kind="regional", reviewer="institute", deciding=True, required=True)


def _person(username, **scope):
    user = get_user_model().objects.create_user(username)
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.INSTITUTE, **scope)
    return get_user_model().objects.get(pk=user.pk)  # no cached reach


@pytest.fixture
def institute_route(demo, a_school):
    route = territory_route(a_school, MUNICIPAL, INSTITUTE)
    region = route.region
    other_region = Region.objects.create(name="Другой край")
    other_municipality = Municipality.objects.exclude(pk=a_school.municipality_id).first()
    return {
        "region": region,
        "of_region": _person("institute_a", region=region),
        "of_district": _person("institute_district", municipality=a_school.municipality),
        "of_other_region": _person("institute_b", region=other_region),
        "of_other_district": _person("institute_other_district", municipality=other_municipality),
    }


def _institute_review(demo, a_school) -> Review:
    programme = submitted(a_school, demo["department"])
    complete(programme.reviews.get(), demo["coordinator"])
    return Review.objects.get(programme=programme, step__reviewer="institute")


def test_the_institute_of_the_programmes_region_or_district_carries_out_the_review(demo, a_school, institute_route):
    review = _institute_review(demo, a_school)
    assert review.is_open and review.deciding
    for key in ("of_region", "of_district"):
        assert can_act_on_review(institute_route[key], review), key
        assert review in reviews_given_to(institute_route[key]), key
        assert review in my_open_reviews(user=institute_route[key]), key
        assert get_review_or_404(institute_route[key], review.pk) == review
    # neither the department nor the coordinator carries it out: the route gave it to the institute
    assert not can_act_on_review(demo["department"], review)
    assert not can_act_on_review(demo["coordinator"], review)
    services.review_start(review=review, actor=institute_route["of_region"])
    complete(review, institute_route["of_district"])
    review.programme.refresh_from_db()
    assert review.programme.state == Programme.State.ACCEPTED


def test_an_institute_of_another_region_cannot_act_on_the_review(demo, a_school, institute_route):
    review = _institute_review(demo, a_school)
    for key in ("of_other_region", "of_other_district"):
        outsider = institute_route[key]
        assert not can_act_on_review(outsider, review), key
        assert review not in reviews_given_to(outsider)
        assert not (my_open_reviews(user=outsider) or Review.objects.none()).filter(pk=review.pk).exists()
        with pytest.raises(PermissionDenied):
            services.review_start(review=Review.objects.get(pk=review.pk), actor=outsider)
    review.refresh_from_db()
    assert review.is_open and review.started_at is None


def test_the_institutes_of_the_territory_are_notified_and_no_one_else(demo, a_school, institute_route):
    review = _institute_review(demo, a_school)
    waiting = set(reviewers_of(review).values_list("username", flat=True))
    assert waiting == {"institute_a", "institute_district"}
    of_review = Notification.objects.filter(target_type=ContentType.objects.get_for_model(Review), target_id=review.pk)
    notified = set(of_review.values_list("recipient__username", flat=True))
    assert {"institute_a", "institute_district"} <= notified
    assert not notified & {"institute_b", "institute_other_district"}


def test_the_institute_still_does_not_edit_criteria_or_decide_the_list(demo, institute_route):
    from schools.access import can_decide_list, can_start_runs

    institute = institute_route["of_region"]
    assert not can_edit_criteria(institute, institute_route["region"])
    assert not can_decide_list(institute) and not can_start_runs(institute)


def test_the_step_offers_the_institute_as_a_reviewer(demo):
    from programs.review_routes import StepReviewer

    assert ("institute", "институт (методический центр)") in StepReviewer.choices


def test_the_reminders_wait_for_the_institutes_of_the_territory(demo, a_school, institute_route):
    from programs.reminders import _reviewers

    review = _institute_review(demo, a_school)
    waiting = _reviewers(Review.objects.filter(pk=review.pk))[review.pk]
    assert set(waiting) == {institute_route["of_region"].pk, institute_route["of_district"].pk}
