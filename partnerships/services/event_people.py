"""Writes to the people of an event: invited in bulk by group or one by name, removed, and their attendance (on a
course, «прошёл обучение») marked per person on one grid, refused whole when somebody changed a row meanwhile."""

from django.db import transaction
from django.utils import timezone

from schools.models import RoleAssignment
from shnor_portal.history import changed_by, last_change_ids

from ..access import can_manage_event, event_municipalities, event_schools, require
from ..models import EventAttendee, MethodicalEvent, Teacher
from .common import PartnershipError, StaleEdit, full_clean, stamp
from .events import NOT_ORGANISER

Kind = EventAttendee.Kind
NOT_PAST = "Мероприятие ещё не прошло: участие отмечают после него."


def _locked(event: MethodicalEvent, actor) -> MethodicalEvent:
    event = MethodicalEvent.objects.select_for_update().get(pk=event.pk)
    require(can_manage_event(actor, event), NOT_ORGANISER)
    return event


def _key(attendee) -> tuple:
    """Who a person is on one event: a teacher by the registry, anybody else by name and their school or
    municipality (case and spaces aside)."""
    if attendee.teacher_id:
        return ("teacher", attendee.teacher_id)
    name = " ".join(attendee.full_name.lower().split())
    return (attendee.kind, attendee.school_id, attendee.municipality_id, name)


def _add_new(event, actor, people: list[EventAttendee]) -> int:
    known = {_key(a) for a in event.attendees.all()}
    added = 0
    for person in people:
        person.full_name = " ".join(person.full_name.split())[:200]
        if not person.full_name or _key(person) in known:
            continue
        known.add(_key(person))
        person.event = event
        stamp(person, actor).save()
        added += 1
    return added


def _teachers(event, subject) -> list[EventAttendee]:
    teachers = Teacher.objects.filter(school__in=event.invited_schools.all(), is_active=True).select_related(
        "school", "subject"
    )
    if subject is not None:
        teachers = teachers.filter(subject=subject)
    return [
        EventAttendee(
            kind=Kind.TEACHER, teacher=t, school=t.school, municipality_id=t.school.municipality_id,
            full_name=t.full_name, position=f"учитель ({t.subject.name.lower()})",
        )
        for t in teachers.order_by("school__short_name", "full_name")
    ]  # fmt: skip


def _management(event) -> list[EventAttendee]:
    schools = list(event.invited_schools.order_by("short_name"))
    people = [
        EventAttendee(kind=Kind.MANAGEMENT, school=s, municipality_id=s.municipality_id, full_name=s.director,
                      position="директор")
        for s in schools if s.director.strip()
    ]  # fmt: skip
    team = RoleAssignment.objects.filter(
        role=RoleAssignment.Role.SCHOOL_TEAM, school__in=schools, user__is_active=True
    ).select_related("user", "school")
    for assignment in team.order_by("school__short_name", "user__last_name"):
        people.append(
            EventAttendee(kind=Kind.MANAGEMENT, school=assignment.school, municipality_id=assignment.school.municipality_id,
                          full_name=assignment.user.get_full_name() or assignment.user.username,
                          position="управленческая команда")
        )  # fmt: skip
    return people


def _specialists(event) -> list[EventAttendee]:
    coordinators = RoleAssignment.objects.filter(
        role=RoleAssignment.Role.COORDINATOR, municipality__in=event.invited_municipalities.all(), user__is_active=True
    ).select_related("user")
    return [
        EventAttendee(kind=Kind.SPECIALIST, municipality_id=a.municipality_id,
                      full_name=a.user.get_full_name() or a.user.username, position="муниципальный координатор")
        for a in coordinators.order_by("municipality__name", "user__last_name")
    ]  # fmt: skip


@transaction.atomic
def attendees_invite(*, event: MethodicalEvent, actor, group: str, subject=None) -> int:
    """Invite a whole group by name: the working teachers of the invited schools (of one subject, if given), the
    management teams of the invited schools (the director and the school team's people on the portal), or the
    specialists of the invited municipalities (their coordinators). People already invited are skipped; returns
    how many were added."""
    event = _locked(event, actor)
    if group == Kind.TEACHER:
        if not event.invited_schools.exists():
            raise PartnershipError("Сначала пригласите школы: педагоги приглашаются из приглашённых школ.")
        return _add_new(event, actor, _teachers(event, subject))
    if group == Kind.MANAGEMENT:
        if not event.invited_schools.exists():
            raise PartnershipError(
                "Сначала пригласите школы: управленческие команды приглашаются из приглашённых школ."
            )
        return _add_new(event, actor, _management(event))
    if group == Kind.SPECIALIST:
        if not event.invited_municipalities.exists():
            raise PartnershipError("Сначала пригласите муниципалитеты: их специалисты приглашаются поимённо отсюда.")
        return _add_new(event, actor, _specialists(event))
    raise PartnershipError("Неизвестная группа приглашённых.")


