from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Region(models.Model):
    """A subject of the Russian Federation; one deployment usually serves one region."""

    name = models.CharField("название", max_length=200, unique=True)
    code = models.CharField("код субъекта", max_length=8, blank=True)

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Municipality(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", "муниципальный район"
        MUNICIPAL_OKRUG = "okrug", "муниципальный округ"
        CITY_OKRUG = "city", "городской округ"

    region = models.ForeignKey(Region, verbose_name="регион", on_delete=models.PROTECT, related_name="municipalities")
    name = models.CharField("название", max_length=200)
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.DISTRICT)

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name_in_region")]

    def __str__(self):
        return self.name


class School(models.Model):
    class Kind(models.TextChoices):
        SOSH = "sosh", "СОШ"
        OOSH = "oosh", "ООШ"
        NOSH = "nosh", "НОШ"
        GYMNASIUM = "gymnasium", "гимназия"
        LYCEUM = "lyceum", "лицей"
        BOARDING = "boarding", "школа-интернат"
        OTHER = "other", "иная"

    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, related_name="schools"
    )
    name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    kind = models.CharField("тип", max_length=16, choices=Kind.choices, default=Kind.SOSH)

    class Meta:
        verbose_name = "школа"
        verbose_name_plural = "школы"
        ordering = ["short_name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "short_name"], name="school_unique_short_name_in_municipality")
        ]

    def __str__(self):
        return self.short_name


class RoleAssignment(models.Model):
    """One role a person holds, with the scope it reaches.

    A person may hold several; what they see is the union of their roles' scopes
    (decided in `schools.access`).
    """

    class Role(models.TextChoices):
        DEPARTMENT = "department", "управление образования"
        COORDINATOR = "coordinator", "муниципальный координатор"
        SCHOOL_TEAM = "school_team", "управленческая команда школы"
        CURATOR = "curator", "школа-куратор"
        TUTOR = "tutor", "тьютор"

    # Which scope field each role needs; the other must stay empty.
    MUNICIPAL_ROLES = {Role.COORDINATOR, Role.TUTOR}
    SCHOOL_ROLES = {Role.SCHOOL_TEAM, Role.CURATOR}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="пользователь", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("роль", max_length=16, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="муниципалитет",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="Для муниципального координатора и тьютора.",
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
    created_at = models.DateTimeField("назначена", auto_now_add=True)

    class Meta:
        verbose_name = "назначение роли"
        verbose_name_plural = "назначения ролей"
        ordering = ["user__username", "role"]
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(role="department", municipality__isnull=True, school__isnull=True)
                    | Q(role__in=["coordinator", "tutor"], municipality__isnull=False, school__isnull=True)
                    | Q(role__in=["school_team", "curator"], municipality__isnull=True, school__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(role="department"), name="role_unique_department"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality"],
                condition=Q(municipality__isnull=False),
                name="role_unique_municipality",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"], condition=Q(school__isnull=False), name="role_unique_school"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}: {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.role == self.Role.DEPARTMENT:
            return "все муниципалитеты и школы"
        return str(self.school or self.municipality)

    def clean(self):
        if self.role == self.Role.DEPARTMENT and (self.municipality_id or self.school_id):
            raise ValidationError("Роль управления образования охватывает всё: муниципалитет и школу не указывают.")
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
