"""Uploaded files in a private S3 bucket (a real local S3 server, tests/s3.py): an upload through a portal form lands
in the bucket, comes back only through the access-checked view, streamed and never from a bucket URL, goes with its
row, and an import reads its held workbook from there."""

import hashlib
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse, Http404
from django.urls import reverse

from programs.models import Evidence
from shnor_portal.stored_files import download_response
from tests.programs.test_roadmap_xlsx import seed_like_workbook

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
HTMX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.4\n" + os.urandom(3000)


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _leaks_bucket(response, bucket) -> bool:
    text = _content(response) + str(dict(response.items())).encode()
    return bucket.endpoint.encode() in text or bucket.name.encode() in text


def test_evidence_goes_to_the_bucket_and_back_only_through_the_checked_view(
    client, demo, programmes, s3_media, django_capture_on_commit_callbacks
):
    measure = programmes["municipal"].measures.get(name__startswith="Отбор ШНОР")
    client.force_login(demo["coordinator"])
    before = set(s3_media.keys())
    panel = client.post(
        reverse("programs:evidence", args=[measure.pk]),
        {"title": "Приказ № 12", "file": SimpleUploadedFile("prikaz.pdf", PDF)},
        **HTMX,
    )
    assert "Приказ № 12" in panel.content.decode() and not _leaks_bucket(panel, s3_media)
    evidence = Evidence.objects.get(measure=measure, title="Приказ № 12")
    (key,) = set(s3_media.keys()) - before
    assert key == evidence.file.name and key.startswith(f"programs/evidence/{measure.programme_id}/")
    assert s3_media.read(key) == PDF
    acl = s3_media.client.get_object_acl(Bucket=s3_media.name, Key=key)
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]  # the owner's alone: private

    url = reverse("programs:evidence_download", args=[evidence.pk])
    download = client.get(url)
    assert download.status_code == 200 and _content(download) == PDF
    assert download["Content-Length"] == str(len(PDF)) and "prikaz.pdf" in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store" and not _leaks_bucket(download, s3_media)

    for outsider in ("coordinator_b", "school", "tutor"):
        client.force_login(demo[outsider])
        refused = client.get(url)
        assert refused.status_code == 404, outsider
        assert PDF not in _content(refused) and not _leaks_bucket(refused, s3_media)

    client.force_login(demo["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programs:evidence_delete", args=[evidence.pk]), **HTMX)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert key not in s3_media.keys()


def test_an_object_gone_from_the_bucket_is_a_404_not_an_error(client, demo, programmes, s3_media):
    evidence = Evidence.objects.filter(measure__programme=programmes["municipal"]).first()
    evidence.file.save("lost.pdf", ContentFile(PDF))
    s3_media.client.delete_object(Bucket=s3_media.name, Key=evidence.file.name)
    client.force_login(demo["coordinator"])
    assert client.get(reverse("programs:evidence_download", args=[evidence.pk])).status_code == 404


