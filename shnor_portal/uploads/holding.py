"""Holding an uploaded file between its check and the user's confirmation.

A held upload waits in Django's storage (`default_storage`) as pending-uploads/<kind>/<user id>/<id>.xlsx — never
served: no URL maps to the storage. The session remembers, per kind of import, its id, the file's name and the
context it was uploaded for (a school, a year…). The file's path holds the kind and the user, so neither another
user nor another import can reach it. A new upload of a kind replaces the one before.

Unconfirmed uploads expire after `HOLD_FOR`: an expired one is removed when it is asked for, when its owner holds
a new file of its kind, and by `manage.py remove_expired_uploads` (cron, hourly) — not by every upload of anybody:
in a bucket each held file costs a request, and another person's file may be confirmed while it is being looked at.
"""

import datetime
import re
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

HOLD_DIR = "pending-uploads"
HOLD_FOR = datetime.timedelta(hours=24)
SESSION_KEY = "held_uploads"
_KIND = re.compile(r"[a-z0-9_-]+")


@dataclass(frozen=True)
class HeldUpload:
    kind: str
    id: str
    name: str  # the file's name as the user uploaded it
    context: dict
    storage_name: str

    def read(self) -> bytes:
        with default_storage.open(self.storage_name, "rb") as file:
            return file.read()


def _user_directory(kind: str, user_id) -> str:
    if not _KIND.fullmatch(kind):
        raise ValueError(f"kind of import: {kind!r}")
    return f"{HOLD_DIR}/{kind}/{int(user_id or 0)}"


def _storage_name(kind: str, user_id, upload_id: str) -> str:
    return f"{_user_directory(kind, user_id)}/{upload_id}.xlsx"


def _expired(name: str, now: datetime.datetime) -> bool:
    """Held longer than `HOLD_FOR`; FileNotFoundError when the file is gone (confirmed meanwhile, or swept)."""
    try:
        return default_storage.get_modified_time(name) < now - HOLD_FOR
    except FileNotFoundError:
        raise
    except (OSError, NotImplementedError):
        return False


def hold(request, kind: str, file, **context) -> HeldUpload:
    """Keep an uploaded file (or bytes) for the user's next step; `context` must be JSON-serialisable."""
    discard(request, kind)
    remove_expired(directory=_user_directory(kind, request.user.pk))
    upload_id = uuid.uuid4().hex
    name = _storage_name(kind, request.user.pk, upload_id)
    content = ContentFile(file) if isinstance(file, bytes | bytearray) else file
    stored = default_storage.save(name, content)
    if stored != name:  # a storage that renames would break the path the session leads to
        default_storage.delete(stored)
        raise RuntimeError(f"the storage saved {name} as {stored}")
    file_name = PurePosixPath(getattr(file, "name", "") or "файл.xlsx").name
    entries = request.session.get(SESSION_KEY, {})
    entries[kind] = {"id": upload_id, "name": file_name, "context": context}
    request.session[SESSION_KEY] = entries
    return HeldUpload(kind, upload_id, file_name, context, name)


def _held_name(request, kind: str) -> tuple[str, str] | None:
    """The id and the storage name of the user's upload of `kind` the session names, or None."""
    entry = request.session.get(SESSION_KEY, {}).get(kind)
    try:
        upload_id = uuid.UUID(str(entry.get("id", ""))).hex if entry else None
    except ValueError:
        upload_id = None
    if upload_id is None:
        _forget(request, kind)
        return None
    return upload_id, _storage_name(kind, request.user.pk, upload_id)


def held(request, kind: str) -> HeldUpload | None:
    """The user's upload waiting for `kind`, or None (none, expired, or gone). One question to the storage: in a
    bucket each is a request."""
    found = _held_name(request, kind)
    if found is None:
        return None
    upload_id, name = found
    try:
        expired = _expired(name, timezone.now())
    except FileNotFoundError:
        _forget(request, kind)
        return None
    if expired:
        default_storage.delete(name)
        _forget(request, kind)
        return None
    entry = request.session[SESSION_KEY][kind]
    return HeldUpload(kind, upload_id, str(entry.get("name", "")), dict(entry.get("context", {})), name)


def discard(request, kind: str) -> None:
    """Remove the user's upload of `kind` (after it is saved, or when it can never be); a file already gone is no
    error, so nothing is asked first."""
    found = _held_name(request, kind)
    if found is not None:
        default_storage.delete(found[1])
    _forget(request, kind)


def _forget(request, kind: str) -> None:
    entries = request.session.get(SESSION_KEY, {})
    if kind in entries:
        del entries[kind]
        request.session[SESSION_KEY] = entries


def _files(directory: str):
    try:
        directories, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{directory}/{name}"
    for name in directories:
        yield from _files(f"{directory}/{name}")


def remove_expired(*, now: datetime.datetime | None = None, directory: str = HOLD_DIR) -> int:
    """Remove every held file older than `HOLD_FOR` (the back office's waiting imports too), or those of one
    `directory` of them; how many went."""
    now = now or timezone.now()
    removed = 0
    for name in list(_files(directory)):
        try:
            expired = _expired(name, now)
        except FileNotFoundError:  # confirmed by its owner since the listing
            continue
        if expired:
            default_storage.delete(name)
            removed += 1
    return removed
