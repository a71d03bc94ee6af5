"""Every write to agreements, sessions, teachers, plans, practices and events.

Each function takes keyword arguments, runs in one transaction, checks that the actor may take the step
(PermissionDenied → 403 when the role does not allow it) and refuses what the data or the state forbids with
PartnershipError, whose Russian messages are keyed by the form field they belong to, so that nothing already stored
is lost or half-changed. The actor is recorded in the history of every row written.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications import kinds as notice_kinds
from notifications import recipients as notice_recipients
from notifications.services import notify
from programs.files import EvidenceRefused, evidence_sniff
from shnor_portal.history import stale_message

from .access import (
    agreement_schools,
    can_add_practice,
    can_assign_tutor,
    can_author_practice,
    can_create_agreement,
    can_create_event,
    can_edit_teacher,
    can_edit_tutor_profile,
    can_keep_development,
    can_log_session,
    can_manage_agreement,
    can_manage_event,
    can_moderate_practice,
    can_review_session,
    coordinator_municipality_ids,
    event_schools,
    is_current_tutor,
    practice_schools,
    require,
    teacher_schools,
    tutors_of_municipality,
)
from .models import (
    Agreement,
    AgreementPlanItem,
    DevelopmentPlan,
    DevelopmentPlanItem,
    EventInvitation,
    EventParticipant,
    MethodicalEvent,
    PlanItemStatus,
    Practice,
    PracticeDownload,
    PracticeFile,
    SessionEvidence,
    SupportSession,
    Teacher,
    TeacherDeficit,
    TutorAssignment,
    TutoringSession,
    TutorProfile,
    month_label,
)


class PartnershipError(Exception):
    """Input or a step the rules refuse; `errors` maps a form field (None: the whole form) to Russian messages."""

    def __init__(self, message: str | None = None, *, field: str | None = None, errors: dict | None = None):
        self.errors: dict[str | None, list[str]] = {}
        if errors:
            for key, messages in errors.items():
                self.errors.setdefault(key, []).extend(messages if isinstance(messages, list) else [messages])
        if message:
            self.errors.setdefault(field, []).append(message)
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages))

    @classmethod
    def from_validation(cls, exc: ValidationError) -> "PartnershipError":
        if hasattr(exc, "error_dict"):
            return cls(
                errors={None if key == "__all__" else key: list(messages) for key, messages in exc.message_dict.items()}
            )
        return cls(errors={None: list(exc.messages)})


class StaleEdit(PartnershipError):
    """Somebody saved the row after the user opened the form: the save is refused, nothing is merged."""


def _require_unchanged(obj, seen: int | None) -> None:
    if message := stale_message(obj, seen):
        raise StaleEdit(message)


def _stamp(obj, actor, reason: str | None = None):
    """Name the actor (and the reason) in the history record the next save writes."""
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    return obj


def _clean(obj, *, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise PartnershipError.from_validation(exc) from exc


def _delete_files_on_commit(names) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _file_kind(file, *, field: str):
    try:
        return evidence_sniff(file)
    except EvidenceRefused as exc:
        raise PartnershipError(str(exc), field=field) from exc


def _original_name(file) -> str:
    return (getattr(file, "name", "") or "документ").replace("\\", "/").rsplit("/", 1)[-1][:300]


def _save_stored_file(obj, file, kind, actor) -> None:
    """Write the file under a random name, then the row; if the row fails, the written file is removed."""
    obj.original_name = _original_name(file)
    obj.content_type = kind.content_type
    obj.size = file.size
    obj.uploaded_by = actor
    obj.file.save(f"file{kind.suffix}", file, save=False)
    try:
        _stamp(obj, actor).save()
    except Exception:
        obj.file.storage.delete(obj.file.name)
        raise


# --- agreements ---------------------------------------------------------------------------------------------------

AGREEMENT_FIELDS = [
    "number",
    "signed_on",
    "starts_on",
    "ends_on",
    "curator_school",
    "supported_school",
    "subject",
    "form_consulting",
    "form_methodical",
    "form_organisational",
    "form_resource",
]
NOT_MANAGER = (
    "Договор готовят и изменяют управление образования и координатор муниципалитета сопровождаемой школы."
)


def _check_agreement(agreement: Agreement, actor) -> None:
    _clean(agreement, exclude=["scan", "status", "created_by"])
    allowed = agreement_schools(actor)
    if not allowed.filter(pk=agreement.curator_school_id).exists():
        raise PartnershipError("Эту школу вы не можете выбрать: она вне вашего муниципалитета.", field="curator_school")
    if not allowed.filter(pk=agreement.supported_school_id).exists():
        raise PartnershipError("Эту школу вы не можете выбрать: она вне вашего муниципалитета.", field="supported_school")
    duplicate = (
        Agreement.objects.overlapping(
            curator_school_id=agreement.curator_school_id,
            supported_school_id=agreement.supported_school_id,
            starts_on=agreement.starts_on,
            ends_on=agreement.ends_on,
        )
        .exclude(pk=agreement.pk)
        .order_by("starts_on")
        .first()
    )
    if duplicate:
        raise PartnershipError(
            f"У этих школ уже есть договор на пересекающийся срок: {duplicate.title.lower()} "
            f"({duplicate.starts_on:%d.%m.%Y}–{duplicate.ends_on:%d.%m.%Y}, {duplicate.state_label}). "
            "Измените срок или откройте существующий договор.",
            field="starts_on",
        )
    if agreement.pk:
        outside = (
            agreement.sessions.exclude(held_on__range=(agreement.starts_on, agreement.ends_on))
            .order_by("held_on")
            .first()
        )
        if outside:
            raise PartnershipError(
                f"По договору уже проведено занятие {outside.held_on:%d.%m.%Y} — новый срок должен его включать.",
                field="starts_on" if outside.held_on < agreement.starts_on else "ends_on",
            )


@transaction.atomic
def agreement_create(*, actor, **fields) -> Agreement:
    """A draft agreement between a curator school and a supported school."""
    require(can_create_agreement(actor), NOT_MANAGER)
    agreement = Agreement(created_by=actor, status=Agreement.Status.DRAFT)
    for name in AGREEMENT_FIELDS:
        if name in fields:
            setattr(agreement, name, fields[name])
    _check_agreement(agreement, actor)
    _stamp(agreement, actor, "создан проект договора").save()
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, actor, seen: int | None = None, **fields) -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("supported_school").get(pk=agreement.pk)
    _require_unchanged(agreement, seen)
    require(can_manage_agreement(actor, agreement), NOT_MANAGER)
    if not agreement.is_open:
        raise PartnershipError(
            f"Договор {agreement.get_status_display()}: изменить его нельзя. Для нового срока заключите новый договор."
        )
    schools_before = (agreement.curator_school_id, agreement.supported_school_id)
    for name in AGREEMENT_FIELDS:
        if name in fields:
            setattr(agreement, name, fields[name])
    if (agreement.curator_school_id, agreement.supported_school_id) != schools_before and agreement.sessions.exists():
        raise PartnershipError("По договору уже записаны занятия: школы в нём заменить нельзя.")
    _check_agreement(agreement, actor)
    outside = [item for item in agreement.plan_items.all() if _plan_date_error(agreement, item)]
    if outside:
        raise PartnershipError(
            f"В плане совместных мероприятий есть пункт вне нового срока ({outside[0].when_label}): "
            "сначала перенесите или удалите его.",
            field="ends_on",
        )
    _stamp(agreement, actor, "договор изменён").save()
    return agreement


@transaction.atomic
def agreement_activate(*, agreement: Agreement, actor) -> Agreement:
    """The agreement is signed: from now on (within its term) the curator school reaches the supported school."""
    agreement = Agreement.objects.select_for_update().select_related("supported_school").get(pk=agreement.pk)
    require(can_manage_agreement(actor, agreement), NOT_MANAGER)
    if agreement.status != Agreement.Status.DRAFT:
        raise PartnershipError(f"Подписанным отмечают только проект договора; этот договор {agreement.state_label}.")
    if not agreement.number or not agreement.signed_on:
        raise PartnershipError("Чтобы отметить договор подписанным, укажите его номер и дату.")
    if agreement.ends_on < timezone.localdate():
        raise PartnershipError("Срок договора уже закончился: измените срок или заключите новый договор.")
    _check_agreement(agreement, actor)
    agreement.status = Agreement.Status.ACTIVE
    _stamp(agreement, actor, "договор подписан").save()
    notify(
        kind=notice_kinds.AGREEMENT_ACTIVATED,
        recipients=notice_recipients.agreement_parties(agreement),
        target=agreement,
        title=f"Договор о сотрудничестве № {agreement.number}: {agreement.curator_school} — "
        f"{agreement.supported_school} вступил в силу",
        body=f"Срок договора: {agreement.starts_on:%d.%m.%Y} — {agreement.ends_on:%d.%m.%Y}.",
        actor=actor,
    )
    return agreement


@transaction.atomic
def agreement_finish(*, agreement: Agreement, actor) -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("supported_school").get(pk=agreement.pk)
    require(can_manage_agreement(actor, agreement), NOT_MANAGER)
    if agreement.status != Agreement.Status.ACTIVE:
        raise PartnershipError("Завершить можно только действующий договор.")
    agreement.status = Agreement.Status.FINISHED
    agreement.closed_on = timezone.localdate()
    _stamp(agreement, actor, "договор завершён").save()
    return agreement


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, actor, reason: str) -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("supported_school").get(pk=agreement.pk)
    require(can_manage_agreement(actor, agreement), NOT_MANAGER)
    if not agreement.is_open:
        raise PartnershipError(f"Договор уже {agreement.get_status_display()}.")
    reason = (reason or "").strip()
    if not reason:
        raise PartnershipError("Укажите причину расторжения.", field="reason")
    agreement.status = Agreement.Status.TERMINATED
    agreement.closed_on = timezone.localdate()
    agreement.termination_reason = reason
    _stamp(agreement, actor, "договор расторгнут").save()
    return agreement


@transaction.atomic
def agreement_scan_upload(*, agreement: Agreement, actor, file) -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("supported_school").get(pk=agreement.pk)
    require(can_manage_agreement(actor, agreement), NOT_MANAGER)
    kind = _file_kind(file, field="file")
    old = agreement.scan.name if agreement.scan else ""
    agreement.scan_name = _original_name(file)
    agreement.scan_content_type = kind.content_type
    agreement.scan_size = file.size
    agreement.scan.save(f"scan{kind.suffix}", file, save=False)
    try:
        _stamp(agreement, actor, "загружен скан договора").save()
    except Exception:
        agreement.scan.storage.delete(agreement.scan.name)
        raise
    _delete_files_on_commit([old])
    return agreement


def _plan_date_error(agreement: Agreement, item: AgreementPlanItem) -> str | None:
    if item.month_only:
        first = item.planned_on.replace(day=1)
        next_month = (first + datetime.timedelta(days=32)).replace(day=1)
        if next_month <= agreement.starts_on or first > agreement.ends_on:
            return (
                f"Месяц «{month_label(first)}» вне срока договора: он действует с {agreement.starts_on:%d.%m.%Y} "
                f"по {agreement.ends_on:%d.%m.%Y}."
            )
        return None
    return agreement.term_error(item.planned_on)


PLAN_FIELDS = ["planned_on", "month_only", "format", "topic", "risk_factor"]


def _save_plan_item(item: AgreementPlanItem, actor, fields: dict) -> AgreementPlanItem:
    agreement = item.agreement
    require(can_manage_agreement(actor, agreement), NOT_MANAGER)
    if not agreement.is_open:
        raise PartnershipError(f"Договор {agreement.get_status_display()}: план больше не меняется.")
    for name in PLAN_FIELDS:
        if name in fields:
            setattr(item, name, fields[name])
    _clean(item, exclude=["agreement"])
    if error := _plan_date_error(agreement, item):
        raise PartnershipError(error, field="planned_on")
    _stamp(item, actor).save()
    return item


@transaction.atomic
def plan_item_add(*, agreement: Agreement, actor, **fields) -> AgreementPlanItem:
    agreement = Agreement.objects.select_for_update().select_related("supported_school").get(pk=agreement.pk)
    return _save_plan_item(AgreementPlanItem(agreement=agreement), actor, fields)


@transaction.atomic
def plan_item_update(*, item: AgreementPlanItem, actor, seen: int | None = None, **fields) -> AgreementPlanItem:
    item = (
        AgreementPlanItem.objects.select_for_update(of=("self",))
        .select_related("agreement__supported_school")
        .get(pk=item.pk)
    )
    _require_unchanged(item, seen)
    return _save_plan_item(item, actor, fields)


@transaction.atomic
def plan_item_delete(*, item: AgreementPlanItem, actor) -> None:
    item = AgreementPlanItem.objects.select_related("agreement__supported_school").get(pk=item.pk)
    require(can_manage_agreement(actor, item.agreement), NOT_MANAGER)
    if not item.agreement.is_open:
        raise PartnershipError(f"Договор {item.agreement.get_status_display()}: план больше не меняется.")
    _stamp(item, actor).delete()


# --- support sessions ---------------------------------------------------------------------------------------------

SESSION_FIELDS = [
    "plan_item",
    "held_on",
    "format",
    "topic",
    "risk_factor",
    "teachers_count",
    "managers_count",
    "hours",
    "outcome",
]
NOT_CURATOR = "Занятия по договору записывает школа-куратор, пока договор действует."
NOT_SUPPORTED_TEAM = "Подтверждает или оспаривает занятие управленческая команда сопровождаемой школы."


def _check_session(session: SupportSession) -> None:
    agreement = session.agreement
    _clean(session, exclude=["agreement", "status", "logged_by", "reviewed_by"])
    if error := agreement.term_error(session.held_on):
        raise PartnershipError(error, field="held_on")
    if session.held_on > timezone.localdate():
        raise PartnershipError(
            "Дата занятия ещё не наступила: записывают проведённые занятия, а будущие вносят в план договора.",
            field="held_on",
        )
    if session.teachers_count + session.managers_count < 1:
        raise PartnershipError("Укажите, сколько педагогов и руководителей участвовало.", field="teachers_count")
    if session.plan_item_id and session.plan_item.agreement_id != agreement.pk:
        raise PartnershipError("Этот пункт плана относится к другому договору.", field="plan_item")


@transaction.atomic
def session_log(*, agreement: Agreement, actor, **fields) -> SupportSession:
    """The curator school records a session it held; it waits for the supported school's confirmation."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require(can_log_session(actor, agreement), NOT_CURATOR)
    session = SupportSession(agreement=agreement, logged_by=actor, status=SupportSession.Status.PENDING)
    for name in SESSION_FIELDS:
        if name in fields:
            setattr(session, name, fields[name])
    _check_session(session)
    _stamp(session, actor, "занятие записано").save()
    notify(
        kind=notice_kinds.SESSION_LOGGED,
        recipients=notice_recipients.session_confirmers(session),
        target=session,
        title=f"Занятие {session.held_on:%d.%m.%Y} «{session.topic}» ждёт подтверждения",
        body=f"{agreement.curator_school} отметила занятие по договору № {agreement.number}: "
        "подтвердите его или оспорьте с комментарием.",
        actor=actor,
    )
    return session


