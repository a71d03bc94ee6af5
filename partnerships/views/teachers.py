"""Teachers, their tutors, deficits, ИПРП and tutoring sessions; the tutor team; coverage; the municipal picture."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from people.personal_data import Kind, access_log, export_log
from schools.models import Municipality
from schools.school_year import current_school_year, school_year_choices, school_year_label, school_year_param
from shnor_portal.paging import page_of

from .. import access, selectors, teacher_selectors
from ..forms import (
    DeficitForm,
    DevelopmentPlanForm,
    DevelopmentPlanItemForm,
    TeacherForm,
    TutorAssignForm,
    TutoringForm,
    TutorProfileForm,
    add_errors,
)
from ..models import TutorProfile
from ..services import teachers as teacher_services
from ..services.common import PartnershipError
from .common import export_response, form_page

NO_TEACHERS = (
    "Сведения о педагогах видят только управленческая команда их школы, закреплённые тьюторы, координатор "
    "муниципалитета и управление образования."
)


def _teachers_crumb():
    return ("Педагоги", reverse("partnerships:teachers"))


def _teacher_crumbs(teacher, *more):
    return [_teachers_crumb(), (teacher.full_name, reverse("partnerships:teacher", args=[teacher.pk])), *more]


def _save(request, form, service, success: str, **kwargs):
    """Run a service with the form's data; its refusal lands on the form. Returns the result or None."""
    try:
        result = service(actor=request.user, **kwargs, **form.cleaned_data)
    except PartnershipError as exc:
        add_errors(form, exc)
        return None
    messages.success(request, success)
    return result


@login_required
def teacher_list(request):
    access.require(access.can_see_teachers(request.user), NO_TEACHERS)
    teacher_filter, rows = teacher_selectors.teacher_list(user=request.user, data=request.GET)
    return render(
        request,
        "partnerships/teacher_list.html",
        {
            "filter": teacher_filter,
            "can_add": access.can_add_teachers(request.user),
            "year_label": school_year_label(current_school_year()),
            **page_of(request, rows),
        },
    )


@login_required
def teacher_export(request):
    access.require(access.can_see_teachers(request.user), NO_TEACHERS)
    _filter, rows = teacher_selectors.teacher_list(user=request.user, data=request.GET)
    export_log(request.user, Kind.TEACHERS_EXPORT, _per_municipality(rows, "school__municipality_id"))
    return export_response("teachers", rows, file_name=f"pedagogi-{timezone.localdate():%Y-%m-%d}.xlsx")


def _opened(request, kind: str, teacher, *, obj=None, label: str) -> None:
    """An edit form shows what it edits: its first showing (not its saving) is an opening of personal data."""
    if request.method == "GET":
        access_log(request.user, kind, municipality=teacher.school.municipality, obj=obj or teacher, label=label)


def _per_municipality(rows, field: str) -> dict[int, int]:
    """How many exported rows each municipality's teachers make (one query)."""
    exported = rows.model.objects.filter(pk__in=rows.values("pk"))  # without the list's own annotations
    return dict(exported.values(field).annotate(n=Count("pk")).values_list(field, "n"))


@login_required
def teacher_create(request):
    access.require(access.can_add_teachers(request.user), teacher_services.NOT_TEACHER_KEEPER)
    form = TeacherForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        teacher = _save(request, form, teacher_services.teacher_create, "Педагог добавлен.")
        if teacher:
            return redirect("partnerships:teacher", teacher.pk)
    return form_page(
        request, form=form, title="Новый педагог", crumbs=[_teachers_crumb(), ("Новый педагог", None)],
        cancel_url=reverse("partnerships:teachers"),
        intro="Портал хранит о педагоге только то, что нужно для сопровождения: ФИО, предмет, категорию и стаж. "
        "Эти сведения видят команда школы, закреплённые тьюторы, координатор муниципалитета и управление.",
    )


