"""The back office in a territory: a department sees and edits only its territory's rows (issue 20, item 5).

Every ModelAdmin of the portal (and its inlines) takes `TerritoryAdmin` (`TerritoryInline`), and every model the
back office shows says here, in `TERRITORY`, how its rows reach a territory: a tuple of paths to a Region, a
Municipality, a School, an Organisation or a User (the "anchors"), or `INSTALLATION` for what only the installation
owns. A row belongs to the territories any of its paths reaches. For a superuser nothing changes; for anyone else
on the admin site (the department: only it holds staff, `services.user_sync_back_office_access`):

- the querysets — changelist, change form (a row outside is "не существует"), autocomplete, raw-id popups, exports,
  list filters — hold only the territory's rows;
- the choice lists (foreign keys, many-to-many) hold only the territory's rows; a region may be chosen only by its
  regional department;
- a row is editable if one of its paths reaches the department's own: a municipality (school, …) it is the
  department of, or a region it is the regional department of (a district's department reads its region's settings);
- a row whose paths are all empty is the installation's default (the default calendar, targets, routes and their
  steps, the default reference lists — risk factors, the common checklist, subjects, deficit areas — the indicators
  of no municipality): shown and read-only (`DEFAULTS_SHOWN`), because
  the department's pages inherit them and the department must see what it inherits; or hidden where such a row is
  not a default but someone else's (a federal role, a notification, an import, a person of no territory);
- models the installation owns (measures, clusters, groups) are read-only; a region's reference list is started from
  the defaults by its department (`admin_region_lists`);
- a saved row must lie in the department's territory, else the whole save is undone (403) — a safety net under the
  choice lists.

The module names models by label only: it imports no higher app (the layers, pyproject's importlinter).
"""

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q

from shnor_portal.history_admin import HistoryRecordAdmin

from .access import reach_of
from .models import Municipality, Organisation, Region, RoleAssignment, School

INSTALLATION = ()  # the installation's own model: read-only for a department
HIDDEN = "hidden"  # rows with every path empty are not a department's to see
DEFAULTS_SHOWN = "shown"  # rows with every path empty are the installation's defaults: shown, read-only

