"""The review workflow: submit and reopen a programme, assign reviews, the review page, the rounds compared."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ..access import (
    can_act_on_review,
    can_edit_programme,
    can_open_reviews,
    can_oversee,
    can_start_regional_review,
    get_programme_or_404,
    get_review_or_404,
    require,
)
from ..forms import MutualReviewForm, ReviewForm
from ..models import ProgrammeSnapshot
from ..review_subjects import report_documents
from ..route_forms import ReviewOpenForm
from ..selectors import (
    compare_contents,
    evidence_for_review,
    programme_content,
    programme_reviews,
    progress_of,
    roadmap_sections,
    route_step_of,
)
from ..services import (
    NOT_OWNER,
    ProgrammeError,
    programme_approve,
    programme_reopen,
    programme_submit,
    review_assign_mutual,
    review_complete,
    review_open_regional,
    review_open_step,
    review_save_draft,
    review_start,
)
from .common import detail_url


@require_POST
@login_required
def programme_submit_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    try:
        programme = programme_submit(programme=programme, actor=request.user)
    except ProgrammeError as exc:
        messages.error(request, str(exc))
    else:
        again = " повторно" if programme.round > 1 else ""
        messages.success(request, f"Программа отправлена{again} на экспертизу (раунд {programme.round}).")
    return redirect(detail_url(programme))


@require_POST
@login_required
def programme_approve_view(request, pk):
    """The region's department approves its plan-schedule (no review route: `services.programme_approve`)."""
    return _overseer_step(
        request, pk, programme_approve, refusal="Региональный план-график утверждает министерство образования.",
        done="План-график утверждён; для изменений плана его можно открыть снова.",
    )


@require_POST
@login_required
def programme_reopen_view(request, pk):
    return _overseer_step(
        request, pk, programme_reopen, refusal="Принятую программу открывает для изменений координатор.",
        done="Программа открыта для изменений плана; после правок её отправляют повторно.",
    )


def _overseer_step(request, pk, step, *, refusal: str, done: str):
    """A change of a programme's state that its overseer takes (approve, reopen): refused with 403, or a message."""
    programme = get_programme_or_404(request.user, pk)
    require(can_oversee(request.user, programme), refusal)
    try:
        step(programme=programme, actor=request.user)
    except ProgrammeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(detail_url(programme))


@require_POST
@login_required
def review_assign_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_oversee(request.user, programme), "Взаимоэкспертизу назначает координатор муниципалитета.")
    form = MutualReviewForm(request.POST, user=request.user, programme=programme)
    if not form.is_valid():
        messages.error(request, "Школа не назначена: " + " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(detail_url(programme, "reviews"))
    try:
        review = review_assign_mutual(programme=programme, actor=request.user, school=form.cleaned_data["school"])
    except ProgrammeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Взаимоэкспертиза поручена: {review.reviewer_school}.")
    return redirect(detail_url(programme, "reviews"))


@require_POST
@login_required
def review_regional_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_start_regional_review(request.user, programme), "Региональную экспертизу проводит управление.")
    try:
        review = review_open_regional(programme=programme, actor=request.user)
    except ProgrammeError as exc:
        messages.error(request, str(exc))
        return redirect(detail_url(programme, "reviews"))
    return redirect("programs:review", pk=review.pk)


