"""Figures that are costly to count and change only when the data does: counted once per state of the data.

A dashboard of the whole country aggregates millions of rows; the registry counts 40,000 schools by status. Between
two changes of the data every request would count the same numbers again. Instead, every write to a table of the
portal's apps — an INSERT, UPDATE or DELETE, whoever makes it: a view, the back office, an import, a background job,
a command — gives the data a new *state token* once its transaction commits (`DataVersion`, one row). A counted
figure is kept under the token it was counted at (`counted`), so nobody sees a figure older than the last
committed change, and no code that writes has to remember to invalidate anything.

Why after the commit and not inside the transaction: the token row would otherwise stay locked until the writer
commits, and every writer of the country would queue behind a long import. The token is read *before* counting, so
a count that started before a commit is stored under the old token, which no later reader asks for.

A transaction that has written but not yet committed sees data nobody else sees: while it is open its reads use a
token of their own (the connection's, with the number of its writes), so it never reads nor leaves a figure counted
from its uncommitted rows for others. (The test suite relies on this: a test is one transaction that never commits.)

Writes that bypass Django's cursor (COPY) call `data_changed` themselves. Tables written only to report a job's
progress are not watched: a long export would otherwise make every dashboard count again every few seconds.
"""

import re
import threading
import time
import uuid
from collections import OrderedDict

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils import timezone

WATCHED_APPS = ("schools", "programs", "monitoring", "partnerships")
UNWATCHED_TABLES = {
    "schools_dataversion",  # the token itself
    "monitoring_reportexport",  # progress of a yearly report being written
    "schools_identificationrun",  # progress of a run; its approval writes the statuses, which are watched
}
MEMO_SIZE = 32  # entries of this process: a handful of dashboards and registry filters in use at once
MEMO_SECONDS = 6 * 60 * 60  # a state nobody changes for hours is still counted again now and then

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def is_watched(table: str) -> bool:
    return table.split("_", 1)[0] in WATCHED_APPS and table not in UNWATCHED_TABLES


def _bump(using: str) -> None:
    from .models import DataVersion

    token = uuid.uuid4().hex
    if not DataVersion.objects.using(using).filter(pk=1).update(token=token, changed_at=timezone.now()):
        DataVersion.objects.using(using).update_or_create(pk=1, defaults={"token": token})


class _Pending:
    """What a connection has written and not yet committed: the callback that will change the token on commit."""

    def __init__(self, using: str):
        self.using = using
        self.id = uuid.uuid4().hex[:12]
        self.writes = 0

    def __call__(self):
        _bump(self.using)

    def is_registered(self, connection) -> bool:
        return any(func is self for _, func, _ in connection.run_on_commit)


def _pending(connection) -> _Pending:
    pending = getattr(connection, "_freshness_pending", None)
    if pending is None:
        pending = connection._freshness_pending = _Pending(connection.alias)
    return pending


def data_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """The data of `using` has changed (or will have, once the open transaction commits)."""
    connection = connections[using]
    pending = _pending(connection)
    pending.writes += 1
    if not connection.in_atomic_block:
        _bump(using)
    elif not pending.is_registered(connection):
        connection.on_commit(pending)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    match = _WRITE.match(sql)
    if match and is_watched(match[1].lower()):
        data_changed(context["connection"].alias)
    return result


@receiver(connection_created)
def _install(sender, connection, **kwargs):
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def install() -> None:
    """Watch the connections opened before the app registry was ready too (called from `SchoolsConfig.ready`)."""
    for connection in connections.all(initialized_only=True):
        _install(None, connection)


def state_token(using: str = DEFAULT_DB_ALIAS) -> str:
    """The token of the data as this connection sees it (one query)."""
    from .models import DataVersion

    connection = connections[using]
    token = DataVersion.objects.using(using).filter(pk=1).values_list("token", flat=True).first() or "initial"
    pending = getattr(connection, "_freshness_pending", None)
    if pending is not None and connection.in_atomic_block and pending.is_registered(connection):
        return f"{token}+{pending.id}.{pending.writes}"
    return token


class _Memo:
    """The last figures counted in this process, newest last. Kept as objects: unpickling the country's dashboard
    figures from a cache backend would cost more than the page they are for. Each server process counts once per
    state of the data; entries of older states are simply pushed out."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, value) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic() + MEMO_SECONDS, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_memo = _Memo(MEMO_SIZE)


def counted(key: str, compute, *, using: str = DEFAULT_DB_ALIAS):
    """`compute()`, or what it returned for `key` at the same state of the data. `compute` must not return None,
    and what it returns is shared: nobody may change it."""
    full_key = f"{key}@{state_token(using)}"
    value = _memo.get(full_key)
    if value is None:
        value = compute()
        _memo.put(full_key, value)
    return value


def queryset_key(queryset) -> str:
    """The exact query a queryset runs: two querysets with the same key count the same rows."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter nothing can match, e.g. a municipality out of the user's reach
        return "nothing"
    return f"{sql}|{params!r}"
