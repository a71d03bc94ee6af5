"""The S3-compatible bucket for uploaded files, switched on by AWS_STORAGE_BUCKET_NAME (docs/PRODUCTION.md).

The bucket is private and the portal is the only way in. Objects are written with the private ACL; no URL to the
bucket is ever handed out — `url()` gives the unrouted MEDIA_URL path, exactly as the local disk does, so even the
back office's «На данный момент» link leads nowhere; and a download is streamed from the bucket by the portal's view
after its access check (`open_stream`, used by `shnor_portal.stored_files.download_response`). Streaming rather than
a redirect to a presigned URL keeps the bucket closed to browsers altogether and every download in the portal's own
log; the traffic of a few documents a day is no reason to give that up.

Imported only when the bucket is configured (settings name this class), so a portal on local disk never loads boto3.
"""

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
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(f"Нет объекта {name} в корзине.") from error
            raise
        return answer["Body"], answer["ContentLength"]