def _locked_session(session: SupportSession) -> SupportSession:
    return (
        SupportSession.objects.select_for_update()
        .select_related("agreement__supported_school", "agreement__curator_school")
        .get(pk=session.pk)
    )


def _require_pending_for_curator(session: SupportSession, actor) -> None:
    require(can_log_session(actor, session.agreement), NOT_CURATOR)
    if session.status != SupportSession.Status.PENDING:
        who = "подтвердила" if session.status == SupportSession.Status.CONFIRMED else "оспорила"
        raise PartnershipError(
            f"Сопровождаемая школа уже {who} это занятие — изменить его нельзя. "
            "Если нужно исправление, запишите новое занятие и сообщите координатору."
        )


@transaction.atomic
def session_update(*, session: SupportSession, actor, seen: int | None = None, **fields) -> SupportSession:
    """The curator corrects a session while it waits; a confirmed or disputed one stays as the school saw it."""
    session = _locked_session(session)
    _require_unchanged(session, seen)
    _require_pending_for_curator(session, actor)
    for name in SESSION_FIELDS:
        if name in fields:
            setattr(session, name, fields[name])
    _check_session(session)
    _stamp(session, actor, "занятие исправлено").save()
    return session


@transaction.atomic
def session_confirm(*, session: SupportSession, actor) -> SupportSession:
    session = _locked_session(session)
    require(can_review_session(actor, session), NOT_SUPPORTED_TEAM)
    if session.status != SupportSession.Status.PENDING:
        raise PartnershipError(f"Занятие уже {session.get_status_display()}: решение принято раньше.")
    session.status = SupportSession.Status.CONFIRMED
    session.reviewed_by = actor
    session.reviewed_at = timezone.now()
    session.dispute_comment = ""
    _stamp(session, actor, "занятие подтверждено школой").save()
    notify(
        kind=notice_kinds.SESSION_CONFIRMED,
        recipients=notice_recipients.session_curators(session),
        target=session,
        title=f"{session.agreement.supported_school}: занятие {session.held_on:%d.%m.%Y} «{session.topic}» подтверждено",
        actor=actor,
    )
    return session


