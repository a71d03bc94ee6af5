"""The list (перечень) the department forms from a run and approves by an order.

A run is the department's evidence; the list is the run's verdicts with the department's changes applied
(`ListChange`): a school added with its status, one left out, schools selected for targeted support (seed 002:
«4 of the 10 identified»), curator schools confirmed beyond the rule or removed — each with its reason. A
municipal coordinator proposes the same changes for schools of their municipality; a proposal counts only once the
department accepts it. Approving writes the year's `SchoolYearStatus` rows from `list_compose`.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from . import signals
from .access import can_decide_list, can_propose_list_changes, can_take_part_in_list
from .act_services import act_register_for_list
from .identification import IdentificationError
from .models import (
    IdentificationRun,
    IdentificationSettings,
    IdentificationVerdict,
    ListChange,
    Municipality,
    School,
    SchoolYearStatus,
    Status,
)

LISTED = frozenset({Status.SHNOR, Status.SHNSU, Status.BOTH})
Kind = ListChange.Kind
State = ListChange.State
REASON_MAX = SchoolYearStatus._meta.get_field("change_reason").max_length


class SelectionError(IdentificationError):
    """A change of the list cannot be made; the message is for the user, in Russian."""


@dataclass
class ListRow:
    """One school of a run as it stands on the list."""

    verdict: IdentificationVerdict
    status: str  # the resulting status: ШНОР, ШНСУ, both or none (a school without enough data is not listed)
    targeted: bool
    curator: bool  # a curator school of the list: the rule's candidate, or confirmed by the department
    changes: list[ListChange] = field(default_factory=list)  # accepted
    proposals: list[ListChange] = field(default_factory=list)  # waiting for the department

    @property
    def school(self) -> School:
        return self.verdict.school

    @property
    def computed_status(self) -> str:
        return self.verdict.status

    @property
    def listed(self) -> bool:
        return self.status in LISTED

    @property
    def differs(self) -> bool:
        return bool(self.changes)

    @property
    def reason(self) -> str:
        return _reason(self.changes)

    @property
    def possible_kinds(self) -> list[tuple[str, str]]:
        """The changes that make sense for this school as it stands (the service checks them again)."""
        taken = {c.kind for c in self.changes} | {c.kind for c in self.proposals}
        kinds = [Kind.SELECT, Kind.REMOVE] if self.listed else [Kind.ADD]
        if self.curator:
            kinds.append(Kind.CURATOR_REMOVE)
        elif not self.listed:
            kinds.append(Kind.CURATOR_ADD)
        if Kind.ADD in taken:  # listed by the department's own change: withdraw it instead
            taken.add(Kind.REMOVE)
        return [(kind, Kind(kind).label) for kind in kinds if kind not in taken]

    def get_status_display(self) -> str:
        return Status(self.status).label

    def get_computed_status_display(self) -> str:
        return Status(self.computed_status).label


def _reason(changes) -> str:
    return "; ".join(f"{change.get_kind_display()}: {change.reason.strip()}" for change in changes)


def _resolve(status: str, curator_candidate: bool, accepted: dict[str, ListChange]) -> tuple[str, bool, bool]:
    """(resulting status, targeted, curator) of a verdict with the accepted changes of its school, by kind."""
    result = status if status in LISTED else Status.NONE
    if Kind.REMOVE in accepted:
        result = Status.NONE
    if Kind.ADD in accepted:
        result = accepted[Kind.ADD].status
    targeted = Kind.SELECT in accepted and result in LISTED
    curator = (curator_candidate and Kind.CURATOR_REMOVE not in accepted) or Kind.CURATOR_ADD in accepted
    return result, targeted, curator


# The verdict's columns a list needs: never the explanation (kilobytes a school, read by the run page only).
_ROW_FIELDS = (
    "run_id", "school_id", "status", "oip", "social_index", "preventive", "curator_candidate", "on_watch", "objectivity_flag",
    "cluster_name", "school__short_name", "school__name", "school__municipality__name",
)  # fmt: skip


def list_compose(run: IdentificationRun, schools_qs: QuerySet[School]) -> list[ListRow]:
    """Each school of `schools_qs` that the run judged, as it stands on the list: two queries, whatever the size."""
    verdicts = (
        run.verdicts.filter(school__in=schools_qs)
        .select_related("school__municipality")
        .only(*_ROW_FIELDS)
        .order_by("school__municipality__name", "school__short_name", "school_id")
    )
    changes: dict[int, list[ListChange]] = {}
    for change in (
        ListChange.objects.filter(run=run, school__in=schools_qs)
        .exclude(state=State.REJECTED)
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        changes.setdefault(change.school_id, []).append(change)
    rows = []
    for verdict in verdicts:
        own = changes.get(verdict.school_id, [])
        accepted = [c for c in own if c.state == State.ACCEPTED]
        status, targeted, curator = _resolve(verdict.status, verdict.curator_candidate, {c.kind: c for c in accepted})
        rows.append(
            ListRow(
                verdict=verdict, status=status, targeted=targeted, curator=curator, changes=accepted,
                proposals=[c for c in own if c.state == State.PROPOSED],
            )
        )
    return rows


def list_counts(run: IdentificationRun, schools_qs: QuerySet[School]) -> dict[str, int]:
    """The list's figures over `schools_qs`: the run's counts adjusted by the changes; three queries."""
    counts = run.verdicts.filter(school__in=schools_qs).aggregate(
        both=Count("pk", filter=Q(status=Status.BOTH)),
        shnor=Count("pk", filter=Q(status=Status.SHNOR)),
        shnsu=Count("pk", filter=Q(status=Status.SHNSU)),
        curators=Count("pk", filter=Q(curator_candidate=True)),
        no_data=Count("pk", filter=Q(status=Status.NO_DATA)),
        objectivity=Count("pk", filter=Q(objectivity_flag=True)),
        on_watch=Count("pk", filter=Q(on_watch=True)),
    )
    counts.update(targeted=0, differs=0, proposals=0)
    changed = ListChange.objects.filter(run=run, school__in=schools_qs).values("school_id")
    for row in list_compose(run, schools_qs.filter(pk__in=changed)):
        before, _targeted, was_curator = _resolve(row.computed_status, row.verdict.curator_candidate, {})
        for status, step in ((before, -1), (row.status, 1)):
            if status in LISTED:
                counts[status] += step
        counts["curators"] += row.curator - was_curator
        counts["targeted"] += row.targeted
        counts["differs"] += row.differs
        counts["proposals"] += len(row.proposals)
    counts["listed"] = counts["both"] + counts["shnor"] + counts["shnsu"]
    return counts


def list_annex(run: IdentificationRun, schools_qs: QuerySet[School]) -> tuple[list[ListRow], list[ListRow]]:
    """(the schools on the list, the curator schools of the list): what the annex to the order prints."""
    judged = run.verdicts.filter(Q(status__in=LISTED) | Q(curator_candidate=True)).values("school_id")
    changed = ListChange.objects.filter(run=run, state=State.ACCEPTED).values("school_id")
    rows = list_compose(run, schools_qs.filter(Q(pk__in=judged) | Q(pk__in=changed)))
    return [row for row in rows if row.listed], [row for row in rows if row.curator]


def list_differences(run: IdentificationRun, schools_qs: QuerySet[School]) -> list[ListRow]:
    """The schools whose place on the list differs from the computation, with the reasons."""
    changed = ListChange.objects.filter(run=run, state=State.ACCEPTED).values("school_id")
    return [row for row in list_compose(run, schools_qs.filter(pk__in=changed)) if row.differs]


# --- changes ---------------------------------------------------------------------------------------------------------


def run_in_force(run: IdentificationRun) -> bool:
    return SchoolYearStatus.objects.filter(run=run).exists()


def _lock_open_run(run: IdentificationRun) -> IdentificationRun:
    run = IdentificationRun.objects.select_for_update().defer("inputs").get(pk=run.pk)
    if run.state != IdentificationRun.State.DONE:
        raise SelectionError("Перечень формируется только по завершённому запуску идентификации.")
    if run_in_force(run):
        raise SelectionError(
            f"Перечень по запуску № {run.pk} утверждён и действует: изменения в него не вносятся. Чтобы изменить "
            "перечень, сформируйте и утвердите его заново по новому запуску."
        )
    return run


def _check_actor(actor, run: IdentificationRun, school: School) -> str:
    """The state a change of this actor starts in; refuses those who may not change the list for this school."""
    if can_decide_list(actor, run):
        return State.ACCEPTED
    if can_propose_list_changes(actor, school):
        return State.PROPOSED
    if can_take_part_in_list(actor):  # a coordinator, of another municipality
        raise SelectionError(
            f"Школа «{school.short_name}» — из другого муниципалитета: координатор предлагает изменения перечня "
            "только для школ своего муниципалитета."
        )
    raise SelectionError(
        f"Школа «{school.short_name}» вне вашей зоны: изменения перечня вносит управление образования, а предлагает "
        "координатор муниципалитета школы."
    )


def _check_change(run, school: School, kind: str, status: str, *, ignore: ListChange | None = None) -> None:
    """Refuses a change that makes no sense against the list as it stands (accepted changes only)."""
    verdict = run.verdicts.filter(school=school).only("status", "curator_candidate").first()
    if verdict is None:
        raise SelectionError(
            f"Школа «{school.short_name}» не рассчитывалась в запуске № {run.pk} (она добавлена позже или в архиве): "
            "включите её в новый запуск."
        )
    accepted = {
        c.kind: c
        for c in ListChange.objects.filter(run=run, school=school, state=State.ACCEPTED).exclude(
            pk=ignore.pk if ignore else None
        )
    }
    listed, targeted, curator = _resolve(verdict.status, verdict.curator_candidate, accepted)
    name = school.short_name
    if kind == Kind.ADD:
        if status not in LISTED:
            raise SelectionError(f"Укажите, с каким статусом школа «{name}» включается в перечень: ШНОР, ШНСУ или оба.")
        if listed in LISTED:
            raise SelectionError(f"Школа «{name}» уже в перечне ({Status(listed).label}): включать её не нужно.")
    elif kind == Kind.REMOVE:
        if listed not in LISTED:
            raise SelectionError(f"Школы «{name}» нет в перечне: исключать нечего.")
        if Kind.ADD in accepted:
            raise SelectionError(f"Школа «{name}» включена в перечень изменением управления: отзовите это изменение.")
    elif kind == Kind.SELECT:
        if listed not in LISTED:
            raise SelectionError(f"Для адресной поддержки отбираются школы из перечня, а школы «{name}» в нём нет.")
        if targeted:
            raise SelectionError(f"Школа «{name}» уже отобрана для адресной поддержки.")
    elif kind == Kind.CURATOR_ADD:
        if curator:
            raise SelectionError(f"Школа «{name}» уже в списке школ-кураторов.")
        if listed in LISTED:
            raise SelectionError(f"Школа «{name}» в перечне ШНОР/ШНСУ и не может быть школой-куратором.")
    elif kind == Kind.CURATOR_REMOVE:
        if not curator:
            raise SelectionError(f"Школы «{name}» нет в списке школ-кураторов: исключать нечего.")
    else:
        raise SelectionError("Неизвестный вид изменения перечня.")


@transaction.atomic
def list_change_add(
    *, run: IdentificationRun, school: School, kind: str, reason: str, actor, status: str = ""
) -> ListChange:
    """The department's change of the list (in force at once) or a coordinator's proposal for their municipality."""
    reason = (reason or "").strip()
    if not reason:
        raise SelectionError("Укажите основание изменения перечня: без него изменение не вносится.")
    state = _check_actor(actor, run, school)
    run = _lock_open_run(run)
    _check_change(run, school, kind, status)
    existing = ListChange.objects.filter(run=run, school=school, kind=kind).first()
    if existing is not None and existing.state == State.PROPOSED:
        raise SelectionError(
            f"По школе «{school.short_name}» уже есть предложение «{existing.get_kind_display()}»: управление "
            "принимает или отклоняет его."
        )
    if existing is not None:  # rejected: the new change takes its place (the history keeps the old one)
        existing.delete()
    change = ListChange.objects.create(
        run=run, school=school, kind=kind, status=status if kind == Kind.ADD else "", reason=reason, state=state,
        author=actor, decided_by=actor if state == State.ACCEPTED else None,
        decided_at=timezone.now() if state == State.ACCEPTED else None,
    )  # fmt: skip
    if state == State.PROPOSED:
        signals.list_change_proposed.send(sender=ListChange, change=change, actor=actor)
    return change


@transaction.atomic
def list_change_withdraw(*, change: ListChange, actor) -> None:
    """Withdraw a change before the list is approved: the department its changes, a coordinator their proposal."""
    change = ListChange.objects.select_for_update().select_related("school").get(pk=change.pk)
    run = _lock_open_run(change.run)
    if can_decide_list(actor, run):
        if change.state == State.PROPOSED:
            raise SelectionError("Предложение координатора не отзывают, а принимают или отклоняют.")
    elif change.author_id != actor.pk or not can_propose_list_changes(actor, change.school):
        raise SelectionError("Отозвать изменение перечня может его автор или управление образования.")
    elif change.state == State.ACCEPTED:
        raise SelectionError("Предложение уже принято управлением: отозвать его может только управление образования.")
    change.delete()


@transaction.atomic
def list_change_decide(*, change: ListChange, actor, accept: bool) -> ListChange:
    """The department accepts or rejects a coordinator's proposal."""
    change = ListChange.objects.select_for_update().select_related("school").get(pk=change.pk)
    run = _lock_open_run(change.run)
    if not can_decide_list(actor, run):
        raise SelectionError("Предложения координаторов рассматривает управление образования региона.")
    if change.state != State.PROPOSED:
        raise SelectionError("Это предложение уже рассмотрено.")
    if accept:
        _check_change(run, change.school, change.kind, change.status, ignore=change)
    change.state = State.ACCEPTED if accept else State.REJECTED
    change.decided_by, change.decided_at = actor, timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at"])
    signals.list_change_decided.send(sender=ListChange, change=change, actor=actor, accepted=accept)
    return change


