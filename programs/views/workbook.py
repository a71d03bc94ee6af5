"""The roadmap as an xlsx workbook: exported, and imported after every row is checked and a preview is confirmed."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from shnor_portal import uploads
from shnor_portal.spreadsheets import xlsx_response

from ..access import can_keep_plan, get_programme_or_404, require
from ..forms import ImportForm
from ..models import Programme, RoadmapMeasure
from ..roadmap_xlsx import roadmap_parse, roadmap_xlsx
from ..selectors import roadmap_sections
from ..services import NOT_OWNER, ProgrammeError, roadmap_import
from .common import detail_url

ROADMAP_UPLOAD = "roadmap"  # the kind of the held upload (`shnor_portal.uploads`)


@require_GET
@login_required
def programme_export(request, pk):
    programme = get_programme_or_404(request.user, pk)
    content = roadmap_xlsx(programme, roadmap_sections(programme=programme))
    return xlsx_response(content, file_name=f"dorozhnaya-karta-{programme.pk}.xlsx")


def _roadmap_stamp(programme: Programme) -> str:
    """Changes whenever the roadmap changes, so that a preview is applied only to the roadmap it was made for."""
    stamp = RoadmapMeasure.objects.filter(programme=programme).aggregate(
        count=Count("pk"), last=Max("pk"), at=Max("updated_at")
    )
    return f"{stamp['count']}:{stamp['last']}:{stamp['at'].isoformat() if stamp['at'] else ''}"


@login_required
def roadmap_import_view(request, pk):
    """Upload → check every row → preview → replace the roadmap in one transaction."""
    programme = get_programme_or_404(request.user, pk)
    require(can_keep_plan(request.user, programme), NOT_OWNER)
    locked = not programme.plan_is_editable
    form = ImportForm(request.POST or None, request.FILES or None)
    parsed = None
    existing = RoadmapMeasure.objects.filter(programme=programme).count()
    if request.method == "POST" and not locked:
        if "confirm" in request.POST:
            return _roadmap_import_confirm(request, programme)
        if form.is_valid():
            upload = uploads.hold(
                request, ROADMAP_UPLOAD, form.cleaned_data["file"], programme=programme.pk,
                stamp=_roadmap_stamp(programme),
            )  # fmt: skip
            parsed = roadmap_parse(upload.read(), programme=programme)
            if not parsed.ok:
                uploads.discard(request, ROADMAP_UPLOAD)
    return render(
        request,
        "programs/import.html",
        {
            "programme": programme,
            "form": form,
            "parsed": parsed,
            "locked": locked,
            "existing": existing,
            "max_size": uploads.upload_limit_label(),
            "years": programme.years,
        },
    )


def _roadmap_import_confirm(request, programme: Programme):
    """The held file read again and, if the roadmap is still the one it was checked against, stored."""
    upload = uploads.held(request, ROADMAP_UPLOAD)
    if upload is None or upload.context.get("programme") != programme.pk:
        messages.error(request, "Проверка файла устарела или файл не найден: загрузите файл ещё раз.")
        return redirect("programs:import", pk=programme.pk)
    if upload.context.get("stamp") != _roadmap_stamp(programme):
        uploads.discard(request, ROADMAP_UPLOAD)
        messages.error(request, "Дорожная карта изменилась после проверки файла: загрузите файл ещё раз.")
        return redirect("programs:import", pk=programme.pk)
    parsed = roadmap_parse(upload.read(), programme=programme)
    try:
        if not parsed.ok:
            raise ProgrammeError("В файле есть ошибки: загрузите исправленный файл.")
        counts = roadmap_import(
            programme=programme, actor=request.user, sections=parsed.sections, file_name=upload.name[:100]
        )
    except ProgrammeError as exc:
        messages.error(request, str(exc))
        return redirect("programs:import", pk=programme.pk)
    uploads.discard(request, ROADMAP_UPLOAD)
    messages.success(
        request, f"Дорожная карта загружена: задач — {counts['sections']}, мероприятий — {counts['measures']}."
    )
    return redirect(detail_url(programme, "roadmap"))
