"""What a notification is about: one code per kind, with its Russian label.

Apps name a kind by its constant (`kinds.PROGRAMME_SUBMITTED`); the code is what is stored, the label what people
read in the list, in the e-mail and on the settings page where they choose which kinds come by e-mail.

A kind that asks the recipient to act names, in `pending`, the target model and the filter under which the target
still waits for that action (a review still open, a session still unconfirmed). The coordinator's page «кто не
отреагировал» lists such a notification for as long as its target waits, read or not; a kind without `pending`
only informs, and is listed until it is read.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    group: str
    reminder: bool = False
    # (model label, lookup kwargs): the target still waits for the recipient while it matches.
    pending: tuple[str, dict] | None = field(default=None, compare=False)


PROGRAMMES = "Программы и экспертиза"
IDENTIFICATION = "Перечень ШНОР/ШНСУ"
PARTNERSHIPS = "Договоры и занятия"
PRACTICES = "Банк практик"
MONITORING = "Самооценка"
REMINDERS = "Напоминания"

_OPEN_REVIEW = ("programs.review", {"status__in": ["pending", "in_progress"]})
_OPEN_MEASURE = ("programs.roadmapmeasure", {"status__in": ["planned", "in_progress"]})
_PENDING_SESSION = ("partnerships.supportsession", {"status": "pending"})

# --- events -------------------------------------------------------------------------------------------------------
PROGRAMME_SUBMITTED = "programme_submitted"
REVIEW_ASSIGNED = "review_assigned"
PROGRAMME_RETURNED = "programme_returned"
PROGRAMME_ACCEPTED = "programme_accepted"
LIST_APPROVED = "list_approved"
LIST_CHANGE_PROPOSED = "list_change_proposed"
LIST_CHANGE_DECIDED = "list_change_decided"
AGREEMENT_ACTIVATED = "agreement_activated"
SESSION_LOGGED = "session_logged"
SESSION_CONFIRMED = "session_confirmed"
SESSION_DISPUTED = "session_disputed"
PRACTICE_SUBMITTED = "practice_submitted"
PRACTICE_PUBLISHED = "practice_published"
PRACTICE_RETURNED = "practice_returned"
SELF_ASSESSMENT_UPLOADED = "self_assessment_uploaded"
SELF_ASSESSMENT_ACCEPTED = "self_assessment_accepted"
SELF_ASSESSMENT_RETURNED = "self_assessment_returned"

# --- reminders (computed daily by `send_reminders`) ---------------------------------------------------------------
MEASURE_DUE = "measure_due"
MEASURE_OVERDUE = "measure_overdue"
REVIEW_WAITING = "review_waiting"
REVIEW_OVERDUE = "review_overdue"
SESSION_UNCONFIRMED = "session_unconfirmed"
SELF_ASSESSMENT_MISSING = "self_assessment_missing"
AGREEMENT_ENDING = "agreement_ending"

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in [
        Kind(PROGRAMME_SUBMITTED, "Программа отправлена на экспертизу", PROGRAMMES, pending=_OPEN_REVIEW),
        Kind(REVIEW_ASSIGNED, "Поручена экспертиза", PROGRAMMES, pending=_OPEN_REVIEW),
        Kind(
            PROGRAMME_RETURNED, "Программа возвращена на доработку", PROGRAMMES,
            pending=("programs.programme", {"state": "returned"}),
        ),
        Kind(PROGRAMME_ACCEPTED, "Программа принята", PROGRAMMES),
        Kind(LIST_APPROVED, "Утверждён перечень ШНОР/ШНСУ", IDENTIFICATION),
        Kind(
            LIST_CHANGE_PROPOSED, "Координатор предложил изменение перечня", IDENTIFICATION,
            pending=("schools.listchange", {"state": "proposed"}),
        ),
        Kind(LIST_CHANGE_DECIDED, "Управление рассмотрело предложение к перечню", IDENTIFICATION),
        Kind(AGREEMENT_ACTIVATED, "Договор о сотрудничестве вступил в силу", PARTNERSHIPS),
        Kind(SESSION_LOGGED, "Занятие куратора ждёт подтверждения", PARTNERSHIPS, pending=_PENDING_SESSION),
        Kind(SESSION_CONFIRMED, "Занятие подтверждено школой", PARTNERSHIPS),
        Kind(SESSION_DISPUTED, "Занятие оспорено школой", PARTNERSHIPS),
        Kind(
            PRACTICE_SUBMITTED, "Практика отправлена на модерацию", PRACTICES,
            pending=("partnerships.practice", {"status": "submitted"}),
        ),
        Kind(PRACTICE_PUBLISHED, "Практика опубликована в банке", PRACTICES),
        Kind(
            PRACTICE_RETURNED, "Практика возвращена на доработку", PRACTICES,
            pending=("partnerships.practice", {"status": "returned"}),
        ),
        Kind(
            SELF_ASSESSMENT_UPLOADED, "Самооценка загружена и ждёт проверки", MONITORING,
            pending=("monitoring.selfassessment", {"is_current": True, "status": "submitted"}),
        ),
        Kind(SELF_ASSESSMENT_ACCEPTED, "Самооценка принята", MONITORING),
        Kind(
            SELF_ASSESSMENT_RETURNED, "Самооценка возвращена на доработку", MONITORING,
            pending=("monitoring.selfassessment", {"is_current": True, "status": "returned"}),
        ),
        Kind(MEASURE_DUE, "Срок мероприятия — в ближайшие 7 дней", REMINDERS, reminder=True, pending=_OPEN_MEASURE),
        Kind(MEASURE_OVERDUE, "Срок мероприятия прошёл", REMINDERS, reminder=True, pending=_OPEN_MEASURE),
        Kind(REVIEW_WAITING, "Экспертиза ждёт больше 5 дней", REMINDERS, reminder=True, pending=_OPEN_REVIEW),
        Kind(REVIEW_OVERDUE, "Срок экспертизы прошёл", REMINDERS, reminder=True, pending=_OPEN_REVIEW),
        Kind(
            SESSION_UNCONFIRMED, "Занятие не подтверждено больше 7 дней", REMINDERS, reminder=True,
            pending=_PENDING_SESSION,
        ),
        Kind(SELF_ASSESSMENT_MISSING, "Самооценка не загружена в срок", REMINDERS, reminder=True),
        Kind(AGREEMENT_ENDING, "Срок договора о сотрудничестве истекает", REMINDERS, reminder=True),
    ]
}


def label_of(code: str) -> str:
    kind = KINDS.get(code)
    return kind.label if kind else code


def choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.label) for kind in KINDS.values()]


def grouped() -> list[tuple[str, list[Kind]]]:
    """Kinds by group, in the order of the registry: for the settings page and the list filter."""
    groups: dict[str, list[Kind]] = {}
    for kind in KINDS.values():
        groups.setdefault(kind.group, []).append(kind)
    return list(groups.items())
