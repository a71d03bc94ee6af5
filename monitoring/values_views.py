"""Pages of monitoring's values beyond the grid: the import of values from Excel (upload → preview → save all or
nothing) and restoring an earlier version of a value."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from schools.school_year import current_school_year
from shnor_portal import uploads
from shnor_portal.history import last_change_id
from shnor_portal.spreadsheets import xlsx_response

from .access import can_confirm_in, can_import_values, require, visible_values
from .forms import ValuesImportForm, ValuesTemplateForm
from .services import MonitoringError, indicator_value_restore, values_import_save
from .values_import import values_import_preview, values_template_xlsx

# The kind of the held upload (`shnor_portal.uploads`).
VALUES_UPLOAD = "values"


# --- import of values -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def values_import(request):
    require(can_import_values(request.user), "Загружать значения может координатор муниципалитета или управление.")
    form = ValuesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads.hold(request, VALUES_UPLOAD, form.cleaned_data["file"])
        return redirect("monitoring:values_import_preview")
    template_form = ValuesTemplateForm(initial={"year": current_school_year()})
    return render(request, "monitoring/values_import.html", {"form": form, "template_form": template_form})


@login_required
def values_import_template(request):
    require(can_import_values(request.user), "Загружать значения может координатор муниципалитета или управление.")
    form = ValuesTemplateForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Выберите учебный год и этап мониторинга для шаблона.")
        return redirect("monitoring:values_import")
    year, stage = form.cleaned_data["year"], form.cleaned_data["stage"]
    content = values_template_xlsx(user=request.user, year=year, stage=stage)
    return xlsx_response(content, file_name=f"znacheniya-pokazatelei-{year}-{stage}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def values_import_preview_view(request):
    require(can_import_values(request.user), "Загружать значения может координатор муниципалитета или управление.")
    upload = uploads.held(request, VALUES_UPLOAD)
    if upload is None:
        messages.info(request, "Сначала загрузите файл со значениями.")
        return redirect("monitoring:values_import")
    preview = values_import_preview(upload.read(), user=request.user)
    if not preview.ok:
        # A file with errors can never be confirmed: it is not kept (the page still lists its errors).
        uploads.discard(request, VALUES_UPLOAD)
    if request.method == "POST" and preview.ok:
        counts = values_import_save(actor=request.user, rows=preview.rows)
        uploads.discard(request, VALUES_UPLOAD)
        messages.success(
            request,
            f"Значения из файла «{upload.name}» загружены: новых {counts['created']}, обновлено {counts['updated']}.",
        )
        return redirect("monitoring:values_import")
    return render(
        request,
        "monitoring/values_import_preview.html",
        {"preview": preview, "file_name": upload.name, "sample": preview.rows[:100]},
    )


# --- restoring an earlier value --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def value_restore(request, pk, history_id):
    """Confirm, then bring an indicator value back to an earlier version of its history."""
    value = get_object_or_404(visible_values(request.user).select_related("indicator", "school", "municipality"), pk=pk)
    require(
        can_confirm_in(request.user, value.municipality_id),
        "Прежнее значение восстанавливает координатор муниципалитета или управление образования.",
    )
    version = get_object_or_404(value.history.select_related("history_user"), history_id=history_id)
    if request.method == "POST":
        seen = request.POST.get("seen")
        try:
            indicator_value_restore(
                actor=request.user,
                value=value,
                history_id=history_id,
                seen=int(seen) if seen and seen.isdigit() else None,
            )
        except MonitoringError as exc:
            messages.error(request, str(exc))
            return redirect("monitoring:value_restore", pk=value.pk, history_id=history_id)
        messages.success(request, "Прежнее значение восстановлено и подтверждено; восстановление записано в истории.")
        return redirect("history", "indicator-value", value.pk)
    user = version.history_user
    return render(
        request,
        "monitoring/value_restore.html",
        {
            "value": value,
            "version": version,
            "version_user": (user.get_full_name() or user.username) if user else "система",
            "seen": last_change_id(value),
            "differs": (version.value, version.comment) != (value.value, value.comment),
        },
    )
