"""The people of a methodical event or a course: invited by group or one by name, and marked per person on one grid."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shnor_portal.history import last_change_ids

from .. import access
from ..event_counts import attach_group_counts, event_people
from ..forms import AttendeeForm, InvitePeopleForm, PeopleAttendanceForm, add_errors
from ..models import EventAttendee
from ..services import event_people as people_services
from ..services.common import PartnershipError, StaleEdit
from ..services.events import NOT_ORGANISER
from .common import form_page


def _managed_event(request, pk):
    event = access.get_event_or_404(request.user, pk)
    access.require(access.can_manage_event(request.user, event), NOT_ORGANISER)
    return event


@login_required
def event_people_page(request, pk):
    """The grid: every person invited by name, «участие» (and on a course «прошёл обучение») per row."""
    event = _managed_event(request, pk)
    people = event_people(event=event)
    versions = last_change_ids(EventAttendee, [p.pk for p in people])
    form = PeopleAttendanceForm(request.POST or None, people=people, versions=versions, course=event.is_course)
    if request.method == "POST" and form.is_valid():
        try:
            counted = people_services.attendance_people_save(event=event, actor=request.user, marks=form.marks())
        except StaleEdit as exc:
            form.reopen_on(exc.current)
            form = PeopleAttendanceForm(form.data, people=people, versions=versions, course=event.is_course)
            form.is_valid()
            form.add_error(None, str(exc))
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            done = "прошли обучение" if event.is_course else "приняли участие"
            messages.success(request, f"Отметки сохранены: {done} {counted} из {len(people)}.")
            return redirect("partnerships:event_people", event.pk)
    attach_group_counts([event])
    return render(
        request,
        "partnerships/event_people.html",
        {"event": event, "form": form, "invite_form": InvitePeopleForm(event=event), "people_count": len(people)},
    )


@login_required
@require_POST
def event_people_invite(request, pk):
    event = _managed_event(request, pk)
    form = InvitePeopleForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, "Выберите, кого пригласить.")
        return redirect("partnerships:event_people", event.pk)
    try:
        added = people_services.attendees_invite(
            event=event, actor=request.user, group=form.cleaned_data["group"], subject=form.cleaned_data["subject"]
        )
    except PartnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Приглашено поимённо: {added}." if added else "Новых людей в этой группе нет.")
    return redirect("partnerships:event_people", event.pk)


@login_required
def event_person_add(request, pk):
    event = _managed_event(request, pk)
    form = AttendeeForm(request.POST or None, user=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            person = people_services.attendee_add(event=event, actor=request.user, **form.cleaned_data)
        except PartnershipError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"«{person.full_name}» приглашён(а).")
            return redirect("partnerships:event_people", event.pk)
    people_url = reverse("partnerships:event_people", args=[event.pk])
    return form_page(
        request, form=form, title=f"Пригласить поимённо: {event.title}",
        crumbs=[("Методические мероприятия", reverse("partnerships:events")),
                (event.title, reverse("partnerships:event", args=[event.pk])), ("Пригласить", None)],
        cancel_url=people_url, submit_label="Пригласить",
        intro="Педагога выберите из реестра; члена управленческой команды укажите со школой, специалиста — с "
        "муниципалитетом.",
    )  # fmt: skip


@login_required
@require_POST
def event_person_remove(request, pk):
    person = access.get_attendee_or_404(request.user, pk)
    event = _managed_event(request, person.event_id)
    try:
        people_services.attendee_remove(attendee=person, actor=request.user)
    except PartnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"«{person.full_name}» исключён(а) из приглашённых.")
    return redirect("partnerships:event_people", event.pk)
