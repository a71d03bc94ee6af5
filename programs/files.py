"""Evidence files (подтверждающие документы): what is accepted, judged by the content and not by the name.

Accepted: PDF, Word (.docx), Excel (.xlsx), JPEG and PNG, up to `settings.EVIDENCE_MAX_BYTES` (20 MB by default).
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings

from shnor_portal.spreadsheets import size_label

DEFAULT_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 5_000


class EvidenceRefused(Exception):
    """The file is not accepted; the message says why, in Russian."""


@dataclass(frozen=True)
class EvidenceType:
    label: str
    content_type: str
    suffix: str


PDF = EvidenceType("PDF", "application/pdf", ".pdf")
DOCX = EvidenceType(
    "документ Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
XLSX = EvidenceType("книга Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
JPEG = EvidenceType("изображение JPEG", "image/jpeg", ".jpg")
PNG = EvidenceType("изображение PNG", "image/png", ".png")

ACCEPTED_TEXT = "PDF, документ Word (.docx), книга Excel (.xlsx), изображение JPEG или PNG"


def evidence_max_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES)


def evidence_sniff(file) -> EvidenceType:
    """The type of an uploaded file by its first bytes; raises EvidenceRefused for anything else or too large."""
    name = getattr(file, "name", "") or "файл"
    limit = evidence_max_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise EvidenceRefused(
            f"Файл «{name}» занимает {size_label(size)} — больше допустимых {size_label(limit)}. "
            "Уменьшите файл (например, сохраните скан в PDF с меньшим разрешением) и загрузите снова."
        )
    if not size:
        raise EvidenceRefused(f"Файл «{name}» пуст. Выберите файл с документом.")
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise EvidenceRefused(
            f"Файл «{name}» сохранён в старом формате Word или Excel 97–2003 (.doc, .xls). "
            "Сохраните его как .docx или .xlsx (или в PDF) и загрузите снова."
        )
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(file)
        file.seek(0)
        if kind:
            return kind
        raise EvidenceRefused(
            f"Файл «{name}» — архив, но не документ Word (.docx) и не книга Excel (.xlsx). Загрузите {ACCEPTED_TEXT}."
        )
    raise EvidenceRefused(
        f"Файл «{name}» не принят: по содержимому это не {ACCEPTED_TEXT}. "
        "Тип определяется по содержимому файла, а не по расширению в имени."
    )


def _office_kind(file) -> EvidenceType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return None
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None
