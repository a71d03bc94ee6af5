"""Writes to teachers, their tutors, deficits, development plans (ИПРП) and tutoring sessions, and to tutor teams."""

import datetime

from django.db import transaction
from django.utils import timezone

from ..access import (
    can_assign_tutor,
    can_edit_teacher,
    can_edit_tutor_profile,
    can_keep_development,
    is_current_tutor,
    require,
    teacher_schools,
    tutors_of_municipality,
)
from ..models import (
    DevelopmentPlan,
    DevelopmentPlanItem,
    PlanItemStatus,
    Teacher,
    TeacherDeficit,
    TutorAssignment,
    TutoringSession,
    TutorProfile,
)
from .common import PartnershipError, full_clean, require_unchanged, stamp

TEACHER_FIELDS = ["full_name", "subject", "category", "experience", "is_active"]
NOT_TEACHER_KEEPER = "Сведения о педагогах ведут управленческая команда школы, координатор муниципалитета и управление."
NOT_DEVELOPMENT_KEEPER = (
    "Дефициты и ИПРП ведут закреплённый за педагогом тьютор, координатор муниципалитета и управление образования."
)


@transaction.atomic
def teacher_create(*, actor, school, **fields) -> Teacher:
    require(teacher_schools(actor).filter(pk=getattr(school, "pk", None)).exists(), NOT_TEACHER_KEEPER)
    teacher = Teacher(school=school, created_by=actor)
    for name in TEACHER_FIELDS:
        if name in fields:
            setattr(teacher, name, fields[name])
    teacher.full_name = " ".join((teacher.full_name or "").split())
    full_clean(teacher, exclude=["created_by"])
    stamp(teacher, actor).save()
    return teacher


@transaction.atomic
def teacher_update(*, teacher: Teacher, actor, seen: int | None = None, **fields) -> Teacher:
    teacher = Teacher.objects.select_for_update().select_related("school").get(pk=teacher.pk)
    require_unchanged(teacher, seen)
    require(can_edit_teacher(actor, teacher), NOT_TEACHER_KEEPER)
    for name in TEACHER_FIELDS:
        if name in fields:
            setattr(teacher, name, fields[name])
    teacher.full_name = " ".join((teacher.full_name or "").split())
    full_clean(teacher, exclude=["created_by"])
    stamp(teacher, actor).save()
    return teacher


@transaction.atomic
def tutor_assign(*, teacher: Teacher, actor, tutor, starts_on: datetime.date | None = None) -> TutorAssignment:
    teacher = Teacher.objects.select_related("school").get(pk=teacher.pk)
    require(can_assign_tutor(actor, teacher), "Тьютора за педагогом закрепляют координатор муниципалитета и управление.")
    if not tutors_of_municipality(teacher.school.municipality_id).filter(pk=getattr(tutor, "pk", None)).exists():
        raise PartnershipError("Выберите тьютора из тьюторской команды муниципалитета этой школы.", field="tutor")
    starts_on = starts_on or timezone.localdate()
    if TutorAssignment.objects.current(starts_on).filter(teacher=teacher, tutor=tutor).exists():
        raise PartnershipError("Этот тьютор уже закреплён за педагогом.", field="tutor")
    assignment = TutorAssignment(teacher=teacher, tutor=tutor, starts_on=starts_on, assigned_by=actor)
    stamp(assignment, actor).save()
    return assignment


@transaction.atomic
def tutor_unassign(*, assignment: TutorAssignment, actor) -> None:
    """The tutor stops working with the teacher: from today they no longer see the teacher's data."""
    assignment = TutorAssignment.objects.select_for_update().select_related("teacher__school").get(pk=assignment.pk)
    require(
        can_assign_tutor(actor, assignment.teacher),
        "Тьютора за педагогом закрепляют координатор муниципалитета и управление.",
    )
    today = timezone.localdate()
    if assignment.starts_on >= today:
        stamp(assignment, actor, "закрепление отменено").delete()
        return
    if assignment.ends_on is not None and assignment.ends_on < today:
        raise PartnershipError("Закрепление уже закончилось.")
    assignment.ends_on = today - datetime.timedelta(days=1)
    stamp(assignment, actor, "закрепление закончено").save()


