"""Who changed what, and when, on the objects of every app that keep a history (django-simple-history).

Each such object is named by the short kind of its URL (`/history/agreement/12/`) in the registry of object kinds
(`shnor_portal.object_kinds`), with the function of its app's access module that fetches it within the user's
reach — so an object out of reach answers 404 here as on its own page. The history is the coordinator's and the
department's to read (they oversee the work); the programme keeps its own, richer page (`programs:history`) that
its owner reads too.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from schools.access import can_read_history, require
from shnor_portal.object_kinds import kind_of_history
from shnor_portal.paging import page_of

PAGE_SIZE = 50

HIDDEN_FIELDS = {"id", "version", "created_at", "updated_at", "logged_at", "file", "data"}
ACTIONS = {"+": "создано", "~": "изменено", "-": "удалено"}


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
    tracked = kind_of_history(kind)
    if tracked is None:
        raise Http404("Такого раздела истории нет.")
    obj = tracked.get_or_404(request.user, pk)
    require(can_read_history(request.user), "Историю изменений смотрят координатор муниципалитета и управление образования.")
    history = obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    paging = page_of(request, history, PAGE_SIZE)
    page, count = paging["page"], paging["page"].paginator.count
    start = page.start_index() - 1 if count else 0
    # One record more than the page shows: what the oldest one on the page changed is told against it.
    records = list(history[start : start + PAGE_SIZE + 1])
    events = history_events(obj, records)[: min(PAGE_SIZE, count - start)]
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
            **paging,
        },
    )


