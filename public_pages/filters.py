"""The searches of a region's public lists of acts and practices: the portal's own, over the region's rows only, and
without what a visitor does not read (an act's note, what it approves; a practice's risk factors)."""

import django_filters

from partnerships.filters import practices_search
from schools.act_selectors import ActSearch
from schools.models import Municipality, Region
from shnor_portal.choices import MunicipalityFilter


class PublicActFilter(ActSearch):
    q = django_filters.CharFilter(label="Поиск: номер, название, орган", method="search")
    searched = ("number", "title", "issuer")

    def __init__(self, data=None, *args, region: Region, **kwargs):
        super().__init__(data, *args, municipalities=Municipality.objects.filter(region_id=region.pk), **kwargs)


class PublicPracticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск: название, описание, школа", method="search")
    municipality = MunicipalityFilter(
        label="Муниципалитет школы", queryset=None, empty_label="все", field_name="school__municipality"
    )

    def __init__(self, data=None, *args, region: Region, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["municipality"].queryset = Municipality.objects.filter(region_id=region.pk)

    def search(self, queryset, name, value):
        return practices_search(queryset, value)
