"""Writes to methodical events: the event, the schools invited, and attendance marked after it."""

from django.db import transaction
from django.utils import timezone

from ..access import (
    can_create_event,
    can_manage_event,
    coordinator_municipality_ids,
    event_municipalities,
    event_schools,
    require,
    working_region,
)
from ..models import EventInvitation, EventParticipant, MethodicalEvent
from .common import PartnershipError, full_clean, require_unchanged, stamp

EVENT_FIELDS = [
    "title", "format", "held_on", "ends_on", "hours", "starts_at", "municipality", "organiser", "place", "description",
    "target_group", "target_share", "is_cancelled",
]  # fmt: skip
NOT_ORGANISER = "Мероприятие ведут его организаторы: координатор муниципалитета или управление образования."


def _invite_municipalities(event: MethodicalEvent, actor, municipalities) -> None:
    """The municipalities (their methodical services, МОУО) invited; a municipal event invites only its own."""
    if municipalities is None:
        return
    chosen = {m.pk for m in municipalities}
    allowed = set(event_municipalities(actor, event.municipality_id).values_list("pk", flat=True))
    if chosen - allowed:
        raise PartnershipError("Муниципальное мероприятие приглашает только свой муниципалитет.", field="municipalities")
    dropped = set(event.invited_municipalities.values_list("pk", flat=True)) - chosen
    if dropped and event.attendees.filter(kind="specialist", municipality_id__in=dropped).exists():
        raise PartnershipError(
            "Специалисты этого муниципалитета приглашены поимённо — сначала исключите их.", field="municipalities"
        )
    event.invited_municipalities.set(chosen)


def _save_event(event: MethodicalEvent, actor, fields, schools, municipalities=None) -> MethodicalEvent:
    for name in EVENT_FIELDS:
        if name in fields:
            setattr(event, name, fields[name])
    # A municipal event belongs to its municipality's region; a regional one stays in its region, a new one is of the
    # region the organiser works in (issue 20).
    if event.municipality_id:
        event.region_id = event.municipality.region_id
    elif not event.region_id:
        event.region = working_region(actor)
    if not can_manage_event(actor, event):
        if event.municipality_id is None and coordinator_municipality_ids(actor):
            raise PartnershipError("Региональные мероприятия проводит управление: выберите свой муниципалитет.", field="municipality")
        require(False, NOT_ORGANISER)
    full_clean(event, exclude=["created_by"])
    allowed = set(event_schools(actor, event.municipality_id).values_list("pk", flat=True))
    chosen = {school.pk for school in schools}
    if chosen - allowed:
        raise PartnershipError("Пригласить можно только школы муниципалитета мероприятия.", field="schools")
    stamp(event, actor).save()
    existing = {inv.school_id: inv for inv in event.invitations.all()}
    for school_id in chosen - set(existing):
        stamp(EventInvitation(event=event, school_id=school_id), actor).save()
    for school_id in set(existing) - chosen:
        invitation = existing[school_id]
        if invitation.attended or invitation.participants.exists():
            raise PartnershipError(
                f"Школа «{invitation.school}» уже отмечена участницей — снимите отметку участия, затем исключите её.",
                field="schools",
            )
        stamp(invitation, actor).delete()
    _invite_municipalities(event, actor, municipalities)
    return event


@transaction.atomic
def event_create(*, actor, schools=(), municipalities=None, **fields) -> MethodicalEvent:
    require(can_create_event(actor), NOT_ORGANISER)
    return _save_event(MethodicalEvent(created_by=actor), actor, fields, schools, municipalities)


@transaction.atomic
def event_update(
    *, event: MethodicalEvent, actor, schools=(), municipalities=None, seen: int | None = None, **fields
) -> MethodicalEvent:
    event = MethodicalEvent.objects.select_for_update().get(pk=event.pk)
    require_unchanged(event, seen)
    require(can_manage_event(actor, event), NOT_ORGANISER)
    return _save_event(event, actor, fields, schools, municipalities)


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
        stamp(invitation, actor).save()
        invitation.participants.all().delete()
        if attended:
            attending += 1
            for name, position in people:
                stamp(EventParticipant(invitation=invitation, full_name=name, position=position), actor).save()
    return attending
