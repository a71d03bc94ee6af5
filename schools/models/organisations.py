"""Organisations that take part in a territory's model besides its schools.

Seed 000 names «организации дополнительного образования детей» among the partners; seed 003 uses innovation
platforms («инновационные площадки») as experts; seed 004 gives the regional institute of education development
(ЦНППМПР) the methodical work and the reviews. The department keeps the registry of its territory; an
organisation can be a party to a curator agreement and a reviewer of programmes, through the people who hold a
role for it (`RoleAssignment.organisation`).
"""

from django.db import models
from simple_history.models import HistoricalRecords

from .registry import Municipality, Region


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SUPPLEMENTARY = "supplementary", "организация дополнительного образования"
        METHODICAL_CENTRE = "methodical_centre", "методический центр"
        INNOVATION_PLATFORM = "innovation_platform", "инновационная площадка"
        INSTITUTE = "institute", "институт развития образования (ЦНППМПР)"
        HIGHER_EDUCATION = "higher_education", "вуз или колледж"
        OTHER = "other", "иная организация"

    name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    kind = models.CharField("вид", max_length=24, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name="территория (регион)", on_delete=models.PROTECT, related_name="organisations"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, null=True, blank=True,
        related_name="organisations", help_text="Пусто — организация регионального уровня.",
    )
    inn = models.CharField("ИНН", max_length=12, blank=True)
    head_name = models.CharField("руководитель (ФИО)", max_length=300, blank=True)
    head_position = models.CharField("должность руководителя", max_length=200, blank=True)
    address = models.CharField("адрес", max_length=500, blank=True)
    email = models.EmailField("электронная почта", blank=True)
    phone = models.CharField("телефон", max_length=50, blank=True)
    is_active = models.BooleanField("действует", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "организация"
        verbose_name_plural = "организации (реестр партнёров и экспертов)"
        ordering = ["short_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "short_name"], name="organisation_unique_short_name_in_region",
                violation_error_message="Организация с таким кратким наименованием в этой территории уже есть.",
            )
        ]

    def __str__(self):
        return self.short_name

    @property
    def level_label(self) -> str:
        return str(self.municipality) if self.municipality_id else "региональная"
