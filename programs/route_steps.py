"""Which steps of its route a programme is at: the route that holds for it, and the steps a review may be opened
for now (the rules are in `programs.review_flow`'s docstring). Reads only, no access rules, so that the access
module and the pages can ask without depending on the flow's writes."""

from django.db.models import Q

from .models import Programme, Review
from .review_routes import ReviewRoute, ReviewStep, StepKind, StepReviewer, StepSubject, default_route

State = Programme.State
PLAN = StepSubject.PLAN


# --- the route ----------------------------------------------------------------------------------------------------


def route_for(programme: Programme) -> ReviewRoute:
    """The territory's route for the programme's owner, else the default one (recreated if it was removed)."""
    owner, region_id = programme.route_owner, programme.territory_region_id
    routes = {
        route.region_id: route
        for route in ReviewRoute.objects.filter(Q(region_id=region_id) | Q(region__isnull=True), owner=owner)
    }
    route = routes.get(region_id) or routes.get(None)
    if route is None or not route.steps.exists():
        route = default_route(owner)
    return route


def route_steps(programme: Programme) -> list[ReviewStep]:
    """The steps of the programme's route in order; read once per programme object. The regional plan-schedule has
    none: the ministry approves it without review (`programs.services.programme_approve`)."""
    if programme.is_regional:
        return []
    cached = getattr(programme, "_route_steps", None)
    if cached is None:
        cached = list(route_for(programme).steps.order_by("position", "pk"))
        programme._route_steps = cached
    return cached


def round_reviews(programme: Programme) -> list[Review]:
    """The reviews of the programme's round, read once per programme object: a page asks for every button and block
    (11 more queries on the programme page before, docs/PERFORMANCE.md). A write that opens a review forgets them
    (`review_flow._open_review`); the other writes work on a programme object of their own, read under lock."""
    cached = programme.__dict__.get("_round_reviews")
    if cached is None or cached[0] != programme.round:
        reviews = list(
            Review.objects.filter(programme=programme, round=programme.round).exclude(status=Review.Status.WITHDRAWN)
        )
        cached = programme.__dict__["_round_reviews"] = (programme.round, reviews)
    return cached[1]


def _reached(chain: list[ReviewStep], reviews: list[Review]) -> set[int]:
    done = {r.step_id for r in reviews if r.status == Review.Status.DONE}
    reached: set[int] = set()
    previous = None
    for step in chain:
        if previous is None:
            ok = True
        else:
            passed = previous.pk in done or (not previous.required and previous.pk in reached)
            ok = passed or (step.with_previous and previous.pk in reached)
        if not ok:
            break
        reached.add(step.pk)
        previous = step
    return reached


def chain_runs(programme: Programme, step: ReviewStep) -> bool:
    if step.subject == PLAN:
        return programme.awaits_decision or (programme.state == State.ACCEPTED and not step.deciding)
    return programme.state == State.ACCEPTED


def openable_steps(programme: Programme, reviews: list[Review] | None = None) -> list[ReviewStep]:
    """The steps a review may be opened for now, in the route's order."""
    steps = route_steps(programme)
    reviews = round_reviews(programme) if reviews is None else reviews
    opened = {r.step_id for r in reviews}
    result = []
    for subject in StepSubject.values:
        chain = [s for s in steps if s.subject == subject]
        reached = _reached(chain, reviews)
        for step in chain:
            if step.pk not in reached or not chain_runs(programme, step):
                continue
            if step.pk in opened and not step.chooses_reviewer:
                continue
            result.append(step)
    return result


# The programme page's own buttons: «Поручить взаимоэкспертизу» names a school, «Региональная экспертиза» is the
# department's; a step of the same kind given to someone else (seed 004's evidence by ЦНППМПР) opens from the
# route's block instead.
BUTTON_REVIEWERS = {StepKind.MUTUAL: StepReviewer.SCHOOL, StepKind.REGIONAL: StepReviewer.DEPARTMENT}


def is_button_step(step: ReviewStep) -> bool:
    return BUTTON_REVIEWERS.get(step.kind) == step.reviewer


def first_step_of_kind(programme: Programme, kind: str) -> ReviewStep | None:
    """The route's first step of a kind the page's buttons open (the one open now, if any)."""
    steps = [s for s in route_steps(programme) if s.kind == kind and is_button_step(s)]
    open_now = set(openable_steps(programme)) if steps else set()
    return next((s for s in steps if s in open_now), steps[0] if steps else None)
