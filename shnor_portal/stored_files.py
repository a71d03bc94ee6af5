"""A stored file as a download: the one response every download view returns after its access check.

The file comes from the field's storage — the local disk under MEDIA_ROOT, or the private S3 bucket
(`shnor_portal.s3.PrivateS3Storage`), which streams the object a block at a time instead of copying it first.
Never inline, never from a public URL: MEDIA_URL is routed nowhere and nginx refuses /media/.
"""

from django.http import FileResponse, Http404

NOT_FOUND = "Файл не найден в хранилище."


def download_response(field, *, name: str, content_type: str, missing: str = NOT_FOUND) -> FileResponse:
    """The file of `field` (a FieldFile) as an attachment named `name`; 404 with `missing` when there is none."""
    if not field:
        raise Http404(missing)
    try:
        handle, size = _open(field)
    except FileNotFoundError as exc:
        raise Http404(missing) from exc
    response = FileResponse(handle, as_attachment=True, filename=name or "документ", content_type=content_type)
    if size is not None:  # a stream from the bucket cannot be measured by seeking: its size comes with it
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _open(field):
    open_stream = getattr(field.storage, "open_stream", None)
    if open_stream is not None:
        return open_stream(field.name)
    return field.open("rb"), None
