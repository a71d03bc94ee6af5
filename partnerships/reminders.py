"""Daily reminders of partnerships: sessions awaiting confirmation, agreements ending (`notifications.reminders`)."""

import datetime
from collections.abc import Iterable

from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications import kinds
from notifications.reminders import (
    AGREEMENT_ENDS_DAYS,
    REPEAT_DAYS,
    SESSION_WAITS_DAYS,
    Reminder,
    day_start,
    days_word,
    provider,
    reminded_since,
    short,
    users_by,
)
from schools.models import RoleAssignment

from .models import Agreement, SupportSession

Role = RoleAssignment.Role


@provider("partnerships.sessions")
def session_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Support sessions logged 7 or more days ago and still not confirmed — to the supported school's team."""
    waiting = SupportSession.objects.filter(
        status=SupportSession.Status.PENDING, logged_at__lte=now - datetime.timedelta(days=SESSION_WAITS_DAYS)
    ).exclude(pk__in=reminded_since(kinds.SESSION_UNCONFIRMED, SupportSession, day_start(today - datetime.timedelta(days=REPEAT_DAYS - 1))))
    rows = list(
        waiting.values_list(
            "pk", "held_on", "topic", "logged_at", "agreement__supported_school_id",
            "agreement__supported_school__municipality_id",
            Coalesce("agreement__curator_school__short_name", "agreement__curator_organisation__short_name"),
        )
    )
    if not rows:
        return []
    teams = users_by("school_id", Role.SCHOOL_TEAM, waiting.values("agreement__supported_school_id"))
    reminders = []
    for pk, held_on, topic, logged_at, school_id, municipality_id, curator in rows:
        if not teams.get(school_id):
            continue
        days = (today - timezone.localdate(logged_at)).days
        reminders.append(
            Reminder(
                kind=kinds.SESSION_UNCONFIRMED, target_model=SupportSession, target_id=pk,
                recipient_ids=teams[school_id],
                title=f"Занятие {held_on:%d.%m.%Y} «{short(topic)}» ждёт подтверждения {days_word(days)}",
                body=f"Куратор «{curator}» отметил(а) занятие. Подтвердите его или оспорьте с комментарием.",
                municipality_id=municipality_id,
            )
        )
    return reminders


@provider("partnerships.agreements")
def agreement_reminders(*, today: datetime.date, now: datetime.datetime) -> Iterable[Reminder]:
    """Agreements in force that end within 30 days — once, to both schools and the coordinators."""
    ending = Agreement.objects.filter(
        status=Agreement.Status.ACTIVE, starts_on__lte=today, ends_on__gte=today,
        ends_on__lte=today + datetime.timedelta(days=AGREEMENT_ENDS_DAYS),
    ).exclude(pk__in=reminded_since(kinds.AGREEMENT_ENDING, Agreement, day_start(today - datetime.timedelta(days=AGREEMENT_ENDS_DAYS + 1))))
    rows = list(
        ending.values_list(
            "pk", "number", "ends_on", "curator_school_id", "curator_organisation_id",
            Coalesce("curator_school__short_name", "curator_organisation__short_name"), "supported_school_id",
            "supported_school__short_name", "supported_school__municipality_id",
        )
    )
    if not rows:
        return []
    curators = users_by("school_id", Role.CURATOR, ending.values("curator_school_id"))
    organisation_curators = users_by("organisation_id", Role.CURATOR, ending.values("curator_organisation_id"))
    teams = users_by("school_id", Role.SCHOOL_TEAM, ending.values("supported_school_id"))
    coordinators = users_by("municipality_id", Role.COORDINATOR, ending.values("supported_school__municipality_id"))
    reminders = []
    for pk, number, ends_on, curator_id, organisation_id, curator, supported_id, supported, municipality_id in rows:
        curator_people = organisation_curators.get(organisation_id, []) if organisation_id else curators.get(curator_id, [])
        people = set(curator_people) | set(teams.get(supported_id, [])) | set(
            coordinators.get(municipality_id, [])
        )
        if not people:
            continue
        reminders.append(
            Reminder(
                kind=kinds.AGREEMENT_ENDING, target_model=Agreement, target_id=pk, recipient_ids=people,
                title=f"Договор {('№ ' + number + ' ') if number else ''}{curator} — {supported} "
                f"заканчивается {ends_on:%d.%m.%Y}",
                body="Решите, продлевать ли сопровождение: подготовьте новый договор или завершите этот.",
                municipality_id=municipality_id,
            )
        )
    return reminders