# label -> (paths to the territory, what rows with every path empty are). "" is the row itself (an anchor model).
TERRITORY: dict[str, tuple[tuple[str, ...], str]] = {
    # the registry
    "schools.Region": (("",), HIDDEN),
    "schools.Municipality": (("",), HIDDEN),
    "schools.School": (("",), HIDDEN),
    "schools.Organisation": (("",), HIDDEN),
    "auth.User": (("",), HIDDEN),
    "auth.Group": (INSTALLATION, DEFAULTS_SHOWN),
    "schools.Cluster": (INSTALLATION, DEFAULTS_SHOWN),
    "schools.ClusterRule": (INSTALLATION, DEFAULTS_SHOWN),
    "schools.Measure": (INSTALLATION, DEFAULTS_SHOWN),
    "schools.ResultImport": (("imported_by",), HIDDEN),
    "schools.ListChange": (("school",), HIDDEN),
    "schools.SchoolYearProfile": (("school",), HIDDEN),
    "schools.SchoolNameAlias": (("school",), HIDDEN),
    "schools.SchoolResult": (("school",), HIDDEN),
    "schools.Criterion": (("region",), HIDDEN),
    "schools.IdentificationSettings": (("region",), HIDDEN),
    "schools.IdentificationRun": (("region",), HIDDEN),
    "schools.IdentificationVerdict": (("school",), HIDDEN),
    "schools.SchoolYearStatus": (("school",), HIDDEN),
    "schools.Act": (("municipality", "region"), HIDDEN),
    "schools.ActLink": (("act__municipality", "act__region"), HIDDEN),
    "schools.RoleAssignment": (("region", "municipality", "school", "organisation"), HIDDEN),  # empty: federal
    # programmes
    "programs.RiskFactor": (("region",), DEFAULTS_SHOWN),  # no region: the default list
    "programs.ReviewRoute": (("region",), DEFAULTS_SHOWN),
    "programs.ReviewStep": (("route__region",), DEFAULTS_SHOWN),
    # no step: a region's common checklist, or the default one (no region either)
    "programs.ReviewCriterion": (("region", "step__route__region"), DEFAULTS_SHOWN),
    "programs.Programme": (("municipality", "region"), HIDDEN),  # region: the regional plan-schedule
    "programs.RoadmapSection": (("programme__municipality", "programme__region"), HIDDEN),
    "programs.RoadmapMeasure": (("programme__municipality", "programme__region"), HIDDEN),
    "programs.MeasureYear": (("measure__programme__municipality", "measure__programme__region"), HIDDEN),
    "programs.Evidence": (("measure__programme__municipality", "measure__programme__region"), HIDDEN),
    "programs.Review": (("programme__municipality",), HIDDEN),
    "programs.ReviewCheck": (("review__programme__municipality",), HIDDEN),
    "programs.ProgrammeSnapshot": (("programme__municipality", "programme__region"), HIDDEN),
    # monitoring
    "monitoring.MonitoringStage": (("region",), DEFAULTS_SHOWN),
    "monitoring.MunicipalStageShift": (("municipality",), HIDDEN),
    "monitoring.Indicator": (("municipality", "programme__municipality", "region"), DEFAULTS_SHOWN),
    "monitoring.IndicatorPlan": (
        ("indicator__municipality", "indicator__programme__municipality", "indicator__region"), DEFAULTS_SHOWN
    ),
    "monitoring.IndicatorValue": (("municipality", "region"), HIDDEN),
    "monitoring.FigureSummary": (("municipality", "region"), HIDDEN),
    "monitoring.SelfAssessment": (("school",), HIDDEN),
    "monitoring.OpenReport": (("school",), HIDDEN),
    "monitoring.RiskProfile": (("school",), HIDDEN),
    "monitoring.RiskLevel": (("profile__school",), HIDDEN),
    "monitoring.ReportExport": (("municipality", "requested_by"), HIDDEN),
    # partnerships
    "partnerships.Subject": (("region",), DEFAULTS_SHOWN),
    "partnerships.DeficitArea": (("region",), DEFAULTS_SHOWN),
    "partnerships.Agreement": (("supported_school",), HIDDEN),
    "partnerships.AgreementPlanItem": (("agreement__supported_school",), HIDDEN),
    "partnerships.SupportSession": (("agreement__supported_school",), HIDDEN),
    "partnerships.SessionEvidence": (("session__agreement__supported_school",), HIDDEN),
    "partnerships.TutorProfile": (("municipality",), HIDDEN),
    "partnerships.Teacher": (("school",), HIDDEN),
    "partnerships.TutorAssignment": (("teacher__school",), HIDDEN),
    "partnerships.TeacherDeficit": (("teacher__school",), HIDDEN),
    "partnerships.DevelopmentPlan": (("teacher__school",), HIDDEN),
    "partnerships.DevelopmentPlanItem": (("plan__teacher__school",), HIDDEN),
    "partnerships.TutoringSession": (("teacher__school",), HIDDEN),
    "partnerships.Practice": (("school",), HIDDEN),
    "partnerships.PracticeFile": (("practice__school",), HIDDEN),
    "partnerships.PracticeDownload": (("practice__school",), HIDDEN),
    "partnerships.MethodicalEvent": (("municipality", "region"), HIDDEN),
    "partnerships.SupportTarget": (("region",), DEFAULTS_SHOWN),
    "partnerships.EventInvitation": (("event__municipality", "event__region"), HIDDEN),
    "partnerships.EventParticipant": (("invitation__event__municipality", "invitation__event__region"), HIDDEN),
    "partnerships.EventAttendee": (("event__municipality", "event__region"), HIDDEN),
    # surveys
    "surveys.Questionnaire": (("region",), DEFAULTS_SHOWN),
    "surveys.Question": (("questionnaire__region",), DEFAULTS_SHOWN),
    "surveys.Campaign": (("region",), HIDDEN),
    "surveys.SchoolLink": (("school",), HIDDEN),
    # notifications
    "notifications.Notification": (("recipient",), HIDDEN),
    "notifications.EmailPreference": (("user",), HIDDEN),
}