def _require_development_keeper(actor, teacher: Teacher) -> None:
    require(can_keep_development(actor, teacher), NOT_DEVELOPMENT_KEEPER)


DEFICIT_FIELDS = ["area", "level", "diagnosed_on", "source", "note", "resolved_on"]


def _save_deficit(deficit: TeacherDeficit, actor, fields) -> TeacherDeficit:
    _require_development_keeper(actor, deficit.teacher)
    for name in DEFICIT_FIELDS:
        if name in fields:
            setattr(deficit, name, fields[name])
    full_clean(deficit, exclude=["teacher"])
    if deficit.diagnosed_on and deficit.diagnosed_on > timezone.localdate():
        raise PartnershipError("Дата диагностики не может быть в будущем.", field="diagnosed_on")
    if deficit.resolved_on and deficit.diagnosed_on and deficit.resolved_on < deficit.diagnosed_on:
        raise PartnershipError("Дефицит не может быть преодолён раньше, чем выявлен.", field="resolved_on")
    duplicate = (
        TeacherDeficit.objects.filter(teacher=deficit.teacher, area=deficit.area, diagnosed_on=deficit.diagnosed_on)
        .exclude(pk=deficit.pk)
        .exists()
    )
    if duplicate:
        raise PartnershipError("Этот дефицит по этой диагностике уже записан.", field="area")
    stamp(deficit, actor).save()
    return deficit


@transaction.atomic
def deficit_add(*, teacher: Teacher, actor, **fields) -> TeacherDeficit:
    teacher = Teacher.objects.select_related("school").get(pk=teacher.pk)
    return _save_deficit(TeacherDeficit(teacher=teacher), actor, fields)


@transaction.atomic
def deficit_update(*, deficit: TeacherDeficit, actor, seen: int | None = None, **fields) -> TeacherDeficit:
    deficit = TeacherDeficit.objects.select_for_update().select_related("teacher__school").get(pk=deficit.pk)
    require_unchanged(deficit, seen)
    return _save_deficit(deficit, actor, fields)


PLAN_TERM_FIELDS = ["year", "starts_on", "ends_on", "goal", "status", "tutor"]


def _save_plan(plan: DevelopmentPlan, actor, fields) -> DevelopmentPlan:
    _require_development_keeper(actor, plan.teacher)
    for name in PLAN_TERM_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    full_clean(plan, exclude=["teacher", "created_by"])
    if plan.tutor_id and not tutors_of_municipality(plan.teacher.school.municipality_id).filter(pk=plan.tutor_id).exists():
        raise PartnershipError("Выберите тьютора из тьюторской команды муниципалитета.", field="tutor")
    if DevelopmentPlan.objects.filter(teacher=plan.teacher, year=plan.year).exclude(pk=plan.pk).exists():
        raise PartnershipError(
            f"У педагога уже есть ИПРП на {plan.year_label} учебный год: откройте и дополните его.", field="year"
        )
    if plan.pk:
        outside = plan.items.exclude(due_on__range=(plan.starts_on, plan.ends_on)).order_by("due_on").first()
        if outside:
            raise PartnershipError(
                f"Пункт «{outside.action}» со сроком {outside.due_on:%d.%m.%Y} окажется вне плана: "
                "сначала перенесите его срок.",
                field="ends_on",
            )
    stamp(plan, actor).save()
    return plan


@transaction.atomic
def plan_create(*, teacher: Teacher, actor, **fields) -> DevelopmentPlan:
    teacher = Teacher.objects.select_related("school").get(pk=teacher.pk)
    plan = DevelopmentPlan(teacher=teacher, created_by=actor)
    if "tutor" not in fields and is_current_tutor(actor, teacher):
        fields["tutor"] = actor
    return _save_plan(plan, actor, fields)


