import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from .models import Municipality, RoleAssignment, School

DEPARTMENT_GROUP = "Управление образования"
# The department's back office covers the portal's own apps and the user accounts.
BACK_OFFICE_APPS = ("schools", "programs", "monitoring", "partnerships", "notifications", "auth")


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
    *, user, role: str, municipality: Municipality | None = None, school: School | None = None
) -> RoleAssignment:
    """Give a user a role with its scope; assigning the same role twice changes nothing."""
    assignment = RoleAssignment(user=user, role=role, municipality=municipality, school=school)
    assignment.full_clean(validate_unique=False, validate_constraints=False)
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, municipality=municipality, school=school
    )
    user_sync_back_office_access(user=user)
    return assignment


# --- archive ---------------------------------------------------------------------------------------------------------


def school_archive(*, schools, on: datetime.date | None = None, note: str = "") -> int:
    """A closed or reorganised school goes to the archive instead of being deleted: its results, lists and
    programmes stay; it leaves the registry's default view and new identification runs. Returns how many moved."""
    return School.objects.filter(pk__in=[s.pk for s in schools], archived_on__isnull=True).update(
        archived_on=on or timezone.localdate(), archive_note=note[:300]
    )


def school_restore(*, schools) -> int:
    return School.objects.filter(pk__in=[s.pk for s in schools], archived_on__isnull=False).update(
        archived_on=None, archive_note=""
    )
