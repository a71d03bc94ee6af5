"""Writes to curator agreements, their plans of joint sessions, and the sessions the curator logs under them."""

import datetime

from django.db import transaction
from django.utils import timezone

from notifications import kinds as notice_kinds
from notifications import recipients as notice_recipients
from notifications.services import notify

from ..access import (
    agreement_organisations,
    agreement_schools,
    can_create_agreement,
    can_log_session,
    can_manage_agreement,
    can_review_session,
    require,
)
from ..models import Agreement, AgreementPlanItem, SessionEvidence, SupportSession, month_label
from .common import (
    PartnershipError,
    delete_files_on_commit,
    file_kind,
    full_clean,
    original_name,
    require_unchanged,
    save_stored_file,
    stamp,
)

AGREEMENT_FIELDS = [
    "number",
    "signed_on",
    "starts_on",
    "ends_on",
    "curator_school",
    "curator_organisation",
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
    full_clean(agreement, exclude=["scan", "status", "created_by"])
    allowed = agreement_schools(actor)
    if agreement.curator_school_id and not allowed.filter(pk=agreement.curator_school_id).exists():
        raise PartnershipError("Эту школу вы не можете выбрать: она вне вашего муниципалитета.", field="curator_school")
    if (
        agreement.curator_organisation_id
        and not agreement_organisations(actor).filter(pk=agreement.curator_organisation_id).exists()
    ):
        raise PartnershipError(
            "Эту организацию вы не можете выбрать: её нет среди действующих организаций реестра вашей территории.",
            field="curator_organisation",
        )
    if not allowed.filter(pk=agreement.supported_school_id).exists():
        raise PartnershipError("Эту школу вы не можете выбрать: она вне вашего муниципалитета.", field="supported_school")
    duplicate = (
        Agreement.objects.overlapping(
            curator_school_id=agreement.curator_school_id,
            curator_organisation_id=agreement.curator_organisation_id,
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
            f"У этих сторон уже есть договор на пересекающийся срок: {duplicate.title.lower()} "
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


def _parties(agreement: Agreement) -> tuple:
    return agreement.curator_school_id, agreement.curator_organisation_id, agreement.supported_school_id


@transaction.atomic
def agreement_create(*, actor, **fields) -> Agreement:
    """A draft agreement between a curator school and a supported school."""
    require(can_create_agreement(actor), NOT_MANAGER)
    agreement = Agreement(created_by=actor, status=Agreement.Status.DRAFT)
    for name in AGREEMENT_FIELDS:
        if name in fields:
            setattr(agreement, name, fields[name])
    _check_agreement(agreement, actor)
    stamp(agreement, actor, "создан проект договора").save()
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, actor, seen: int | None = None, **fields) -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("supported_school").get(pk=agreement.pk)
    require_unchanged(agreement, seen)
    require(can_manage_agreement(actor, agreement), NOT_MANAGER)
    if not agreement.is_open:
        raise PartnershipError(
            f"Договор {agreement.get_status_display()}: изменить его нельзя. Для нового срока заключите новый договор."
        )
    parties_before = _parties(agreement)
    for name in AGREEMENT_FIELDS:
        if name in fields:
            setattr(agreement, name, fields[name])
    if _parties(agreement) != parties_before and agreement.sessions.exists():
        raise PartnershipError("По договору уже записаны занятия: стороны договора заменить нельзя.")
    _check_agreement(agreement, actor)
    outside = [item for item in agreement.plan_items.all() if _plan_date_error(agreement, item)]
    if outside:
        raise PartnershipError(
            f"В плане совместных мероприятий есть пункт вне нового срока ({outside[0].when_label}): "
            "сначала перенесите или удалите его.",
            field="ends_on",
        )
    stamp(agreement, actor, "договор изменён").save()
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
    stamp(agreement, actor, "договор подписан").save()
    notify(
        kind=notice_kinds.AGREEMENT_ACTIVATED,
        recipients=notice_recipients.agreement_parties(agreement),
        target=agreement,
        title=f"Договор о сотрудничестве № {agreement.number}: {agreement.curator} — "
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
    stamp(agreement, actor, "договор завершён").save()
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
    stamp(agreement, actor, "договор расторгнут").save()
    return agreement


@transaction.atomic
def agreement_scan_upload(*, agreement: Agreement, actor, file) -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("supported_school").get(pk=agreement.pk)
    require(can_manage_agreement(actor, agreement), NOT_MANAGER)
    kind = file_kind(file, field="file")
    old = agreement.scan.name if agreement.scan else ""
    agreement.scan_name = original_name(file)
    agreement.scan_content_type = kind.content_type
    agreement.scan_size = file.size
    agreement.scan.save(f"scan{kind.suffix}", file, save=False)
    try:
        stamp(agreement, actor, "загружен скан договора").save()
    except Exception:
        agreement.scan.storage.delete(agreement.scan.name)
        raise
    delete_files_on_commit([old])
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
    full_clean(item, exclude=["agreement"])
    if error := _plan_date_error(agreement, item):
        raise PartnershipError(error, field="planned_on")
    stamp(item, actor).save()
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
    require_unchanged(item, seen)
    return _save_plan_item(item, actor, fields)


@transaction.atomic
def plan_item_delete(*, item: AgreementPlanItem, actor) -> None:
    item = AgreementPlanItem.objects.select_related("agreement__supported_school").get(pk=item.pk)
    require(can_manage_agreement(actor, item.agreement), NOT_MANAGER)
    if not item.agreement.is_open:
        raise PartnershipError(f"Договор {item.agreement.get_status_display()}: план больше не меняется.")
    stamp(item, actor).delete()


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
NOT_CURATOR = "Занятия по договору записывает куратор — школа или организация, — пока договор действует."
NOT_SUPPORTED_TEAM = "Подтверждает или оспаривает занятие управленческая команда сопровождаемой школы."


def _check_session(session: SupportSession) -> None:
    agreement = session.agreement
    full_clean(session, exclude=["agreement", "status", "logged_by", "reviewed_by"])
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
    stamp(session, actor, "занятие записано").save()
    notify(
        kind=notice_kinds.SESSION_LOGGED,
        recipients=notice_recipients.session_confirmers(session),
        target=session,
        title=f"Занятие {session.held_on:%d.%m.%Y} «{session.topic}» ждёт подтверждения",
        body=f"{agreement.curator} отметила занятие по договору № {agreement.number}: "
        "подтвердите его или оспорьте с комментарием.",
        actor=actor,
    )
    return session


def _locked_session(session: SupportSession) -> SupportSession:
    return (
        SupportSession.objects.select_for_update(of=("self",))
        .select_related("agreement__supported_school", "agreement__curator_school", "agreement__curator_organisation")
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
    require_unchanged(session, seen)
    _require_pending_for_curator(session, actor)
    for name in SESSION_FIELDS:
        if name in fields:
            setattr(session, name, fields[name])
    _check_session(session)
    stamp(session, actor, "занятие исправлено").save()
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
    stamp(session, actor, "занятие подтверждено школой").save()
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
    stamp(session, actor, "занятие оспорено школой").save()
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
    kind = file_kind(file, field="file")
    evidence = SessionEvidence(session=session)
    save_stored_file(evidence, file, kind, actor)
    return evidence


@transaction.atomic
def session_evidence_delete(*, evidence: SessionEvidence, actor) -> None:
    evidence = SessionEvidence.objects.select_related("session").get(pk=evidence.pk)
    session = _locked_session(evidence.session)
    _require_pending_for_curator(session, actor)
    name = evidence.file.name
    stamp(evidence, actor).delete()
    delete_files_on_commit([name])
