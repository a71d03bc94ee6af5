import django_filters
from django.db.models import Q
from django.utils import timezone

from schools.access import visible_municipalities
from shnor_portal.choices import MunicipalityFilter

from .access import visible_programmes
from .models import MeasureStatus, Programme, RoadmapMeasure, overdue_q
from .selectors import my_open_reviews

REVIEW_MINE, REVIEW_MINE_OVERDUE = "mine", "mine_overdue"
REVIEW_CHOICES = [(REVIEW_MINE, "ждёт моей экспертизы"), (REVIEW_MINE_OVERDUE, "моя экспертиза просрочена")]


class ProgrammeFilter(django_filters.FilterSet):
    """The programme list's filters; choices come only from what the user may see."""

    q = django_filters.CharFilter(label="Поиск", method="search")
    kind = django_filters.ChoiceFilter(label="Вид", choices=Programme.Kind.choices, empty_label="все виды")
    state = django_filters.ChoiceFilter(label="Состояние", choices=Programme.State.choices, empty_label="любое")
    municipality = MunicipalityFilter(label="Муниципалитет", queryset=None, empty_label="все")
    year = django_filters.NumberFilter(label="Действует в году", method="in_year")
    review = django_filters.ChoiceFilter(
        label="Экспертиза", choices=REVIEW_CHOICES, empty_label="любая", method="filter_review"
    )

    class Meta:
        model = Programme
        fields = ["q", "kind", "state", "municipality", "year", "review"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["municipality"].queryset = visible_municipalities(user)

    def filter_review(self, queryset, name, value):
        """Programmes whose current round waits for the user's review (the home page's «Ждут вашей экспертизы»)."""
        reviews = my_open_reviews(user=self.user)
        if reviews is None:
            return queryset.none()
        if value == REVIEW_MINE_OVERDUE:
            reviews = reviews.filter(due_on__lt=timezone.localdate())
        return queryset.filter(pk__in=reviews.values("programme_id"))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(school__short_name__icontains=value))

    def in_year(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)


MEASURE_ACTIVE, MEASURE_OVERDUE = "active", "overdue"
MEASURE_STATUS_CHOICES = [
    (MEASURE_ACTIVE, "все, кроме отменённых"),
    *MeasureStatus.choices,
    (MEASURE_OVERDUE, "просрочено"),
]


class MeasureFilter(django_filters.FilterSet):
    """The list of roadmap measures across programmes: the rows behind the dashboards' counts of measures (done,
    overdue: on today, for a past school year on its last day — as `monitoring.figures` counts them)."""

    q = django_filters.CharFilter(label="Поиск: мероприятие, программа, школа", method="search")
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="все", field_name="programme__municipality"
    )
    year = django_filters.ChoiceFilter(label="Программы учебного года", choices=[], empty_label="любого", method="keep")
    status = django_filters.ChoiceFilter(
        label="Статус", choices=MEASURE_STATUS_CHOICES, empty_label="любой", method="keep"
    )
    programme = django_filters.ChoiceFilter(label="Программа", choices=[], empty_label="все", field_name="programme")

    class Meta:
        model = RoadmapMeasure
        fields = ["q", "municipality", "year", "status", "programme"]

    def __init__(self, *args, user, **kwargs):
        from schools.school_year import school_year_choices

        super().__init__(*args, **kwargs)
        self.filters["municipality"].queryset = visible_municipalities(user)
        self.filters["year"].extra["choices"] = school_year_choices(back=10)
        # the programmes the user sees, named with their owner: titles repeat from school to school
        self.filters["programme"].extra["choices"] = lambda: [
            (programme.pk, f"{programme.title} — {programme.owner_label}")
            for programme in visible_programmes(user)
            .select_related("school", "municipality")
            .order_by("municipality__name", "school__short_name", "title", "pk")
        ]

    def keep(self, queryset, name, value):
        return queryset  # read in filter_queryset

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(programme__title__icontains=word)
                | Q(programme__school__short_name__icontains=word)
            )
        return queryset

    def filter_queryset(self, queryset):
        from django.utils import timezone

        from schools.school_year import school_year_period

        queryset = super().filter_queryset(queryset)
        year, status = self.form.cleaned_data.get("year"), self.form.cleaned_data.get("status")
        as_of = timezone.localdate()
        if year:
            year = int(year)
            queryset = queryset.filter(programme__period_start__lte=year, programme__period_end__gte=year)
            as_of = min(as_of, school_year_period(year)[1])
        if status == MEASURE_ACTIVE:
            queryset = queryset.exclude(status=MeasureStatus.CANCELLED)
        elif status == MEASURE_OVERDUE:
            queryset = queryset.filter(overdue_q(as_of))
        elif status:
            queryset = queryset.filter(status=status)
        return queryset


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
