import datetime

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from shnor_portal.history import stale_message

from . import access
from .models import Municipality, Organisation, RoleAssignment, School, SchoolYearProfile

DEPARTMENT_GROUP = "Управление образования"
# The department's back office covers the portal's own apps and the user accounts.
BACK_OFFICE_APPS = ("schools", "programs", "monitoring", "partnerships", "notifications", "surveys", "auth")


def department_group() -> Group:
    """The group whose permissions the department's staff get in the back office."""
    group, _ = Group.objects.get_or_create(name=DEPARTMENT_GROUP)
    wanted = set(Permission.objects.filter(content_type__app_label__in=BACK_OFFICE_APPS).values_list("pk", flat=True))
    have = set(group.permissions.values_list("pk", flat=True))
    if wanted != have:
        group.permissions.set(wanted)
    return group


def user_sync_back_office_access(*, user) -> None:
    """Holding the department role is what opens the back office; losing it closes it."""
    is_department = RoleAssignment.objects.filter(user=user, role=RoleAssignment.Role.DEPARTMENT).exists()
    group = department_group()
    in_group = user.groups.filter(pk=group.pk).exists()
    if is_department:
        if not in_group:
            user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    else:
        if in_group:
            user.groups.remove(group)
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


@transaction.atomic
def role_assign(
    *, user, role: str, region=None, municipality: Municipality | None = None, school: School | None = None,
    organisation=None,
) -> RoleAssignment:
    """Give a user a role with its scope (a region, a municipality, a school, or an organisation of the registry);
    assigning the same role twice changes nothing."""
    scope = {"region": region, "municipality": municipality, "school": school, "organisation": organisation}
    assignment = RoleAssignment(user=user, role=role, **scope)
    assignment.full_clean(validate_unique=False, validate_constraints=False)
    assignment, _ = RoleAssignment.objects.get_or_create(user=user, role=role, **scope)
    user_sync_back_office_access(user=user)
    return assignment


# --- archive ---------------------------------------------------------------------------------------------------------


def school_archive(*, schools, on: datetime.date | None = None, note: str = "", actor=None) -> int:
    """A closed or reorganised school goes to the archive instead of being deleted: its results, lists and
    programmes stay; it leaves the registry's default view and new identification runs. Returns how many moved."""
    moving = list(School.objects.filter(pk__in=[s.pk for s in schools], archived_on__isnull=True))
    for school in moving:
        school.archived_on, school.archive_note = on or timezone.localdate(), note[:300]
    bulk_update_with_history(
        moving, School, ["archived_on", "archive_note"], default_user=actor, default_change_reason="в архив"
    )
    return len(moving)


def school_restore(*, schools, actor=None) -> int:
    returning = list(School.objects.filter(pk__in=[s.pk for s in schools], archived_on__isnull=False))
    for school in returning:
        school.archived_on, school.archive_note = None, ""
    bulk_update_with_history(
        returning, School, ["archived_on", "archive_note"], default_user=actor, default_change_reason="из архива"
    )
    return len(returning)


class ProfileRefused(Exception):
    pass


@transaction.atomic
def profile_save(*, form, actor) -> SchoolYearProfile:
    """Save a checked profile form unless somebody saved that profile after the form was opened (its `seen`
    version): then ProfileRefused says who and when, and nothing is written. The row is locked for the check, so two
    saves at once cannot both pass; two first saves of one year meet at the unique constraint."""
    profile = form.instance
    if profile.pk:
        SchoolYearProfile.objects.select_for_update().filter(pk=profile.pk).first()
    if message := stale_message(profile, form.cleaned_data.get("seen")):
        raise ProfileRefused(message)
    profile._history_user = actor
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        raise ProfileRefused(
            "Профиль за этот год только что сохранил другой пользователь. Ваши изменения не сохранены: откройте "
            "профиль, проверьте его нынешний вид и внесите правки ещё раз."
        ) from None


# --- the head who signs for a school or an organisation ---------------------------------------------------------------


class HeadRefused(Exception):
    pass


@transaction.atomic
def party_head_set(*, party: School | Organisation, name: str, actor) -> None:
    """Fill the empty director of a school (or head of an organisation) of the registry, as a printed agreement asks
    for it. A name somebody entered meanwhile is kept: the registry is not overwritten from a print."""
    name = " ".join(name.split())[:200]
    if isinstance(party, School):
        allowed, field = access.can_edit_school_registry(actor, party), "director"
    else:
        allowed, field = access.can_edit_organisations(actor), "head_name"
    if not allowed:
        raise HeadRefused("Руководителя в реестре меняет управление образования; впишите ФИО только для этой печати.")
    locked = type(party).objects.select_for_update().get(pk=party.pk)
    if getattr(locked, field).strip():
        raise HeadRefused(f"В реестре уже указан руководитель: {getattr(locked, field)}. Его ФИО и напечатано.")
    if not name:
        raise HeadRefused("Укажите ФИО руководителя.")
    setattr(locked, field, name)
    locked._history_user = actor
    locked._change_reason = "руководитель указан при печати договора"
    locked.save(update_fields=[field])