@login_required
def teacher_detail(request, pk):
    teacher = access.get_teacher_or_404(request.user, pk)
    user = request.user
    access_log(user, Kind.TEACHER, municipality=teacher.school.municipality, obj=teacher,
               label=f"{teacher.full_name}, {teacher.school.short_name}")  # fmt: skip
    is_tutor = access.is_current_tutor(user, teacher)
    return render(
        request,
        "partnerships/teacher_detail.html",
        {
            "teacher": teacher,
            **teacher_selectors.teacher_detail(teacher=teacher),
            "can_edit": access.can_edit_teacher(user, teacher),
            "can_assign": access.can_assign_tutor(user, teacher),
            "can_keep": access.can_keep_development(user, teacher, is_tutor=is_tutor),
            "is_tutor": is_tutor,
            "assign_form": TutorAssignForm(teacher=teacher),
            "today": timezone.localdate(),
        },
    )


@login_required
def teacher_edit(request, pk):
    teacher = access.get_teacher_or_404(request.user, pk)
    access.require(access.can_edit_teacher(request.user, teacher), teacher_services.NOT_TEACHER_KEEPER)
    form = TeacherForm(request.POST or None, instance=teacher, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "school"}
        try:
            teacher_services.teacher_update(teacher=teacher, actor=request.user, **data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Сведения о педагоге сохранены.")
            return redirect("partnerships:teacher", teacher.pk)
    return form_page(
        request, form=form, title=f"Изменить: {teacher.full_name}", crumbs=_teacher_crumbs(teacher, ("Изменить", None)),
        cancel_url=reverse("partnerships:teacher", args=[teacher.pk]),
    )


@login_required
@require_POST
def tutor_assign(request, pk):
    teacher = access.get_teacher_or_404(request.user, pk)
    access.require(access.can_assign_tutor(request.user, teacher), "Тьютора закрепляют координатор муниципалитета и управление.")
    form = TutorAssignForm(request.POST, teacher=teacher)
    if form.is_valid():
        try:
            teacher_services.tutor_assign(
                teacher=teacher, actor=request.user, tutor=form.cleaned_data["tutor"],
                starts_on=form.cleaned_data.get("starts_on"),
            )
        except PartnershipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Тьютор закреплён за педагогом.")
    else:
        messages.error(request, "Выберите тьютора из тьюторской команды муниципалитета.")
    return redirect(reverse("partnerships:teacher", args=[teacher.pk]) + "#tutors")


@login_required
@require_POST
def tutor_unassign(request, pk):
    assignment = access.get_tutor_assignment_or_404(request.user, pk)
    access.require(access.can_assign_tutor(request.user, assignment.teacher), "Тьютора закрепляют координатор муниципалитета и управление.")
    try:
        teacher_services.tutor_unassign(assignment=assignment, actor=request.user)
    except PartnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Тьютор больше не сопровождает педагога.")
    return redirect(reverse("partnerships:teacher", args=[assignment.teacher_id]) + "#tutors")


@login_required
def deficit_create(request, pk):
    teacher = access.get_teacher_or_404(request.user, pk)
    access.require(access.can_keep_development(request.user, teacher), teacher_services.NOT_DEVELOPMENT_KEEPER)
    form = DeficitForm(request.POST or None, initial={"diagnosed_on": timezone.localdate()}, teacher=teacher)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, teacher_services.deficit_add, "Дефицит записан.", teacher=teacher):
            return redirect(reverse("partnerships:teacher", args=[teacher.pk]) + "#deficits")
    return form_page(
        request, form=form, title=f"Профессиональный дефицит: {teacher.full_name}",
        crumbs=_teacher_crumbs(teacher, ("Новый дефицит", None)), cancel_url=reverse("partnerships:teacher", args=[teacher.pk]),
    )


