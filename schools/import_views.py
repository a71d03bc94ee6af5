"""Importing results through the portal: upload → preview with decisions on unknown names → confirm.

The uploaded file waits for the confirm step as every import's does (`shnor_portal.uploads`). Each step parses it
again, so the preview always reflects the registry as it is when the department confirms.
"""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from shnor_portal import uploads

from .access import import_territory, require_department
from .ege_workbook import parse_results_file
from .models import Municipality, ResultImport
from .results_file import FORMAT_EGE
from .results_import import (
    CREATE,
    MAP,
    SKIP,
    ImportPreview,
    NameDecision,
    ResultsImportError,
    results_import_preview,
    results_import_save,
)
from .results_long_format import long_format_template

UPLOAD_KIND = "results"  # the kind of the held upload
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = uploads.XlsxFileField(
        label="Файл с результатами",
        help_text="Книга Excel (.xlsx): отчёт о результатах ЕГЭ в том виде, как он пришёл, или универсальный шаблон.",
    )


class DecisionsForm(forms.Form):
    """One choice per unmatched name (create, map, skip) and, per file municipality missing from the registry,
    where new schools of it go."""

    def __init__(self, preview: ImportPreview, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preview = preview
        unknown = preview.unmatched_municipalities
        municipalities = preview.territory.municipalities() if preview.territory else Municipality.objects.all()
        municipality_choices = (
            [(str(m.pk), f"{m.name} ({m.region.name})") for m in municipalities.select_related("region")]
            if unknown
            else []
        )
        for file_municipality in unknown:
            self.fields[self._municipality_field(file_municipality.normalized)] = forms.ChoiceField(
                label="Муниципалитет в реестре",
                required=False,
                choices=[("", f"создать новый: «{file_municipality.proposed_name}»"), *municipality_choices],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        for name in preview.unmatched:
            actions = [(CREATE, "создать новую школу")]
            if name.candidates:
                actions.append((MAP, "сопоставить с существующей"))
            actions.append((SKIP, "пропустить"))
            self.fields[f"action-{name.key}"] = forms.ChoiceField(
                choices=actions,
                initial=MAP if name.suggestion else CREATE,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            if name.candidates:
                self.fields[f"school-{name.key}"] = forms.ChoiceField(
                    required=False,
                    choices=[("", "— выберите школу —")] + [(str(s.pk), s.short_name) for s in name.candidates],
                    initial=str(name.suggestion.pk) if name.suggestion else "",
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )

    @staticmethod
    def _municipality_field(normalized: str) -> str:
        return "municipality-" + uuid.uuid5(uuid.NAMESPACE_URL, normalized).hex[:12]

    def clean(self):
        cleaned = super().clean()
        for name in self.preview.unmatched:
            if cleaned.get(f"action-{name.key}") == MAP and not cleaned.get(f"school-{name.key}"):
                self.add_error(None, f"Для «{name.school_name}» выберите школу, с которой её сопоставить.")
        return cleaned

    def mapping(self) -> dict[str, NameDecision]:
        decisions = {}
        for name in self.preview.unmatched:
            action = self.cleaned_data[f"action-{name.key}"]
            if action == MAP:
                decisions[name.key] = NameDecision(MAP, school_id=int(self.cleaned_data[f"school-{name.key}"]))
            elif action == CREATE and name.municipality is None:
                chosen = self.cleaned_data.get(self._municipality_field(name.file_municipality.normalized))
                decisions[name.key] = NameDecision(CREATE, municipality_id=int(chosen) if chosen else None)
            else:
                decisions[name.key] = NameDecision(action)
        return decisions

    def groups(self) -> list[dict]:
        """The unmatched names by file municipality, with their bound fields, for the template."""
        groups: dict[str, dict] = {}
        for name in self.preview.unmatched:
            file_municipality = name.file_municipality
            group = groups.setdefault(
                file_municipality.normalized,
                {
                    "file_municipality": file_municipality,
                    "municipality_field": (
                        self[self._municipality_field(file_municipality.normalized)]
                        if file_municipality.municipality is None
                        else None
                    ),
                    "names": [],
                },
            )
            group["names"].append(
                {
                    "name": name,
                    "action": self[f"action-{name.key}"],
                    "school": self[f"school-{name.key}"] if name.candidates else None,
                }
            )
        return list(groups.values())


# --- views ---------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    require_department(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads.hold(request, UPLOAD_KIND, form.cleaned_data["file"])
        return redirect("schools:results_import_preview")
    recent = ResultImport.objects.select_related("imported_by")[:10]
    return render(request, "schools/import_upload.html", {"form": form, "recent": recent})


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request):
    require_department(request.user)
    upload = uploads.held(request, UPLOAD_KIND)
    if upload is None:
        messages.info(request, "Сначала загрузите файл с результатами.")
        return redirect("schools:results_import")
    file_name = upload.name
    preview = results_import_preview(parsed=parse_results_file(upload.read()), territory=import_territory(request.user))
    if not preview.ok:
        # A file with errors can never be confirmed: it is not kept (the page still lists its errors).
        uploads.discard(request, UPLOAD_KIND)
    form = DecisionsForm(preview, request.POST or None)
    save_errors: list[str] = []
    if request.method == "POST" and preview.ok and form.is_valid():
        try:
            result = results_import_save(
                preview=preview, mapping=form.mapping(), actor=request.user, file_name=file_name
            )
        except ResultsImportError as refused:
            save_errors = refused.messages
        else:
            uploads.discard(request, UPLOAD_KIND)
            messages.success(request, f"Результаты из файла «{file_name}» загружены. {result.summary}")
            return redirect("schools:results_import")
    context = {
        "preview": preview,
        "form": form,
        "groups": form.groups(),
        "file_name": file_name,
        "is_ege": preview.parsed.format == FORMAT_EGE,
        "save_errors": save_errors,
    }
    return render(request, "schools/import_preview.html", context)


@login_required
def import_template(request):
    require_department(request.user)
    response = HttpResponse(long_format_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "шаблон загрузки результатов.xlsx")
    return response
