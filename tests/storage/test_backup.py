"""`make backup` / `make restore` with the files in an S3 bucket (the local server of tests/s3.py): every object goes
into the copy's media.tar.gz and comes back into an emptied bucket byte for byte; a bucket with files in it is not
restored over; and the archive is the one a disk copy makes, so a copy of the disk restores into a bucket."""

import hashlib
import os
import tarfile

import pytest
from django.db import connection

from tests.deployment.test_backup import _pg_url, _run

OBJECTS = {
    "programs/evidence/7/приказ.pdf": b"%PDF-1.4\n" + os.urandom(70_000),
    "partnerships/scans/скан договора.pdf": b"%PDF-1.4\n" + os.urandom(3000),
    "pending-uploads/roadmap/3/abc.xlsx": b"PK\x03\x04" + os.urandom(500),
    "empty.txt": b"",
}


def _contents(bucket) -> dict[str, str]:
    return {key: hashlib.sha256(bucket.read(key)).hexdigest() for key in bucket.keys()}


def _wipe(bucket) -> None:
    for key in bucket.keys():
        bucket.client.delete_object(Bucket=bucket.name, Key=key)


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_carry_every_object_of_the_bucket(tmp_path, s3_bucket):
    if connection.vendor != "postgresql":
        pytest.skip("the pg_dump/pg_restore pair needs PostgreSQL (./scripts/run_tests.sh)")
    for key, content in OBJECTS.items():
        s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=key, Body=content)
    before = _contents(s3_bucket)
    source = connection.settings_dict
    target_name = f"{source['NAME']}_from_bucket_copy"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
        cursor.execute(f'CREATE DATABASE "{target_name}"')
    env = {**s3_bucket.environ(), "MEDIA_ROOT": str(tmp_path / "unused-media")}
    try:
        backup = _run("backup.sh", str(tmp_path / "copy"), DATABASE_URL=_pg_url(source, source["NAME"]), **env)
        assert backup.returncode == 0, backup.stderr
        with tarfile.open(tmp_path / "copy" / "media.tar.gz") as archive:
            assert sorted(m.name for m in archive if m.isfile()) == sorted(f"./{key}" for key in OBJECTS)
        assert f"media: s3://{s3_bucket.name} (4 файлов)" in (tmp_path / "copy" / "MANIFEST.txt").read_text()

        refused = _run("restore.sh", str(tmp_path / "copy"), DATABASE_URL=_pg_url(source, target_name), **env)
        assert refused.returncode != 0 and f"в корзине s3://{s3_bucket.name} уже есть файлы (4)" in refused.stderr

        _wipe(s3_bucket)
        restore = _run("restore.sh", str(tmp_path / "copy"), DATABASE_URL=_pg_url(source, target_name), **env)
        assert restore.returncode == 0, restore.stderr
        assert _contents(s3_bucket) == before
        acl = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key="empty.txt")
        assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]  # private, as the portal writes
        assert not (tmp_path / "unused-media").exists()
    finally:
        _drop_database(target_name)


def _drop_database(name: str) -> None:
    """Drop the restored copy. A session FORCE may not end (an autovacuum worker on the fresh copy runs as the
    superuser) ends by itself within seconds: try again for a while rather than fail a test that passed."""
    import time

    from django.db import DatabaseError

    for attempt in range(20):
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except DatabaseError:
            if attempt == 19:
                raise
            time.sleep(0.5)


def test_a_copy_of_the_disk_restores_into_a_bucket(tmp_path, s3_media):
    """The archive of the disk (tar of MEDIA_ROOT) and of the bucket are one format: moving to S3 is a restore."""
    from django.core.management import call_command

    media = tmp_path / "disk"
    for key, content in OBJECTS.items():
        (media / key).parent.mkdir(parents=True, exist_ok=True)
        (media / key).write_bytes(content)
    with tarfile.open(tmp_path / "media.tar.gz", "w:gz") as archive:
        archive.add(media, arcname=".")
    call_command("media_bucket", "restore", str(tmp_path / "media.tar.gz"))
    assert {key: s3_media.read(key) for key in s3_media.keys()} == OBJECTS
