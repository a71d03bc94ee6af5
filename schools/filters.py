"""The registry's filters: one filter set for the page and for its xlsx export, so both show the same rows."""

import django_filters
from django.db.models import BooleanField, Case, Count, F, FilteredRelation, IntegerField, Q, QuerySet, Value, When

from shnor_portal.choices import MunicipalityFilter

from .access import readable_regions, visible_municipalities, visible_schools
from .models import Cluster, IdentificationRun, School, Status
from .school_year import current_school_year, school_year_label

# The year-status choices of the filter; ШНОР and ШНСУ include the schools that are both (so do the counts).
STATUS_LISTED = "listed"
STATUS_SHNOR = "shnor"
STATUS_SHNSU = "shnsu"
STATUS_BOTH = "both"
STATUS_CURATOR = "curator"
STATUS_PREVENTIVE = "preventive"
STATUS_NONE = "none"
STATUS_CHOICES = [
    (STATUS_LISTED, "в перечне (ШНОР и/или ШНСУ)"),
    (STATUS_SHNOR, "ШНОР"),
    (STATUS_SHNSU, "ШНСУ"),
    (STATUS_BOTH, "ШНОР и ШНСУ одновременно"),
    (STATUS_CURATOR, "кандидат в кураторы"),
    (STATUS_PREVENTIVE, "профилактика"),
    (STATUS_NONE, "не входит в перечень"),
]

SMALL_CHOICES = [("yes", "малокомплектные"), ("no", "не малокомплектные")]

ORDERING_CHOICES = [
    ("name", "по названию (А–Я)"),
    ("-name", "по названию (Я–А)"),
    ("municipality", "по муниципалитету"),
    ("-municipality", "по муниципалитету (Я–А)"),
    ("status", "по статусу: сначала ШНОР"),
    ("-status", "по статусу: сначала не входящие"),
]

# Most serious first: a school on the list before a preventive one before the rest.
_STATUS_RANK = Case(
    When(year_status=Status.BOTH, then=Value(0)),
    When(year_status=Status.SHNOR, then=Value(1)),
    When(year_status=Status.SHNSU, then=Value(2)),
    When(year_preventive=True, then=Value(3)),
    When(year_curator=True, then=Value(5)),
    default=Value(4),
    output_field=IntegerField(),
)

_ORDERINGS = {
    "name": ["short_name", "pk"],
    "municipality": ["municipality__name", "short_name", "pk"],
    "status": ["status_rank", "municipality__name", "short_name", "pk"],
}


# Filters of the registry that higher apps add (`register_school_filter`): what a school did in their sections — a
# programme of a school year, methodical events attended — so that a dashboard's count of schools opens the registry
# filtered to exactly those schools. Name → a function of the user making the django-filter `Filter`.
_EXTRA_FILTERS: dict = {}


def register_school_filter(name: str, make) -> None:
    """A higher app offers one more filter of the registry (called from its `AppConfig.ready()`)."""
    _EXTRA_FILTERS[name] = make


def approved_years() -> list[int]:
    """Years that have an approved list (перечень), newest first."""
    return sorted(
        set(IdentificationRun.objects.filter(approved_at__isnull=False).values_list("year", flat=True)), reverse=True
    )


