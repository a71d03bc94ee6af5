"""What every stored document of the section keeps, and where its file is stored."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models


def _upload_to(folder: str, filename: str) -> str:
    """A random stored name: the user's file name is kept apart and never used as a path."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"partnerships/{folder}/{uuid.uuid4().hex}{suffix}"


def agreement_scan_upload_to(instance, filename):
    return _upload_to("agreements", filename)


def session_evidence_upload_to(instance, filename):
    return _upload_to("sessions", filename)


def practice_file_upload_to(instance, filename):
    return _upload_to("practices", filename)


class StoredFile(models.Model):
    """What every stored document keeps besides the file: the user's name for it, its type and size."""

    original_name = models.CharField("имя файла", max_length=300)
    content_type = models.CharField("тип", max_length=120)
    size = models.PositiveBigIntegerField("размер, байт")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="загрузил", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name
