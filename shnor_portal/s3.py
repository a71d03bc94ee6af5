"""The S3-compatible bucket for uploaded files, switched on by AWS_STORAGE_BUCKET_NAME (docs/PRODUCTION.md).

The bucket is private and the portal is the only way in. Objects are written with the private ACL; no URL to the
bucket is ever handed out — `url()` gives the unrouted MEDIA_URL path, exactly as the local disk does, so even the
back office's «На данный момент» link leads nowhere; and a download is streamed from the bucket by the portal's view
after its access check (`open_stream`, used by `shnor_portal.stored_files.download_response`). Streaming rather than
a redirect to a presigned URL keeps the bucket closed to browsers altogether and every download in the portal's own
log; the traffic of a few documents a day is no reason to give that up.

Imported only when the bucket is configured (settings name this class), so a portal on local disk never loads boto3.
`manage.py media_bucket` copies the bucket into a backup's media.tar.gz and back (docs/PRODUCTION.md).
"""

import mimetypes
import posixpath
import tarfile
from contextlib import closing
from urllib.parse import urljoin

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class PrivateS3Storage(S3Storage):
    """django-storages' S3Storage that never names its bucket to a browser and can stream an object."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        """Not a bucket address: the same unrouted path the local disk gives (MEDIA_URL is served by nobody)."""
        return urljoin(settings.MEDIA_URL, filepath_to_uri(clean_name(name)))

    def key(self, name: str) -> str:
        """The object key of a stored name (the name under the storage's location, if one is set)."""
        return self._normalize_name(clean_name(name))

    def open_stream(self, name: str):
        """The object's body, read from the bucket only as it is consumed, and its size in bytes.

        S3Storage's own `open()` first copies the whole object into a temporary file (in memory, unless it is larger
        than AWS_S3_MAX_MEMORY_SIZE): right for an import that reads the workbook, wasteful for a download that
        passes it on a block at a time. FileNotFoundError when there is no such object, as the local disk says."""
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=self.key(name))
        except ClientError as error:
            raise _not_found(error, name) from error
        return answer["Body"], answer["ContentLength"]

    def get_modified_time(self, name):
        """FileNotFoundError for an object that is not there, as the local disk says (S3Storage lets boto's 404
        through): a held upload its owner has just confirmed, while someone else's sweep asks about it."""
        try:
            return super().get_modified_time(name)
        except ClientError as error:
            raise _not_found(error, name) from error


def _not_found(error: ClientError, name: str) -> Exception:
    if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
        return FileNotFoundError(f"Нет объекта {name} в корзине.")
    return error


# --- backup and restore of the bucket (scripts/backup.sh, scripts/restore.sh) ----------------------------------------


def _stored_objects(storage: PrivateS3Storage):
    """(key, stored name) of every object under the storage's location, page by page."""
    prefix = storage.key("")
    prefix = f"{prefix.rstrip('/')}/" if prefix else ""
    pages = storage.connection.meta.client.get_paginator("list_objects_v2").paginate(
        Bucket=storage.bucket_name, Prefix=prefix
    )
    for page in pages:
        for item in page.get("Contents", []):
            if not item["Key"].endswith("/"):
                yield item["Key"], item["Key"][len(prefix) :]


def bucket_count(storage: PrivateS3Storage) -> int:
    return sum(1 for _ in _stored_objects(storage))


def bucket_to_archive(storage: PrivateS3Storage, archive: str) -> int:
    """Every object into a gzip tar named as `tar --directory=MEDIA_ROOT .` names the files, so a copy of the bucket
    and a copy of the disk are one format: either restores into either (that is also how files move to a bucket).
    Each object is streamed from the bucket into the archive, never held whole."""
    client = storage.connection.meta.client
    count = 0
    with tarfile.open(archive, "w:gz") as tar:
        for key, name in _stored_objects(storage):
            answer = client.get_object(Bucket=storage.bucket_name, Key=key)
            member = tarfile.TarInfo(f"./{name}")
            member.size, member.mode = answer["ContentLength"], 0o644
            member.mtime = answer["LastModified"].timestamp()
            with closing(answer["Body"]) as body:
                tar.addfile(member, body)
            count += 1
    return count


def archive_to_bucket(storage: PrivateS3Storage, archive: str) -> int:
    """Every file of a copy's media.tar.gz into the bucket under its stored name, private, as the portal writes."""
    client = storage.connection.meta.client
    count = 0
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            name = posixpath.normpath(member.name)
            key = storage.key(name)  # a name that climbs out of the location is refused (SuspiciousOperation)
            extra = {"ContentType": mimetypes.guess_type(name)[0] or "application/octet-stream"}
            if storage.default_acl:
                extra["ACL"] = storage.default_acl
            with tar.extractfile(member) as source:
                client.upload_fileobj(source, storage.bucket_name, key, ExtraArgs=extra)
            count += 1
    return count