@login_required
def deficit_edit(request, pk):
    deficit = access.get_deficit_or_404(request.user, pk)
    teacher = deficit.teacher
    access.require(access.can_keep_development(request.user, teacher), teacher_services.NOT_DEVELOPMENT_KEEPER)
    _opened(request, Kind.TEACHER, teacher, label=f"{teacher.full_name}: дефицит «{deficit.area}»")
    form = DeficitForm(request.POST or None, instance=deficit, teacher=teacher)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "area"}
        try:
            teacher_services.deficit_update(deficit=deficit, actor=request.user, **data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Дефицит сохранён.")
            return redirect(reverse("partnerships:teacher", args=[teacher.pk]) + "#deficits")
    return form_page(
        request, form=form, title=f"Дефицит: {deficit.area}", crumbs=_teacher_crumbs(teacher, ("Дефицит", None)),
        cancel_url=reverse("partnerships:teacher", args=[teacher.pk]),
    )


@login_required
def tutoring_create(request, pk):
    teacher = access.get_teacher_or_404(request.user, pk)
    access.require(access.is_current_tutor(request.user, teacher), "Тьюторские занятия записывает тьютор, закреплённый за педагогом.")
    form = TutoringForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, teacher_services.tutoring_log, "Тьюторское занятие записано.", teacher=teacher):
            return redirect(reverse("partnerships:teacher", args=[teacher.pk]) + "#tutoring")
    return form_page(
        request, form=form, title=f"Тьюторское занятие: {teacher.full_name}",
        crumbs=_teacher_crumbs(teacher, ("Тьюторское занятие", None)), cancel_url=reverse("partnerships:teacher", args=[teacher.pk]),
        submit_label="Записать",
    )


# --- ИПРП ---------------------------------------------------------------------------------------------------------


@login_required
def plan_list(request):
    access.require(access.can_see_teachers(request.user), NO_TEACHERS)
    plan_filter, rows = teacher_selectors.plan_list(user=request.user, data=request.GET)
    return render(request, "partnerships/plan_list.html", {"filter": plan_filter, **page_of(request, rows)})


@login_required
def plan_export(request):
    access.require(access.can_see_teachers(request.user), NO_TEACHERS)
    _filter, rows = teacher_selectors.plan_list(user=request.user, data=request.GET)
    export_log(request.user, Kind.PLANS_EXPORT, _per_municipality(rows, "teacher__school__municipality_id"))
    return export_response("plans", rows, file_name=f"iprp-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def plan_create(request, pk):
    teacher = access.get_teacher_or_404(request.user, pk)
    access.require(access.can_keep_development(request.user, teacher), teacher_services.NOT_DEVELOPMENT_KEEPER)
    form = DevelopmentPlanForm(request.POST or None, teacher=teacher)
    if request.method == "POST" and form.is_valid():
        plan = _save(request, form, teacher_services.plan_create, "ИПРП создан. Добавьте его пункты.", teacher=teacher)
        if plan:
            return redirect("partnerships:plan", plan.pk)
    return form_page(
        request, form=form, title=f"ИПРП: {teacher.full_name}", crumbs=_teacher_crumbs(teacher, ("Новый ИПРП", None)),
        cancel_url=reverse("partnerships:teacher", args=[teacher.pk]), submit_label="Создать ИПРП",
    )


@login_required
def plan_detail(request, pk):
    plan = access.get_plan_or_404(request.user, pk)
    access_log(request.user, Kind.PLAN, municipality=plan.teacher.school.municipality, obj=plan,
               label=f"ИПРП {plan.year}: {plan.teacher.full_name}")  # fmt: skip
    return render(
        request,
        "partnerships/plan_detail.html",
        {
            "plan": plan,
            "teacher": plan.teacher,
            "items": teacher_selectors.plan_items(plan=plan),
            "can_keep": access.can_keep_development(request.user, plan.teacher),
        },
    )


@login_required
def plan_edit(request, pk):
    plan = access.get_plan_or_404(request.user, pk)
    access.require(access.can_keep_development(request.user, plan.teacher), teacher_services.NOT_DEVELOPMENT_KEEPER)
    _opened(request, Kind.PLAN, plan.teacher, obj=plan, label=f"ИПРП {plan.year}: {plan.teacher.full_name}")
    form = DevelopmentPlanForm(request.POST or None, instance=plan, teacher=plan.teacher)
    if request.method == "POST" and form.is_valid():
        try:
            teacher_services.plan_update(plan=plan, actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "ИПРП сохранён.")
            return redirect("partnerships:plan", plan.pk)
    return form_page(
        request, form=form, title=str(plan),
        crumbs=_teacher_crumbs(plan.teacher, (f"ИПРП {plan.year_label}", reverse("partnerships:plan", args=[plan.pk])), ("Изменить", None)),
        cancel_url=reverse("partnerships:plan", args=[plan.pk]),
    )


@login_required
def ipr_item_create(request, pk):
    plan = access.get_plan_or_404(request.user, pk)
    access.require(access.can_keep_development(request.user, plan.teacher), teacher_services.NOT_DEVELOPMENT_KEEPER)
    form = DevelopmentPlanItemForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, teacher_services.ipr_item_add, "Пункт ИПРП добавлен.", plan=plan):
            return redirect("partnerships:plan", plan.pk)
    return form_page(
        request, form=form, title=f"Пункт ИПРП: {plan.teacher.full_name}",
        crumbs=_teacher_crumbs(plan.teacher, (f"ИПРП {plan.year_label}", reverse("partnerships:plan", args=[plan.pk])), ("Новый пункт", None)),
        cancel_url=reverse("partnerships:plan", args=[plan.pk]),
        intro=f"План действует с {plan.starts_on:%d.%m.%Y} по {plan.ends_on:%d.%m.%Y}.",
    )


