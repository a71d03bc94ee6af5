"""Writes to review routes (`programs.review_routes`): only the department, each in a transaction, recorded in the
history of every row it changes. An impossible route is refused with a Russian message (ValidationError): a route
with no step, with no deciding review of the plan, a due month out of range, a first deciding step that would
overturn a verdict nobody gave, a step that reviews have already used being deleted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from .access import NOT_ROUTE_EDITOR, can_edit_routes, require
from .models import ReviewCriterion
from .review_routes import DEFAULT_STEPS, ReviewRoute, ReviewStep, StepSubject, default_route
from .service_common import _stamp

STEP_FIELDS = [
    "name", "kind", "subject", "stage_from", "stage_to", "reviewer", "school_scope", "deciding", "required",
    "with_previous", "may_overturn", "due_date", "due_month", "due_days",
]  # fmt: skip


def route_problems(steps: list[ReviewStep]) -> dict[str, str]:
    """What makes a route impossible, field → Russian message (empty: none)."""
    if not steps:
        return {"__all__": "В маршруте должен быть хотя бы один шаг: без экспертизы программу некому принять."}
    problems = {}
    if not any(s.deciding and s.subject == StepSubject.PLAN for s in steps):
        problems["deciding"] = (
            "В маршруте нет решающей экспертизы программы: нужен хотя бы один шаг, который рассматривает программу "
            "(план) и принимает её или возвращает на доработку."
        )
    for subject in StepSubject.values:
        deciding = [s for s in steps if s.subject == subject and s.deciding]
        if deciding and deciding[0].may_overturn:
            problems["may_overturn"] = (
                f"«{deciding[0].name}» — первая решающая экспертиза ({StepSubject(subject).label}): изменять ей "
                "нечего, до неё решений нет. Снимите отметку «может изменить решение предыдущей»."
            )
    return problems


def _check_route(route: ReviewRoute) -> None:
    problems = route_problems(list(route.steps.order_by("position", "pk")))
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def route_create(*, actor, region, owner: str, basis: str = "") -> ReviewRoute:
    """A territory's own route, starting as a copy of the route it followed until now."""
    require(region is not None and can_edit_routes(actor, region=region), NOT_ROUTE_EDITOR)
    if ReviewRoute.objects.filter(region=region, owner=owner).exists():
        raise ValidationError({"region": "Маршрут этой территории для таких программ уже есть: измените его."})
    source = list(default_route(owner).steps.order_by("position", "pk"))
    route = ReviewRoute(region=region, owner=owner, basis=basis)
    route.full_clean()
    _stamp(route, actor, "Маршрут создан").save()
    rows = [{name: getattr(s, name) for name in STEP_FIELDS} for s in source] or DEFAULT_STEPS[owner]
    for position, row in enumerate(rows, start=1):
        _stamp(ReviewStep(route=route, position=position, **row), actor).save()
    return route


@transaction.atomic
def step_save(*, actor, route: ReviewRoute, data: dict, step: ReviewStep | None = None) -> ReviewStep:
    """Add a step at the end of the route, or change one."""
    require(can_edit_routes(actor, route), NOT_ROUTE_EDITOR)
    route = ReviewRoute.objects.select_for_update().get(pk=route.pk)
    if step is None:
        step = ReviewStep(route=route, position=(route.steps.aggregate(n=Max("position"))["n"] or 0) + 1)
    else:
        step = ReviewStep.objects.select_for_update().get(pk=step.pk, route=route)
    for name in STEP_FIELDS:
        if name in data:
            setattr(step, name, data[name])
    step.full_clean()
    _stamp(step, actor).save()
    _check_route(route)
    return step


@transaction.atomic
def step_delete(*, actor, step: ReviewStep) -> None:
    require(can_edit_routes(actor, step.route), NOT_ROUTE_EDITOR)
    step = ReviewStep.objects.select_for_update().select_related("route").get(pk=step.pk)
    if step.reviews.exists():
        raise ValidationError(
            f"По шагу «{step.name}» уже проводились экспертизы: удалить его нельзя, иначе они потеряют свой шаг. "
            "Сделайте его необязательным или измените."
        )
    route, position = step.route, step.position
    _stamp(step, actor).delete()
    ReviewStep.objects.filter(route=route, position__gt=position).update(position=F("position") - 1)
    _check_route(route)


@transaction.atomic
def step_move(*, actor, step: ReviewStep, direction: str) -> None:
    require(can_edit_routes(actor, step.route), NOT_ROUTE_EDITOR)
    step = ReviewStep.objects.select_for_update().select_related("route").get(pk=step.pk)
    target = step.position - 1 if direction == "up" else step.position + 1
    neighbour = ReviewStep.objects.filter(route=step.route, position=target).first()
    if neighbour is None:
        return
    neighbour.position, step.position = step.position, target
    _stamp(neighbour, actor, "Шаг перемещён").save()
    _stamp(step, actor, "Шаг перемещён").save()
    _check_route(step.route)


@transaction.atomic
def step_criteria_save(*, actor, step: ReviewStep, names: list[str]) -> list[ReviewCriterion]:
    """The step's own checklist, one criterion per line, in order; a removed line is switched off (answers given to
    it are kept), an empty list returns the step to the common checklist."""
    require(can_edit_routes(actor, step.route), NOT_ROUTE_EDITOR)
    names = [" ".join(n.split()) for n in names if n.strip()]
    if len(set(names)) != len(names):
        raise ValidationError({"criteria": "В чек-листе шага есть одинаковые критерии: оставьте по одному."})
    if any(len(n) > 500 for n in names):
        raise ValidationError({"criteria": "Критерий — не длиннее 500 знаков."})
    existing = {c.name: c for c in ReviewCriterion.objects.select_for_update().filter(step=step)}
    kept = []
    for position, name in enumerate(names, start=1):
        criterion = existing.pop(name, None) or ReviewCriterion(step=step, name=name)
        if criterion.pk is None or criterion.position != position or not criterion.is_active:
            criterion.position, criterion.is_active = position, True
            _stamp(criterion, actor).save()
        kept.append(criterion)
    for criterion in existing.values():
        if criterion.is_active:
            criterion.is_active = False
            _stamp(criterion, actor, "Снят с чек-листа шага").save()
    return kept