@transaction.atomic
def session_dispute(*, session: SupportSession, actor, comment: str) -> SupportSession:
    session = _locked_session(session)
    require(can_review_session(actor, session), NOT_SUPPORTED_TEAM)
    comment = (comment or "").strip()
    if not comment:
        raise PartnershipError("Напишите, что не так с записью о занятии: без комментария оспорить нельзя.", field="comment")
    if session.status != SupportSession.Status.PENDING:
        raise PartnershipError(f"Занятие уже {session.get_status_display()}: решение принято раньше.")
    session.status = SupportSession.Status.DISPUTED
    session.reviewed_by = actor
    session.reviewed_at = timezone.now()
    session.dispute_comment = comment[:4000]
    _stamp(session, actor, "занятие оспорено школой").save()
    notify(
        kind=notice_kinds.SESSION_DISPUTED,
        recipients=notice_recipients.session_curators(session)
        | notice_recipients.coordinators_of(session.agreement.supported_school.municipality_id),
        target=session,
        title=f"{session.agreement.supported_school}: занятие {session.held_on:%d.%m.%Y} «{session.topic}» оспорено",
        body=f"Комментарий школы: {session.dispute_comment}",
        actor=actor,
    )
    return session


@transaction.atomic
def session_evidence_add(*, session: SupportSession, actor, file) -> SessionEvidence:
    session = _locked_session(session)
    _require_pending_for_curator(session, actor)
    kind = _file_kind(file, field="file")
    evidence = SessionEvidence(session=session)
    _save_stored_file(evidence, file, kind, actor)
    return evidence


