import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="документ.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(name="протокол.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def renamed_exe(name="скан.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is a program, not a scan", content_type="application/pdf")


def fresh(user):
    """The same user without the roles and reach cached on the object (as in the next request)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)
