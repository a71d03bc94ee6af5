"""The demo seeding of the fixtures, run for real once per xdist worker and then replayed.

`seed_or_replay(seed_demo)` does what `seed_demo()` does. The first time a seed function meets a given starting point it
really runs, and its effect is recorded: the rows of every table it changed (PostgreSQL COPY), the files it wrote
under MEDIA_ROOT and the e-mails it sent. When the same seed function later meets the same starting point again
(same rows in every table, same files, same settings, same day, inside or outside a test transaction alike), the
recorded effect is written back instead: the same rows, files and e-mails, in a fraction of the time. Any other
starting point runs the seed function for real, so a test that changes the database before seeding still gets what
the seed function makes of it. The tests of the seed functions themselves call them directly, never through here.

Two things differ from a real run, and no test may depend on them: the primary keys of the demo rows are the same
in every test (a real run takes new ones from the sequences; the sequences are moved past the replayed keys), and
the timestamps the seeding wrote are those of the recording, minutes earlier at most, never of another day.

Only on PostgreSQL; elsewhere, and with TEST_SEED_REPLAY=0 in the environment, the seed function always runs.
"""

import copy
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from shnor_portal.pg_copy import copy_from, copy_to

# Django's own bookkeeping rows: written by `migrate` (and again, with new ids, after every flush of a
# transaction=True test), never by a seed function.
BOOKKEEPING = ("django_content_type", "auth_permission")
NOT_SEEDED = {"django_migrations"}


@dataclass
class _Recording:
    result: object
    changed: dict[str, bytes]  # table -> COPY text of all its rows after the seed function
    bookkeeping: dict[str, bytes]  # content types and permissions as they were (the rows above refer to their ids)
    bookkeeping_ids: str
    files: dict[str, bytes]  # written or rewritten under MEDIA_ROOT
    removed: list[str]
    emails: list = field(default_factory=list)


_recordings: dict[tuple, _Recording] = {}


def _tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall() if row[0] not in NOT_SEEDED]


def _fingerprints(cursor, tables) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of the rows)}, every table in one query."""
    quote = connection.ops.quote_name
    parts = [
        f"SELECT %s, count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM {quote(t)} t"
        for t in tables
    ]
    cursor.execute(" UNION ALL ".join(parts), tables)
    return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def _bookkeeping_keys(cursor) -> tuple[str, str]:
    """The content types and permissions by their natural keys, and the same with their ids."""
    cursor.execute(
        "SELECT ct.app_label, ct.model, p.codename, ct.id, p.id FROM django_content_type ct "
        "LEFT JOIN auth_permission p ON p.content_type_id = ct.id ORDER BY 1, 2, 3"
    )
    rows = cursor.fetchall()
    natural = hashlib.md5(repr([row[:3] for row in rows]).encode()).hexdigest()
    with_ids = hashlib.md5(repr(rows).encode()).hexdigest()
    return natural, with_ids


def _settings_digest() -> str:
    # MEDIA_ROOT is a new folder in every test; the stored names are relative to it.
    names = sorted(name for name in dir(settings) if name.isupper() and name != "MEDIA_ROOT")
    return hashlib.md5(repr([(name, getattr(settings, name)) for name in names]).encode()).hexdigest()


def _media() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return {}
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _copy_out(cursor, table) -> bytes:
    return copy_to(cursor, f"COPY {connection.ops.quote_name(table)} TO STDOUT")


def _copy_in(cursor, table, data: bytes) -> None:
    quote = connection.ops.quote_name
    cursor.execute(f"DELETE FROM {quote(table)}")
    if data:
        copy_from(cursor, f"COPY {quote(table)} FROM STDIN", data)


def _move_sequences_past(cursor, tables) -> None:
    """Every sequence of these tables beyond both its own position and the largest key now in the table."""
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT c.relname, a.attname, pg_get_serial_sequence(quote_ident(c.relname), a.attname) FROM pg_class c "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
        "WHERE c.relname = ANY(%s) AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL",
        [list(tables)],
    )
    for table, column, sequence in cursor.fetchall():
        cursor.execute(
            f"SELECT setval(%s, GREATEST((SELECT coalesce(max({quote(column)}), 0) FROM {quote(table)}), "
            f"(SELECT last_value FROM {sequence}), 1))",
            [sequence],
        )


def seed_or_replay(seed):
    """`seed()`, or the replay of its recorded effect from the same starting point."""
    if connection.vendor != "postgresql" or os.environ.get("TEST_SEED_REPLAY") == "0":
        return seed()
    with connection.cursor() as cursor:
        tables = _tables(cursor)
        before = _fingerprints(cursor, tables)
        natural, with_ids = _bookkeeping_keys(cursor)
    files_before = _media()
    only_bookkeeping = all(before[t][0] == 0 for t in tables if t not in BOOKKEEPING)
    key = (
        f"{seed.__module__}.{seed.__qualname__}",
        timezone.localdate(),
        _settings_digest(),
        connection.in_atomic_block,
        # Rows that refer to content types or permissions are only the same rows with the same ids of those.
        tuple(sorted((t, fp) for t, fp in before.items() if t not in BOOKKEEPING)),
        natural if only_bookkeeping else with_ids,
        hashlib.md5(repr(sorted(files_before.items())).encode()).hexdigest(),
    )
    recording = _recordings.get(key)
    if recording is None:
        outbox = getattr(mail, "outbox", None)
        sent = len(outbox) if outbox is not None else 0
        result = seed()
        with connection.cursor() as cursor:
            after = _fingerprints(cursor, _tables(cursor))
            changed = {t: _copy_out(cursor, t) for t in sorted(after) if after[t] != before.get(t)}
            bookkeeping = {t: _copy_out(cursor, t) for t in BOOKKEEPING if t not in changed}
        files_after = _media()
        try:
            emails = copy.deepcopy(outbox[sent:]) if outbox is not None else []
            kept = copy.deepcopy(result)
        except Exception:  # what cannot be copied is not replayed: the next time runs for real
            return result
        _recordings[key] = _Recording(
            result=kept,
            changed=changed,
            bookkeeping=bookkeeping,
            bookkeeping_ids=with_ids,
            files={name: data for name, data in files_after.items() if files_before.get(name) != data},
            removed=[name for name in files_before if name not in files_after],
            emails=emails,
        )
        return result

    with transaction.atomic(), connection.cursor() as cursor:
        tables = dict(recording.changed)
        if with_ids != recording.bookkeeping_ids:
            # Only when nothing else is in the database (the key says so): the content types and permissions of
            # the recording, with its ids, in place of the ones a flush recreated.
            tables.update(recording.bookkeeping)
        for table, data in tables.items():
            _copy_in(cursor, table, data)
        _move_sequences_past(cursor, tables)
    if with_ids != recording.bookkeeping_ids:
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
    root = Path(settings.MEDIA_ROOT)
    for name, data in recording.files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    for name in recording.removed:
        (root / name).unlink()
    if recording.emails and getattr(mail, "outbox", None) is not None:
        mail.outbox.extend(copy.deepcopy(recording.emails))
    return copy.deepcopy(recording.result)
