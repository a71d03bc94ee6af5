"""The register of acts (реестр актов): orders and other acts of the department and the municipalities, each linked
to what it approves.

Where the model lives. An act approves things of several apps — a programme (`programs`), the identification
criteria of a year and the list (`schools`), agreements (`partnerships`) — and an app imports only the apps below
it, so the act lives in the lowest of them, `schools`. What it approves is an `ActLink`: the kind of thing (`target`,
a short key such as «programme») and its id. The kinds are not a foreign key each: every app registers the kinds it
owns in `schools.act_targets` from its `AppConfig.ready()` (how to fetch one within a user's reach, which of them a
user sees, who may link an act to it, its page), as it registers its object kinds for the history pages. So a new
kind of thing costs no migration here and no import upward, and the programmes' and agreements' tables are left as
they are. The criteria of a year are a kind whose id is the year itself (they are rows per year, not one row).

The list keeps the order it was approved by on the run (`IdentificationRun.order_number`, `order_date`): that is
what the approval recorded and what the annex prints. Approving a list registers that order here as well and links
it to the run (`schools.act_services.act_register_for_list`); runs approved before the register existed got their
act from the migration that created it. Nothing moved away from the run.

A duplicate is the same kind, number (letters in any case) and date from the same issuing body (in any case).
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from .registry import Municipality, Region


def act_upload_to(instance, filename):
    """A random stored name: the user's file name is kept apart (`file_name`) and never used as a path."""
    suffix = PurePath(filename).suffix.lower()[:8] or ".pdf"
    return f"acts/{uuid.uuid4().hex}{suffix}"


class Act(models.Model):
    class Kind(models.TextChoices):
        ORDER = "order", "приказ"
        DIRECTIVE = "directive", "распоряжение"
        RESOLUTION = "resolution", "постановление"
        REGULATION = "regulation", "положение"
        MINUTES = "minutes", "протокол"
        OTHER = "other", "иной акт"

    kind = models.CharField("вид акта", max_length=16, choices=Kind.choices, default=Kind.ORDER)
    number = models.CharField("номер", max_length=64)
    date = models.DateField("дата")
    title = models.CharField("название", max_length=500, help_text="Например: «Об утверждении программы…».")
    issuer = models.CharField(
        "орган, издавший акт", max_length=300,
        help_text="Например: «Управление образования администрации Петровского района».",
    )
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="acts",
        help_text="Территория, в которой акт действует: его видят и меняют только её управление и координаторы.",
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, null=True, blank=True,
        related_name="acts", help_text="Пусто — акт региона (управления образования).",
    )
    note = models.TextField("примечание", blank=True)
    file = models.FileField("файл акта (PDF)", upload_to=act_upload_to, max_length=300, blank=True)
    file_name = models.CharField("имя файла", max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField("размер файла, байт", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="зарегистрировал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("зарегистрирован", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "акт"
        verbose_name_plural = "акты (реестр)"
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "region", "kind", Lower("number"), "date", Lower("issuer"),
                name="act_unique_region_kind_number_date_issuer",
            )
        ]
        indexes = [models.Index(fields=["date"], name="act_date")]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # a municipality's act is always of its municipality's region
        if self.municipality_id:
            self.region_id = Municipality.objects.filter(pk=self.municipality_id).values_list("region_id", flat=True).get()
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """«приказ от 12.03.2024 № 148-02»."""
        return f"{self.get_kind_display()} от {self.date:%d.%m.%Y} № {self.number}"


class ActLink(models.Model):
    """An act approves (or concerns) one thing: `target` is the key of a registered kind, `object_id` its id."""

    act = models.ForeignKey(Act, verbose_name="акт", on_delete=models.CASCADE, related_name="links")
    target = models.CharField("что утверждает", max_length=24)
    object_id = models.PositiveBigIntegerField("номер объекта")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="связал", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("связан", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "связь акта"
        verbose_name_plural = "связи актов"
        ordering = ["act", "target", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["act", "target", "object_id"], name="act_link_unique_object")
        ]
        indexes = [models.Index(fields=["target", "object_id"], name="act_link_object")]

    def __str__(self):
        return f"{self.act}: {self.target} № {self.object_id}"