@transaction.atomic
def session_evidence_delete(*, evidence: SessionEvidence, actor) -> None:
    evidence = SessionEvidence.objects.select_related("session").get(pk=evidence.pk)
    session = _locked_session(evidence.session)
    _require_pending_for_curator(session, actor)
    name = evidence.file.name
    _stamp(evidence, actor).delete()
    _delete_files_on_commit([name])


# --- teachers, tutors, deficits, plans ----------------------------------------------------------------------------

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
    _clean(teacher, exclude=["created_by"])
    _stamp(teacher, actor).save()
    return teacher


@transaction.atomic
def teacher_update(*, teacher: Teacher, actor, seen: int | None = None, **fields) -> Teacher:
    teacher = Teacher.objects.select_for_update().select_related("school").get(pk=teacher.pk)
    _require_unchanged(teacher, seen)
    require(can_edit_teacher(actor, teacher), NOT_TEACHER_KEEPER)
    for name in TEACHER_FIELDS:
        if name in fields:
            setattr(teacher, name, fields[name])
    teacher.full_name = " ".join((teacher.full_name or "").split())
    _clean(teacher, exclude=["created_by"])
    _stamp(teacher, actor).save()
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
    _stamp(assignment, actor).save()
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
        _stamp(assignment, actor, "закрепление отменено").delete()
        return
    if assignment.ends_on is not None and assignment.ends_on < today:
        raise PartnershipError("Закрепление уже закончилось.")
    assignment.ends_on = today - datetime.timedelta(days=1)
    _stamp(assignment, actor, "закрепление закончено").save()


