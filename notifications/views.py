from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shnor_portal.object_kinds import kind_of_model
from shnor_portal.paging import page_of

from . import kinds
from .access import can_watch, watched_municipalities
from .forms import KindFilterForm, PreferenceForm
from .models import Notification
from .selectors import notifications_for, roles_of, unreacted, unreacted_by_person
from .services import notification_mark_read, notifications_mark_all_read, preference_of, preference_save


@login_required
def notification_list(request):
    form = KindFilterForm(request.GET or None)
    kind, state = form.value("kind"), form.value("state")
    rows = notifications_for(user=request.user, kind=kind, state=state).select_related("actor")
    return render(
        request,
        "notifications/list.html",
        {"form": form, "kind": kind, "state": state, "can_watch": can_watch(request.user), **page_of(request, rows)},
    )


@login_required
def notification_open(request, pk):
    """Follow a notification to its target: only through the target app's own access check (a target the reader
    can no longer open answers 404, as it would from the app), then marked read."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    target_type = ContentType.objects.get_for_id(notification.target_type_id)
    spec = kind_of_model(f"{target_type.app_label}.{target_type.model}")
    if spec is None:
        raise Http404
    target = spec.get_or_404(request.user, notification.target_id)
    notification_mark_read(notification=notification, user=request.user)
    url = notification.url or spec.url(target)
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        url = reverse("notifications:list")
    return redirect(url)


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(notification=notification, user=request.user)
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request):
    kind = request.POST.get("kind", "")
    count = notifications_mark_all_read(user=request.user, kind=kind if kind in kinds.KINDS else "")
    messages.success(request, f"Отмечено прочитанными: {count}." if count else "Непрочитанных уведомлений нет.")
    return redirect(_back(request))


def _back(request) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse("notifications:list")


@login_required
def preference_edit(request):
    preference = preference_of(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preference_save(
                user=request.user,
                emailed_kinds=form.cleaned_data["emailed_kinds"],
                digest=form.cleaned_data["delivery"] == "digest",
                email=form.cleaned_data["email"],
            )
            messages.success(request, "Настройки уведомлений сохранены.")
            return redirect("notifications:settings")
    else:
        form = PreferenceForm(
            initial={
                "email": request.user.email,
                "delivery": "digest" if preference.digest else "now",
                "emailed_kinds": [code for code in kinds.KINDS if code not in (preference.muted_kinds or [])],
            }
        )
    return render(request, "notifications/settings.html", {"form": form})


@login_required
def unreacted_list(request):
    """For the coordinator (and the department): who in the municipality has not reacted to what, and how long."""
    if not can_watch(request.user):
        raise PermissionDenied("Эта страница — для координатора муниципалитета и управления образования.")
    municipalities = list(watched_municipalities(request.user))
    chosen = request.GET.get("municipality", "")
    ids = [m.pk for m in municipalities]
    if chosen:
        if not chosen.isdigit() or int(chosen) not in ids:
            raise Http404
        ids = [int(chosen)]
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds.KINDS else ""
    rows = unreacted(municipality_ids=ids, kind=kind).select_related("recipient")
    context = page_of(request, rows)
    people = unreacted_by_person(rows)[:50]
    roles = roles_of({row.recipient_id for row in context["page"].object_list} | {p["recipient_id"] for p in people})
    for row in context["page"].object_list:
        row.recipient_roles = roles.get(row.recipient_id, [])
    for person in people:
        person["roles"] = roles.get(person["recipient_id"], [])
    return render(
        request,
        "notifications/municipality.html",
        {
            "municipalities": municipalities,
            "chosen": chosen,
            "kind": kind,
            "kind_choices": kinds.choices(),
            "people": people,
            "now": timezone.now(),
            **context,
        },
    )