@transaction.atomic
def plan_update(*, plan: DevelopmentPlan, actor, seen: int | None = None, **fields) -> DevelopmentPlan:
    plan = DevelopmentPlan.objects.select_for_update().select_related("teacher__school").get(pk=plan.pk)
    require_unchanged(plan, seen)
    return _save_plan(plan, actor, fields)


IPR_ITEM_FIELDS = ["deficit", "action", "form", "due_on", "status", "result", "done_on"]


def _save_ipr_item(item: DevelopmentPlanItem, actor, fields) -> DevelopmentPlanItem:
    plan = item.plan
    _require_development_keeper(actor, plan.teacher)
    if plan.status == DevelopmentPlan.Status.CANCELLED:
        raise PartnershipError("ИПРП отменён: его пункты больше не меняются.")
    for name in IPR_ITEM_FIELDS:
        if name in fields:
            setattr(item, name, fields[name])
    full_clean(item, exclude=["plan"])
    if item.due_on and not plan.starts_on <= item.due_on <= plan.ends_on:
        raise PartnershipError(
            f"Срок вне ИПРП: план действует с {plan.starts_on:%d.%m.%Y} по {plan.ends_on:%d.%m.%Y}.", field="due_on"
        )
    if item.deficit_id and item.deficit.teacher_id != plan.teacher_id:
        raise PartnershipError("Это дефицит другого педагога.", field="deficit")
    if item.status == PlanItemStatus.DONE and not item.done_on:
        item.done_on = timezone.localdate()
    if item.status != PlanItemStatus.DONE:
        item.done_on = None
    stamp(item, actor).save()
    return item


@transaction.atomic
def ipr_item_add(*, plan: DevelopmentPlan, actor, **fields) -> DevelopmentPlanItem:
    plan = DevelopmentPlan.objects.select_related("teacher__school").get(pk=plan.pk)
    return _save_ipr_item(DevelopmentPlanItem(plan=plan), actor, fields)


@transaction.atomic
def ipr_item_update(*, item: DevelopmentPlanItem, actor, seen: int | None = None, **fields) -> DevelopmentPlanItem:
    item = DevelopmentPlanItem.objects.select_for_update().select_related("plan__teacher__school").get(pk=item.pk)
    require_unchanged(item, seen)
    return _save_ipr_item(item, actor, fields)


TUTORING_FIELDS = ["held_on", "format", "topic", "hours", "note"]


@transaction.atomic
def tutoring_log(*, teacher: Teacher, actor, **fields) -> TutoringSession:
    teacher = Teacher.objects.select_related("school").get(pk=teacher.pk)
    require(is_current_tutor(actor, teacher), "Тьюторские занятия записывает тьютор, закреплённый за педагогом.")
    session = TutoringSession(teacher=teacher, tutor=actor)
    for name in TUTORING_FIELDS:
        if name in fields:
            setattr(session, name, fields[name])
    full_clean(session, exclude=["teacher", "tutor"])
    if session.held_on > timezone.localdate():
        raise PartnershipError("Дата занятия ещё не наступила.", field="held_on")
    stamp(session, actor).save()
    return session


@transaction.atomic
def tutor_profile_save(*, actor, user, municipality, direction, subjects=(), workplace=None, note="") -> TutorProfile:
    require(
        can_edit_tutor_profile(actor, municipality.pk),
        "Состав тьюторской команды ведут координатор муниципалитета и управление образования.",
    )
    if not tutors_of_municipality(municipality.pk).filter(pk=user.pk).exists():
        raise PartnershipError("У этого пользователя нет роли тьютора в муниципалитете.")
    profile = TutorProfile.objects.filter(user=user, municipality=municipality).first() or TutorProfile(
        user=user, municipality=municipality
    )
    profile.direction = direction
    profile.workplace = workplace
    profile.note = note
    full_clean(profile, exclude=["user", "municipality"])
    stamp(profile, actor).save()
    profile.subjects.set(subjects)
    return profile