def _require_development_keeper(actor, teacher: Teacher) -> None:
    require(can_keep_development(actor, teacher), NOT_DEVELOPMENT_KEEPER)


DEFICIT_FIELDS = ["area", "level", "diagnosed_on", "source", "note", "resolved_on"]


def _save_deficit(deficit: TeacherDeficit, actor, fields) -> TeacherDeficit:
    _require_development_keeper(actor, deficit.teacher)
    for name in DEFICIT_FIELDS:
        if name in fields:
            setattr(deficit, name, fields[name])
    _clean(deficit, exclude=["teacher"])
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
    _stamp(deficit, actor).save()
    return deficit


@transaction.atomic
def deficit_add(*, teacher: Teacher, actor, **fields) -> TeacherDeficit:
    teacher = Teacher.objects.select_related("school").get(pk=teacher.pk)
    return _save_deficit(TeacherDeficit(teacher=teacher), actor, fields)


@transaction.atomic
def deficit_update(*, deficit: TeacherDeficit, actor, seen: int | None = None, **fields) -> TeacherDeficit:
    deficit = TeacherDeficit.objects.select_for_update().select_related("teacher__school").get(pk=deficit.pk)
    _require_unchanged(deficit, seen)
    return _save_deficit(deficit, actor, fields)


PLAN_TERM_FIELDS = ["year", "starts_on", "ends_on", "goal", "status", "tutor"]