def test_a_large_file_is_streamed_a_block_at_a_time(s3_media):
    block = os.urandom(1024 * 1024)
    name = default_storage.save("programs/evidence/big.pdf", ContentFile(block * 16))
    expected = hashlib.sha256(block * 16).hexdigest()
    field = Evidence(file=name).file

    tracemalloc.start()
    try:
        response = download_response(field, name="big.pdf", content_type="application/pdf")
        chunks = iter(response.streaming_content)
        first = next(chunks)
        fetched_before_sending = response.file_to_stream.tell()  # bytes taken from the bucket so far
        digest = hashlib.sha256(first)
        for chunk in chunks:
            digest.update(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    response.close()
    assert len(first) == FileResponse.block_size and fetched_before_sending < len(block)
    assert response["Content-Length"] == str(16 * len(block)) and digest.hexdigest() == expected
    assert peak < 4 * 1024 * 1024, f"{peak} bytes held while serving 16 MiB"  # never the whole file


def test_no_url_of_a_stored_file_points_at_the_bucket(s3_media):
    name = default_storage.save("partnerships/scan.pdf", ContentFile(PDF))
    url = default_storage.url(name)
    assert url == f"/media-is-not-served/{name}"  # as on the local disk: a path nobody serves
    assert s3_media.endpoint not in url and s3_media.name not in url
    assert default_storage.save("partnerships/scan.pdf", ContentFile(b"%PDF-2")) != name  # never overwritten
    assert s3_media.read(name) == PDF


def test_a_missing_field_is_a_404(s3_media):
    with pytest.raises(Http404):
        download_response(Evidence().file, name="x.pdf", content_type="application/pdf")


def test_a_roadmap_import_reads_its_held_workbook_from_the_bucket(client, demo, programmes, s3_media):
    draft = programmes["draft"]
    client.force_login(demo["school"])
    url = reverse("programs:import", args=[draft.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("roadmap.xlsx", seed_like_workbook())})
    assert "Предпросмотр: задач — 2, мероприятий — 4" in preview.content.decode()
    (held,) = s3_media.keys("pending-uploads/")
    assert held.startswith("pending-uploads/") and held.endswith(".xlsx")
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert draft.measures.count() == 4
    assert s3_media.keys("pending-uploads/") == []  # the held file goes once it is stored


def _storage_setting(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_local_disk_is_the_default_and_a_bucket_name_switches_to_s3(tmp_path):
    assert _storage_setting() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    (tmp_path / "secret").write_text("ключ-из-файла\n")
    s3 = _storage_setting(
        AWS_STORAGE_BUCKET_NAME="shnor-files",
        AWS_S3_ENDPOINT_URL="https://storage.yandexcloud.net",
        AWS_S3_REGION_NAME="ru-central1",
        AWS_S3_ACCESS_KEY_ID="id",
        AWS_S3_SECRET_ACCESS_KEY_FILE=str(tmp_path / "secret"),
    )
    assert s3["BACKEND"] == "shnor_portal.s3.PrivateS3Storage"
    options = s3["OPTIONS"]
    assert options["bucket_name"] == "shnor-files" and options["endpoint_url"] == "https://storage.yandexcloud.net"
    assert options["secret_key"] == "ключ-из-файла" and options["access_key"] == "id"
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["querystring_expire"] == 60 and options["file_overwrite"] is False


def _confirmed_while_listed(monkeypatch, name: str) -> None:
    """The bucket's listings go on naming `name`, but it is gone by the time anyone asks about it: its owner
    confirmed the import in between (as under `make load-cluster`, where this made an upload fail with a 500)."""
    bucket = storages["default"]
    listdir = bucket.listdir

    def listed_then_gone(path):
        directories, files = listdir(path)
        if any(f"{path.rstrip('/')}/{file}" == name for file in files):
            bucket.delete(name)
        return directories, files

    monkeypatch.setattr(bucket, "listdir", listed_then_gone)


def test_an_upload_is_held_while_another_person_confirms_theirs(s3_media, django_user_model, monkeypatch):
    from shnor_portal import uploads
    from tests.test_uploads import request_of

    other = request_of(django_user_model.objects.create_user("other"))
    theirs = uploads.hold(other, "results", b"their workbook")
    _confirmed_while_listed(monkeypatch, theirs.storage_name)
    mine = uploads.hold(request_of(django_user_model.objects.create_user("me")), "results", b"my workbook")
    assert mine.read() == b"my workbook"


def test_the_sweep_of_expired_uploads_passes_over_a_file_confirmed_meanwhile(s3_media, django_user_model, monkeypatch):
    from shnor_portal import uploads
    from tests.test_uploads import request_of

    held = uploads.hold(request_of(django_user_model.objects.create_user("other")), "results", b"their workbook")
    _confirmed_while_listed(monkeypatch, held.storage_name)
    assert uploads.remove_expired() == 0
    with pytest.raises(FileNotFoundError):  # what the local disk says of a file that is not there
        default_storage.get_modified_time(held.storage_name)
