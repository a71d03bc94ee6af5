"""The roadmap as an xlsx workbook: exported, and imported after every row is checked and a preview is confirmed."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from shnor_portal.spreadsheets import xlsx_response

from ..access import can_edit_programme, get_programme_or_404, require
from ..files import size_label
from ..forms import ImportForm
from ..models import Programme, RiskFactor, RoadmapMeasure
from ..roadmap_xlsx import import_max_bytes, roadmap_parse, roadmap_xlsx
from ..selectors import roadmap_sections
from ..services import NOT_OWNER, MeasureData, ProgrammeError, roadmap_import
from .common import detail_url

IMPORT_SALT = "programs.roadmap-import"
IMPORT_MAX_AGE = 60 * 60


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


def _payload(parsed_sections) -> list[dict]:
    def measure(data: MeasureData) -> dict:
        return {
            "name": data.name,
            "result_name": data.result_name,
            "unit": data.unit,
            "planned_value": str(data.planned_value) if data.planned_value is not None else None,
            "planned_text": data.planned_text,
            "executors": data.executors,
            "deadline": data.deadline.isoformat() if data.deadline else None,
            "status": data.status,
            "risk_factor": data.risk_factor.pk if data.risk_factor else None,
            "note": data.note,
            "years": {
                str(year): {k: (str(v) if v is not None and k != "planned_text" else v) for k, v in values.items()}
                for year, values in data.years.items()
            },
        }

    return [{"title": s["title"], "measures": [measure(m) for m in s["measures"]]} for s in parsed_sections]


def _unpayload(sections: list[dict]) -> list[dict]:
    factors = RiskFactor.objects.in_bulk()

    def decimal(value):
        return Decimal(value) if value not in (None, "") else None

    def measure(raw: dict) -> MeasureData:
        return MeasureData(
            name=raw["name"],
            result_name=raw["result_name"],
            unit=raw["unit"],
            planned_value=decimal(raw["planned_value"]),
            planned_text=raw["planned_text"],
            executors=raw["executors"],
            deadline=datetime.date.fromisoformat(raw["deadline"]) if raw["deadline"] else None,
            status=raw["status"],
            risk_factor=factors.get(raw["risk_factor"]) if raw["risk_factor"] else None,
            note=raw["note"],
            years={
                int(year): {
                    "planned_value": decimal(values.get("planned_value")),
                    "planned_text": values.get("planned_text") or "",
                    "actual_value": decimal(values.get("actual_value")),
                }
                for year, values in raw["years"].items()
            },
        )

    return [{"title": s["title"], "measures": [measure(m) for m in s["measures"]]} for s in sections]


@login_required
def roadmap_import_view(request, pk):
    """Upload → check every row → preview → replace the roadmap in one transaction."""
    programme = get_programme_or_404(request.user, pk)
    require(can_edit_programme(request.user, programme), NOT_OWNER)
    locked = not programme.plan_is_editable
    form = ImportForm(request.POST or None, request.FILES or None)
    parsed = payload = None
    existing = RoadmapMeasure.objects.filter(programme=programme).count()
    if request.method == "POST" and not locked:
        if "payload" in request.POST:
            try:
                data = signing.loads(request.POST["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
            except signing.BadSignature:
                messages.error(request, "Проверка файла устарела или повреждена: загрузите файл ещё раз.")
                return redirect("programs:import", pk=programme.pk)
            if data.get("programme") != programme.pk or data.get("stamp") != _roadmap_stamp(programme):
                messages.error(request, "Дорожная карта изменилась после проверки файла: загрузите файл ещё раз.")
                return redirect("programs:import", pk=programme.pk)
            try:
                counts = roadmap_import(
                    programme=programme, actor=request.user, sections=_unpayload(data["sections"]),
                    file_name=data.get("file_name", "файл"),
                )
            except ProgrammeError as exc:
                messages.error(request, str(exc))
                return redirect("programs:import", pk=programme.pk)
            messages.success(
                request, f"Дорожная карта загружена: задач — {counts['sections']}, мероприятий — {counts['measures']}."
            )
            return redirect(detail_url(programme, "roadmap"))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            parsed = roadmap_parse(upload, programme=programme)
            if parsed.ok:
                payload = signing.dumps(
                    {
                        "programme": programme.pk,
                        "stamp": _roadmap_stamp(programme),
                        "file_name": upload.name[:100],
                        "sections": _payload(parsed.sections),
                    },
                    salt=IMPORT_SALT,
                    compress=True,
                )
    return render(
        request,
        "programs/import.html",
        {
            "programme": programme,
            "form": form,
            "parsed": parsed,
            "payload": payload,
            "locked": locked,
            "existing": existing,
            "max_size": size_label(import_max_bytes()),
            "years": programme.years,
        },
    )