def territory_of(model) -> tuple[tuple[str, ...], str] | None:
    """The model's declaration; a history model (django-simple-history) follows the model it records."""
    model = getattr(model, "instance_type", model)
    return TERRITORY.get(model._meta.label)


@dataclass(frozen=True)
class Scope:
    """A back-office user's territory: the regions it reads, the regions it keeps, the municipalities it keeps."""

    regions_read: frozenset[int]
    regions: frozenset[int]
    municipalities: frozenset[int]


def scope_of(user) -> Scope | None:
    """None for a superuser (everything); else the department's territory (empty for anyone else)."""
    if user.is_superuser:
        return None
    reach = reach_of(user)
    departments = [a for a in reach.assignments if a.role == RoleAssignment.Role.DEPARTMENT]
    return Scope(
        regions_read=frozenset(a.region_id or a.municipality.region_id for a in departments),
        regions=reach.department_region_ids,
        municipalities=reach.department_municipality_ids,
    )


def _at(path: str, lookup: str) -> str:
    return f"{path}__{lookup}" if path else lookup


def _in(path: str) -> str:
    """The row at the end of the path among ids ("id": a history row's own key is another)."""
    return f"{path}__in" if path else "id__in"


def _anchor(model, path: str):
    """The anchor model a path ends at."""
    target = getattr(model, "instance_type", model)
    if not path:
        return target
    target = model
    for name in filter(None, path.split("__")):
        target = target._meta.get_field(name).related_model
    return target


def _anchor_q(anchor, path: str, scope: Scope, *, edit: bool) -> Q:
    regions = scope.regions if edit else scope.regions_read
    if anchor is Region:
        return Q(**{_in(path): regions})
    if anchor is Municipality:
        return Q(**{_in(path): scope.municipalities})
    if anchor is School:
        return Q(**{_at(path, "municipality__in"): scope.municipalities})
    if anchor is Organisation:
        q = Q(**{_at(path, "region__in"): regions})
        return q | Q(**{_at(path, "municipality__in"): scope.municipalities}) if edit else q
    if anchor is get_user_model():
        roles = RoleAssignment.objects.filter(
            Q(region__in=regions) | Q(municipality__in=scope.municipalities)
            | Q(school__municipality__in=scope.municipalities) | Q(organisation__region__in=regions)
        ).values("user_id")  # fmt: skip
        return Q(**{_in(path): roles})
    raise ValueError(f"{anchor} is not an anchor of a territory")


def territory_q(model, scope: Scope, *, edit: bool = False) -> Q:
    """The rows of `model` in the scope's territory (to read, or to edit)."""
    declared = territory_of(model)
    if declared is None:
        return Q(pk__in=[])  # undeclared: nothing (the test of every admin keeps the table whole)
    paths, empty = declared
    if not paths:
        return Q() if not edit else Q(pk__in=[])
    q = Q(pk__in=[])
    for path in paths:
        q |= _anchor_q(_anchor(model, path), path, scope, edit=edit)
    if getattr(model, "instance_type", model)._meta.label == "auth.User":
        # A person of no role yet is nobody's: every department sees them, to give them a role (not a superuser).
        q |= Q(role_assignments__isnull=True, is_superuser=False)
    elif empty == DEFAULTS_SHOWN and not edit:
        none = Q()
        for path in paths:
            none &= Q(**{f"{path}__isnull": True})
        q |= none
    return q