def _save_plan(plan: DevelopmentPlan, actor, fields) -> DevelopmentPlan:
    _require_development_keeper(actor, plan.teacher)
    for name in PLAN_TERM_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    _clean(plan, exclude=["teacher", "created_by"])
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
    _stamp(plan, actor).save()
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
    _require_unchanged(plan, seen)
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
    _clean(item, exclude=["plan"])
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
    _stamp(item, actor).save()
    return item


@transaction.atomic
def ipr_item_add(*, plan: DevelopmentPlan, actor, **fields) -> DevelopmentPlanItem:
    plan = DevelopmentPlan.objects.select_related("teacher__school").get(pk=plan.pk)
    return _save_ipr_item(DevelopmentPlanItem(plan=plan), actor, fields)


@transaction.atomic
def ipr_item_update(*, item: DevelopmentPlanItem, actor, seen: int | None = None, **fields) -> DevelopmentPlanItem:
    item = DevelopmentPlanItem.objects.select_for_update().select_related("plan__teacher__school").get(pk=item.pk)
    _require_unchanged(item, seen)
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
    _clean(session, exclude=["teacher", "tutor"])
    if session.held_on > timezone.localdate():
        raise PartnershipError("Дата занятия ещё не наступила.", field="held_on")
    _stamp(session, actor).save()
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
    _clean(profile, exclude=["user", "municipality"])
    _stamp(profile, actor).save()
    profile.subjects.set(subjects)
    return profile


# --- practices ----------------------------------------------------------------------------------------------------

PRACTICE_FIELDS = ["title", "description"]
NOT_AUTHOR = "Практику изменяют школа-автор, координатор её муниципалитета и управление образования."
LOCKED_PRACTICE = "Практика на модерации или опубликована: изменить её нельзя, пока модератор не вернёт её на доработку."


@transaction.atomic
def practice_create(*, actor, school, title, description, subjects=(), risk_factors=()) -> Practice:
    require(can_add_practice(actor), NOT_AUTHOR)
    if not practice_schools(actor).filter(pk=getattr(school, "pk", None)).exists():
        raise PartnershipError("От имени этой школы вы публиковать не можете.", field="school")
    practice = Practice(school=school, title=title.strip(), description=description.strip(), created_by=actor)
    _clean(practice, exclude=["created_by", "moderated_by"])
    _stamp(practice, actor).save()
    practice.subjects.set(subjects)
    practice.risk_factors.set(risk_factors)
    return practice


def _locked_practice(practice: Practice) -> Practice:
    return Practice.objects.select_for_update().select_related("school").get(pk=practice.pk)


def _require_practice_author(actor, practice: Practice) -> None:
    require(can_author_practice(actor, practice), NOT_AUTHOR)
    if not practice.is_editable:
        raise PartnershipError(LOCKED_PRACTICE)


