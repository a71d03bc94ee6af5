import django_filters
from django.db.models import Q

from schools.access import visible_municipalities
from shnor_portal.choices import MunicipalityFilter

from .models import Programme


class ProgrammeFilter(django_filters.FilterSet):
    """The programme list's filters; choices come only from what the user may see."""

    q = django_filters.CharFilter(label="Поиск", method="search")
    kind = django_filters.ChoiceFilter(label="Вид", choices=Programme.Kind.choices, empty_label="все виды")
    state = django_filters.ChoiceFilter(label="Состояние", choices=Programme.State.choices, empty_label="любое")
    municipality = MunicipalityFilter(label="Муниципалитет", queryset=None, empty_label="все")
    year = django_filters.NumberFilter(label="Действует в году", method="in_year")

    class Meta:
        model = Programme
        fields = ["q", "kind", "state", "municipality", "year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["municipality"].queryset = visible_municipalities(user)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(school__short_name__icontains=value))

    def in_year(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)
