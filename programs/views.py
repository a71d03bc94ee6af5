"""Pages of programmes: list, programme with its roadmap edited in place (htmx), review, history, import/export.

Views are thin: they find the object through `programs.access` (404 outside the user's reach), check the step
(403 for the wrong role), call a service and render. Row-level actions answer htmx with a partial and plain
requests with a redirect, so every action also works without JavaScript.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from shnor_portal import uploads
from shnor_portal.spreadsheets import xlsx_response

from .access import (
    can_act_on_review,
    can_assign_mutual_review,
    can_create_programme,
    can_edit_plan,
    can_edit_programme,
    can_oversee,
    can_reopen,
    can_start_regional_review,
    can_submit,
    get_evidence_or_404,
    get_measure_or_404,
    get_programme_or_404,
    get_review_or_404,
    get_section_or_404,
    require,
    visible_programmes,
)
from .files import evidence_max_bytes, size_label
from .filters import ProgrammeFilter
from .forms import (
    EvidenceForm,
    ImportForm,
    MeasureForm,
    MutualReviewForm,
    PassportForm,
    ProgrammeCreateForm,
    ReviewForm,
    SectionForm,
    current_values,
)
from .models import Programme, ProgrammeSnapshot, RoadmapMeasure
from .roadmap_xlsx import roadmap_parse, roadmap_xlsx
from .selectors import (
    advisory_remarks,
    annotate_progress,
    compare_contents,
    evidence_of,
    latest_return,
    passport_version,
    programme_content,
    programme_history,
    programme_progress,
    programme_reviews,
    programme_rounds,
    progress_of,
    roadmap_measure,
    roadmap_section,
    roadmap_sections,
)
from .services import (
    NOT_OWNER,
    ProgrammeError,
    StaleEdit,
    evidence_add,
    evidence_delete,
    measure_add,
    measure_delete,
    measure_move,
    measure_update,
    programme_create,
    programme_reopen,
    programme_restore_passport,
    programme_submit,
    programme_update_passport,
    review_assign_mutual,
    review_complete,
    review_open_regional,
    review_save_draft,
    review_start,
    roadmap_import,
    section_add,
    section_delete,
    section_move,
    section_update,
)

ROADMAP_UPLOAD = "roadmap"  # the kind of the held upload (`shnor_portal.uploads`)
HISTORY_PAGE_SIZE = 50


def _perms(user, programme: Programme) -> dict:
    return {
        "edit": can_edit_programme(user, programme),
        "edit_plan": can_edit_plan(user, programme),
        "submit": can_submit(user, programme),
        "reopen": can_reopen(user, programme),
        "oversee": can_oversee(user, programme),
        "assign_mutual": can_assign_mutual_review(user, programme),
        "start_regional": can_start_regional_review(user, programme),
    }


def _roadmap_context(user, programme: Programme, **extra) -> dict:
    return {
        "programme": programme,
        "perms": _perms(user, programme),
        "years": programme.years,
        "colspan": 7 + len(programme.years),
        **extra,
    }


def _detail_url(programme: Programme, anchor: str = "") -> str:
    return reverse("programs:detail", args=[programme.pk]) + (f"#{anchor}" if anchor else "")


# --- list, create, detail ------------------------------------------------------------------------------------------


@login_required
def programme_list(request):
    programme_filter = ProgrammeFilter(request.GET or None, queryset=visible_programmes(request.user), user=request.user)
    programmes = (
        programme_filter.qs.with_progress()
        .select_related("municipality", "school", "risk_factor")
        .order_by("municipality__name", "school__short_name", "-period_start", "title", "pk")
    )
    paginator = Paginator(programmes, settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    annotate_progress(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/programme_list.html",
        {
            "filter": programme_filter,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": query.urlencode(),
            "can_create": can_create_programme(request.user),
        },
    )


@login_required
def programme_create_view(request):
    require(
        can_create_programme(request.user),
        "Программы создают координатор муниципалитета (муниципальную) и управленческая команда школы (школьные).",
    )
    year = timezone.localdate().year
    form = ProgrammeCreateForm(
        request.POST or None, user=request.user, initial={"period_start": year, "period_end": year + 2}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = programme_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                municipality=data.get("municipality"),
                school=data.get("school"),
                risk_factor=data.get("risk_factor"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Программа создана. Заполните паспорт и дорожную карту.")
            return redirect(_detail_url(programme))
    return render(request, "programs/programme_create.html", {"form": form})


@login_required
def programme_detail(request, pk):
    programme = get_programme_or_404(request.user, pk)
    sections = roadmap_sections(programme=programme)
    measures = [m for s in sections for m in s.rows]
    reviews = programme_reviews(programme=programme)
    perms = _perms(request.user, programme)
    return render(
        request,
        "programs/programme_detail.html",
        _roadmap_context(
            request.user,
            programme,
            sections=sections,
            progress=progress_of(measures),
            reviews=reviews,
            my_reviews=[r for r in reviews if can_act_on_review(request.user, r)],
            returned_review=latest_return(reviews, programme),
            advisory=advisory_remarks(reviews, programme),
            rounds=programme_rounds(programme=programme),
            mutual_form=MutualReviewForm(user=request.user, programme=programme) if perms["assign_mutual"] else None,
            evidence_max=size_label(evidence_max_bytes()),
        ),
    )


@login_required
def passport_edit(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    if not programme.plan_is_editable:
        messages.warning(request, "Паспорт сейчас изменить нельзя: программа на экспертизе или принята.")
        return redirect(_detail_url(programme))
    form = PassportForm(request.POST or None, instance=programme)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            programme_update_passport(
                programme=programme, actor=request.user, data=form.passport_data(),
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as exc:
            current = exc.current
            data = request.POST.copy()
            data["version"] = current.version
            form = PassportForm(data, instance=current)
            form.is_valid()
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        except ProgrammeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Паспорт программы сохранён.")
            return redirect(_detail_url(programme, "passport"))
    return render(request, "programs/passport_form.html", {"programme": programme, "form": form, "current": current})


# --- the roadmap, edited in place ----------------------------------------------------------------------------------


def _partial(request, template: str, context: dict, *, page_title: str, programme: Programme):
    """An htmx request gets the partial; a plain one the partial inside a page, so that nothing needs JavaScript."""
    if request.htmx:
        return render(request, template, context)
    return render(
        request,
        "programs/row_page.html",
        {**context, "partial": template, "page_title": page_title, "programme": programme},
    )


def _section_response(request, section, *, error: str = "", retarget_to: bool = False):
    programme = section.programme
    context = _roadmap_context(
        request.user,
        programme,
        section=roadmap_section(section=section),
        section_error=error,
        progress=programme_progress(programme=programme),
        section_oob_progress=True,
    )
    response = render(request, "programs/_section.html", context)
    if retarget_to:
        response = reswap(retarget(response, f"#section-{section.pk}"), "outerHTML")
    return response


def _roadmap_response(request, programme: Programme, *, error: str = ""):
    sections = roadmap_sections(programme=programme)
    context = _roadmap_context(
        request.user,
        programme,
        sections=sections,
        roadmap_error=error,
        progress=progress_of([m for s in sections for m in s.rows]),
        oob_progress=True,
    )
    return reswap(retarget(render(request, "programs/_roadmap.html", context), "#roadmap"), "outerHTML")


@require_GET
@login_required
def roadmap_table(request, pk):
    programme = get_programme_or_404(request.user, pk)
    if not request.htmx:
        return redirect(_detail_url(programme, "roadmap"))
    return _roadmap_response(request, programme)


@login_required
def section_add_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    form = SectionForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            section_add(programme=programme, actor=request.user, title=form.cleaned_data["title"])
        except (ProgrammeError, ValidationError) as exc:
            error = "; ".join(getattr(exc, "messages", [str(exc)]))
        else:
            if request.htmx:
                return _roadmap_response(request, programme)
            messages.success(request, "Задача добавлена.")
            return redirect(_detail_url(programme, "roadmap"))
    return _partial(
        request,
        "programs/_section_add.html",
        _roadmap_context(request.user, programme, form=form, error=error),
        page_title="Новая задача дорожной карты",
        programme=programme,
    )


@login_required
def section_view(request, pk):
    section = get_section_or_404(request.user, pk)
    if not request.htmx:
        return redirect(_detail_url(section.programme, f"section-{section.pk}"))
    return _section_response(request, section)


@login_required
def section_edit(request, pk):
    section = get_section_or_404(request.user, pk)
    programme = section.programme
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    form = SectionForm(request.POST or None, initial={"title": section.title, "version": section.version})
    if request.method == "POST" and form.is_valid():
        try:
            section = section_update(
                section=section, actor=request.user, title=form.cleaned_data["title"],
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit as exc:
            data = request.POST.copy()
            data["version"] = exc.current.version
            form = SectionForm(data)
            form.is_valid()
            form.add_error(None, str(exc))
        except (ProgrammeError, ValidationError) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            if request.htmx:
                return _section_response(request, section)
            messages.success(request, "Задача сохранена.")
            return redirect(_detail_url(programme, f"section-{section.pk}"))
    if request.htmx:
        context = _roadmap_context(
            request.user, programme, section=roadmap_section(section=section), section_form=form
        )
        return render(request, "programs/_section.html", context)
    return render(
        request,
        "programs/row_page.html",
        {
            **_roadmap_context(request.user, programme, section=section, section_form=form),
            "partial": "programs/_section_form_fields.html",
            "page_title": f"Задача {section.number}",
        },
    )


@require_POST
@login_required
def section_delete_view(request, pk):
    section = get_section_or_404(request.user, pk)
    programme = section.programme
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    try:
        section_delete(section=section, actor=request.user, expected_version=_int(request.POST.get("version")))
    except ProgrammeError as exc:
        if request.htmx:
            return _roadmap_response(request, programme, error=str(exc))
        messages.error(request, str(exc))
    else:
        if request.htmx:
            return _roadmap_response(request, programme)
        messages.success(request, "Задача удалена вместе с её мероприятиями.")
    return redirect(_detail_url(programme, "roadmap"))


@require_POST
@login_required
def section_move_view(request, pk, direction):
    _check_direction(direction)
    section = get_section_or_404(request.user, pk)
    programme = section.programme
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    error = ""
    try:
        section_move(section=section, actor=request.user, direction=direction)
    except ProgrammeError as exc:
        error = str(exc)
    if request.htmx:
        return _roadmap_response(request, programme, error=error)
    if error:
        messages.error(request, error)
    return redirect(_detail_url(programme, "roadmap"))


def _check_direction(direction: str) -> None:
    if direction not in ("up", "down"):
        raise Http404("Можно переместить только вверх или вниз.")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _measure_form_response(request, *, programme, form, measure=None, section=None, stale_values=None):
    context = _roadmap_context(
        request.user,
        programme,
        form=form,
        measure=measure,
        section=section,
        stale_values=stale_values,
    )
    return _partial(
        request,
        "programs/_measure_form.html",
        context,
        page_title=f"Мероприятие {getattr(measure, 'number', '')}".strip() if measure else "Новое мероприятие",
        programme=programme,
    )


@login_required
def measure_add_view(request, pk):
    section = get_section_or_404(request.user, pk)
    programme = section.programme
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    form = MeasureForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            measure_add(section=section, actor=request.user, data=form.measure_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        except ProgrammeError as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                return _section_response(request, section, retarget_to=True)
            messages.success(request, "Мероприятие добавлено.")
            return redirect(_detail_url(programme, f"section-{section.pk}"))
    return _measure_form_response(request, programme=programme, form=form, section=section)


@login_required
def measure_view(request, pk):
    measure = get_measure_or_404(request.user, pk)
    if not request.htmx:
        return redirect(_detail_url(measure.programme, f"measure-{measure.pk}"))
    context = _roadmap_context(request.user, measure.programme, measure=roadmap_measure(measure=measure))
    return render(request, "programs/_measure_row.html", context)


@login_required
def measure_edit(request, pk):
    measure = get_measure_or_404(request.user, pk)
    programme = measure.programme
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    plan_locked = not programme.plan_is_editable
    measure = roadmap_measure(measure=measure)
    form = MeasureForm(request.POST or None, programme=programme, measure=measure, plan_locked=plan_locked)
    stale_values = None
    if request.method == "POST" and form.is_valid():
        try:
            measure_update(
                measure=measure, actor=request.user, data=form.measure_data(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit as exc:
            current = roadmap_measure(measure=exc.current)
            stale_values = current_values(current)
            data = request.POST.copy()
            data["version"] = current.version
            form = MeasureForm(data, programme=programme, measure=current, plan_locked=plan_locked)
            form.is_valid()
            form.add_error(None, str(exc))
            measure = current
        except ValidationError as exc:
            form.add_error(None, exc)
        except ProgrammeError as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                context = _roadmap_context(
                    request.user,
                    programme,
                    measure=roadmap_measure(measure=measure),
                    progress=programme_progress(programme=programme),
                    row_oob_progress=True,
                )
                return render(request, "programs/_measure_row.html", context)
            messages.success(request, "Мероприятие сохранено.")
            return redirect(_detail_url(programme, f"measure-{measure.pk}"))
    return _measure_form_response(
        request, programme=programme, form=form, measure=measure, section=measure.section, stale_values=stale_values
    )


@require_POST
@login_required
def measure_delete_view(request, pk):
    measure = get_measure_or_404(request.user, pk)
    programme, section = measure.programme, measure.section
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    error = ""
    try:
        measure_delete(measure=measure, actor=request.user, expected_version=_int(request.POST.get("version")))
    except ProgrammeError as exc:
        error = str(exc)
    if request.htmx:
        section.programme = programme
        return _section_response(request, section, error=error, retarget_to=True)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Мероприятие удалено.")
    return redirect(_detail_url(programme, f"section-{section.pk}"))


@require_POST
@login_required
def measure_move_view(request, pk, direction):
    _check_direction(direction)
    measure = get_measure_or_404(request.user, pk)
    programme, section = measure.programme, measure.section
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    error = ""
    try:
        measure_move(measure=measure, actor=request.user, direction=direction)
    except ProgrammeError as exc:
        error = str(exc)
    if request.htmx:
        section.programme = programme
        return _section_response(request, section, error=error, retarget_to=True)
    if error:
        messages.error(request, error)
    return redirect(_detail_url(programme, f"section-{section.pk}"))


# --- evidence ------------------------------------------------------------------------------------------------------


def _evidence_panel(request, measure: RoadmapMeasure, form=None, error: str = ""):
    programme = measure.programme
    context = _roadmap_context(
        request.user,
        programme,
        measure=measure,
        documents=evidence_of(measure=measure),
        form=form or EvidenceForm(),
        error=error,
        evidence_max=size_label(evidence_max_bytes()),
    )
    return _partial(
        request, "programs/_evidence_panel.html", context, page_title="Подтверждающие документы", programme=programme
    )


@login_required
def evidence_list(request, pk):
    """The documents of a measure, and (POST) the upload of one more."""
    measure = get_measure_or_404(request.user, pk)
    programme = measure.programme
    form = None
    if request.method == "POST":
        require(can_edit_programme(request.user, programme), NOT_OWNER)
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            evidence_add(
                measure=measure, actor=request.user, file=form.cleaned_data["file"], title=form.cleaned_data["title"]
            )
            if not request.htmx:
                messages.success(request, "Документ загружен.")
                return redirect(reverse("programs:evidence", args=[measure.pk]))
            form = None
    return _evidence_panel(request, measure, form=form)


@require_GET
@login_required
def evidence_download(request, pk):
    """A stored document, only to those who may see its programme (404 otherwise, by URL too)."""
    evidence = get_evidence_or_404(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("Файл не найден в хранилище.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )


@require_POST
@login_required
def evidence_delete_view(request, pk):
    evidence = get_evidence_or_404(request.user, pk)
    measure = get_measure_or_404(request.user, evidence.measure_id)
    require(can_edit_programme(request.user, measure.programme), NOT_OWNER)
    evidence_delete(evidence=evidence, actor=request.user)
    if request.htmx:
        return _evidence_panel(request, measure)
    messages.success(request, "Документ удалён.")
    return redirect(reverse("programs:evidence", args=[measure.pk]))


# --- review workflow -----------------------------------------------------------------------------------------------


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
    return redirect(_detail_url(programme))


@require_POST
@login_required
def programme_reopen_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_oversee(request.user, programme), "Принятую программу открывает для изменений координатор.")
    try:
        programme_reopen(programme=programme, actor=request.user)
    except ProgrammeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Программа открыта для изменений плана; после правок её отправляют повторно.")
    return redirect(_detail_url(programme))


@require_POST
@login_required
def review_assign_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_oversee(request.user, programme), "Взаимоэкспертизу назначает координатор муниципалитета.")
    form = MutualReviewForm(request.POST, user=request.user, programme=programme)
    if not form.is_valid():
        messages.error(request, "Школа не назначена: " + " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(programme, "reviews"))
    try:
        review = review_assign_mutual(programme=programme, actor=request.user, school=form.cleaned_data["school"])
    except ProgrammeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Взаимоэкспертиза поручена: {review.reviewer_school}.")
    return redirect(_detail_url(programme, "reviews"))


@require_POST
@login_required
def review_regional_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    require(can_start_regional_review(request.user, programme), "Региональную экспертизу проводит управление.")
    review = review_open_regional(programme=programme, actor=request.user)
    return redirect("programs:review", pk=review.pk)


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
        return redirect(_detail_url(programme, "reviews"))
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
                    return redirect(_detail_url(programme, "reviews"))
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


# --- history, print, export, import --------------------------------------------------------------------------------


@require_GET
@login_required
def programme_history_view(request, pk):
    programme = get_programme_or_404(request.user, pk)
    paginator = Paginator(programme_history(programme=programme), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "programs/history.html",
        {
            "programme": programme,
            "can_restore": programme.plan_is_editable and can_edit_programme(request.user, programme),
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


@login_required
def passport_restore_view(request, pk, history_id):
    """Confirm, then bring the passport back to an earlier version (a change like any other, in the history)."""
    programme = get_programme_or_404(request.user, pk)
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    version = passport_version(programme=programme, history_id=history_id)
    if version is None:
        raise Http404("Такой версии паспорта нет.")
    if request.method == "POST":
        try:
            programme_restore_passport(
                programme=programme, actor=request.user, history_id=history_id,
                expected_version=int(request.POST.get("version") or 0),
            )  # fmt: skip
        except (ProgrammeError, ValidationError) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            return redirect("programs:passport_restore", pk=programme.pk, history_id=history_id)
        messages.success(request, "Паспорт программы восстановлен; восстановление записано в истории изменений.")
        return redirect(_detail_url(programme, "passport"))
    return render(request, "programs/passport_restore.html", {"programme": programme, "version": version})


@require_GET
@login_required
def programme_print(request, pk):
    programme = get_programme_or_404(request.user, pk)
    sections = roadmap_sections(programme=programme)
    return render(
        request,
        "programs/print.html",
        {
            "programme": programme,
            "sections": sections,
            "years": programme.years,
            "progress": progress_of([m for s in sections for m in s.rows]),
            "today": timezone.localdate(),
        },
    )


@require_GET
@login_required
def programme_export(request, pk):
    programme = get_programme_or_404(request.user, pk)
    content = roadmap_xlsx(programme, roadmap_sections(programme=programme))
    return xlsx_response(content, file_name=f"dorozhnaya-karta-{programme.pk}.xlsx")


def _roadmap_stamp(programme: Programme) -> str:
    """Changes whenever the roadmap changes, so that a preview is applied only to the roadmap it was made for."""
    stamp = RoadmapMeasure.objects.filter(programme=programme).aggregate(
        count=Count("pk"), last=Max("pk"), at=Max("updated_at")
    )
    return f"{stamp['count']}:{stamp['last']}:{stamp['at'].isoformat() if stamp['at'] else ''}"


@login_required
def roadmap_import_view(request, pk):
    """Upload → check every row → preview → replace the roadmap in one transaction."""
    programme = get_programme_or_404(request.user, pk)
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    locked = not programme.plan_is_editable
    form = ImportForm(request.POST or None, request.FILES or None)
    parsed = None
    existing = RoadmapMeasure.objects.filter(programme=programme).count()
    if request.method == "POST" and not locked:
        if "confirm" in request.POST:
            return _roadmap_import_confirm(request, programme)
        if form.is_valid():
            upload = uploads.hold(
                request, ROADMAP_UPLOAD, form.cleaned_data["file"], programme=programme.pk,
                stamp=_roadmap_stamp(programme),
            )  # fmt: skip
            parsed = roadmap_parse(upload.read(), programme=programme)
            if not parsed.ok:
                uploads.discard(request, ROADMAP_UPLOAD)
    return render(
        request,
        "programs/import.html",
        {
            "programme": programme,
            "form": form,
            "parsed": parsed,
            "locked": locked,
            "existing": existing,
            "max_size": uploads.upload_limit_label(),
            "years": programme.years,
        },
    )


def _roadmap_import_confirm(request, programme: Programme):
    """The held file read again and, if the roadmap is still the one it was checked against, stored."""
    upload = uploads.held(request, ROADMAP_UPLOAD)
    if upload is None or upload.context.get("programme") != programme.pk:
        messages.error(request, "Проверка файла устарела или файл не найден: загрузите файл ещё раз.")
        return redirect("programs:import", pk=programme.pk)
    if upload.context.get("stamp") != _roadmap_stamp(programme):
        uploads.discard(request, ROADMAP_UPLOAD)
        messages.error(request, "Дорожная карта изменилась после проверки файла: загрузите файл ещё раз.")
        return redirect("programs:import", pk=programme.pk)
    parsed = roadmap_parse(upload.read(), programme=programme)
    try:
        if not parsed.ok:
            raise ProgrammeError("В файле есть ошибки: загрузите исправленный файл.")
        counts = roadmap_import(
            programme=programme, actor=request.user, sections=parsed.sections, file_name=upload.name[:100]
        )
    except ProgrammeError as exc:
        messages.error(request, str(exc))
        return redirect("programs:import", pk=programme.pk)
    uploads.discard(request, ROADMAP_UPLOAD)
    messages.success(
        request, f"Дорожная карта загружена: задач — {counts['sections']}, мероприятий — {counts['measures']}."
    )
    return redirect(_detail_url(programme, "roadmap"))