@transaction.atomic
def practice_update(
    *, practice: Practice, actor, title, description, subjects=(), risk_factors=(), seen: int | None = None
) -> Practice:
    practice = _locked_practice(practice)
    _require_unchanged(practice, seen)
    _require_practice_author(actor, practice)
    practice.title = title.strip()
    practice.description = description.strip()
    _clean(practice, exclude=["created_by", "moderated_by"])
    _stamp(practice, actor).save()
    practice.subjects.set(subjects)
    practice.risk_factors.set(risk_factors)
    return practice


@transaction.atomic
def practice_file_add(*, practice: Practice, actor, file) -> PracticeFile:
    practice = _locked_practice(practice)
    _require_practice_author(actor, practice)
    kind = _file_kind(file, field="file")
    stored = PracticeFile(practice=practice)
    _save_stored_file(stored, file, kind, actor)
    return stored


@transaction.atomic
def practice_file_delete(*, stored: PracticeFile, actor) -> None:
    stored = PracticeFile.objects.get(pk=stored.pk)
    practice = _locked_practice(stored.practice)
    _require_practice_author(actor, practice)
    name = stored.file.name
    _stamp(stored, actor).delete()
    _delete_files_on_commit([name])


@transaction.atomic
def practice_submit(*, practice: Practice, actor) -> Practice:
    practice = _locked_practice(practice)
    _require_practice_author(actor, practice)
    if not practice.files.exists():
        raise PartnershipError("Приложите хотя бы один файл с материалами практики, затем отправьте на модерацию.")
    practice.status = Practice.Status.SUBMITTED
    practice.submitted_at = timezone.now()
    _stamp(practice, actor, "отправлена на модерацию").save()
    notify(
        kind=notice_kinds.PRACTICE_SUBMITTED,
        recipients=notice_recipients.practice_moderators(practice),
        target=practice,
        title=f"{practice.school}: практика «{practice.title}» ждёт модерации",
        body="Проверьте материалы: опубликуйте практику в банке или верните автору с замечаниями.",
        actor=actor,
    )
    return practice


@transaction.atomic
def practice_publish(*, practice: Practice, actor) -> Practice:
    practice = _locked_practice(practice)
    require(can_moderate_practice(actor, practice), "Практики проверяет координатор муниципалитета школы-автора.")
    if practice.status != Practice.Status.SUBMITTED:
        raise PartnershipError("Опубликовать можно только практику, отправленную на модерацию.")
    practice.status = Practice.Status.PUBLISHED
    practice.moderated_by = actor
    practice.moderated_at = practice.published_at = timezone.now()
    practice.moderation_comment = ""
    _stamp(practice, actor, "опубликована").save()
    notify(
        kind=notice_kinds.PRACTICE_PUBLISHED,
        recipients=notice_recipients.practice_authors(practice),
        target=practice,
        title=f"Практика «{practice.title}» опубликована в банке практик",
        actor=actor,
    )
    return practice


@transaction.atomic
def practice_return(*, practice: Practice, actor, comment: str) -> Practice:
    """Back to the author with remarks: from moderation, or a published practice withdrawn from the bank."""
    practice = _locked_practice(practice)
    require(can_moderate_practice(actor, practice), "Практики проверяет координатор муниципалитета школы-автора.")
    comment = (comment or "").strip()
    if not comment:
        raise PartnershipError("Напишите замечания: автор должен понять, что исправить.", field="comment")
    if practice.status not in (Practice.Status.SUBMITTED, Practice.Status.PUBLISHED):
        raise PartnershipError("Вернуть можно практику на модерации или опубликованную.")
    practice.status = Practice.Status.RETURNED
    practice.moderated_by = actor
    practice.moderated_at = timezone.now()
    practice.published_at = None
    practice.moderation_comment = comment[:4000]
    _stamp(practice, actor, "возвращена на доработку").save()
    notify(
        kind=notice_kinds.PRACTICE_RETURNED,
        recipients=notice_recipients.practice_authors(practice),
        target=practice,
        title=f"Практика «{practice.title}» возвращена на доработку",
        body=f"Замечания координатора: {practice.moderation_comment}",
        actor=actor,
    )
    return practice