def editable(model, obj, scope: Scope) -> bool:
    manager = model._default_manager
    return manager.filter(territory_q(model, scope, edit=True), pk=obj.pk).exists()


def _choices(related, scope: Scope, queryset):
    """The rows a department may choose: a region only if it keeps it, any other model's rows it reads."""
    return queryset.filter(territory_q(related, scope, edit=related is Region)).distinct()


class TerritoryChoices:
    """Choice lists (foreign keys, many-to-many) within the user's territory; for ModelAdmins and inlines."""

    def _restricted(self, db_field, request, kwargs):
        scope = scope_of(request.user)
        related = db_field.related_model
        declared = territory_of(related)
        if scope is None or declared is None or not declared[0]:
            return kwargs
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)
        if queryset is None:
            queryset = related._default_manager.all()
        kwargs["queryset"] = _choices(related, scope, queryset)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **self._restricted(db_field, request, kwargs))
        paths = (territory_of(self.model) or ((),))[0]
        if field is not None and scope_of(request.user) is not None and paths == (db_field.name,):
            field.required = True  # an empty scope would make the installation's default, not the department's
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._restricted(db_field, request, kwargs))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        if db_field.model is RoleAssignment and db_field.name == "role" and scope_of(request.user) is not None:
            # The federal operator is the installation's to name, never a department's.
            field.choices = [c for c in field.choices if c[0] != RoleAssignment.Role.FEDERAL]
        return field


class TerritoryInline(TerritoryChoices):
    """An inline: its rows and its choices within the territory (the parent's rights decide the rest)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = scope_of(request.user)
        return queryset if scope is None else queryset.filter(territory_q(queryset.model, scope)).distinct()


class TerritoryAdmin(TerritoryChoices):
    """A ModelAdmin within the user's territory (the module's docstring)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = scope_of(request.user)
        if scope is None:
            return queryset
        return queryset.filter(territory_q(queryset.model, scope)).distinct()

    def _may_edit(self, request, obj) -> bool:
        scope = scope_of(request.user)
        if scope is None:
            return True
        declared = territory_of(self.model)
        if declared is None or not declared[0]:
            return False
        return obj is None or editable(self.model, obj, scope)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._may_edit(request, None)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def get_list_filter(self, request):
        """A filter by a related row lists only the rows the changelist holds (not every region's)."""
        filters = super().get_list_filter(request)
        if scope_of(request.user) is None:
            return filters
        narrowed = []
        for entry in filters:
            if isinstance(entry, str):
                try:
                    field = get_fields_from_path(self.model, entry)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                if field is not None and field.is_relation:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            narrowed.append(entry)
        return narrowed

    def get_changelist_instance(self, request):
        """No editing in the list where the list holds rows the department may only read."""
        changelist = super().get_changelist_instance(request)
        scope = scope_of(request.user)
        if scope is not None and changelist.list_editable:
            if changelist.queryset.exclude(territory_q(self.model, scope, edit=True)).exists():
                changelist.list_editable = ()
        return changelist

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        scope = scope_of(request.user)
        if scope is not None and not editable(self.model, obj, scope):
            raise PermissionDenied("Запись вне вашей территории: сохранить её нельзя.")

    def delete_queryset(self, request, queryset):
        scope = scope_of(request.user)
        if scope is not None and queryset.exclude(territory_q(self.model, scope, edit=True)).exists():
            raise PermissionDenied("Среди выбранных есть записи, которые вы можете только читать.")
        super().delete_queryset(request, queryset)

    def get_import_resource_kwargs(self, request, **kwargs):
        """An import (django-import-export) takes rows of the department's municipalities only."""
        found = super().get_import_resource_kwargs(request, **kwargs)
        scope = scope_of(request.user)
        if scope is not None:
            found["municipality_ids"] = scope.municipalities
        return found


class TerritoryHistoryAdmin(TerritoryAdmin, HistoryRecordAdmin):
    """The history of a model: the rows of the territory the model's own rows are in (read-only as every history)."""
