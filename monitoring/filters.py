"""Filters of the monitoring lists: one filter set per list, used by the page and by its xlsx export alike."""

import django_filters
from django.db.models import Q, QuerySet

from schools.access import visible_municipalities
from schools.school_year import current_school_year, school_year_choices
from shnor_portal.choices import MunicipalityFilter

from .access import confirmable_municipality_ids, visible_indicators, visible_self_assessments, visible_values
from .calendar import stage_choices
from .models import Indicator, IndicatorValue, SelfAssessment
from .selectors import missing_self_assessments

YES_NO = [("yes", "да"), ("no", "нет")]
SA_MISSING = "missing"
SA_STATUS_CHOICES = [*SelfAssessment.Status.choices, (SA_MISSING, "не сдана в срок (нет загрузки)")]
PLAN_MET = {"met": True, "not_met": False, "no_data": None}
PLAN_CHOICES = [
    ("set", "план задан"),
    ("met", "план выполнен"),
    ("not_met", "план не выполнен"),
    ("no_data", "нет подтверждённого факта"),
]


def year_choices(extra: set[int] | None = None) -> list[tuple[int, str]]:
    """The portal's one year chooser: school years labelled «2026/27» (`schools.school_year`)."""
    return school_year_choices(extra)


class _ScopedMunicipality(django_filters.FilterSet):
    """The municipality filter lists only what the user reaches; another one typed in the URL is refused."""

    def __init__(self, data=None, *args, user, municipalities=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        if "municipality" in self.filters:
            self.filters["municipality"].queryset = (
                municipalities if municipalities is not None else visible_municipalities(user)
            ).order_by("name")
        if "year" in self.filters:
            self.filters["year"].extra["choices"] = year_choices()


class IndicatorFilter(_ScopedMunicipality):
    q = django_filters.CharFilter(label="Поиск по коду или названию", method="search")
    level = django_filters.ChoiceFilter(label="Уровень", choices=Indicator.Level.choices, empty_label="Любой")
    unit = django_filters.ChoiceFilter(label="Единица", choices=Indicator.Unit.choices, empty_label="Любая")
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="Все", method="filter_municipality"
    )
    computed = django_filters.ChoiceFilter(
        label="Вычисляется порталом", choices=YES_NO, empty_label="Все", method="filter_computed"
    )
    active = django_filters.ChoiceFilter(label="Действует", choices=YES_NO, empty_label="Все", method="filter_active")
    plan_year = django_filters.ChoiceFilter(label="План на учебный год", choices=[], empty_label="Любой", method="keep")
    plan = django_filters.ChoiceFilter(
        label="План года (как на панели)", choices=PLAN_CHOICES, empty_label="Все", method="keep",
        help_text="Показатели региона и муниципальных программ с планом на выбранный учебный год.",
    )  # fmt: skip

    class Meta:
        model = Indicator
        fields = ["q", "level", "unit", "municipality", "computed", "active", "plan_year", "plan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["plan_year"].extra["choices"] = year_choices()

    def keep(self, queryset, name, value):
        return queryset  # read in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        year, plan = self.form.cleaned_data.get("plan_year"), self.form.cleaned_data.get("plan")
        if year and plan:
            municipality = self.form.cleaned_data.get("municipality")
            queryset = queryset.filter(pk__in=dashboard_indicator_ids(self.user, int(year), municipality, plan))
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset

    def filter_municipality(self, queryset, name, value):
        return queryset.filter(Q(municipality=value) | Q(municipality__isnull=True)) if value else queryset

    def filter_computed(self, queryset, name, value):
        return queryset.exclude(computed_by="") if value == "yes" else queryset.filter(computed_by="")

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")


class SelfAssessmentFilter(_ScopedMunicipality):
    q = django_filters.CharFilter(label="Поиск по школе", method="search")
    year = django_filters.ChoiceFilter(label="Учебный год", choices=[], empty_label="Любой")
    stage = django_filters.ChoiceFilter(label="Этап", choices=stage_choices, empty_label="Любой")
    status = django_filters.ChoiceFilter(
        label="Состояние", choices=SA_STATUS_CHOICES, empty_label="Любое", method="filter_status",
        help_text="«Не сдана в срок» — школы перечня года без загрузки этапа, срок которого прошёл.",
    )  # fmt: skip
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="Все", field_name="school__municipality"
    )
    versions = django_filters.ChoiceFilter(
        label="Загрузки",
        choices=[("all", "все, включая прежние")],
        empty_label="только текущие",
        method="filter_versions",
    )

    class Meta:
        model = SelfAssessment
        fields = ["q", "year", "stage", "status", "municipality", "versions"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(school__short_name__icontains=value) | Q(school__name__icontains=value))
            if value
            else queryset
        )

    def filter_versions(self, queryset, name, value):
        return queryset

    def filter_status(self, queryset, name, value):
        # the missing ones are (school × stage) pairs without an upload: `missing_pairs` lists them
        return queryset.none() if value == SA_MISSING else queryset.filter(status=value)

    def missing_pairs(self) -> list[dict] | None:
        """With «не сдана в срок» chosen: the (school × stage) pairs the list shows instead of uploads."""
        if not self.is_valid() or self.form.cleaned_data.get("status") != SA_MISSING:
            return None
        data = self.form.cleaned_data
        return missing_self_assessments(
            user=self.user,
            year=int(data.get("year") or current_school_year()),
            municipality=data.get("municipality"),
            stage=data.get("stage") or "",
            q=data.get("q") or "",
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("versions") != "all" and not self.form.cleaned_data.get("status") == "superseded":
            queryset = queryset.filter(is_current=True)
        return queryset


class QueueFilter(_ScopedMunicipality):
    q = django_filters.CharFilter(label="Поиск по школе или показателю", method="search")
    year = django_filters.ChoiceFilter(label="Учебный год", choices=[], empty_label="Любой")
    stage = django_filters.ChoiceFilter(label="Этап", choices=stage_choices, empty_label="Любой")
    municipality = MunicipalityFilter(label="Муниципалитет", queryset=None, empty_label="Все")
    level = django_filters.ChoiceFilter(
        label="Чьи значения",
        choices=[("school", "школ"), ("municipal", "муниципалитета")],
        empty_label="Все",
        method="filter_level",
    )

    class Meta:
        model = IndicatorValue
        fields = ["q", "year", "stage", "municipality", "level"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(school__short_name__icontains=value)
            | Q(indicator__name__icontains=value)
            | Q(indicator__code__icontains=value)
        )

    def filter_level(self, queryset, name, value):
        return queryset.filter(school__isnull=value == "municipal")


def dashboard_indicator_ids(user, year: int, municipality, plan: str) -> list[int]:
    """The indicators a dashboard counts for the year in a municipality (None: the whole of the user's dashboard)
    with a plan and, unless `plan` is «set», met, not met or without a confirmed actual (`monitoring.figures`)."""
    from .figures import indicator_rows_of

    rows = indicator_rows_of(user=user, year=year, municipality=municipality)
    return [
        row["indicator"].pk
        for row in rows
        if row["municipality"] == municipality
        and row["planned"] is not None
        and (plan == "set" or row["met"] is PLAN_MET.get(plan, "-"))
    ]


def indicators_filtered(*, user, data) -> tuple[IndicatorFilter, QuerySet[Indicator]]:
    base = visible_indicators(user).select_related("programme", "municipality").order_by(
        "position", "code", "pk"
    )
    indicator_filter = IndicatorFilter(data, queryset=base, user=user)
    return indicator_filter, (indicator_filter.qs if indicator_filter.is_valid() else base.none())


def self_assessments_filtered(*, user, data) -> tuple[SelfAssessmentFilter, QuerySet[SelfAssessment]]:
    base = (
        visible_self_assessments(user)
        .select_related("school__municipality", "uploaded_by", "decided_by")
        .order_by("-year", "school__municipality__name", "school__short_name", "stage", "-uploaded_at", "-pk")
    )
    assessment_filter = SelfAssessmentFilter(data, queryset=base, user=user)
    return assessment_filter, (assessment_filter.qs if assessment_filter.is_valid() else base.none())


def queue_filtered(*, user, data) -> tuple[QueueFilter, QuerySet[IndicatorValue]]:
    """Values waiting for the user's confirmation: the coordinator's municipalities, or all for the department."""
    from schools.models import Municipality

    ids = confirmable_municipality_ids(user)
    base = visible_values(user).filter(status=IndicatorValue.Status.SUBMITTED)
    municipalities = Municipality.objects.all()
    if ids is not None:
        base = base.filter(municipality_id__in=ids)
        municipalities = municipalities.filter(pk__in=ids)
    base = base.select_related("indicator", "school", "municipality", "entered_by").order_by(
        "municipality__name", "school__short_name", "year", "stage", "indicator__position", "indicator__code", "pk"
    )
    queue_filter = QueueFilter(data, queryset=base, user=user, municipalities=municipalities)
    return queue_filter, (queue_filter.qs if queue_filter.is_valid() else base.none())
