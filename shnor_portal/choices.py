"""A choice of a municipality among a country's 1,150, without a model instance per option.

Django builds every option of a ModelChoiceField from a model instance (and `str()` of it); for a country's
municipalities in the filter of every department list that was ≈ 40 ms a page. The options here come straight from
(pk, name) rows: the same values and labels (a municipality's `str()` is its name), the same validation (against the
queryset), the same markup.
"""

import django_filters
from django.forms.models import ModelChoiceIterator


class _NameRows(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class NameChoiceIterator(django_filters.fields.ModelChoiceIterator, _NameRows):
    """django-filter's iterator (it adds the «null» option, e.g. «региональные») over (pk, name) rows."""


class MunicipalityChoiceField(django_filters.fields.ModelChoiceField):
    iterator = NameChoiceIterator


class MunicipalityFilter(django_filters.ModelChoiceFilter):
    field_class = MunicipalityChoiceField
