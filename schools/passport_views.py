"""Loading social passports from xlsx: template → upload → preview → confirm (`schools.passport_import`).

The uploaded file waits for the confirm step as every import's does (`shnor_portal.uploads`); each step
checks it again, so the preview always reflects the registry as it is when the user confirms.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from shnor_portal import uploads
from shnor_portal.spreadsheets import xlsx_response

from .access import can_import_passports
from .passport_import import (
    COLUMNS,
    PassportImportError,
    passport_import_preview,
    passport_import_save,
    passport_template_xlsx,
)
from .school_year import current_school_year, school_year_label

UPLOAD_KIND = "passports"  # the kind of the held upload


def _require(user) -> None:
    if not can_import_passports(user):
        raise PermissionDenied("Загружать социальные паспорта может управление образования или координатор муниципалитета.")


def _year_choices() -> list[tuple[int, str]]:
    now = current_school_year()
    return [(year, f"{school_year_label(year)} ({year})") for year in range(now + 1, now - 5, -1)]


class PassportUploadForm(forms.Form):
    file = uploads.XlsxFileField(
        label="Файл с социальными паспортами",
        help_text="Книга Excel (.xlsx) по шаблону этой страницы.",
    )


class PassportTemplateForm(forms.Form):
    year = forms.TypedChoiceField(label="Учебный год", coerce=int, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()


@login_required
@require_http_methods(["GET", "POST"])
def passport_import(request):
    _require(request.user)
    form = PassportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads.hold(request, UPLOAD_KIND, form.cleaned_data["file"])
        return redirect("schools:passport_preview")
    context = {
        "form": form,
        "template_form": PassportTemplateForm(initial={"year": current_school_year()}),
        "columns": COLUMNS,
        "max_size": uploads.upload_limit_label(),
    }
    return render(request, "schools/passport_import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def passport_preview(request):
    _require(request.user)
    return uploads.preview_and_confirm(
        request, kind=UPLOAD_KIND, check=lambda content: passport_import_preview(content, user=request.user),
        save=lambda preview: passport_import_save(preview=preview, actor=request.user), refused=PassportImportError,
        missing="Сначала загрузите файл с социальными паспортами.", upload_url="schools:passport_import",
        done_url="schools:passport_import", template="schools/passport_preview.html",
    )


@login_required
def passport_template(request):
    _require(request.user)
    year = current_school_year()
    if "year" in request.GET:
        form = PassportTemplateForm(request.GET)
        if not form.is_valid():
            messages.error(request, "Выберите учебный год для шаблона.")
            return redirect("schools:passport_import")
        year = form.cleaned_data["year"]
    content = passport_template_xlsx(user=request.user, year=year)
    return xlsx_response(content, file_name=f"socialnye-pasporta-{year}.xlsx")
