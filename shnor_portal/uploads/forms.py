"""The file field of every import's upload form: the one check runs before anything is kept."""

from django import forms
from django.core.exceptions import ValidationError

from shnor_portal.spreadsheets import size_label

from .workbook import UploadRefused, check_upload, upload_max_bytes


class XlsxFileField(forms.FileField):
    """An xlsx upload: not empty, within `UPLOAD_MAX_BYTES`, a workbook by its content (not a renamed PDF)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            try:
                check_upload(upload)
            except UploadRefused as refused:
                raise ValidationError(str(refused), code="refused") from refused
        return upload


def upload_limit_label() -> str:
    """The limit as the upload pages state it: «20 МБ»."""
    return size_label(upload_max_bytes())
