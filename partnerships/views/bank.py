"""The bank of practices and the methodical events."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from schools.school_year import school_year_param
from shnor_portal.paging import page_of

from .. import access, selectors
from ..event_counts import attach_group_counts, event_people
from ..forms import AttendanceForm, EventForm, FileForm, PracticeForm, add_errors
from ..services import events as event_services
from ..services import practices as practice_services
from ..services.common import PartnershipError
from .common import export_response, file_response, form_page


def _practices_crumb():
    return ("Банк практик", reverse("partnerships:practices"))


def _require_role(request):
    access.require(access.can_read_bank(request.user), "Роль на портале вам ещё не назначена.")


@login_required
def practice_list(request):
    _require_role(request)
    practice_filter, rows = selectors.practice_list(user=request.user, data=request.GET)
    return render(
        request,
        "partnerships/practice_list.html",
        {
            "filter": practice_filter,
            "can_add": access.can_add_practice(request.user),
            "waiting": access.practices_to_moderate(request.user).count()
            if access.moderates_practices(request.user)
            else None,
            **page_of(request, rows),
        },
    )


@login_required
def practice_downloads(request):
    """Downloads of the bank's published practices, filtered by the school's municipality and the school year."""
    _require_role(request)
    download_filter, rows = selectors.practice_download_list(user=request.user, data=request.GET)
    return render(
        request, "partnerships/practice_downloads.html", {"filter": download_filter, **page_of(request, rows)}
    )


@login_required
def practice_download_export(request):
    _require_role(request)
    _filter, rows = selectors.practice_download_list(user=request.user, data=request.GET)
    return export_response("downloads", rows, file_name=f"skachivaniya-praktik-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def practice_export(request):
    _require_role(request)
    _filter, rows = selectors.practice_list(user=request.user, data=request.GET)
    return export_response("practices", rows, file_name=f"bank-praktik-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def practice_create(request):
    access.require(access.can_add_practice(request.user), practice_services.NOT_AUTHOR)
    form = PracticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            practice = practice_services.practice_create(actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Практика сохранена как черновик. Приложите материалы и отправьте на модерацию.")
            return redirect("partnerships:practice", practice.pk)
    return form_page(
        request, form=form, title="Новая практика", crumbs=[_practices_crumb(), ("Новая практика", None)],
        cancel_url=reverse("partnerships:practices"),
        intro="Практика появится в банке после проверки координатором муниципалитета.",
    )


@login_required
def practice_detail(request, pk):
    practice = access.get_practice_or_404(request.user, pk)
    user = request.user
    return render(
        request,
        "partnerships/practice_detail.html",
        {
            "practice": practice,
            "files": list(practice.files.order_by("uploaded_at", "pk")),
            "subjects": list(practice.subjects.all()),
            "risk_factors": list(practice.risk_factors.all()),
            "can_author": practice.is_editable and access.can_author_practice(user, practice),
            "can_moderate": access.can_moderate_practice(user, practice),
        },
    )


@login_required
def practice_edit(request, pk):
    practice = access.get_practice_or_404(request.user, pk)
    access.require(access.can_author_practice(request.user, practice), practice_services.NOT_AUTHOR)
    if not practice.is_editable:
        messages.warning(request, practice_services.LOCKED_PRACTICE)
        return redirect("partnerships:practice", practice.pk)
    form = PracticeForm(request.POST or None, instance=practice, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "school"}
        try:
            practice_services.practice_update(practice=practice, actor=request.user, **data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Практика сохранена.")
            return redirect("partnerships:practice", practice.pk)
    return form_page(
        request, form=form, title=f"Изменить: {practice.title}",
        crumbs=[_practices_crumb(), (practice.title, reverse("partnerships:practice", args=[practice.pk])), ("Изменить", None)],
        cancel_url=reverse("partnerships:practice", args=[practice.pk]),
    )


@login_required
@require_POST
def practice_file_upload(request, pk):
    practice = access.get_practice_or_404(request.user, pk)
    access.require(access.can_author_practice(request.user, practice), practice_services.NOT_AUTHOR)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            practice_services.practice_file_add(practice=practice, actor=request.user, file=form.cleaned_data["file"])
        except PartnershipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Файл приложен к практике.")
    else:
        messages.error(request, " ".join(form.errors.get("file", ["Выберите файл."])))
    return redirect("partnerships:practice", practice.pk)


@login_required
@require_POST
def practice_file_delete(request, pk):
    stored = access.get_practice_file_or_404(request.user, pk)
    access.require(access.can_author_practice(request.user, stored.practice), practice_services.NOT_AUTHOR)
    try:
        practice_services.practice_file_delete(stored=stored, actor=request.user)
    except PartnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Файл удалён.")
    return redirect("partnerships:practice", stored.practice_id)


@login_required
def practice_file_download(request, pk):
    stored = access.get_practice_file_or_404(request.user, pk)
    practice_services.practice_download_record(stored=stored, actor=request.user)
    return file_response(stored.file, name=stored.original_name, content_type=stored.content_type)


@login_required
@require_POST
def practice_action(request, pk, action):
    practice = access.get_practice_or_404(request.user, pk)
    try:
        if action == "submit":
            access.require(access.can_author_practice(request.user, practice), practice_services.NOT_AUTHOR)
            practice_services.practice_submit(practice=practice, actor=request.user)
            messages.success(request, "Практика отправлена на модерацию координатору муниципалитета.")
        elif action == "publish":
            access.require(access.can_moderate_practice(request.user, practice), "Практики проверяет координатор муниципалитета.")
            practice_services.practice_publish(practice=practice, actor=request.user)
            messages.success(request, "Практика опубликована в банке.")
        elif action == "return":
            access.require(access.can_moderate_practice(request.user, practice), "Практики проверяет координатор муниципалитета.")
            practice_services.practice_return(practice=practice, actor=request.user, comment=request.POST.get("comment", ""))
            messages.success(request, "Практика возвращена автору с замечаниями.")
    except PartnershipError as exc:
        messages.error(request, str(exc))
    return redirect("partnerships:practice", practice.pk)


# --- events -------------------------------------------------------------------------------------------------------


def _events_crumb():
    return ("Методические мероприятия", reverse("partnerships:events"))


@login_required
def event_list(request):
    _require_role(request)
    event_filter, rows = selectors.event_list(user=request.user, data=request.GET)
    context = page_of(request, rows)
    selectors.event_participation(list(context["page"].object_list))
    attach_group_counts(list(context["page"].object_list))
    year = event_filter.form.cleaned_data.get("year") if event_filter.is_valid() else None
    year = school_year_param(year)
    return render(
        request,
        "partnerships/event_list.html",
        {
            "filter": event_filter,
            "can_create": access.can_create_event(request.user),
            "participation": selectors.yearly_participation(user=request.user, year=year),
            **context,
        },
    )


@login_required
def event_export(request):
    _require_role(request)
    _filter, rows = selectors.event_list(user=request.user, data=request.GET)
    events = list(rows)
    selectors.event_participation(events)
    attach_group_counts(events)
    return export_response("events", events, file_name=f"meropriyatiya-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def event_create(request):
    access.require(access.can_create_event(request.user), event_services.NOT_ORGANISER)
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        schools = data.pop("schools", [])
        try:
            event = event_services.event_create(actor=request.user, schools=schools, **data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Мероприятие создано.")
            return redirect("partnerships:event", event.pk)
    return form_page(
        request, form=form, title="Новое методическое мероприятие", crumbs=[_events_crumb(), ("Новое мероприятие", None)],
        cancel_url=reverse("partnerships:events"),
        intro="Список школ для приглашения зависит от муниципалитета: выберите муниципалитет и сохраните, "
        "затем отметьте приглашённые школы.",
    )


@login_required
def event_detail(request, pk):
    event = access.get_event_or_404(request.user, pk)
    invitations = selectors.event_detail(event=event)
    can_manage = access.can_manage_event(request.user, event)
    for invitation in invitations:
        invitation.show_people = can_manage or access.acts_for_school(request.user, invitation.school_id)
    attach_group_counts([event])
    people = event_people(event=event)
    for person in people:
        person.show_name = access.attendee_name_visible(request.user, person, manages=can_manage)
    listed = [i for i in invitations if i.listed]
    attended = sum(1 for i in invitations if i.attended)
    return render(
        request,
        "partnerships/event_detail.html",
        {
            "event": event,
            "invitations": invitations,
            "can_manage": can_manage,
            "attended": attended,
            "attended_share": selectors.share(attended, len(invitations)),
            "target_met": event.target_reached,
            "people": people,
            "hidden_people": sum(1 for p in people if not p.show_name),
            "listed_invited": len(listed),
            "listed_attended": sum(1 for i in listed if i.attended),
        },
    )


@login_required
def event_edit(request, pk):
    event = access.get_event_or_404(request.user, pk)
    access.require(access.can_manage_event(request.user, event), event_services.NOT_ORGANISER)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        schools = data.pop("schools", [])
        try:
            event_services.event_update(event=event, actor=request.user, schools=schools, **data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Мероприятие сохранено.")
            return redirect("partnerships:event", event.pk)
    return form_page(
        request, form=form, title=f"Изменить: {event.title}",
        crumbs=[_events_crumb(), (event.title, reverse("partnerships:event", args=[event.pk])), ("Изменить", None)],
        cancel_url=reverse("partnerships:event", args=[event.pk]),
    )


@login_required
def event_attendance(request, pk):
    event = access.get_event_or_404(request.user, pk)
    access.require(access.can_manage_event(request.user, event), event_services.NOT_ORGANISER)
    invitations = list(event.invitations.select_related("school").prefetch_related("participants").order_by("school__short_name"))
    form = AttendanceForm(request.POST or None, invitations=invitations)
    if request.method == "POST" and form.is_valid():
        try:
            attending = event_services.event_attendance_save(event=event, actor=request.user, marks=form.marks())
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Участие отмечено: школ-участниц {attending} из {len(invitations)}.")
            return redirect("partnerships:event", event.pk)
    return render(request, "partnerships/event_attendance.html", {"event": event, "form": form})
