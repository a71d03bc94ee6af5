"""The documents that prove a measure: listed, uploaded, downloaded, deleted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from shnor_portal.stored_files import download_response

from ..access import can_edit_programme, get_evidence_or_404, get_measure_or_404, require
from ..files import evidence_max_bytes, size_label
from ..forms import EvidenceForm
from ..models import RoadmapMeasure
from ..selectors import evidence_of
from ..services import NOT_OWNER, evidence_add, evidence_delete
from .common import partial_response, roadmap_context


def _evidence_panel(request, measure: RoadmapMeasure, form=None, error: str = ""):
    programme = measure.programme
    context = roadmap_context(
        request.user,
        programme,
        measure=measure,
        documents=evidence_of(measure=measure),
        form=form or EvidenceForm(),
        error=error,
        evidence_max=size_label(evidence_max_bytes()),
    )
    return partial_response(
        request, "programs/_evidence_panel.html", context, page_title="Подтверждающие документы", programme=programme
    )


@login_required
def evidence_list(request, pk):
    """The documents of a measure, and (POST) the upload of one more."""
    measure = get_measure_or_404(request.user, pk)
    programme = measure.programme
    form = None
    if request.method == "POST":
        require(can_edit_programme(request.user, programme), NOT_OWNER)
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            evidence_add(
                measure=measure, actor=request.user, file=form.cleaned_data["file"], title=form.cleaned_data["title"]
            )
            if not request.htmx:
                messages.success(request, "Документ загружен.")
                return redirect(reverse("programs:evidence", args=[measure.pk]))
            form = None
    return _evidence_panel(request, measure, form=form)


@require_GET
@login_required
def evidence_download(request, pk):
    """A stored document, only to those who may see its programme (404 otherwise, by URL too)."""
    evidence = get_evidence_or_404(request.user, pk)
    return download_response(evidence.file, name=evidence.original_name, content_type=evidence.content_type)


@require_POST
@login_required
def evidence_delete_view(request, pk):
    evidence = get_evidence_or_404(request.user, pk)
    measure = get_measure_or_404(request.user, evidence.measure_id)
    require(can_edit_programme(request.user, measure.programme), NOT_OWNER)
    evidence_delete(evidence=evidence, actor=request.user)
    if request.htmx:
        return _evidence_panel(request, measure)
    messages.success(request, "Документ удалён.")
    return redirect(reverse("programs:evidence", args=[measure.pk]))
