"""Who changed what, and when, on the objects of every app that keep a history (django-simple-history).

`TRACKED` names each such object by a short kind used in its URL (`/history/agreement/12/`), with the function of
its app's access module that fetches it within the user's reach — so an object out of reach answers 404 here as
on its own page. The history is the coordinator's and the department's to read (they oversee the work); the
programme keeps its own, richer page (`programs:history`) that its owner reads too.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from schools.access import Role, get_school_or_404, reach_of

PAGE_SIZE = 50
# Bookkeeping the reader does not need: versions, timestamps the history already shows, stored file names.
HIDDEN_FIELDS = {"id", "version", "created_at", "updated_at", "logged_at", "file", "data"}
ACTIONS = {"+": "создано", "~": "изменено", "-": "удалено"}


@dataclass(frozen=True)
class Tracked:
    label: str
    get: Callable  # (user, pk) -> object, 404 outside the user's reach
    url: Callable  # object -> the URL of its own page
    # (user, object) -> the URL of restoring a version, (object, history id) -> str; None: versions are read only
    can_restore: Callable | None = None
    restore_url: Callable | None = None


def _tracked() -> dict[str, Tracked]:
    from monitoring import access as monitoring_access
    from partnerships import access as partnerships_access

    def value_or_404(user, pk):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(monitoring_access.visible_values(user).select_related("indicator"), pk=pk)

    def profile_or_404(user, pk):
        from django.shortcuts import get_object_or_404

        from schools.access import visible_schools
        from schools.models import SchoolYearProfile

        return get_object_or_404(SchoolYearProfile.objects.filter(school__in=visible_schools(user)), pk=pk)

    return {
        "school": Tracked("школа", get_school_or_404, lambda o: reverse("schools:detail", args=[o.pk])),
        "profile": Tracked(
            "профиль школы за год", profile_or_404, lambda o: reverse("schools:detail", args=[o.school_id]) + "#profile"
        ),
        "agreement": Tracked(
            "договор о сотрудничестве", partnerships_access.get_agreement_or_404,
            lambda o: reverse("partnerships:agreement", args=[o.pk]),
        ),
        "session": Tracked(
            "занятие куратора", partnerships_access.get_session_or_404,
            lambda o: reverse("partnerships:session", args=[o.pk]),
        ),
        "teacher": Tracked(
            "педагог", partnerships_access.get_teacher_or_404, lambda o: reverse("partnerships:teacher", args=[o.pk])
        ),
        "plan": Tracked("ИПРП", partnerships_access.get_plan_or_404, lambda o: reverse("partnerships:plan", args=[o.pk])),
        "practice": Tracked(
            "практика", partnerships_access.get_practice_or_404, lambda o: reverse("partnerships:practice", args=[o.pk])
        ),
        "event": Tracked(
            "мероприятие", partnerships_access.get_event_or_404, lambda o: reverse("partnerships:event", args=[o.pk])
        ),
        "indicator": Tracked(
            "показатель", monitoring_access.get_indicator_or_404,
            lambda o: reverse("monitoring:indicator_detail", args=[o.pk]),
        ),
        "self-assessment": Tracked(
            "самооценка", monitoring_access.get_self_assessment_or_404,
            lambda o: reverse("monitoring:self_assessment_detail", args=[o.pk]),
        ),
        "indicator-value": Tracked(
            "значение показателя", value_or_404, lambda o: reverse("monitoring:indicator_detail", args=[o.indicator_id]),
            can_restore=lambda user, o: not o.is_computed and monitoring_access.can_confirm_in(user, o.municipality_id),
            restore_url=lambda o, history_id: reverse("monitoring:value_restore", args=[o.pk, history_id]),
        ),
    }  # fmt: skip


def can_read_history(user) -> bool:
    reach = reach_of(user)
    return reach.everything or reach.has_role(Role.COORDINATOR)


def _shown_fields(obj) -> list[models.Field]:
    """The object's fields its history keeps (a model may leave some out, such as a download counter)."""
    kept = {f.attname for f in obj.history.model._meta.concrete_fields}
    return [
        f
        for f in obj._meta.concrete_model._meta.concrete_fields
        if f.attname in kept
        and f.name not in HIDDEN_FIELDS
        and not f.name.startswith("history")
        and not isinstance(f, models.FileField)  # a storage path says nothing to a reader (the name field does)
    ]