@login_required
def ipr_item_edit(request, pk):
    item = access.get_plan_item_or_404(request.user, pk)
    plan = item.plan
    access.require(access.can_keep_development(request.user, plan.teacher), teacher_services.NOT_DEVELOPMENT_KEEPER)
    _opened(request, Kind.PLAN, plan.teacher, obj=plan, label=f"ИПРП {plan.year}: {plan.teacher.full_name}, мероприятие")
    form = DevelopmentPlanItemForm(request.POST or None, instance=item, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            teacher_services.ipr_item_update(item=item, actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Пункт ИПРП сохранён.")
            return redirect("partnerships:plan", plan.pk)
    return form_page(
        request, form=form, title=f"Пункт ИПРП: {item.action}",
        crumbs=_teacher_crumbs(plan.teacher, (f"ИПРП {plan.year_label}", reverse("partnerships:plan", args=[plan.pk])), ("Пункт", None)),
        cancel_url=reverse("partnerships:plan", args=[plan.pk]),
        intro=f"План действует с {plan.starts_on:%d.%m.%Y} по {plan.ends_on:%d.%m.%Y}.",
    )


# --- the tutor team -----------------------------------------------------------------------------------------------

NO_TUTOR_TEAM = "Состав тьюторских команд видят координаторы, тьюторы и управление образования."


@login_required
def tutor_list(request):
    access.require(access.can_see_tutor_team(request.user), NO_TUTOR_TEAM)
    rows, filters = _tutor_rows(request)
    for row in rows:
        row["can_edit"] = access.can_edit_tutor_profile(request.user, row["municipality"].pk)
    return render(request, "partnerships/tutor_list.html", {**filters, **page_of(request, rows)})


def _tutor_rows(request) -> tuple[list[dict], dict]:
    """The tutor team filtered by name, municipality and direction (the page and the export alike)."""
    everyone = teacher_selectors.tutor_team(user=request.user)
    rows = everyone
    q = request.GET.get("q", "").strip()
    municipality = _municipality_param(request)
    direction = request.GET.get("direction", "")
    if q:
        rows = [r for r in rows if q.lower() in (r["user"].get_full_name() or r["user"].username).lower()]
    if municipality:
        rows = [r for r in rows if r["municipality"].pk == municipality.pk]
    if direction in TutorProfile.Direction.values:
        rows = [r for r in rows if r["profile"] and r["profile"].direction == direction]
    municipalities = sorted({r["municipality"] for r in everyone}, key=lambda m: m.name)
    return rows, {
        "q": q,
        "municipality": municipality,
        "direction": direction,
        "directions": TutorProfile.Direction.choices,
        "municipalities": municipalities if len(municipalities) > 1 else [],
    }


@login_required
def tutor_export(request):
    access.require(access.can_see_tutor_team(request.user), NO_TUTOR_TEAM)
    rows, _filters = _tutor_rows(request)
    return export_response("tutors", rows, file_name="tyutory.xlsx")


@login_required
def tutor_profile_edit(request, municipality_pk, user_pk):
    municipality = get_object_or_404(access.visible_municipalities(request.user), pk=municipality_pk)
    tutor = get_object_or_404(access.tutors_of_municipality(municipality.pk), pk=user_pk)
    access.require(access.can_edit_tutor_profile(request.user, municipality.pk), "Состав тьюторской команды ведут координатор и управление.")
    profile = TutorProfile.objects.filter(user=tutor, municipality=municipality).first()
    form = TutorProfileForm(request.POST or None, instance=profile, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            teacher_services.tutor_profile_save(actor=request.user, user=tutor, municipality=municipality, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Сведения о тьюторе сохранены.")
            return redirect("partnerships:tutors")
    return form_page(
        request, form=form, title=f"Тьютор: {tutor.get_full_name() or tutor.username}",
        crumbs=[("Тьюторская команда", reverse("partnerships:tutors")), (tutor.get_full_name() or tutor.username, None)],
        cancel_url=reverse("partnerships:tutors"), intro=f"Тьюторская команда: {municipality}.",
    )


# --- coverage and the municipal picture ---------------------------------------------------------------------------


def _municipality_param(request) -> Municipality | None:
    value = request.GET.get("municipality", "")
    if value.isdigit():
        return access.visible_municipalities(request.user).filter(pk=value).first()
    return None


@login_required
def coverage(request):
    access.require(access.can_see_coverage(request.user), "Охват педагогов видят школы, тьюторы, координаторы и управление.")
    municipality = _municipality_param(request)
    year = school_year_param(request.GET.get("year"))
    data = teacher_selectors.coverage(user=request.user, municipality=municipality, year=year, q=request.GET.get("q", ""))
    return render(
        request,
        "partnerships/coverage.html",
        {
            **data,
            "municipality": municipality,
            "q": request.GET.get("q", "").strip(),
            "municipalities": access.visible_municipalities(request.user).order_by("name")
            if access.chooses_municipality(request.user)
            else [],
            "year_label": school_year_label(data["year"]),
            "years": school_year_choices({year}),
            **page_of(request, data["rows"]),
        },
    )


@login_required
def coverage_export(request):
    access.require(access.can_see_coverage(request.user), "Охват педагогов видят школы, тьюторы, координаторы и управление.")
    data = teacher_selectors.coverage(
        user=request.user, municipality=_municipality_param(request), year=school_year_param(request.GET.get("year")),
        q=request.GET.get("q", ""),
    )
    return export_response("coverage", data, file_name=f"ohvat-pedagogov-{data['year']}.xlsx")


def _summary_year(request) -> int:
    """The school year of the summary (2027 is 2026/27): the portal counts every «за год» by school year."""
    return school_year_param(request.GET.get("year"))


@login_required
def summary(request):
    access.require(access.can_see_summary(request.user), "Сводка по муниципалитетам — для координаторов и управления образования.")
    year = _summary_year(request)
    data = selectors.summary_page(user=request.user, year=year)
    return render(
        request,
        "partnerships/summary.html",
        {
            "year": year,
            "year_label": school_year_label(year),
            "years": school_year_choices({year}),
            "participation": data["participation"],
            **page_of(request, data["rows"]),
        },
    )


@login_required
def summary_export(request):
    access.require(access.can_see_summary(request.user), "Сводка по муниципалитетам — для координаторов и управления образования.")
    year = _summary_year(request)
    return export_response(
        "summary", selectors.municipal_summary(user=request.user, year=year), file_name=f"svodka-soprovozhdenie-{year}.xlsx"
    )

