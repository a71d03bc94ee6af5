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


def _programme_choices():
    from schools.school_year import school_year_choices

    choices = []
    for year, label in school_year_choices(back=10):
        choices += [(f"{year}", f"есть на {label}"), (f"{year}-accepted", f"принята на {label}")]
    return choices


def school_programme_filter(user) -> django_filters.Filter:
    """The registry's filter «Школьная программа»: schools with a school programme the user sees whose period covers
    the school year (or an accepted one) — the schools the dashboard counts as «со школьной программой»."""
    from .access import visible_programmes

    def filter_programme(queryset, name, value):
        if not value:
            return queryset
        year, _, accepted = value.partition("-")
        programmes = visible_programmes(user).filter(
            kind__in=Programme.SCHOOL_KINDS, period_start__lte=int(year), period_end__gte=int(year)
        )
        if accepted:
            programmes = programmes.filter(state=Programme.State.ACCEPTED)
        return queryset.filter(pk__in=programmes.values("school_id"))

    return django_filters.ChoiceFilter(
        label="Школьная программа", choices=_programme_choices, empty_label="любая", method=filter_programme
    )
