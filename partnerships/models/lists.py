"""The data lists the department keeps: school subjects and areas of professional deficits."""

from django.db import models
from simple_history.models import HistoricalRecords


class Subject(models.Model):
    """A school subject: what a teacher teaches, what a practice is about."""

    code = models.SlugField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=200)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class DeficitArea(models.Model):
    """An area of professional deficits found by diagnostics (the list is data, kept by the department)."""

    code = models.SlugField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=300)
    description = models.TextField("пояснение", blank=True)
    position = models.PositiveSmallIntegerField("порядок", default=0)
    is_active = models.BooleanField("действует", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "область профессиональных дефицитов"
        verbose_name_plural = "области профессиональных дефицитов"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name
