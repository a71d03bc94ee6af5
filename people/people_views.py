"""The people of a territory: who holds which role where, one person's roles and their history; taking a role
away and deactivating a person who left (their sessions end — Django refuses an inactive user's session — and
everything they did stays, with its history)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from schools.access import reach_of, require, role_assignments_reached, role_scope_q
from schools.models import RoleAssignment
from schools.services import user_sync_back_office_access
from shnor_portal.paging import page_of

from .access import (
    can_deactivate,
    can_manage_role,
    can_onboard,
    can_read_access_log,
    can_read_people,
    get_person_or_404,
    visible_people,
)
from .filters import PeopleFilter
from .models import Invitation


def _require_reader(user) -> None:
    if not can_read_people(user):
        raise PermissionDenied("Список людей территории видят управление образования, институт и координаторы.")


@login_required
def people_list(request):
    _require_reader(request.user)
    reached = role_assignments_reached(reach_of(request.user))
    people_filter = PeopleFilter(request.GET, queryset=visible_people(request.user), request=request, reached=reached)
    context = {"filter": people_filter, "can_onboard": can_onboard(request.user),
               "can_read_log": can_read_access_log(request.user)}  # fmt: skip
    context |= page_of(request, people_filter.qs.order_by("last_name", "first_name", "pk"))
    return render(request, "people/people_list.html", context)


@login_required
def person_detail(request, pk):
    person = get_person_or_404(request.user, pk)  # nobody outside the territory's readers reaches a person: 404
    history = (
        RoleAssignment.history.filter(role_scope_q(reach_of(request.user)), user_id=person.pk)
        .select_related("municipality", "school", "region", "organisation", "history_user")
        .order_by("-history_date")[:50]
    )
    context = {
        "person": person,
        "roles": [(a, can_manage_role(request.user, a)) for a in person.reached_roles],
        "invitation": Invitation.objects.filter(user=person).first(),
        "history": history,
        "can_deactivate": can_deactivate(request.user, person),
    }
    return render(request, "people/person_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_active(request, pk):
    """Deactivate a person who left, or bring them back (GET asks to confirm)."""
    person = get_person_or_404(request.user, pk)
    require(can_deactivate(request.user, person), "Отключить учётную запись может тот, кто мог бы дать все её роли.")
    name = person.get_full_name() or person.get_username()
    if request.method == "GET":
        if person.is_active:
            return _confirm(request, person, f"Отключить учётную запись {name}?", "Отключить", active=0, explanation=(
                "Войти человек больше не сможет, его открытые сеансы закончатся. Всё, что он сделал, останется на "
                "портале с историей; включить учётную запись можно снова."))  # fmt: skip
        return _confirm(request, person, f"Включить учётную запись {name}?", "Включить", active=1,
                        explanation="Человек снова сможет войти со своим паролем.", button_class="btn-success")
    person.is_active = request.POST.get("active") == "1"
    person.save(update_fields=["is_active"])
    messages.success(request, f"{name}: учётная запись {'снова действует' if person.is_active else 'отключена'}.")
    return redirect("people:person", pk=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def role_remove(request, pk):
    assignment = get_object_or_404(role_assignments_reached(reach_of(request.user)).select_related("user"), pk=pk)
    require(can_manage_role(request.user, assignment), "Эту роль может снять только тот, кто может её дать.")
    label = f"«{assignment.get_role_display()}: {assignment.scope_label}»"
    if request.method == "GET":
        return _confirm(request, assignment.user, f"Снять роль {label}?", "Снять роль",
                        explanation="Запись о роли и о том, кто её снял, останется в истории.")
    with transaction.atomic():
        assignment._history_user = request.user
        assignment.delete()
        user_sync_back_office_access(user=assignment.user)
    messages.success(request, f"Роль {label} снята; запись о ней осталась в истории.")
    return redirect("people:person", pk=assignment.user_id)


def _confirm(request, person, question, button, *, explanation, active=None, button_class=None):
    context = {"person": person, "question": question, "button": button, "explanation": explanation,
               "active": active, "button_class": button_class}  # fmt: skip
    return render(request, "people/confirm.html", context)