def _format(field: models.Field, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        return names.get((field.name, value), f"№ {value}")
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime.datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def history_events(obj, records: list) -> list[dict]:
    """The records (newest first) as changes a person reads: each with the fields it changed, old → new.

    `records` is one page plus the record just before it (to tell what the oldest shown record changed). Names of
    related objects come in one query per foreign key, whatever the number of records."""
    fields = _shown_fields(obj)
    wanted = defaultdict(set)
    for record in records:
        for field in fields:
            if isinstance(field, models.ForeignKey) and getattr(record, field.attname) is not None:
                wanted[field].add(getattr(record, field.attname))
    names = {}
    for field, ids in wanted.items():
        for pk, related in field.related_model._default_manager.in_bulk(ids).items():
            full_name = getattr(related, "get_full_name", None)
            names[(field.name, pk)] = (full_name() if full_name else "") or str(related)
    events = []
    for record, before in zip(records, [*records[1:], None][: len(records)], strict=True):
        changes = []
        for field in fields:
            new = getattr(record, field.attname)
            old = getattr(before, field.attname) if before is not None else None
            if record.history_type == "~" and before is not None and old == new:
                continue
            if record.history_type != "~" and new in (None, ""):
                continue
            changes.append(
                {
                    "label": str(field.verbose_name),
                    "old": _format(field, old, names) if record.history_type == "~" and before is not None else "",
                    "new": _format(field, new, names),
                }
            )
        user = record.history_user
        events.append(
            {
                "date": record.history_date,
                "user": (user.get_full_name() or user.username) if user else "система",
                "action": ACTIONS.get(record.history_type, record.history_type),
                "reason": record.history_change_reason or "",
                "changes": changes,
                "history_id": record.history_id,
            }
        )
    return events


@require_GET
@login_required
def history_view(request, kind: str, pk: int):
    tracked = _tracked().get(kind)
    if tracked is None:
        raise Http404("Такого раздела истории нет.")
    obj = tracked.get(request.user, pk)
    if not can_read_history(request.user):
        raise PermissionDenied("Историю изменений смотрят координатор муниципалитета и управление образования.")
    history = obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    paginator = Paginator(history, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    start = page.start_index() - 1 if paginator.count else 0
    # One record more than the page shows: what the oldest one on the page changed is told against it.
    records = list(history[start : start + PAGE_SIZE + 1])
    events = history_events(obj, records)[: min(PAGE_SIZE, paginator.count - start)]
    if tracked.can_restore and tracked.can_restore(request.user, obj):
        for index, event in enumerate(events):
            if not (page.number == 1 and index == 0) and event["action"] != ACTIONS["-"]:  # not the current one
                event["restore_url"] = tracked.restore_url(obj, event["history_id"])
    return render(
        request,
        "history.html",
        {
            "object": obj,
            "tracked": tracked,
            "back_url": tracked.url(obj),
            "events": events,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


# --- stale saves --------------------------------------------------------------------------------------------------


def last_change_id(obj) -> int | None:
    """The id of the object's newest history record: the version a form was opened on."""
    return obj.history.order_by("-history_id").values_list("history_id", flat=True).first()


def last_change_ids(model, pks) -> dict[int, int]:
    """pk → the id of the newest history record, for many objects of one model in one query."""
    return dict(
        model.history.filter(id__in=list(pks)).values("id").annotate(last=models.Max("history_id")).values_list("id", "last")
    )


def changed_by(record) -> tuple[str, str]:
    """Who made a history record and when (local time), as a stale-save refusal names them."""
    user = record.history_user
    who = (user.get_full_name() or user.username) if user else "другой пользователь"
    return who, timezone.localtime(record.history_date).strftime("%d.%m.%Y %H:%M")


def stale_message(obj, seen: int | None) -> str | None:
    """None if nobody saved the object since the user opened it on version `seen`; else who did, and when.

    Call it on the row locked for the save (select_for_update), so that two saves cannot both pass."""
    if seen is None:
        return None
    latest = obj.history.order_by("-history_id").select_related("history_user").first()
    if latest is None or latest.history_id == seen:
        return None
    who, when = changed_by(latest)
    return (
        f"Пока вы редактировали, запись изменил(а) {who} ({when}). Ваши изменения не сохранены, чтобы не затереть "
        "чужие: откройте запись, проверьте её нынешний вид и внесите правки ещё раз."
    )


class GuardedModelForm(forms.ModelForm):
    """An edit form remembers the version (the newest history record) it was opened on; the service refuses a
    save made after somebody else's instead of overwriting it (`stale_message`).

    A form for a new object carries no version — unless `guards_creation`: for an object found by its natural key
    (a school's profile of a year) the form opened on «nothing yet» carries 0, so a profile somebody else created
    meanwhile is not overwritten either."""

    guards_creation = False
    seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.guards_creation:
            del self.fields["seen"]
        elif not self.is_bound:
            self.fields["seen"].initial = self._current_version()

    def _current_version(self) -> int:
        # 0: nothing saved yet (or saved before histories were kept); any save from now on is a newer version.
        return (last_change_id(self.instance) if self.instance.pk else None) or 0

    def reopen_on_current_version(self) -> None:
        """After a refused save the user has been told: a deliberate second save applies to today's version."""
        self.data = self.data.copy()
        self.data[self.add_prefix("seen")] = self._current_version()