# --- approval --------------------------------------------------------------------------------------------------------


def pending_proposals(run: IdentificationRun, schools_qs: QuerySet[School]) -> QuerySet[ListChange]:
    return (
        ListChange.objects.filter(run=run, school__in=schools_qs, state=State.PROPOSED)
        .select_related("school__municipality", "author")
        .order_by("school__municipality__name", "school__short_name", "kind")
    )


def _short(text: str) -> str:
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


@transaction.atomic
def list_approve(*, run: IdentificationRun, actor, order_number: str = "", order_date=None) -> int:
    """Make the list formed from a finished run the list of its year: every school's status for the year is set
    from it, with what the run computed and the reason of each difference. Proposals still waiting do not count."""
    run = IdentificationRun.objects.select_for_update().defer("inputs").get(pk=run.pk)
    if run.state != IdentificationRun.State.DONE:
        raise SelectionError("Утвердить можно только завершённый запуск.")
    # Only the run's territory: another region's list of the same year stays as its department approved it; a
    # district's run replaces its district's statuses only, and the region's run leaves the districts that have
    # their own list of the year in force alone (docs/TERRITORIES.md «A district's own list»).
    kept = [] if run.municipality_id else sorted(districts_with_own_list(run.region_id, run.year))
    SchoolYearStatus.objects.filter(year=run.year, school__in=run.schools).exclude(
        school__municipality_id__in=kept
    ).delete()
    statuses = list(_year_statuses(run, kept))
    SchoolYearStatus.objects.bulk_create(statuses, batch_size=5000)
    signals.rows_changed_in(municipality_ids=[run.municipality_id] if run.municipality_id else (), region_ids=[run.region_id])
    run.approved_by, run.approved_at = actor, timezone.now()
    run.order_number, run.order_date = (order_number or "").strip(), order_date
    run.save(update_fields=["approved_by", "approved_at", "order_number", "order_date"])
    act_register_for_list(run=run, actor=actor)
    listed = [status.status for status in statuses if status.status in LISTED]
    shnor = sum(status in (Status.SHNOR, Status.BOTH) for status in listed)
    shnsu = sum(status in (Status.SHNSU, Status.BOTH) for status in listed)
    both = listed.count(Status.BOTH)
    signals.list_approved.send(sender=IdentificationRun, run=run, actor=actor, shnor=shnor, shnsu=shnsu, both=both)
    return len(statuses)


