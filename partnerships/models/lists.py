"""The data lists the department keeps: school subjects and areas of professional deficits — a region's own, else the
installation's default list (no region; `schools.region_lists`)."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from schools.models import Region


def _region(related_name: str):
    return models.ForeignKey(
        Region, verbose_name="территория (регион)", on_delete=models.CASCADE, null=True, blank=True,
        related_name=related_name, help_text="Пусто — список по умолчанию для территорий без своего.",
    )  # fmt: skip


def _unique_code(prefix: str, what: str) -> list:
    return [
        models.UniqueConstraint(
            fields=["region", "code"], name=f"{prefix}_unique_region_code",
            violation_error_message=f"{what} с таким кодом в списке территории уже есть.",
        ),
        models.UniqueConstraint(
            fields=["code"], condition=Q(region__isnull=True), name=f"{prefix}_unique_default_code",
            violation_error_message=f"{what} с таким кодом в списке по умолчанию уже есть.",
        ),
    ]  # fmt: skip


class Subject(models.Model):
    """A school subject: what a teacher teaches, what a practice is about."""

    region = _region("subjects")
    code = models.SlugField("код", max_length=64)
    name = models.CharField("название", max_length=200)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = ["position", "name"]
        constraints = _unique_code("subject", "Предмет")

    def __str__(self):
        return self.name


class DeficitArea(models.Model):
    """An area of professional deficits found by diagnostics (the list is data, kept by the department)."""

    region = _region("deficit_areas")
    code = models.SlugField("код", max_length=64)
    name = models.CharField("название", max_length=300)
    description = models.TextField("пояснение", blank=True)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "область профессиональных дефицитов"
        verbose_name_plural = "области профессиональных дефицитов"
        ordering = ["position", "name"]
        constraints = _unique_code("deficit_area", "Область")

    def __str__(self):
        return self.name
