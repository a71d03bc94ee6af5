"""What the programme pages share: the user's permissions on a programme, the roadmap's context, the link to
a programme's page and the partial answered to htmx or wrapped in a page."""

from django.shortcuts import render
from django.urls import reverse

from ..access import (
    can_approve,
    can_assign_mutual_review,
    can_edit_plan,
    can_edit_programme,
    can_oversee,
    can_reopen,
    can_start_regional_review,
    can_submit,
)
from ..models import Programme


def programme_perms(user, programme: Programme) -> dict:
    return {
        "edit": can_edit_programme(user, programme),
        "edit_plan": can_edit_plan(user, programme),
        "submit": can_submit(user, programme),
        "approve": can_approve(user, programme),
        "reopen": can_reopen(user, programme),
        "oversee": can_oversee(user, programme),
        "assign_mutual": can_assign_mutual_review(user, programme),
        "start_regional": can_start_regional_review(user, programme),
    }


def roadmap_context(user, programme: Programme, **extra) -> dict:
    return {
        "programme": programme,
        "perms": programme_perms(user, programme),
        "years": programme.years,
        "colspan": 7 + len(programme.years),
        **extra,
    }


def detail_url(programme: Programme, anchor: str = "") -> str:
    return reverse("programs:detail", args=[programme.pk]) + (f"#{anchor}" if anchor else "")


def partial_response(request, template: str, context: dict, *, page_title: str, programme: Programme):
    """An htmx request gets the partial; a plain one the partial inside a page, so that nothing needs JavaScript."""
    if request.htmx:
        return render(request, template, context)
    return render(
        request,
        "programs/row_page.html",
        {**context, "partial": template, "page_title": page_title, "programme": programme},
    )
