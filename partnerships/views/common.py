"""What every partnerships page shares: exports, file downloads, the generic form page."""

from django.http import Http404
from django.shortcuts import render

from shnor_portal.spreadsheets import xlsx_response
from shnor_portal.stored_files import download_response

from ..exports import export_xlsx


def export_response(kind: str, data, *, file_name: str):
    return xlsx_response(export_xlsx(kind, data), file_name=file_name)


def file_response(field, *, name: str, content_type: str):
    """A stored file as a download: never shown inline, never from a public URL (from the disk or the bucket)."""
    if not field:
        raise Http404("Файл не загружен.")
    return download_response(field, name=name, content_type=content_type)


def form_page(request, *, form, title: str, crumbs: list[tuple[str, str | None]], cancel_url: str,
              submit_label: str = "Сохранить", intro: str = "", multipart: bool = False, status: int = 200):  # fmt: skip
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "title": title,
            "crumbs": crumbs,
            "cancel_url": cancel_url,
            "submit_label": submit_label,
            "intro": intro,
            "multipart": multipart,
        },
        status=status,
    )
