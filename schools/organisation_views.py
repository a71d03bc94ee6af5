"""The registry of organisations in the portal: the list (search, filters, pages), an organisation's page, and
adding / changing one — the department's. Rules: `schools.access`; the form and the write: `schools.organisations`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from shnor_portal.paging import page_of

from . import access
from .models import Organisation
from .organisations import NOT_EDITOR, OrganisationForm, OrganisationRefused, organisation_save, registry_organisations

NOT_READER = "Реестр организаций ведёт управление образования; координаторы читают его для своей территории."


@login_required
def organisation_list(request):
    access.require(access.can_read_organisations(request.user), NOT_READER)
    organisation_filter, rows = registry_organisations(user=request.user, data=request.GET)
    return render(
        request,
        "schools/organisation_list.html",
        {
            "filter": organisation_filter,
            **page_of(request, rows),
            "can_edit": access.can_edit_organisations(request.user),
        },
    )


@login_required
def organisation_detail(request, pk):
    organisation = access.get_organisation_or_404(request.user, pk)
    return render(
        request,
        "schools/organisation_detail.html",
        {
            "organisation": organisation,
            "can_edit": access.can_edit_organisations(request.user),
        },
    )


def _form_page(request, form, *, organisation: Organisation | None, status=200):
    title = f"Изменить: {organisation.short_name}" if organisation else "Новая организация"
    return render(
        request, "schools/organisation_form.html", {"form": form, "organisation": organisation, "title": title},
        status=status,
    )  # fmt: skip


def _save(request, form, organisation: Organisation | None):
    try:
        saved = organisation_save(form=form, actor=request.user)
    except OrganisationRefused as refusal:
        form.add_error(None, str(refusal))
        form.reopen_on_current_version()
        return _form_page(request, form, organisation=organisation, status=409)
    messages.success(request, f"Организация «{saved.short_name}» сохранена в реестре.")
    return redirect("schools:organisation", saved.pk)


@login_required
def organisation_create(request):
    access.require(access.can_edit_organisations(request.user), NOT_EDITOR)
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method != "POST":
        return _form_page(request, form, organisation=None)
    if not form.is_valid():
        return _form_page(request, form, organisation=None, status=400)
    return _save(request, form, None)


@login_required
def organisation_edit(request, pk):
    organisation = access.get_organisation_or_404(request.user, pk)
    access.require(access.can_edit_organisations(request.user), NOT_EDITOR)
    form = OrganisationForm(request.POST or None, instance=organisation, user=request.user)
    if request.method != "POST":
        return _form_page(request, form, organisation=organisation)
    if not form.is_valid():
        return _form_page(request, form, organisation=organisation, status=400)
    return _save(request, form, organisation)
