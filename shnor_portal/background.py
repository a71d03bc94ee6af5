"""Slow work started by a request and done beside it: an identification run, a yearly report.

There is no task queue: a department starts a handful of such jobs a day, each records its own progress in its row,
and the page polls it. The job starts in a thread once the request's transaction commits (so the thread sees the row),
with a database connection of its own. On SQLite — the embedded demo database, one writer at a time — and when a
setting asks for it, the job runs in the request itself. A job interrupted by a server restart stays unfinished and is
started again by the user.
"""

import threading
from collections.abc import Callable

from django.db import close_old_connections, connection, transaction


def start_after_commit(job: Callable[[int], None], pk: int, *, name: str, inline: bool = False) -> None:
    """Run `job(pk)` in a background thread after the commit, or right away when `inline` or on SQLite."""
    if inline or connection.vendor == "sqlite":
        job(pk)
        return

    def work():
        close_old_connections()
        try:
            job(pk)
        finally:
            connection.close()

    transaction.on_commit(lambda: threading.Thread(target=work, daemon=True, name=f"{name}-{pk}").start())
