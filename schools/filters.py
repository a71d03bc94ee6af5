import django_filters
from django.db.models import Q

from .access import visible_municipalities
from .models import School


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search")
    municipality = django_filters.ModelChoiceFilter(label="Муниципалитет", queryset=None, empty_label="Все")
    kind = django_filters.ChoiceFilter(label="Тип", choices=School.Kind.choices, empty_label="Все")
    ordering = django_filters.OrderingFilter(
        label="Сортировка",
        empty_label="По названию",
        fields=(("short_name", "short_name"), ("municipality__name", "municipality")),
        field_labels={
            "short_name": "по названию",
            "-short_name": "по названию (Я–А)",
            "municipality": "по муниципалитету",
            "-municipality": "по муниципалитету (Я–А)",
        },
    )

    class Meta:
        model = School
        fields = ["q", "municipality", "kind"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the municipalities the user reaches; another one typed into the URL is rejected.
        self.filters["municipality"].queryset = visible_municipalities(user)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(short_name__icontains=value) | Q(name__icontains=value))
