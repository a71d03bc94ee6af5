"""A choice of a municipality among a country's 1,150, without a model instance per option.

Django builds every option of a ModelChoiceField from a model instance (and `str()` of it); for a country's
municipalities, in the filter of every department list, that was a large part of the page's time (measured:
docs/PERFORMANCE.md, «Figures quoted in the code»). The options here come straight from
(pk, name) rows: the same values and labels (a municipality's `str()` is its name), the same validation (against the
queryset), the same markup.
"""

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator

from .form_renderer import flat_select_html


class _NameRows(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class NameChoiceIterator(django_filters.fields.ModelChoiceIterator, _NameRows):
    """django-filter's iterator (it adds the «null» option, e.g. «региональные») over (pk, name) rows."""


class NameSelect(forms.Select):
    """A select of flat choices written straight from (value, label) pairs (`form_renderer.flat_select_html`):
    Django's option dicts for 1,150 municipalities were a fifth of a department list's time."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(iter(self.choices))  # not list(choices): its length would be one more query, a COUNT
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        return flat_select_html(name, self.build_attrs(self.attrs, attrs), choices, set(self.format_value(value)))


class MunicipalityChoiceField(django_filters.fields.ModelChoiceField):
    iterator = NameChoiceIterator
    widget = NameSelect


class MunicipalityFilter(django_filters.ModelChoiceFilter):
    field_class = MunicipalityChoiceField
