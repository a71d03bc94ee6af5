"""Counts of an event's invited groups — schools, teachers, management teams, municipal specialists — and its target
judged against the group it names; in a fixed number of queries however many events and people.

What «took part» means per group:

- a school: its invitation is marked «участвовала» (on a course too);
- a teacher or a municipal specialist: marked «принял(а) участие»; on a course «прошёл(ла) обучение»;
- a management team (the members of one school's team invited by name): every invited member of it took part — on
  a course, completed it. Seed 004 counts teams, not people: «Не менее 85 % управленческих команд прошли обучение
  на курсах повышения квалификации».
"""

from collections import defaultdict
from dataclasses import dataclass

from .models import EventAttendee, EventInvitation, MethodicalEvent

Group = MethodicalEvent.TargetGroup
Kind = EventAttendee.Kind

GROUP_LABELS = {
    Group.SCHOOLS: ("Школы", "школ"),
    Group.TEACHERS: ("Педагоги", "чел."),
    Group.MANAGEMENT: ("Управленческие команды", "команд"),
    Group.SPECIALISTS: ("Специалисты муниципальных методических служб и МОУО", "чел."),
}


@dataclass
class GroupCount:
    key: str
    invited: int = 0
    took_part: int = 0

    @property
    def label(self) -> str:
        return GROUP_LABELS[self.key][0]

    @property
    def unit(self) -> str:
        return GROUP_LABELS[self.key][1]

    @property
    def share(self) -> float | None:
        return round(100 * self.took_part / self.invited, 1) if self.invited else None


def took_part(event: MethodicalEvent, attended: bool | None, completed: bool | None) -> bool:
    return bool(completed) if event.is_course else bool(attended)


def attach_group_counts(events: list[MethodicalEvent]) -> None:
    """Give each event `groups` (group → GroupCount, in the order of `Group`), `target_count` (the count of the
    group its target measures) and `target_reached` (True / False / None as `MethodicalEvent.target_met`). Two
    queries for any number of events."""
    by_pk = {event.pk: event for event in events}
    for event in events:
        event.groups = {key: GroupCount(key) for key in Group.values}
    for event_id, attended in EventInvitation.objects.filter(event_id__in=by_pk).values_list("event_id", "attended"):
        count = by_pk[event_id].groups[Group.SCHOOLS]
        count.invited += 1
        count.took_part += bool(attended)
    teams: dict[tuple[int, int], list[bool]] = defaultdict(list)
    rows = EventAttendee.objects.filter(event_id__in=by_pk).values_list(
        "event_id", "kind", "school_id", "attended", "completed"
    )
    for event_id, kind, school_id, attended, completed in rows:
        event = by_pk[event_id]
        done = took_part(event, attended, completed)
        if kind == Kind.MANAGEMENT:
            teams[(event_id, school_id)].append(done)
        elif kind in (Kind.TEACHER, Kind.SPECIALIST):
            count = event.groups[Group.TEACHERS if kind == Kind.TEACHER else Group.SPECIALISTS]
            count.invited += 1
            count.took_part += done
    for (event_id, _school_id), members in teams.items():
        count = by_pk[event_id].groups[Group.MANAGEMENT]
        count.invited += 1
        count.took_part += all(members)
    for event in events:
        event.target_count = event.groups[event.target_group]
        event.target_reached = event.target_met(event.target_count.invited, event.target_count.took_part)


def event_people(*, event: MethodicalEvent) -> list[EventAttendee]:
    """The people invited by name, grouped by kind and school, in one query."""
    return list(
        event.attendees.select_related("teacher__subject", "school", "municipality").order_by(
            "kind", "municipality__name", "school__short_name", "full_name", "pk"
        )
    )
