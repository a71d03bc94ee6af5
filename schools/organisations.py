"""The registry of organisations besides schools (seed 000's «организации дополнительного образования детей», seed
003's innovation platforms, seed 004's ЦНППМПР): the list's filter, the form, and the one write. Who reads and who
edits: `schools.access` (`visible_organisations`, `can_edit_organisations`); the pages: `organisation_views`."""

import re

import django_filters
from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from shnor_portal.choices import MunicipalityFilter
from shnor_portal.history import GuardedModelForm, stale_message

from .access import (
    can_edit_organisations,
    can_edit_region_organisations,
    organisation_edit_municipalities,
    organisation_municipalities,
    organisation_regions,
    require,
    visible_organisations,
)
from .models import Organisation

REGIONAL = "region"  # the municipality filter's value for organisations of the region's level
DUPLICATE_SHORT_NAME = "Организация с таким кратким наименованием в этой территории уже есть."
NOT_EDITOR = "Реестр организаций ведёт управление образования."


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск: наименование, ИНН, руководитель", method="search")
    kind = django_filters.ChoiceFilter(label="Вид", choices=Organisation.Kind.choices, empty_label="любой")
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="все", null_label="региональные", null_value=REGIONAL
    )
    active = django_filters.ChoiceFilter(
        label="Действует", choices=[("yes", "действующие"), ("no", "закрытые")], empty_label="все",
        method="filter_active",
    )  # fmt: skip

    class Meta:
        model = Organisation
        fields = ["q", "kind", "municipality", "active"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["municipality"].queryset = organisation_municipalities(user).order_by("name")

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(short_name__icontains=word) | Q(name__icontains=word) | Q(inn__icontains=word)
                | Q(head_name__icontains=word)
            )  # fmt: skip
        return queryset

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")


def registry_organisations(*, user, data) -> tuple[OrganisationFilter, QuerySet[Organisation]]:
    """The registry's rows the user reads, filtered; two queries a page whatever its size (the region and the
    municipality come joined)."""
    organisation_filter = OrganisationFilter(
        data, user=user, queryset=visible_organisations(user).select_related("region", "municipality")
    )
    rows = organisation_filter.qs if organisation_filter.is_valid() else Organisation.objects.none()
    return organisation_filter, rows.order_by("short_name", "pk")


class OrganisationForm(GuardedModelForm):
    """An organisation of the registry: the department registers it and changes it; a closed one stays, marked."""

    class Meta:
        model = Organisation
        fields = [
            "short_name", "name", "kind", "region", "municipality", "inn", "head_name", "head_position", "address",
            "email", "phone", "is_active",
        ]  # fmt: skip
        labels = {
            "region": "Территория (регион)",
            "is_active": "Действует (закрытую организацию не выбирают в договор)",
        }
        widgets = {"name": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "short_name": "Как её называют в списках: «ДДТ г. Заречный», «ЦНППМПР ИРО ПК».",
            "inn": "10 цифр (у индивидуального предпринимателя — 12).",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user
        # only the territory the user is the department of: never another region's
        regions = organisation_regions(user).order_by("name")
        self.fields["region"].queryset = regions
        self.fields["municipality"].queryset = (
            organisation_edit_municipalities(user).select_related("region").order_by("name")
        )
        self.fields["municipality"].empty_label = "— организация региона —"
        if not self.instance.pk and not self.is_bound and len(regions) == 1:
            self.initial["region"] = regions[0].pk
        for field in self.fields.values():
            if field.label:
                field.label = field.label[:1].upper() + field.label[1:]

    def clean_inn(self):
        inn = self.cleaned_data["inn"].strip()
        if inn and not re.fullmatch(r"\d{10}|\d{12}", inn):
            raise forms.ValidationError("ИНН — это 10 цифр (у индивидуального предпринимателя — 12), без пробелов.")
        return inn

    def clean_short_name(self):
        return " ".join(self.cleaned_data["short_name"].split())

    def clean(self):
        data = super().clean()
        region, municipality = data.get("region"), data.get("municipality")
        if region and municipality and municipality.region_id != region.pk:
            self.add_error("municipality", "Этот муниципалитет не входит в выбранную территорию.")
        if region and not municipality and not can_edit_region_organisations(self._user, region):
            self.add_error("municipality", "Организацию региона ведёт управление образования региона: выберите муниципалитет.")
        short_name = data.get("short_name")
        if region and short_name:
            same = Organisation.objects.filter(region=region, short_name__iexact=short_name)
            if self.instance.pk:
                same = same.exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error("short_name", DUPLICATE_SHORT_NAME)
        return data


class OrganisationRefused(Exception):
    pass


@transaction.atomic
def organisation_save(*, form: OrganisationForm, actor) -> Organisation:
    """Save a checked form: only the department; refused (nothing written) if somebody saved the organisation after
    the form was opened, or registered the same short name meanwhile."""
    require(can_edit_organisations(actor), NOT_EDITOR)
    organisation = form.instance
    if organisation.pk:
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if message := stale_message(organisation, form.cleaned_data.get("seen")):
            raise OrganisationRefused(message)
    organisation._history_user = actor
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        raise OrganisationRefused(DUPLICATE_SHORT_NAME) from None
