"""Who holds which role where: the role assignments that every access rule reads."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .organisations import Organisation
from .registry import Municipality, Region, School


class RoleAssignment(models.Model):
    """One role a person holds, with the scope it reaches.

    A person may hold several; what they see is the union of their roles' scopes
    (decided in `schools.access`).
    """

    class Role(models.TextChoices):
        DEPARTMENT = "department", "управление образования"
        INSTITUTE = "institute", "институт / методический центр"
        FEDERAL = "federal", "федеральный оператор"
        COORDINATOR = "coordinator", "муниципальный координатор"
        SCHOOL_TEAM = "school_team", "управленческая команда школы"
        CURATOR = "curator", "школа-куратор"
        TUTOR = "tutor", "тьютор"
        EXPERT = "expert", "эксперт организации"

    # Which scope field each role needs; the others must stay empty.
    # A territory's roles: the department (a regional ministry — a region; a district's education department — its
    # municipality) and the institute / methodical centre beside it, scoped the same way.
    TERRITORY_ROLES = {Role.DEPARTMENT, Role.INSTITUTE}
    MUNICIPAL_ROLES = {Role.COORDINATOR, Role.TUTOR}
    SCHOOL_ROLES = {Role.SCHOOL_TEAM, Role.CURATOR}
    # A curator acts for a school or for an organisation of the registry (seed 000's supplementary education); an
    # expert only for an organisation (seed 003's innovation platforms).
    ORGANISATION_ROLES = {Role.CURATOR, Role.EXPERT}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="пользователь", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("роль", max_length=16, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        verbose_name="регион",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="Для регионального управления образования (министерства) и регионального института.",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="муниципалитет",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="Для муниципального координатора и тьютора, для управления образования района и его методического "
        "центра.",
    )
    school = models.ForeignKey(
        School,
        verbose_name="школа",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="Для управленческой команды школы и школы-куратора.",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="организация",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="Для эксперта организации и для куратора от организации (не школы).",
    )
    created_at = models.DateTimeField("назначена", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "назначение роли"
        verbose_name_plural = "назначения ролей"
        ordering = ["user__username", "role"]
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(
                        role__in=["department", "institute"], region__isnull=False, municipality__isnull=True,
                        school__isnull=True, organisation__isnull=True,
                    )
                    | Q(
                        role__in=["department", "institute"], region__isnull=True, municipality__isnull=False,
                        school__isnull=True, organisation__isnull=True,
                    )
                    | Q(
                        role="federal", region__isnull=True, municipality__isnull=True, school__isnull=True,
                        organisation__isnull=True,
                    )
                    | Q(
                        role__in=["coordinator", "tutor"], region__isnull=True, municipality__isnull=False,
                        school__isnull=True, organisation__isnull=True,
                    )
                    | Q(
                        role__in=["school_team", "curator"], region__isnull=True, municipality__isnull=True,
                        school__isnull=False, organisation__isnull=True,
                    )
                    | Q(
                        role__in=["curator", "expert"], region__isnull=True, municipality__isnull=True,
                        school__isnull=True, organisation__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(role="federal"), name="role_unique_federal"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"], condition=Q(region__isnull=False), name="role_unique_region"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality"],
                condition=Q(municipality__isnull=False),
                name="role_unique_municipality",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"], condition=Q(school__isnull=False), name="role_unique_school"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="role_unique_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}: {self.scope_label}"

    @property
    def role_label(self) -> str:
        """The role as people read it: a curator acting for an organisation is its «организация-куратор»."""
        if self.role == self.Role.CURATOR and self.organisation_id:
            return "организация-куратор"
        if self.role == self.Role.DEPARTMENT and self.municipality_id:
            return "управление образования района"
        if self.role == self.Role.DEPARTMENT and self.region_id:
            return "министерство образования региона"
        return self.get_role_display()

    @property
    def scope_label(self) -> str:
        if self.role == self.Role.FEDERAL:
            return "все регионы (только чтение)"
        if self.region_id:
            return str(self.region)
        return str(self.school or self.organisation or self.municipality)

    def clean(self):
        if self.role == self.Role.FEDERAL:
            if self.region_id or self.municipality_id or self.school_id or self.organisation_id:
                raise ValidationError("Федеральный оператор читает все регионы: регион, муниципалитет, школу и "
                                      "организацию не указывают.")
            return
        if self.role in self.TERRITORY_ROLES:
            if self.school_id or self.organisation_id:
                raise ValidationError("Для этой роли указывают регион или муниципалитет (район), не школу и не "
                                      "организацию.")
            if bool(self.region_id) == bool(self.municipality_id):
                raise ValidationError({"region": "Укажите регион (министерство, региональный институт) или "
                                                 "муниципалитет (управление образования района) — одно из двух."})
            return
        if self.region_id:
            raise ValidationError({"region": "Регион указывают только управлению образования и институту."})
        if self.role == self.Role.EXPERT and not self.organisation_id:
            raise ValidationError({"organisation": "Эксперт действует от организации: укажите её."})
        if self.role == self.Role.CURATOR and self.organisation_id:
            if self.school_id:
                raise ValidationError({"organisation": "Куратор действует от школы или от организации, не от обеих."})
            return
        if self.organisation_id and self.role not in self.ORGANISATION_ROLES:
            raise ValidationError({"organisation": "Для этой роли организацию не указывают."})
        if self.role in self.MUNICIPAL_ROLES:
            if not self.municipality_id:
                raise ValidationError({"municipality": "Для этой роли укажите муниципалитет."})
            if self.school_id:
                raise ValidationError({"school": "Для этой роли школу не указывают — только муниципалитет."})
        if self.role in self.SCHOOL_ROLES:
            if not self.school_id:
                raise ValidationError({"school": "Для этой роли укажите школу."})
            if self.municipality_id:
                raise ValidationError({"municipality": "Для этой роли муниципалитет не указывают — он берётся из школы."})
