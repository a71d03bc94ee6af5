"""The filter fields of every list are written in Python (shnor_portal.form_fields) for speed: the markup must stay
crispy-forms' own, for every field of every filter form, empty, filled in and wrong."""

import inspect
import re
from unittest import mock

import django_filters
import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

from shnor_portal import form_fields
from shnor_portal.form_fields import filter_field

APPS = {"schools", "programs", "monitoring", "partnerships", "people", "public_pages"}


def _filter_sets():
    import monitoring.filters  # noqa: F401
    import partnerships.filters  # noqa: F401
    import people.filters  # noqa: F401
    import programs.filters  # noqa: F401
    import public_pages.filters  # noqa: F401
    import schools.act_selectors  # noqa: F401
    import schools.filters  # noqa: F401

    found, stack = [], [django_filters.FilterSet]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.split(".")[0] in APPS and subclass._meta.model is not None:
                found.append(subclass)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


def _normal(html: str) -> str:
    """Whitespace between tags and around text is not markup: crispy's templates leave plenty of it."""
    return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def _filled(filter_set) -> dict:
    """A value for every field: the first real choice of a select, text with markup for the others."""
    data = {}
    for name, field in filter_set.form.fields.items():
        choices = [value for value, _label in getattr(field, "choices", []) if value not in ("", None)]
        data[name] = str(choices[0]) if choices else "<b>7</b>"
    return data


def _maker(user):
    """Builds a filter set as its view does: each asks by name for what it is given (the user, the request, the
    region of a public page, the municipalities to offer…)."""
    from django.test import RequestFactory
    from django.utils import timezone

    from schools.access import reach_of, role_assignments_reached, visible_municipalities

    request = RequestFactory().get("/")
    request.user = user
    given = {
        "user": user, "request": request, "now": timezone.now(), "reached": role_assignments_reached(reach_of(user)),
        "municipalities": visible_municipalities(user), "region": visible_municipalities(user).first().region,
    }  # fmt: skip

    def asked(filter_class) -> set[str]:
        """What the nearest constructor that names any of `given` asks for (a subclass may pass on **kwargs)."""
        for cls in filter_class.__mro__:
            if "__init__" in vars(cls) and (names := set(inspect.signature(cls.__init__).parameters) & set(given)):
                return names
        return set()

    def made(filter_class, data=None):
        return filter_class(data, **{name: given[name] for name in asked(filter_class)})

    return made


@pytest.mark.django_db
def test_every_filter_field_is_written_as_crispy_writes_it(demo):
    made = _maker(demo["department"])
    short_path, fields = 0, 0
    for filter_class in _filter_sets():
        for data in (None, _filled(made(filter_class)), dict.fromkeys(made(filter_class).form.fields, "☃")):
            ours, crispy = made(filter_class, data), made(filter_class, data)
            for name in ours.form.fields:
                fields += 1
                with mock.patch.object(form_fields, "as_crispy_field", wraps=as_crispy_field) as through_crispy:
                    written = filter_field(ours.form[name])
                short_path += not through_crispy.called
                assert _normal(written) == _normal(as_crispy_field(crispy.form[name])), (filter_class.__name__, name, data)
    assert len(_filter_sets()) >= 8
    assert short_path > fields / 2  # most fields take the short path: the comparison is not crispy with itself


def test_a_field_with_errors_or_help_goes_through_crispy():
    from django import forms

    class Form(forms.Form):
        year = forms.IntegerField(help_text="Год окончания учебного года")
        kind = forms.ChoiceField(choices=[("a", "А")])

    form = Form({"year": "x", "kind": "z"})
    with mock.patch.object(form_fields, "as_crispy_field", wraps=as_crispy_field) as through_crispy:
        html = filter_field(form["kind"])
    assert through_crispy.called and "invalid-feedback" in html
    with mock.patch.object(form_fields, "as_crispy_field", wraps=as_crispy_field) as through_crispy:
        filter_field(Form()["year"])
    assert through_crispy.called