def practice_download_record(*, stored: PracticeFile, actor) -> None:
    """Count a download of a published practice (seed 001 measures them); drafts read by moderators do not count."""
    with transaction.atomic():
        counted = Practice.objects.filter(pk=stored.practice_id, status=Practice.Status.PUBLISHED).update(
            download_count=F("download_count") + 1
        )
        if counted:
            PracticeDownload.objects.create(practice_id=stored.practice_id, file=stored, user=actor)


# --- events -------------------------------------------------------------------------------------------------------

EVENT_FIELDS = ["title", "format", "held_on", "starts_at", "municipality", "organiser", "place", "description", "is_cancelled"]
NOT_ORGANISER = "Мероприятие ведут его организаторы: координатор муниципалитета или управление образования."


def _save_event(event: MethodicalEvent, actor, fields, schools) -> MethodicalEvent:
    for name in EVENT_FIELDS:
        if name in fields:
            setattr(event, name, fields[name])
    if not can_manage_event(actor, event):
        if event.municipality_id is None and coordinator_municipality_ids(actor):
            raise PartnershipError("Региональные мероприятия проводит управление: выберите свой муниципалитет.", field="municipality")
        require(False, NOT_ORGANISER)
    _clean(event, exclude=["created_by"])
    allowed = set(event_schools(actor, event.municipality_id).values_list("pk", flat=True))
    chosen = {school.pk for school in schools}
    if chosen - allowed:
        raise PartnershipError("Пригласить можно только школы муниципалитета мероприятия.", field="schools")
    _stamp(event, actor).save()
    existing = {inv.school_id: inv for inv in event.invitations.all()}
    for school_id in chosen - set(existing):
        _stamp(EventInvitation(event=event, school_id=school_id), actor).save()
    for school_id in set(existing) - chosen:
        invitation = existing[school_id]
        if invitation.attended or invitation.participants.exists():
            raise PartnershipError(
                f"Школа «{invitation.school}» уже отмечена участницей — снимите отметку участия, затем исключите её.",
                field="schools",
            )
        _stamp(invitation, actor).delete()
    return event


@transaction.atomic
def event_create(*, actor, schools=(), **fields) -> MethodicalEvent:
    require(can_create_event(actor), NOT_ORGANISER)
    return _save_event(MethodicalEvent(created_by=actor), actor, fields, schools)


@transaction.atomic
def event_update(
    *, event: MethodicalEvent, actor, schools=(), seen: int | None = None, **fields
) -> MethodicalEvent:
    event = MethodicalEvent.objects.select_for_update().get(pk=event.pk)
    _require_unchanged(event, seen)
    require(can_manage_event(actor, event), NOT_ORGANISER)
    return _save_event(event, actor, fields, schools)


def parse_participants(text: str) -> list[tuple[str, str]]:
    """«Иванова И. И. — учитель математики» per line → [(name, position)]."""
    people = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        for separator in (" — ", " - ", " – ", ";", ","):
            if separator in line:
                name, position = line.split(separator, 1)
                break
        else:
            name, position = line, ""
        people.append((name.strip()[:200], position.strip()[:200]))
    return people


@transaction.atomic
def event_attendance_save(*, event: MethodicalEvent, actor, marks: dict[int, tuple[bool | None, str]]) -> int:
    """Mark attendance per invited school: {invitation id: (attended, participants one per line)}.

    Returns the number of schools marked as attending. A school with participants listed attended, whatever the
    checkbox says; a school marked absent keeps no participants.
    """
    event = MethodicalEvent.objects.select_for_update().get(pk=event.pk)
    require(can_manage_event(actor, event), NOT_ORGANISER)
    if event.held_on > timezone.localdate():
        raise PartnershipError("Мероприятие ещё не прошло: участие отмечают после него.")
    invitations = {inv.pk: inv for inv in event.invitations.select_for_update()}
    unknown = set(marks) - set(invitations)
    if unknown:
        raise PartnershipError("В отметках есть школа, не приглашённая на это мероприятие.")
    attending = 0
    for pk, (attended, text) in marks.items():
        invitation = invitations[pk]
        people = parse_participants(text)
        if people:
            attended = True
        invitation.attended = attended
        _stamp(invitation, actor).save()
        invitation.participants.all().delete()
        if attended:
            attending += 1
            for name, position in people:
                _stamp(EventParticipant(invitation=invitation, full_name=name, position=position), actor).save()
    return attending

