"""What every write of the section shares: the refusal whose Russian messages go onto form fields, the refusal of
a stale edit, the actor and reason stamped into history, validation, and storing an uploaded file."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from programs.files import EvidenceRefused, evidence_sniff
from shnor_portal.history import stale_message


class PartnershipError(Exception):
    """Input or a step the rules refuse; `errors` maps a form field (None: the whole form) to Russian messages."""

    def __init__(self, message: str | None = None, *, field: str | None = None, errors: dict | None = None):
        self.errors: dict[str | None, list[str]] = {}
        if errors:
            for key, messages in errors.items():
                self.errors.setdefault(key, []).extend(messages if isinstance(messages, list) else [messages])
        if message:
            self.errors.setdefault(field, []).append(message)
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages))

    @classmethod
    def from_validation(cls, exc: ValidationError) -> "PartnershipError":
        if hasattr(exc, "error_dict"):
            return cls(
                errors={None if key == "__all__" else key: list(messages) for key, messages in exc.message_dict.items()}
            )
        return cls(errors={None: list(exc.messages)})


class StaleEdit(PartnershipError):
    """Somebody saved the row after the user opened the form: the save is refused, nothing is merged."""

def require_unchanged(obj, seen: int | None) -> None:
    if message := stale_message(obj, seen):
        raise StaleEdit(message)


def stamp(obj, actor, reason: str | None = None):
    """Name the actor (and the reason) in the history record the next save writes."""
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    return obj


def full_clean(obj, *, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise PartnershipError.from_validation(exc) from exc


def delete_files_on_commit(names) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def file_kind(file, *, field: str):
    try:
        return evidence_sniff(file)
    except EvidenceRefused as exc:
        raise PartnershipError(str(exc), field=field) from exc


def original_name(file) -> str:
    return (getattr(file, "name", "") or "документ").replace("\\", "/").rsplit("/", 1)[-1][:300]


def save_stored_file(obj, file, kind, actor) -> None:
    """Write the file under a random name, then the row; if the row fails, the written file is removed."""
    obj.original_name = original_name(file)
    obj.content_type = kind.content_type
    obj.size = file.size
    obj.uploaded_by = actor
    obj.file.save(f"file{kind.suffix}", file, save=False)
    try:
        stamp(obj, actor).save()
    except Exception:
        obj.file.storage.delete(obj.file.name)
        raise
