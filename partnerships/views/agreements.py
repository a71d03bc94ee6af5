"""Curator agreements, their plans and support sessions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from schools import services as school_services
from shnor_portal.paging import page_of

from .. import access, selectors
from ..agreement_print import signatories
from ..forms import AgreementForm, AgreementHeadsForm, FileForm, PlanItemForm, SessionForm, add_errors
from ..models import AgreementPlanItem
from ..services import agreements as agreement_services
from ..services.common import PartnershipError
from .common import export_response, file_response, form_page


def _agreements_crumb():
    return ("Договоры о сотрудничестве", reverse("partnerships:agreements"))


@login_required
def index(request):
    """The section's entry: each role lands where its work is."""
    return redirect(access.section_entry(request.user))


@login_required
def agreement_list(request):
    access.require(access.can_see_agreements(request.user), "Договоры о сотрудничестве доступны их сторонам, координатору и управлению.")
    agreement_filter, rows = selectors.agreement_list(user=request.user, data=request.GET)
    return render(
        request,
        "partnerships/agreement_list.html",
        {
            "filter": agreement_filter,
            "can_create": access.can_create_agreement(request.user),
            **page_of(request, rows),
        },
    )


@login_required
def agreement_export(request):
    access.require(access.can_see_agreements(request.user), "Договоры о сотрудничестве доступны их сторонам, координатору и управлению.")
    _filter, rows = selectors.agreement_list(user=request.user, data=request.GET)
    return export_response("agreements", rows, file_name=f"dogovory-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def agreement_create(request):
    access.require(access.can_create_agreement(request.user), agreement_services.NOT_MANAGER)
    form = AgreementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreement_services.agreement_create(actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Проект договора создан. Добавьте план совместных мероприятий.")
            return redirect("partnerships:agreement", agreement.pk)
    return form_page(
        request,
        form=form,
        title="Новый договор о сотрудничестве",
        crumbs=[_agreements_crumb(), ("Новый договор", None)],
        cancel_url=reverse("partnerships:agreements"),
        submit_label="Создать проект договора",
        intro="Договор создаётся как проект. Когда стороны его подпишут, укажите номер и дату и отметьте «подписан» — "
        "с этого дня школа-куратор сможет записывать занятия.",
    )


@login_required
def agreement_detail(request, pk):
    agreement = access.get_agreement_or_404(request.user, pk)
    user = request.user
    detail = selectors.agreement_detail(agreement=agreement)
    is_supported_team = access.is_supported_team(user, agreement)
    return render(
        request,
        "partnerships/agreement_detail.html",
        {
            "agreement": agreement,
            **detail,
            "can_manage": access.can_manage_agreement(user, agreement),
            "can_log": access.can_log_session(user, agreement),
            "can_review": is_supported_team,
        },
    )


@login_required
def agreement_edit(request, pk):
    agreement = access.get_agreement_or_404(request.user, pk)
    access.require(access.can_manage_agreement(request.user, agreement), agreement_services.NOT_MANAGER)
    form = AgreementForm(request.POST or None, instance=agreement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_services.agreement_update(agreement=agreement, actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Договор сохранён.")
            return redirect("partnerships:agreement", agreement.pk)
    elif request.method == "GET" and not agreement.is_open:
        messages.warning(request, f"Договор {agreement.get_status_display()}: изменить его нельзя.")
        return redirect("partnerships:agreement", agreement.pk)
    return form_page(
        request,
        form=form,
        title=f"Изменить: {agreement.title}",
        crumbs=[_agreements_crumb(), (agreement.title, reverse("partnerships:agreement", args=[agreement.pk])), ("Изменить", None)],
        cancel_url=reverse("partnerships:agreement", args=[agreement.pk]),
    )


@login_required
def agreement_print(request, pk):
    """The printable agreement; a head's name missing from the registry is asked for first, never printed blank."""
    agreement = access.get_agreement_or_404(request.user, pk)
    parties = signatories(agreement, request.GET if request.method == "GET" else None)
    if request.method == "POST" or any(not party.name for party in parties):
        return _ask_heads(request, agreement, [party for party in parties if not party.name])
    return render(
        request,
        "partnerships/agreement_print.html",
        {
            "agreement": agreement,
            "plan_items": list(agreement.plan_items.select_related("risk_factor").order_by("planned_on", "pk")),
            "curator": parties[0],
            "school": parties[1],
            "parties": parties,
            "curator_term": parties[0].role,
            "territory": f"{agreement.supported_school.municipality.name}, {agreement.supported_school.municipality.region.name}",
        },
    )


def _ask_heads(request, agreement, missing):
    """Ask for the missing heads' names; save those the user keeps in the registry, pass the others to the print."""
    print_url = reverse("partnerships:agreement_print", args=[agreement.pk])
    if not missing:
        return redirect(print_url)
    missing = [(party, access.can_save_party_head(request.user, party.party)) for party in missing]
    form = AgreementHeadsForm(request.POST or None, missing=missing)
    if request.method == "POST" and form.is_valid():
        entered = {}
        for party, may_save in missing:
            name = form.cleaned_data[party.key]
            if may_save and form.cleaned_data.get(f"{party.key}_save"):
                try:
                    school_services.party_head_set(party=party.party, name=name, actor=request.user)
                except school_services.HeadRefused as refusal:
                    form.add_error(party.key, str(refusal))
                continue
            entered[party.key] = name
        if not form.errors:
            return redirect(f"{print_url}?{urlencode(entered)}" if entered else print_url)
    return form_page(
        request, form=form, title="Кто подписывает договор",
        intro="В реестре не указан руководитель стороны договора. Впишите ФИО — иначе в договоре останется пропуск.",
        crumbs=[_agreements_crumb(), (agreement.title, reverse("partnerships:agreement", args=[agreement.pk])),
                ("Печать", None)],
        cancel_url=reverse("partnerships:agreement", args=[agreement.pk]), submit_label="Перейти к печати",
    )


AGREEMENT_ACTIONS = {
    "activate": (agreement_services.agreement_activate, "Договор отмечен подписанным и действует."),
    "finish": (agreement_services.agreement_finish, "Договор завершён. Куратор больше не видит сопровождаемую школу."),
}


@login_required
@require_POST
def agreement_action(request, pk, action):
    agreement = access.get_agreement_or_404(request.user, pk)
    access.require(access.can_manage_agreement(request.user, agreement), agreement_services.NOT_MANAGER)
    try:
        if action == "terminate":
            agreement_services.agreement_terminate(agreement=agreement, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "Договор расторгнут. Куратор больше не видит сопровождаемую школу.")
        elif action in AGREEMENT_ACTIONS:
            service, done = AGREEMENT_ACTIONS[action]
            service(agreement=agreement, actor=request.user)
            messages.success(request, done)
        else:
            return redirect("partnerships:agreement", agreement.pk)
    except PartnershipError as exc:
        messages.error(request, str(exc))
    return redirect("partnerships:agreement", agreement.pk)


@login_required
@require_POST
def agreement_scan_upload(request, pk):
    agreement = access.get_agreement_or_404(request.user, pk)
    access.require(access.can_manage_agreement(request.user, agreement), agreement_services.NOT_MANAGER)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            agreement_services.agreement_scan_upload(agreement=agreement, actor=request.user, file=form.cleaned_data["file"])
        except PartnershipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Скан подписанного договора загружен.")
    else:
        messages.error(request, " ".join(form.errors.get("file", ["Выберите файл."])))
    return redirect("partnerships:agreement", agreement.pk)


@login_required
def agreement_scan_download(request, pk):
    agreement = access.get_agreement_or_404(request.user, pk)
    return file_response(agreement.scan, name=agreement.scan_name, content_type=agreement.scan_content_type)


# --- the plan of joint sessions -----------------------------------------------------------------------------------


def _plan_item_or_404(user, pk) -> AgreementPlanItem:
    return get_object_or_404(
        AgreementPlanItem.objects.select_related(
            "agreement__supported_school", "agreement__curator_school", "agreement__curator_organisation"
        ).filter(
            agreement__in=access.visible_agreements(user)
        ),
        pk=pk,
    )


@login_required
def plan_item_create(request, pk):
    agreement = access.get_agreement_or_404(request.user, pk)
    access.require(access.can_manage_agreement(request.user, agreement), agreement_services.NOT_MANAGER)
    form = PlanItemForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_services.plan_item_add(agreement=agreement, actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Пункт плана добавлен.")
            return redirect(reverse("partnerships:agreement", args=[agreement.pk]) + "#plan")
    return form_page(
        request,
        form=form,
        title="Пункт плана совместных мероприятий",
        crumbs=[_agreements_crumb(), (agreement.title, reverse("partnerships:agreement", args=[agreement.pk])), ("Пункт плана", None)],
        cancel_url=reverse("partnerships:agreement", args=[agreement.pk]),
        intro=f"Срок договора: с {agreement.starts_on:%d.%m.%Y} по {agreement.ends_on:%d.%m.%Y}.",
    )


@login_required
def plan_item_edit(request, pk):
    item = _plan_item_or_404(request.user, pk)
    agreement = item.agreement
    access.require(access.can_manage_agreement(request.user, agreement), agreement_services.NOT_MANAGER)
    form = PlanItemForm(request.POST or None, instance=item, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_services.plan_item_update(item=item, actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Пункт плана сохранён.")
            return redirect(reverse("partnerships:agreement", args=[agreement.pk]) + "#plan")
    return form_page(
        request,
        form=form,
        title="Пункт плана совместных мероприятий",
        crumbs=[_agreements_crumb(), (agreement.title, reverse("partnerships:agreement", args=[agreement.pk])), ("Пункт плана", None)],
        cancel_url=reverse("partnerships:agreement", args=[agreement.pk]),
        intro=f"Срок договора: с {agreement.starts_on:%d.%m.%Y} по {agreement.ends_on:%d.%m.%Y}.",
    )


@login_required
@require_POST
def plan_item_delete(request, pk):
    item = _plan_item_or_404(request.user, pk)
    access.require(access.can_manage_agreement(request.user, item.agreement), agreement_services.NOT_MANAGER)
    try:
        agreement_services.plan_item_delete(item=item, actor=request.user)
    except PartnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Пункт плана удалён.")
    return redirect(reverse("partnerships:agreement", args=[item.agreement_id]) + "#plan")


# --- sessions -----------------------------------------------------------------------------------------------------


@login_required
def session_list(request):
    access.require(access.can_see_agreements(request.user), "Занятия по договорам доступны их сторонам, координатору и управлению.")
    session_filter, rows = selectors.session_list(user=request.user, data=request.GET)
    return render(request, "partnerships/session_list.html", {"filter": session_filter, **page_of(request, rows)})


@login_required
def session_export(request):
    access.require(access.can_see_agreements(request.user), "Занятия по договорам доступны их сторонам, координатору и управлению.")
    _filter, rows = selectors.session_list(user=request.user, data=request.GET)
    return export_response("sessions", rows, file_name=f"zanyatiya-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def session_create(request, pk):
    agreement = access.get_agreement_or_404(request.user, pk)
    access.require(access.can_log_session(request.user, agreement), agreement_services.NOT_CURATOR)
    initial = {}
    plan_item_id = request.GET.get("plan_item")
    if plan_item_id and plan_item_id.isdigit():
        item = agreement.plan_items.filter(pk=plan_item_id).first()
        if item:
            initial = {"plan_item": item.pk, "format": item.format, "topic": item.topic, "risk_factor": item.risk_factor_id}
            if not item.month_only and item.planned_on <= timezone.localdate():
                initial["held_on"] = item.planned_on  # the planned date, proposed as in the form's script
    form = SessionForm(request.POST or None, agreement=agreement, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = agreement_services.session_log(agreement=agreement, actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Занятие записано и ждёт подтверждения сопровождаемой школы. Приложите подтверждающие документы.")
            return redirect("partnerships:session", session.pk)
    return form_page(
        request,
        form=form,
        title=f"Записать занятие: {agreement.supported_school.short_name}",
        crumbs=[_agreements_crumb(), (agreement.title, reverse("partnerships:agreement", args=[agreement.pk])), ("Новое занятие", None)],
        cancel_url=reverse("partnerships:agreement", args=[agreement.pk]),
        submit_label="Записать занятие",
        intro=f"Договор действует с {agreement.starts_on:%d.%m.%Y} по {agreement.ends_on:%d.%m.%Y}. "
        "Записанное занятие подтверждает сопровождаемая школа; в отчёты идут только подтверждённые.",
    )


@login_required
def session_detail(request, pk):
    session = access.get_session_or_404(request.user, pk)
    agreement = session.agreement
    return render(
        request,
        "partnerships/session_detail.html",
        {
            "session": session,
            "agreement": agreement,
            "evidence": list(session.evidence.order_by("uploaded_at", "pk")),
            "can_edit": session.is_pending and access.can_log_session(request.user, agreement),
            "can_review": session.is_pending and access.can_review_session(request.user, session),
        },
    )


@login_required
def session_edit(request, pk):
    session = access.get_session_or_404(request.user, pk)
    agreement = session.agreement
    access.require(access.can_log_session(request.user, agreement), agreement_services.NOT_CURATOR)
    form = SessionForm(request.POST or None, instance=session, agreement=agreement)
    if request.method == "GET" and not session.is_pending:
        messages.warning(request, f"Занятие {session.get_status_display()} сопровождаемой школой — изменить его нельзя.")
        return redirect("partnerships:session", session.pk)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_services.session_update(session=session, actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Занятие исправлено.")
            return redirect("partnerships:session", session.pk)
    return form_page(
        request,
        form=form,
        title="Исправить запись о занятии",
        crumbs=[_agreements_crumb(), (agreement.title, reverse("partnerships:agreement", args=[agreement.pk])), ("Занятие", reverse("partnerships:session", args=[session.pk])), ("Исправить", None)],
        cancel_url=reverse("partnerships:session", args=[session.pk]),
    )


def _back(request, default: str) -> str:
    """Where to return after an action: the page it was taken on, if it is one of the portal's own."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if target and safe else default


@login_required
@require_POST
def session_confirm(request, pk):
    session = access.get_session_or_404(request.user, pk)
    access.require(access.can_review_session(request.user, session), agreement_services.NOT_SUPPORTED_TEAM)
    try:
        agreement_services.session_confirm(session=session, actor=request.user)
    except PartnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Занятие {session.held_on:%d.%m.%Y} «{session.topic}» подтверждено.")
    return redirect(_back(request, reverse("partnerships:session", args=[session.pk])))


@login_required
@require_POST
def session_dispute(request, pk):
    session = access.get_session_or_404(request.user, pk)
    access.require(access.can_review_session(request.user, session), agreement_services.NOT_SUPPORTED_TEAM)
    try:
        agreement_services.session_dispute(session=session, actor=request.user, comment=request.POST.get("comment", ""))
    except PartnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Занятие {session.held_on:%d.%m.%Y} «{session.topic}» оспорено. Куратор и координатор увидят ваш комментарий.")
    return redirect(_back(request, reverse("partnerships:session", args=[session.pk])))


@login_required
@require_POST
def session_evidence_upload(request, pk):
    session = access.get_session_or_404(request.user, pk)
    access.require(access.can_log_session(request.user, session.agreement), agreement_services.NOT_CURATOR)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            agreement_services.session_evidence_add(session=session, actor=request.user, file=form.cleaned_data["file"])
        except PartnershipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Документ приложен к занятию.")
    else:
        messages.error(request, " ".join(form.errors.get("file", ["Выберите файл."])))
    return redirect("partnerships:session", session.pk)


@login_required
def session_evidence_download(request, pk):
    evidence = access.get_session_evidence_or_404(request.user, pk)
    return file_response(evidence.file, name=evidence.original_name, content_type=evidence.content_type)


@login_required
@require_POST
def session_evidence_delete(request, pk):
    evidence = access.get_session_evidence_or_404(request.user, pk)
    access.require(access.can_log_session(request.user, evidence.session.agreement), agreement_services.NOT_CURATOR)
    try:
        agreement_services.session_evidence_delete(evidence=evidence, actor=request.user)
    except PartnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Документ удалён.")
    return redirect("partnerships:session", evidence.session_id)