def districts_with_own_list(region_id: int, year: int) -> set[int]:
    """The districts of the region whose own list of the year is in force (approved from a district's run), while
    the region lets its districts form their own lists: switched off, the region's approval covers them again."""
    if not IdentificationSettings.districts_may_identify(region_id, year):
        return set()
    return set(
        SchoolYearStatus.objects.filter(year=year, run__region_id=region_id, run__municipality__isnull=False)
        .values_list("run__municipality_id", flat=True)
        .distinct()
        .order_by()
    )


def _year_statuses(run: IdentificationRun, kept_municipality_ids=()):
    """The rows of `list_compose` over every school of the run as the year's statuses. The same rules, read as plain
    values: a country's list is tens of thousands of schools, and the approval needs no school's name."""
    accepted: dict[int, list[ListChange]] = {}
    for change in ListChange.objects.filter(run=run, state=State.ACCEPTED).order_by("created_at", "pk"):
        accepted.setdefault(change.school_id, []).append(change)
    verdicts = run.verdicts.exclude(school__municipality_id__in=kept_municipality_ids) if kept_municipality_ids else run.verdicts
    for school_id, computed, preventive, curator_candidate, on_watch in verdicts.values_list(
        "school_id", "status", "preventive", "curator_candidate", "on_watch"
    ).iterator(chunk_size=5000):
        changes = accepted.get(school_id, [])
        status, targeted, curator = _resolve(computed, curator_candidate, {c.kind: c for c in changes})
        yield SchoolYearStatus(
            school_id=school_id, year=run.year, status=status, computed_status=computed, preventive=preventive,
            curator_candidate=curator, on_watch=on_watch, targeted_support=targeted,
            change_reason=_short(_reason(changes)), run=run,
        )  # fmt: skip


