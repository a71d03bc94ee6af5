"""The confirm step every import's preview page shares: the held file checked again and shown; on POST saved when
it may be (in the import's one transaction), else its errors listed; a file with errors is never kept."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect, render

from .holding import discard, held


def preview_and_confirm(
    request, *, kind: str, check: Callable, save: Callable, refused: type[Exception], missing: str, upload_url: str,
    done_url: str, template: str,
):
    """`check(content)` → a CheckedFile; `save(preview)` → a result with a `summary`, or `refused` with `messages`.
    Without a held file the user is sent back to `upload_url` with the `missing` message."""
    upload = held(request, kind)
    if upload is None:
        messages.info(request, missing)
        return redirect(upload_url)
    preview = check(upload.read())
    if not preview.ok:
        discard(request, kind)
    save_errors: list[str] = []
    if request.method == "POST" and preview.ok:
        try:
            result = save(preview)
        except refused as exc:
            save_errors = exc.messages
        else:
            discard(request, kind)
            messages.success(request, f"Файл «{upload.name}»: {result.summary}")
            return redirect(done_url)
    return render(request, template, {"preview": preview, "file_name": upload.name, "save_errors": save_errors})