@transaction.atomic
def attendee_add(
    *,
    event: MethodicalEvent,
    actor,
    kind: str,
    full_name: str = "",
    position: str = "",
    teacher=None,
    school=None,
    municipality=None,
) -> EventAttendee:
    """Invite one person: a teacher of the registry, a member of a school's management team or a specialist of a
    municipality by name, or another participant."""
    event = _locked(event, actor)
    if teacher is not None:
        school, full_name = teacher.school, teacher.full_name
        position = position or f"учитель ({teacher.subject.name.lower()})"
    if kind == Kind.SPECIALIST:
        school = None
    if school is not None and not event_schools(actor, event.municipality_id).filter(pk=school.pk).exists():
        raise PartnershipError("Пригласить можно людей только из школ муниципалитета мероприятия.", field="school")
    if (
        kind == Kind.SPECIALIST
        and municipality is not None
        and not event_municipalities(actor, event.municipality_id).filter(pk=municipality.pk).exists()
    ):
        raise PartnershipError("Муниципальное мероприятие приглашает специалистов только своего муниципалитета.",
                               field="municipality")  # fmt: skip
    person = EventAttendee(
        event=event, kind=kind, teacher=teacher if kind == Kind.TEACHER else None, school=school,
        municipality_id=school.municipality_id if school is not None else getattr(municipality, "pk", None),
        full_name=" ".join((full_name or "").split())[:200], position=(position or "").strip()[:200],
    )  # fmt: skip
    full_clean(person)
    if any(_key(a) == _key(person) for a in event.attendees.all()):
        raise PartnershipError(f"«{person.full_name}» уже приглашён(а) на это мероприятие.", field="full_name")
    stamp(person, actor).save()
    return person


@transaction.atomic
def attendee_remove(*, attendee: EventAttendee, actor) -> None:
    _locked(attendee.event, actor)
    attendee = EventAttendee.objects.select_for_update().get(pk=attendee.pk)
    if attendee.attended or attendee.completed:
        raise PartnershipError(
            f"«{attendee.full_name}» уже отмечен(а) участником — снимите отметку, затем исключите из приглашённых."
        )
    stamp(attendee, actor).delete()


def _check_marks(event, marks) -> None:
    today = timezone.localdate()
    if event.held_on > today and any(a is not None or c is not None for a, c, _ in marks.values()):
        raise PartnershipError(NOT_PAST)
    if any(c is not None for _, c, _ in marks.values()):
        if not event.is_course:
            raise PartnershipError("«Прошёл обучение» отмечают только на курсах повышения квалификации.")
        if not event.is_over and any(c for _, c, _ in marks.values()):
            raise PartnershipError(
                f"Курсы ещё не закончились: «прошёл обучение» отмечают после их последнего дня "
                f"({event.last_day:%d.%m.%Y})."
            )


def _refuse_stale(people: dict[int, EventAttendee], marks) -> None:
    versions = last_change_ids(EventAttendee, list(people))
    stale = []
    for pk, (attended, completed, seen) in marks.items():
        person = people[pk]
        changes = (person.attended, person.completed) != (attended, completed)
        if seen is not None and changes and versions.get(pk, 0) != seen:
            stale.append(person)
    if not stale:
        return
    records = {
        r.id: r
        for r in EventAttendee.history.filter(history_id__in=[versions[p.pk] for p in stale]).select_related(
            "history_user"
        )
    }
    names = "; ".join(f"«{p.full_name}» ({', '.join(changed_by(records[p.pk]))})" for p in stale if p.pk in records)
    refusal = StaleEdit(
        f"Отметки не сохранены: пока вы их ставили, другой пользователь изменил отметки: {names}. В этих строках "
        "теперь показаны сохранённые отметки, остальные ваши отметки остались в форме: проверьте и сохраните ещё раз."
    )
    refusal.current = {p.pk: (p.attended, p.completed, versions[p.pk]) for p in stale}
    raise refusal


@transaction.atomic
def attendance_people_save(
    *, event: MethodicalEvent, actor, marks: dict[int, tuple[bool | None, bool | None, int | None]]
) -> int:
    """Mark the people of an event: {attendee id: (took part, completed the course, the row's version seen)}.
    A person who completed a course took part in it. Returns how many took part (completed, for a course)."""
    event = _locked(event, actor)
    people = {a.pk: a for a in event.attendees.select_for_update()}
    if set(marks) - set(people):
        raise PartnershipError("В отметках есть человек, не приглашённый на это мероприятие.")
    marks = {
        pk: (True if completed else attended, completed, seen) for pk, (attended, completed, seen) in marks.items()
    }
    _check_marks(event, marks)
    _refuse_stale(people, marks)
    for pk, (attended, completed, _seen) in marks.items():
        person = people[pk]
        if (person.attended, person.completed) != (attended, completed):
            person.attended, person.completed = attended, completed
            stamp(person, actor).save()
    counted = [people[pk] for pk in marks]
    return sum(1 for p in counted if (p.completed if event.is_course else p.attended))
