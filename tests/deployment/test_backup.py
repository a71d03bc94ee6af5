"""Backup and restore round trip: the demo region is dumped by scripts/backup.sh, restored by scripts/restore.sh
into an EMPTY database and MEDIA_ROOT, and every table has the same rows (count and checksum of the row contents),
every sequence the same position, every stored file the same bytes."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from tests.seeding import seed_or_replay

ROOT = Path(__file__).resolve().parents[2]


def _run(script, *args, **env):
    full_env = {**os.environ, **env}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=600
    )


def _files(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _add_own_files(media: Path):
    (media / "подкаталог").mkdir(parents=True, exist_ok=True)
    (media / "подкаталог" / "скан договора.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(4096))
    (media / "empty.txt").write_bytes(b"")


def _pg_url(settings_dict, name):
    """A libpq URL of database NAME on the test server (the socket may sit in HOST/PORT or in OPTIONS)."""
    options = settings_dict.get("OPTIONS", {})
    host = settings_dict["HOST"] or options.get("host") or os.environ.get("PGHOST", "")
    port = settings_dict["PORT"] or options.get("port") or os.environ.get("PGPORT", "")
    query = "&".join(f"{key}={quote(str(value), safe='')}" for key, value in [("host", host), ("port", port)] if value)
    credentials = f"{quote(settings_dict['USER'] or '', safe='')}:{quote(settings_dict['PASSWORD'] or '', safe='')}"
    return f"postgresql://{credentials}@/{quote(name, safe='')}" + (f"?{query}" if query else "")


def _pg_snapshot(url):
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        rows = {}
        for table in tables:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            rows[table] = cursor.fetchone()
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        sequences = dict(cursor.fetchall())
    conn.close()
    return rows, sequences


def _model_tables():
    return {model._meta.db_table for model in apps.get_models(include_auto_created=True)}


@pytest.mark.django_db(transaction=True)
def test_postgresql_dump_restores_every_row_into_an_empty_database(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the pg_dump/pg_restore pair needs PostgreSQL (./scripts/run_tests.sh)")
    from portal.demo import seed_full_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    seed_or_replay(seed_full_demo)
    _add_own_files(settings.MEDIA_ROOT)

    source = connection.settings_dict
    source_url = _pg_url(source, source["NAME"])
    target_name = f"{source['NAME']}_restored"
    target_url = _pg_url(source, target_name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
        cursor.execute(f'CREATE DATABASE "{target_name}"')
    try:
        backup = _run("backup.sh", str(tmp_path / "copy"), DATABASE_URL=source_url, MEDIA_ROOT=str(settings.MEDIA_ROOT))
        assert backup.returncode == 0, backup.stderr
        assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == [
            "MANIFEST.txt",
            "SHA256SUMS",
            "database.pgdump",
            "media.tar.gz",
        ]

        restored_media = tmp_path / "restored-media"
        restore = _run("restore.sh", str(tmp_path / "copy"), DATABASE_URL=target_url, MEDIA_ROOT=str(restored_media))
        assert restore.returncode == 0, restore.stderr

        (before, sequences_before), (after, sequences_after) = _pg_snapshot(source_url), _pg_snapshot(target_url)
        assert _model_tables() <= set(before)
        assert set(after) == set(before)
        differing = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
        assert not differing
        assert sequences_after == sequences_before
        # The demo is really in there: the comparison is not of two empty databases.
        assert sum(count for count, _ in before.values()) > 1000
        assert all(before[table][0] > 0 for table in ["schools_school", "auth_user", "programs_programme"])

        assert _files(restored_media) == _files(settings.MEDIA_ROOT)
        assert len(_files(restored_media)) >= 3

        # A second restore into the now filled database is refused, and changes nothing.
        again = _run("restore.sh", str(tmp_path / "copy"), DATABASE_URL=target_url, MEDIA_ROOT=str(tmp_path / "x"))
        assert again.returncode != 0
        assert "Восстановление отменено" in again.stderr
        assert _pg_snapshot(target_url)[0] == after
        assert not (tmp_path / "x").exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')


def _auto_through_tables() -> set[str]:
    from django.apps import apps

    return {
        field.remote_field.through._meta.db_table
        for model in apps.get_models()
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    }


def _sqlite_snapshot(path):
    conn = sqlite3.connect(path)
    tables = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    snapshot = {}
    for table in tables:
        columns = "*"
        if table in _auto_through_tables():  # a many-to-many row's own id is not data: loaddata numbers them anew
            names = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")') if row[1] != "id"]
            columns = ", ".join(f'"{name}"' for name in names)
        rows = sorted(repr(row) for row in conn.execute(f'SELECT {columns} FROM "{table}"'))
        snapshot[table] = (len(rows), hashlib.md5("\n".join(rows).encode()).hexdigest())
    conn.close()
    return snapshot


def test_sqlite_dumpdata_restores_every_row_into_an_empty_database(tmp_path):
    source, target = tmp_path / "portal.sqlite3", tmp_path / "restored.sqlite3"
    media = tmp_path / "media"
    env = {"DATABASE_URL": f"sqlite:///{source}", "MEDIA_ROOT": str(media)}
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        result = subprocess.run(
            [python, "manage.py", *command],
            cwd=ROOT,
            env={k: v for k, v in {**os.environ, **env}.items() if k != "DJANGO_SETTINGS_MODULE"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
        if command[0] == "migrate":
            # The empty database restore.sh would make with its own `migrate` (35 s on SQLite), made once: its
            # `migrate` then finds nothing to do, and every other step of the restore runs as it would.
            shutil.copyfile(source, target)
    _add_own_files(media)

    backup = _run("backup.sh", str(tmp_path / "copy"), **env)
    assert backup.returncode == 0, backup.stderr
    assert (tmp_path / "copy" / "database.xml.gz").exists()

    restored_media = tmp_path / "restored-media"
    restore = _run(
        "restore.sh", str(tmp_path / "copy"), DATABASE_URL=f"sqlite:///{target}", MEDIA_ROOT=str(restored_media)
    )
    assert restore.returncode == 0, restore.stderr

    before, after = _sqlite_snapshot(source), _sqlite_snapshot(target)
    assert set(after) == set(before)
    # `migrate` on the restore side writes its own django_migrations rows (with their own times): same count.
    assert after.pop("django_migrations")[0] == before.pop("django_migrations")[0]
    assert {table: after[table] for table in before if before[table] != after[table]} == {}
    assert sum(count for count, _ in before.values()) > 1000
    assert _files(restored_media) == _files(media)


def test_restore_refuses_a_damaged_copy(tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "database.xml.gz").write_bytes(b"not gzip")
    (copy / "media.tar.gz").write_bytes(b"")
    (copy / "MANIFEST.txt").write_text("x")
    (copy / "SHA256SUMS").write_text(f"{'0' * 64}  database.xml.gz\n")
    result = _run("restore.sh", str(copy), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode != 0
    assert "повреждены" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


def test_backup_never_writes_over_an_existing_directory(tmp_path):
    (tmp_path / "copy").mkdir()
    result = _run("backup.sh", str(tmp_path / "copy"), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode != 0
    assert "уже есть" in result.stderr