def list_preflight(run: IdentificationRun) -> dict:
    """What the department sees before approving: the schools the computation could not judge well, the gaps of the
    data behind it, and the proposals not yet decided."""
    schools = run.schools
    no_data_added = ListChange.objects.filter(
        run=run, kind=Kind.ADD, state=State.ACCEPTED, school__verdicts__run=run,
        school__verdicts__status=Status.NO_DATA,
    ).count()  # fmt: skip
    return {
        "counts": list_counts(run, schools),
        "summary": summary_for_page(run),
        "no_data_added": no_data_added,
        "proposals": list(pending_proposals(run, schools)),
        # a region's run: the districts whose own list stays in force, untouched by this approval
        "own_lists": [] if run.municipality_id else list(
            Municipality.objects.filter(pk__in=districts_with_own_list(run.region_id, run.year)).order_by("name")
            .values_list("name", flat=True)
        ),
    }


def _percent(part, whole) -> float | None:
    if not whole or part is None:
        return None
    return 100 * part / whole


def summary_for_page(run: IdentificationRun) -> dict | None:
    """`run.summary` for the pages, with the shares in per cent computed from the counts; None on runs made before
    the summary was stored."""
    summary = run.summary or {}
    if not summary:
        return None
    return {
        "threshold_shares": [
            {**row, "percent": _percent(row.get("at_or_above"), row.get("judged"))}
            for row in summary.get("threshold_shares", [])
        ],
        "social_threshold_shares": [
            {**row, "percent": _percent(row.get("at_or_above"), row.get("judged"))}
            for row in summary.get("social_threshold_shares", [])
        ],
        "no_cluster": summary.get("no_cluster"),
        "no_passport": summary.get("no_passport"),
        "passports": [
            {**row, "percent": _percent(row.get("with_passport"), row.get("schools"))}
            for row in summary.get("passport_by_municipality", [])
        ],
    }
