"""The whole database as row counts and checksums, to prove that a refused upload wrote nothing."""

import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

# Sessions change with every request (an upload waiting for its preview is noted there); they are not domain data.
SKIPPED_TABLES = {"django_session"}


def _tables():
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in SKIPPED_TABLES or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        yield model


def db_snapshot() -> dict[str, tuple[int, str]]:
    """{table: (row count, md5 of every column of every row in primary-key order)}.

    On PostgreSQL the checksums are computed by the server, every table in one query; elsewhere one query per
    table reads the rows.
    """
    models = list(_tables())
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        parts = [
            f"SELECT %s, count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY t.{quote(m._meta.pk.column)})), '') "
            f"FROM {quote(m._meta.db_table)} t"
            for m in models
        ]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), [m._meta.db_table for m in models])
            return {table: (count, digest) for table, count, digest in cursor.fetchall()}
    snapshot = {}
    for model in models:
        columns = [field.attname for field in model._meta.concrete_fields]
        digest = hashlib.md5()
        count = 0
        for row in model._base_manager.order_by("pk").values_list(*columns).iterator(chunk_size=5000):
            # memoryview (BinaryField) has no stable repr
            digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
            count += 1
        snapshot[model._meta.db_table] = (count, digest.hexdigest())
    return snapshot


def snapshot_changes(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ, with their counts before → after; empty when nothing changed."""
    return [
        f"{table}: {before.get(table, (0, ''))[0]} → {after.get(table, (0, ''))[0]} строк"
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    ]


def stored_files() -> list[str]:
    """Every file under MEDIA_ROOT (relative paths)."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
