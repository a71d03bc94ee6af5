"""The review of a programme along its route (`programs.review_routes`): submit, open, start, complete.

The route of a programme is its territory's (the region of its municipality) for its owner, else the default one.
Steps of one subject (the plan; the evidence documents; the report) form a chain in the route's order:

- a step is reached when it is the chain's first, when the step before it has a completed review (or is optional
  and reached itself), or when it opens together with the step before and that one is reached;
- the plan's chain runs while the programme awaits a decision; its advisory steps also after the programme has been
  accepted (seed 004's mutual review in September follows the municipal review in June); the chains of evidence and
  of the report run once the programme is accepted;
- a reached step that is required and whose reviewer is fixed (the coordinator, the department) opens by itself;
  the others are opened by the coordinator or the department, who name the school or the organisation;
- a deciding verdict on the plan closes the round when no required deciding step comes after it — or when it
  returns the programme and no later required deciding step may overturn it; otherwise the next steps open. A step
  that may not overturn refuses a verdict contrary to an earlier deciding one.

The default route gives exactly the old behaviour: the municipal (regional for a municipal programme) verdict
decides; mutual and regional reviews are added while the decision is pending; the first deciding verdict closes.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications import kinds as notice_kinds
from notifications import recipients as notice_recipients
from notifications.services import notify

from .access import (
    can_act_on_review,
    can_edit_programme,
    can_open_step,
    can_oversee,
    mutual_reviewer_schools,
    require,
    reviewer_organisations,
)
from .models import Programme, ProgrammeSnapshot, Review, ReviewCheck, ReviewCriterion, RoadmapMeasure
from .region_lists import common_checklist
from .review_routes import ReviewStep, StepKind, StepReviewer, StepSubject
from .route_steps import (  # noqa: F401  (callers read the route through the flow too)
    chain_runs,
    first_step_of_kind,
    is_button_step,
    openable_steps,
    round_reviews,
    route_for,
    route_steps,
)
from .service_common import NOT_OWNER, ProgrammeError, _locked_programme, _stamp

State = Programme.State
PLAN = StepSubject.PLAN


def _closed_message(programme: Programme, step: ReviewStep) -> str:
    if step.subject != PLAN and programme.state != State.ACCEPTED:
        return f"«{step.name}» открывают для принятой программы."
    if step.subject == PLAN and not chain_runs(programme, step):
        return f"«{step.name}» назначают, пока программа ждёт решения экспертизы."
    return f"«{step.name}» сейчас открыть нельзя: по маршруту экспертизы сначала завершают предыдущий шаг."


# --- opening a review ---------------------------------------------------------------------------------------------


def _checklist(step: ReviewStep | None, programme: Programme):
    """The step's own checklist, else the common checklist of the programme's region (its own, else the default)."""
    own = list(ReviewCriterion.objects.filter(step=step, is_active=True)) if step else []
    return own or common_checklist(programme.territory_region_id)


def _open_review(*, programme: Programme, step: ReviewStep, actor, school=None, organisation=None) -> Review:
    review = Review(
        programme=programme,
        round=programme.round,
        kind=step.kind,
        step=step,
        deciding=step.deciding,
        subject=step.subject,
        due_on=step.due_on(timezone.localdate()),
        reviewer_school=school,
        reviewer_organisation=organisation,
        assigned_by=actor,
    )
    _stamp(review, actor).save()
    ReviewCheck.objects.bulk_create(ReviewCheck(review=review, criterion=c) for c in _checklist(step, programme))
    programme.__dict__.pop("_round_reviews", None)  # the round has one review more
    return review


def _due_text(review: Review) -> str:
    return f" Срок — {review.due_on:%d.%m.%Y}." if review.due_on else ""


def _open_due_steps(programme: Programme, actor, *, submitted: bool = False) -> list[Review]:
    """Open the reached required steps whose reviewer is fixed, and tell their reviewers."""
    opened = []
    for step in openable_steps(programme):
        if step.subject != PLAN or not step.required or step.chooses_reviewer:
            continue
        review = _open_review(programme=programme, step=step, actor=actor)
        again = f" повторно (раунд {programme.round})" if submitted and programme.round > 1 else ""
        notify(
            kind=notice_kinds.PROGRAMME_SUBMITTED if submitted else notice_kinds.REVIEW_ASSIGNED,
            recipients=notice_recipients.reviewers_of(review),
            target=review,
            title=f"{programme.owner_label}: программа «{programme.title}» "
            + (f"отправлена на экспертизу{again}" if submitted else f"ждёт: {step.name.lower()}"),
            body=f"Проведите {review.get_kind_display()}: примите программу или верните её на доработку с замечаниями."
            + _due_text(review),
            actor=actor,
        )
        opened.append(review)
    return opened


@transaction.atomic
def programme_submit(*, programme: Programme, actor) -> Programme:
    """The owner sends the programme to review (again, after a return): a new round, with its snapshot; the first
    steps of its route open."""
    from .selectors import programme_content

    programme = _locked_programme(programme)
    require(can_edit_programme(actor, programme), NOT_OWNER)
    if programme.is_regional:
        raise ProgrammeError("Региональный план-график не отправляют на экспертизу: его утверждает министерство.")
    if not programme.plan_is_editable:
        raise ProgrammeError(f"Программа уже {programme.get_state_display()}: отправить её ещё раз нельзя.")
    if not RoadmapMeasure.objects.filter(programme=programme).exists():
        raise ProgrammeError("В дорожной карте нет ни одного мероприятия: добавьте мероприятия, затем отправляйте.")
    if not programme.goal.strip():
        raise ProgrammeError("В паспорте программы не указана цель: заполните паспорт, затем отправляйте.")
    programme.round += 1
    programme.state = State.SUBMITTED if programme.round == 1 else State.RESUBMITTED
    programme.submitted_at = timezone.now()
    programme.version += 1
    _stamp(programme, actor, f"Отправлена на экспертизу (раунд {programme.round})").save()
    ProgrammeSnapshot.objects.create(
        programme=programme,
        round=programme.round,
        submitted_at=programme.submitted_at,
        submitted_by=actor,
        data=programme_content(programme),
    )
    if not _open_due_steps(programme, actor, submitted=True):
        notify(
            kind=notice_kinds.PROGRAMME_SUBMITTED,
            recipients=notice_recipients.programme_overseers(programme),
            target=programme,
            title=f"{programme.owner_label}: программа «{programme.title}» отправлена на экспертизу",
            body="Назначьте экспертов по маршруту экспертизы.",
            actor=actor,
        )
    return programme


@transaction.atomic
def review_open_step(*, programme: Programme, step: ReviewStep, actor, school=None, organisation=None) -> Review:
    """The coordinator or the department opens a review of a step of the programme's route, naming the school or
    the organisation when the step gives the review to one."""
    programme = _locked_programme(programme)
    steps = {s.pk: s for s in route_steps(programme)}
    if step.pk not in steps:
        raise ProgrammeError("Этого шага нет в маршруте экспертизы этой программы.")
    step = steps[step.pk]
    who = "управление образования" if step.reviewer == StepReviewer.DEPARTMENT else "координатор муниципалитета"
    require(can_open_step(actor, step, programme), f"«{step.name}» назначает {who}.")
    reviews = round_reviews(programme)
    if step not in openable_steps(programme, reviews):
        raise ProgrammeError(_closed_message(programme, step))
    if step.reviewer == StepReviewer.SCHOOL:
        require(
            school is not None and mutual_reviewer_schools(actor, programme, step).filter(pk=school.pk).exists(),
            "Эту школу нельзя назначить экспертом этой программы.",
        )
        organisation = None
        if any(r.step_id == step.pk and r.reviewer_school_id == school.pk and r.is_open for r in reviews):
            raise ProgrammeError(f"{school} уже проводит эту экспертизу программы.")
    elif step.reviewer == StepReviewer.ORGANISATION:
        require(
            organisation is not None and reviewer_organisations(actor, programme).filter(pk=organisation.pk).exists(),
            "Эту организацию нельзя назначить экспертом этой программы.",
        )
        school = None
        if any(r.step_id == step.pk and r.reviewer_organisation_id == organisation.pk and r.is_open for r in reviews):
            raise ProgrammeError(f"{organisation} уже проводит эту экспертизу программы.")
    else:
        school = organisation = None
    review = _open_review(programme=programme, step=step, actor=actor, school=school, organisation=organisation)
    notify(
        kind=notice_kinds.REVIEW_ASSIGNED,
        recipients=notice_recipients.reviewers_of(review),
        target=review,
        title=f"Вам поручена экспертиза «{step.name}»: программа «{programme.title}» ({programme.owner_label})",
        body="Изучите программу, отметьте критерии чек-листа и дайте заключение." + _due_text(review),
        actor=actor,
    )
    return review


@transaction.atomic
def review_assign_mutual(*, programme: Programme, actor, school) -> Review:
    """The coordinator gives a mutual review (взаимоэкспертиза) of the route to a school."""
    programme = _locked_programme(programme)
    require(can_oversee(actor, programme), "Взаимоэкспертизу назначает координатор муниципалитета.")
    step = first_step_of_kind(programme, StepKind.MUTUAL)
    if step is None:
        raise ProgrammeError("В маршруте экспертизы этой программы нет взаимоэкспертизы.")
    if step not in openable_steps(programme):
        raise ProgrammeError("Взаимоэкспертизу назначают, пока программа ждёт решения экспертизы.")
    return review_open_step(programme=programme, step=step, actor=actor, school=school)


@transaction.atomic
def review_open_regional(*, programme: Programme, actor) -> Review:
    """The department takes the programme for the regional review of its route (or returns the one open)."""
    programme = _locked_programme(programme)
    step = first_step_of_kind(programme, StepKind.REGIONAL)
    require(
        step is not None and can_open_step(actor, step, programme),
        "Региональную экспертизу проводит управление образования.",
    )
    existing = programme.reviews.filter(step=step, round=programme.round, status__in=Review.OPEN_STATUSES).first()
    return existing or review_open_step(programme=programme, step=step, actor=actor)


# --- carrying it out ----------------------------------------------------------------------------------------------

NOT_YOURS = "Эта экспертиза поручена не вам или уже завершена."


@transaction.atomic
def review_start(*, review: Review, actor) -> Review:
    review = Review.objects.select_for_update(of=("self",)).select_related("programme", "step").get(pk=review.pk)
    require(can_act_on_review(actor, review), NOT_YOURS)
    if review.status == Review.Status.PENDING:
        review.status = Review.Status.IN_PROGRESS
        review.started_at = timezone.now()
        review.started_by = actor
        _stamp(review, actor).save()
    programme = _locked_programme(review.programme)
    if review.is_deciding and review.subject == PLAN and programme.state in (State.SUBMITTED, State.RESUBMITTED):
        programme.state = State.IN_REVIEW
        _stamp(programme, actor, f"Взята на экспертизу (раунд {programme.round})").save()
    review.programme = programme
    return review


def _save_checks(review: Review, actor, checks) -> None:
    for check in review.checks.all():
        if checks and check.criterion_id in checks:
            met, comment = checks[check.criterion_id]
            if (check.met, check.comment) != (met, comment or ""):
                check.met, check.comment = met, (comment or "")[:1000]
                _stamp(check, actor).save()


def _earlier_verdicts(review: Review, reviews: list[Review]) -> list[Review]:
    """Completed deciding reviews of the plan in this round, from steps before this review's."""
    if review.step_id is None:
        return []
    return [
        r for r in reviews
        if r.pk != review.pk and r.deciding and r.subject == PLAN and r.status == Review.Status.DONE
        and r.step_id and r.step.position < review.step.position
    ]  # fmt: skip


