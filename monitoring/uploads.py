"""Uploads waiting for the user to confirm them (the preview step), as in `schools.import_views`.

The file waits under MEDIA_ROOT/monitoring/pending/<uuid>.xlsx (never served: no URL maps to MEDIA_ROOT); the
session holds its uuid and the context it was uploaded for. Unconfirmed files older than a day are removed.
"""

import time
import uuid
from pathlib import Path

from django.conf import settings

PENDING_DIR = "monitoring/pending"
STALE_SECONDS = 24 * 60 * 60


def _directory() -> Path:
    return Path(settings.MEDIA_ROOT) / PENDING_DIR


def pending_store(request, key: str, upload, **context) -> None:
    pending_discard(request, key)
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.xlsx"):
        if time.time() - old.stat().st_mtime > STALE_SECONDS:
            old.unlink(missing_ok=True)
    token = uuid.uuid4().hex
    with open(directory / f"{token}.xlsx", "wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    request.session[key] = {"uuid": token, "name": Path(upload.name).name, **context}


def pending_get(request, key: str) -> tuple[Path, dict] | None:
    """The stored file and the context it was uploaded with, or None."""
    stored = request.session.get(key) or {}
    try:
        token = uuid.UUID(str(stored.get("uuid", ""))).hex
    except ValueError:
        return None
    path = _directory() / f"{token}.xlsx"
    return (path, stored) if path.exists() else None


def pending_discard(request, key: str) -> None:
    stored = pending_get(request, key)
    if stored:
        stored[0].unlink(missing_ok=True)
    request.session.pop(key, None)
