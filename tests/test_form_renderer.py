"""The portal writes <select> in Python (shnor_portal.form_renderer) for speed: the markup must stay Django's."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from shnor_portal.form_renderer import PortalFormRenderer


class Every(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Все"), ("a", "Заречный <район> & «Озёрск»"), ("b", 'кавычки "двойные"')])
    grouped = forms.ChoiceField(choices=[("Сибирь", [(1, "Чита"), (2, "Улан-Удэ")]), ("Урал", [(3, "Пермь")]), (4, "без")])
    several = forms.MultipleChoiceField(choices=[(1, "один"), (2, "два"), (3, "три")], required=False)
    flag = forms.NullBooleanField(required=False)
    disabled = forms.ChoiceField(choices=[(1, "один")], disabled=True, widget=forms.Select(attrs={"class": "form-select", "data-x": 'a"b'}))


@pytest.mark.parametrize(
    "data", [None, {"plain": "a", "grouped": "2", "several": ["1", "3"], "flag": "true"}, {"plain": "<script>"}]
)
def test_the_portal_writes_selects_exactly_as_django_does(data):
    django_form, portal_form = Every(data, renderer=DjangoTemplates()), Every(data, renderer=PortalFormRenderer())
    for name in Every.base_fields:
        assert str(portal_form[name]) == str(django_form[name]), name


def test_the_portal_renderer_is_the_one_in_use(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), PortalFormRenderer)
    html = str(Every()["plain"])
    assert "&lt;район&gt; &amp; «Озёрск»" in html and "<script>" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"municipality": "chosen"}, {"municipality": "regional"}, {"municipality": "999999"}])
def test_a_municipality_filter_offers_and_checks_the_same_choices_as_djangos(data):
    """The light municipality choice (shnor_portal.choices) renders and validates as django-filter's own."""
    import django_filters

    from schools.models import Municipality, Region
    from shnor_portal.choices import MunicipalityFilter

    region = Region.objects.create(name="Регион")
    chosen = Municipality.objects.create(region=region, name="Район «Озёрный» & <второй>")
    Municipality.objects.create(region=region, name="Город")
    if data.get("municipality") == "chosen":
        data = {"municipality": str(chosen.pk)}

    def filter_set(filter_class):
        class Scoped(django_filters.FilterSet):
            municipality = filter_class(queryset=Municipality.objects.order_by("name"), empty_label="все",
                                        null_label="региональные", null_value="regional")  # fmt: skip

            class Meta:
                model = Municipality
                fields = ["municipality"]

        return Scoped(data, queryset=Municipality.objects.all())

    light, stock = filter_set(MunicipalityFilter), filter_set(django_filters.ModelChoiceFilter)
    assert str(light.form["municipality"]) == str(stock.form["municipality"])
    assert light.form.is_valid() == stock.form.is_valid()
    assert light.form.errors == stock.form.errors
    if stock.form.is_valid():
        assert light.form.cleaned_data == stock.form.cleaned_data