def _check_overturn(review: Review, verdict: str, reviews: list[Review]) -> None:
    contrary = [r for r in _earlier_verdicts(review, reviews) if r.verdict != verdict]
    if contrary and not review.step.may_overturn:
        earlier = contrary[-1]
        raise ProgrammeError(
            f"«{earlier.step.name}» уже решила: {earlier.get_verdict_display()}. По маршруту экспертизы "
            f"«{review.step.name}» не может изменить это решение; дайте то же решение или изложите несогласие в "
            "замечаниях."
        )


def _closes_round(review: Review, verdict: str, steps: list[ReviewStep]) -> bool:
    if review.step_id is None:
        return True
    later = [
        s for s in steps
        if s.subject == PLAN and s.deciding and s.required and s.position > review.step.position
    ]  # fmt: skip
    if verdict == Review.Verdict.RETURNED:
        return not any(s.may_overturn for s in later)
    return not later


@transaction.atomic
def review_complete(
    *, review: Review, actor, verdict: str, remarks: str, checks: dict[int, tuple[bool | None, str]] | None = None
) -> Review:
    """Record a verdict. A deciding verdict on the plan accepts the programme or returns it with remarks when it
    closes the round (see the module's docstring); otherwise the route's next steps open."""
    review = Review.objects.select_for_update(of=("self",)).select_related("programme", "step").get(pk=review.pk)
    require(can_act_on_review(actor, review), NOT_YOURS)
    remarks = (remarks or "").strip()
    if verdict not in Review.Verdict.values:
        raise ValidationError({"verdict": "Выберите решение: принять или вернуть на доработку."})
    if verdict == Review.Verdict.RETURNED and not remarks:
        raise ValidationError({"remarks": "Чтобы вернуть программу на доработку, напишите замечания: что исправить."})
    programme = _locked_programme(review.programme)
    reviews = list(
        Review.objects.filter(programme=programme, round=review.round)
        .select_related("step")
        .exclude(status=Review.Status.WITHDRAWN)
    )
    if review.deciding and review.subject == PLAN:
        _check_overturn(review, verdict, reviews)
    if review.status == Review.Status.PENDING:
        review_start(review=review, actor=actor)
        review.refresh_from_db()
    _save_checks(review, actor, checks)
    review.status = Review.Status.DONE
    review.verdict = verdict
    review.remarks = remarks
    review.completed_at = timezone.now()
    review.completed_by = actor
    _stamp(review, actor).save()
    programme = _locked_programme(programme)
    if review.deciding and review.subject == PLAN and _closes_round(review, verdict, route_steps(programme)):
        _close_round(programme, review, actor)
    elif review.deciding and review.subject != PLAN:
        _tell_owners(programme, review, actor)
    if programme.state != State.RETURNED:
        _open_due_steps(programme, actor)
    review.programme = programme
    return review