def with_year_status(queryset: QuerySet[School], year: int) -> QuerySet[School]:
    """Annotate each school with its place on the approved list of the year (one LEFT JOIN, no query per row).

    `year_status` is None for a school that is not on that year's list at all.
    """
    return queryset.annotate(
        status_of_year=FilteredRelation("year_statuses", condition=Q(year_statuses__year=year)),
        year_status=F("status_of_year__status"),
        year_preventive=Case(
            When(status_of_year__preventive=True, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        year_curator=Case(
            When(status_of_year__curator_candidate=True, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).annotate(status_rank=_STATUS_RANK)


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск по названию", method="search")
    municipality = MunicipalityFilter(label="Муниципалитет", queryset=None, empty_label="Все")
    # the regions side by side (monitoring:regions) open the registry of one region
    region = MunicipalityFilter(label="Регион", queryset=None, field_name="municipality__region", empty_label="Все")
    year = django_filters.ChoiceFilter(label="Перечень за учебный год", choices=[], empty_label=None, method="keep")
    status = django_filters.ChoiceFilter(
        label="Статус в перечне",
        choices=STATUS_CHOICES,
        empty_label="Любой",
        method="filter_status",
        help_text="ШНОР и ШНСУ включают школы с обоими статусами.",
    )
    kind = django_filters.ChoiceFilter(label="Тип", choices=School.Kind.choices, empty_label="Все")
    locality = django_filters.ChoiceFilter(label="Местность", choices=School.Locality.choices, empty_label="Любая")
    small = django_filters.ChoiceFilter(
        label="Малокомплектность", choices=SMALL_CHOICES, empty_label="Все", method="filter_small"
    )
    cluster = django_filters.ModelChoiceFilter(
        label="Кластер", queryset=Cluster.objects.all(), empty_label="Все", null_label="без кластера"
    )
    archive = django_filters.ChoiceFilter(
        label="Архив",
        choices=[("archived", "только в архиве"), ("all", "все, и в архиве")],
        empty_label="действующие",
        method="keep",
        help_text="Закрытые и реорганизованные школы хранятся в архиве вместе с их историей.",
    )
    ordering = django_filters.ChoiceFilter(
        label="Сортировка", choices=ORDERING_CHOICES, empty_label=None, method="keep"
    )

    class Meta:
        model = School
        fields = ["q", "municipality", "region", "year", "status", "kind", "locality", "small", "cluster", "archive", "ordering"]

    def __init__(self, data=None, *args, user, **kwargs):
        years = approved_years()
        self.approved_years = years
        self.default_year = years[0] if years else current_school_year()
        if data is not None and not (data.get("year") and data.get("ordering")):
            # The form shows the defaults it works with: the latest approved list, sorted by name.
            data = data.copy()
            data["year"] = data.get("year") or str(self.default_year)
            data["ordering"] = data.get("ordering") or "name"
        super().__init__(data, *args, **kwargs)
        # Offer only the municipalities the user reaches; another one typed into the URL is rejected.
        self.filters["municipality"].queryset = visible_municipalities(user)
        self.filters["region"].queryset = readable_regions(user).order_by("name")
        for name, make in _EXTRA_FILTERS.items():
            self.filters[name] = make(user)
            self.filters[name].model = School
            self.filters[name].parent = self
        choices = sorted(set(years) | {self.default_year, current_school_year()}, reverse=True)
        self.form.fields["year"].choices = [
            (y, school_year_label(y) + ("" if y in years else " (нет перечня)")) for y in choices
        ]

    @property
    def defaults(self) -> dict[str, str]:
        """What the list uses when nothing is chosen: the form always sends them, they are not filters (chips)."""
        return {"year": str(self.default_year), "ordering": "name"}

    @property
    def chosen_year(self) -> int:
        """The year whose list the statuses are read from: the chosen one, or the latest approved."""
        if self.is_bound and not self.form.errors.get("year"):
            return int(self.form.cleaned_data.get("year") or self.default_year)
        return self.default_year

    @property
    def year_is_approved(self) -> bool:
        return self.chosen_year in self.approved_years

    def filter_queryset(self, queryset):
        # Statuses of the chosen year must be joined before the status filter and the ordering read them.
        queryset = with_year_status(queryset, self.chosen_year)
        queryset = super().filter_queryset(queryset)
        archive = self.form.cleaned_data.get("archive")
        if archive == "archived":
            queryset = queryset.filter(archived_on__isnull=False)
        elif archive != "all":
            queryset = queryset.filter(archived_on__isnull=True)
        ordering = self.form.cleaned_data.get("ordering") or "name"
        fields = _ORDERINGS[ordering.lstrip("-")]
        if ordering.startswith("-"):
            fields = [f"-{fields[0]}", *fields[1:]]
        return queryset.order_by(*fields)

    def keep(self, queryset, name, value):
        return queryset  # read in filter_queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(short_name__icontains=value) | Q(name__icontains=value))

    def filter_small(self, queryset, name, value):
        return queryset.filter(is_small=value == "yes") if value else queryset

    def filter_status(self, queryset, name, value):
        if value == STATUS_LISTED:
            return queryset.filter(year_status__in=[Status.SHNOR, Status.SHNSU, Status.BOTH])
        if value == STATUS_SHNOR:
            return queryset.filter(year_status__in=[Status.SHNOR, Status.BOTH])
        if value == STATUS_SHNSU:
            return queryset.filter(year_status__in=[Status.SHNSU, Status.BOTH])
        if value == STATUS_BOTH:
            return queryset.filter(year_status=Status.BOTH)
        if value == STATUS_CURATOR:
            return queryset.filter(year_curator=True)
        if value == STATUS_PREVENTIVE:
            return queryset.filter(year_preventive=True)
        if value == STATUS_NONE:
            return queryset.filter(Q(year_status=Status.NONE) | Q(year_status__isnull=True))
        return queryset


def registry_schools(*, user, data) -> tuple[SchoolFilter, QuerySet[School]]:
    """The registry's filter set and its rows: the schools the user reaches, filtered, annotated and ordered.

    The page and the xlsx export both call this, so the export holds exactly the rows of the page. A filter
    value the user may not use (another municipality typed into the URL) makes the result empty.
    """
    schools = visible_schools(user).select_related("municipality", "cluster")
    school_filter = SchoolFilter(data, queryset=schools, user=user)
    if not school_filter.is_valid():
        return school_filter, with_year_status(schools.none(), school_filter.chosen_year)
    return school_filter, school_filter.qs


def status_counts(queryset: QuerySet[School]) -> dict[str, int]:
    """How many of the filtered schools stand where on the year's list, in one query.

    As in the status filter, ШНОР and ШНСУ count the schools that are both.
    """
    return queryset.order_by().aggregate(
        total=Count("pk"),
        shnor=Count("pk", filter=Q(year_status__in=[Status.SHNOR, Status.BOTH])),
        shnsu=Count("pk", filter=Q(year_status__in=[Status.SHNSU, Status.BOTH])),
        both=Count("pk", filter=Q(year_status=Status.BOTH)),
        preventive=Count("pk", filter=Q(year_preventive=True)),
        curator=Count("pk", filter=Q(year_curator=True)),
        outside=Count("pk", filter=Q(year_status=Status.NONE) | Q(year_status__isnull=True)),
    )
