"""Bringing people in: template → upload → preview → confirm (`people.onboarding`), as every import of the portal
(`shnor_portal.uploads`); the list of invitations with their state, and sending one again."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from schools.access import require
from shnor_portal import uploads
from shnor_portal.paging import page_of
from shnor_portal.spreadsheets import xlsx_response

from .access import can_onboard, can_resend, get_invitation_or_404, grantable_roles, visible_invitations
from .filters import InvitationFilter
from .invitation_letters import invitation_days
from .invitations import invitation_resend
from .onboarding import (
    COLUMNS,
    ROLE_WORDS,
    PeopleImportError,
    people_import_preview,
    people_import_save,
    people_template_xlsx,
)

UPLOAD_KIND = "people"


def _require(user) -> None:
    if not can_onboard(user):
        raise PermissionDenied("Приглашать людей может управление образования или координатор муниципалитета.")


class PeopleUploadForm(forms.Form):
    file = uploads.XlsxFileField(label="Файл со списком людей", help_text="Книга Excel (.xlsx) по шаблону этой страницы.")


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request):
    _require(request.user)
    form = PeopleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads.hold(request, UPLOAD_KIND, form.cleaned_data["file"])
        return redirect("people:import_preview")
    context = {
        "form": form, "columns": COLUMNS, "max_size": uploads.upload_limit_label(), "days": invitation_days(),
        "roles": [ROLE_WORDS[role][0] for role in grantable_roles(request.user)],
    }  # fmt: skip
    return render(request, "people/import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def people_import_preview_view(request):
    _require(request.user)
    return uploads.preview_and_confirm(
        request, kind=UPLOAD_KIND, check=lambda content: people_import_preview(content, user=request.user),
        save=lambda preview: people_import_save(preview=preview, actor=request.user), refused=PeopleImportError,
        missing="Сначала загрузите файл со списком людей.", upload_url="people:import", done_url="people:invitations",
        template="people/import_preview.html",
    )


@login_required
def people_template(request):
    _require(request.user)
    return xlsx_response(people_template_xlsx(user=request.user), file_name="lyudi-shablon.xlsx")


@login_required
def invitations(request):
    _require(request.user)
    now = timezone.now()
    rows = visible_invitations(request.user).select_related("user", "municipality", "region", "invited_by")
    invitation_filter = InvitationFilter(request.GET, queryset=rows, request=request, now=now)
    context = {"filter": invitation_filter, "now": now, "counts": invitation_filter.counts()}
    context |= page_of(request, invitation_filter.qs.order_by("-created_at", "pk"))
    return render(request, "people/invitations.html", context)


@login_required
@require_POST
def invitation_resend_view(request, pk):
    invitation = get_invitation_or_404(request.user, pk)
    require(can_resend(request.user, invitation), "Отправить приглашение ещё раз может тот, кто приглашает в этом муниципалитете.")
    if invitation.accepted_at:
        messages.info(request, f"{invitation.user.get_full_name()} уже принял(а) приглашение.")
    else:
        invitation_resend(invitation)
        messages.success(request, f"Приглашение для {invitation.user.email} отправляется ещё раз.")
    return redirect(request.POST.get("next") or "people:invitations")