def _close_round(programme: Programme, review: Review, actor) -> None:
    accepted = review.verdict == Review.Verdict.ACCEPTED
    if accepted:
        programme.state, programme.accepted_at = State.ACCEPTED, review.completed_at
        reason = f"Принята по итогам экспертизы (раунд {programme.round})"
    else:
        programme.state = State.RETURNED
        reason = f"Возвращена на доработку (раунд {programme.round})"
    programme.version += 1
    _stamp(programme, actor, reason).save()
    still_open = programme.reviews.filter(round=programme.round, subject=PLAN, status__in=Review.OPEN_STATUSES)
    for other in still_open.exclude(pk=review.pk):
        other.status = Review.Status.WITHDRAWN
        _stamp(other, actor, "Снята: решение по программе уже принято").save()
    programme._route_steps = None
    _tell_owners(programme, review, actor)


def _tell_owners(programme: Programme, review: Review, actor) -> None:
    accepted = review.verdict == Review.Verdict.ACCEPTED
    if review.subject == PLAN:
        title = f"Программа «{programme.title}» " + (
            "принята" if accepted else f"возвращена на доработку (раунд {programme.round})"
        )
    else:
        title = (
            f"{review.step.name if review.step_id else review.get_kind_display()}: программа «{programme.title}» — "
            + ("замечаний нет" if accepted else "есть замечания")
        )
    notify(
        kind=notice_kinds.PROGRAMME_ACCEPTED if accepted else notice_kinds.PROGRAMME_RETURNED,
        recipients=notice_recipients.programme_owners(programme),
        target=programme,
        title=title,
        body=f"Замечания эксперта:\n{review.remarks}" if review.remarks else "",
        actor=actor,
    )


@transaction.atomic
def review_save_draft(*, review: Review, actor, remarks: str, checks: dict[int, tuple[bool | None, str]]) -> Review:
    """Keep the reviewer's checklist and remarks without a verdict yet."""
    review = review_start(review=review, actor=actor)
    _save_checks(review, actor, checks)
    if review.remarks != (remarks or "").strip():
        review.remarks = (remarks or "").strip()
        _stamp(review, actor).save()
    return review


def overdue_reviews_q(today: datetime.date) -> Q:
    """Open reviews whose due day has passed."""
    return Q(due_on__lt=today, status__in=Review.OPEN_STATUSES)