@require_POST
@login_required
def review_open_view(request, pk, step_id):
    """Open a review of a step of the programme's route, naming the school or the organisation it goes to."""
    programme = get_programme_or_404(request.user, pk)
    require(can_open_reviews(request.user, programme), "Экспертизу по маршруту открывает координатор или управление.")
    step = route_step_of(programme, step_id)
    if step is None:
        raise Http404("Такого шага нет в маршруте экспертизы этой программы.")
    form = ReviewOpenForm(request.POST, user=request.user, programme=programme, step=step, prefix=f"step{step.pk}")
    if not form.is_valid():
        messages.error(request, "Экспертиза не открыта: " + " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(detail_url(programme, "reviews"))
    try:
        review = review_open_step(
            programme=programme, step=step, actor=request.user,
            school=form.cleaned_data.get("school"), organisation=form.cleaned_data.get("organisation"),
        )  # fmt: skip
    except ProgrammeError as exc:
        messages.error(request, str(exc))
    else:
        who = f": {review.reviewer_label}" if review.reviewer_label else ""
        messages.success(request, f"Открыта экспертиза «{step.name}»{who}.")
    return redirect(detail_url(programme, "reviews"))


@login_required
def review_detail(request, pk):
    review = get_review_or_404(request.user, pk)
    programme = review.programme
    may_act = can_act_on_review(request.user, review)
    if request.method == "POST" and not review.is_open:
        # Somebody (a second coordinator, say) finished it while this page was open: say so, do not overwrite.
        verdict = {"accepted": ": программа принята", "returned": ": программа возвращена на доработку"}.get(
            review.verdict, ""
        )
        messages.warning(request, f"Эта экспертиза уже {review.get_status_display()}{verdict}. Ваше решение не сохранено.")
        return redirect(detail_url(programme, "reviews"))
    if request.method == "POST":
        require(may_act, "Эта экспертиза поручена не вам или уже завершена.")
    form = ReviewForm(request.POST or None, review=review) if may_act else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            review_start(review=review, actor=request.user)
            messages.success(request, "Экспертиза начата: программа на экспертизе.")
            return redirect("programs:review", pk=review.pk)
        if form.is_valid():
            if action == ReviewForm.ACTION_COMPLETE and form.validate_for_completion():
                try:
                    review = review_complete(
                        review=review,
                        actor=request.user,
                        verdict=form.cleaned_data["verdict"],
                        remarks=form.cleaned_data["remarks"],
                        checks=form.checks(),
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    if review.verdict == review.Verdict.ACCEPTED:
                        text = "Экспертиза завершена: программа принята." if review.is_deciding else "Заключение сохранено."
                    else:
                        text = (
                            "Экспертиза завершена: программа возвращена на доработку с замечаниями."
                            if review.is_deciding
                            else "Заключение с замечаниями сохранено."
                        )
                    messages.success(request, text)
                    return redirect(detail_url(programme, "reviews"))
            elif action == ReviewForm.ACTION_SAVE:
                review_save_draft(review=review, actor=request.user, remarks=form.cleaned_data["remarks"], checks=form.checks())
                messages.success(request, "Черновик заключения сохранён.")
                return redirect("programs:review", pk=review.pk)
    reviews = programme_reviews(programme=programme)
    sections = roadmap_sections(programme=programme)
    return render(
        request,
        "programs/review.html",
        {
            "programme": programme,
            "review": next((r for r in reviews if r.pk == review.pk), review),
            "form": form,
            "may_act": may_act,
            "sections": sections,
            "years": programme.years,
            "colspan": 7 + len(programme.years),
            "perms": {},
            "read_only": True,
            "other_reviews": [r for r in reviews if r.round == review.round and r.pk != review.pk],
            "progress": progress_of([m for s in sections for m in s.rows]),
            "evidence": evidence_for_review(review),
            "reports": report_documents(review),
            "today": timezone.localdate(),
        },
    )


@require_GET
@login_required
def compare_rounds(request, pk, number):
    """What changed between the version reviewed in round N-1 and the one of round N."""
    programme = get_programme_or_404(request.user, pk)
    snapshots = {
        s.round: s for s in ProgrammeSnapshot.objects.filter(programme=programme, round__in=[number - 1, number])
    }
    if number not in snapshots or number - 1 not in snapshots:
        raise Http404("Нет такого раунда экспертизы.")
    old, new = snapshots[number - 1], snapshots[number]
    return render(
        request,
        "programs/compare.html",
        {
            "programme": programme,
            "diff": compare_contents(old.data, new.data),
            "old_label": f"раунд {old.round} ({timezone.localtime(old.submitted_at):%d.%m.%Y})",
            "new_label": f"раунд {new.round} ({timezone.localtime(new.submitted_at):%d.%m.%Y})",
        },
    )


@require_GET
@login_required
def compare_current(request, pk):
    """What changed since the programme was last submitted (what the school did about the remarks)."""
    programme = get_programme_or_404(request.user, pk)
    last = ProgrammeSnapshot.objects.filter(programme=programme).order_by("-round").first()
    if last is None:
        raise Http404("Программу ещё не отправляли на экспертизу.")
    return render(
        request,
        "programs/compare.html",
        {
            "programme": programme,
            "diff": compare_contents(last.data, programme_content(programme)),
            "old_label": f"раунд {last.round} ({timezone.localtime(last.submitted_at):%d.%m.%Y})",
            "new_label": "текущая версия",
        },
    )
