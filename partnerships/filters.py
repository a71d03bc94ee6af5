"""The lists' filters: one filter set per list, shared by the page and its xlsx export so both hold the same rows.

Choices offered (municipalities, schools) come only from what the user reaches; another value typed into the URL
is refused as an invalid choice.
"""

import datetime

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from programs.models import RiskFactor
from schools.access import Role, reach_of, visible_municipalities, visible_schools
from schools.school_year import current_school_year, school_year_choices, school_year_label, school_year_period
from shnor_portal.choices import MunicipalityFilter

from .access import in_force_q, invited_events, visible_agreements
from .models import (
    OPEN_ITEM_STATUSES,
    Agreement,
    DevelopmentPlan,
    DevelopmentPlanItem,
    EventInvitation,
    MethodicalEvent,
    Practice,
    PracticeDownload,
    SessionFormat,
    Subject,
    SupportSession,
    Teacher,
    TutorAssignment,
)

YES_NO = [("yes", "да"), ("no", "нет")]
MINE = [("me", "закреплены за мной")]


def tutored_by(user):
    """The teachers the tutor keeps today: the home page's «Закреплённые за вами педагоги»."""
    return TutorAssignment.objects.current(timezone.localdate()).filter(tutor=user).values("teacher_id")


def _offer_mine_to_tutors(filter_set, user) -> None:
    """«Тьютор: закреплены за мной» only for a tutor: for anyone else it would always be empty."""
    if not reach_of(user).has_role(Role.TUTOR):
        del filter_set.filters["mine"]


def _words(value: str) -> list[str]:
    return [word for word in (value or "").split() if word]


class SchoolChoiceFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", None)
        kwargs.setdefault("empty_label", "все")
        super().__init__(*args, **kwargs)


class ScopedFilterSet(django_filters.FilterSet):
    """Offers only the municipalities and schools the user reaches, and the reference lists (risk factors, subjects)
    of the user's regions with the defaults the older rows may hold — never another region's own list."""

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        if "municipality" in self.filters:
            self.filters["municipality"].queryset = visible_municipalities(user)
        if "school" in self.filters:
            self.filters["school"].queryset = visible_schools(user).order_by("short_name")
        reach = reach_of(user)
        for name in ("risk_factor", "subject"):
            if name in self.filters and not reach.reads_all:
                rows = self.filters[name].queryset
                self.filters[name].queryset = rows.filter(Q(region__isnull=True) | Q(region_id__in=reach.region_ids))

    @property
    def show_municipality(self) -> bool:
        if not hasattr(self, "_show_municipality"):
            self._show_municipality = (
                "municipality" in self.filters and self.filters["municipality"].queryset.count() > 1
            )
        return self._show_municipality

    @property
    def form(self):
        form = super().form
        if not getattr(self, "_schools_limited", False):
            self._schools_limited = True
            self._limit_school_choices(form)
        return form

    def _limit_school_choices(self, form) -> None:
        """The school filter offers the schools that appear in the list, and for a user who reaches several
        municipalities only once a municipality is chosen: the department's list of a country's 40,000 schools would
        be a page of options nobody scrolls. A school id typed into the URL is still accepted if it is in the list
        (links from dashboards and school pages carry one)."""
        field = form.fields.get("school")
        if field is None:
            return
        present = field.queryset.filter(pk__in=self.queryset.values(self.filters["school"].field_name))
        chosen_municipality = str(form.data.get(form.add_prefix("municipality")) or "")
        if chosen_municipality.isdigit():
            present = present.filter(municipality_id=int(chosen_municipality))
        field.queryset = present
        if self.show_municipality and not chosen_municipality.isdigit():
            chosen_school = str(form.data.get(form.add_prefix("school")) or "")
            offered = list(present.filter(pk=int(chosen_school))) if chosen_school.isdigit() else []
            field.widget.choices = [("", "все"), *((school.pk, str(school)) for school in offered)]
            field.help_text = "Чтобы выбрать школу, сначала выберите муниципалитет."


AGREEMENT_STATES = [
    ("in_force", "действуют сейчас"),
    ("draft", "проекты"),
    ("expired", "срок истёк"),
    ("finished", "завершённые"),
    ("terminated", "расторгнутые"),
]


class AgreementFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="Поиск: номер, школа, организация", method="search")
    state = django_filters.ChoiceFilter(label="Состояние", choices=AGREEMENT_STATES, empty_label="любое", method="filter_state")
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="все", field_name="supported_school__municipality"
    )
    year = django_filters.ChoiceFilter(
        label="Действует в учебном году", choices=lambda: school_year_choices(back=10), empty_label="любой",
        method="in_year",
    )
    signed = django_filters.ChoiceFilter(
        label="Подписан в учебном году", choices=lambda: school_year_choices(back=10), empty_label="любой",
        method="signed_in_year",
    )
    support_form = django_filters.ChoiceFilter(
        label="Форма поддержки",
        empty_label="любая",
        method="filter_form",
        choices=[(name, str(Agreement._meta.get_field(name).verbose_name)) for name in Agreement.FORM_FIELDS],
    )

    class Meta:
        model = Agreement
        fields = ["q", "state", "municipality", "year", "signed", "support_form"]

    def search(self, queryset, name, value):
        for word in _words(value):
            queryset = queryset.filter(
                Q(number__icontains=word)
                | Q(curator_school__short_name__icontains=word)
                | Q(curator_organisation__short_name__icontains=word)
                | Q(supported_school__short_name__icontains=word)
            )
        return queryset

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == "in_force":
            return queryset.filter(in_force_q(on=today))
        if value == "expired":
            return queryset.filter(status=Agreement.Status.ACTIVE, ends_on__lt=today)
        return queryset.filter(status=value)

    def in_year(self, queryset, name, value):
        """Agreements whose term overlaps the school year (2027: 1 September 2026 – 31 August 2027)."""
        start, end = school_year_period(int(value))
        return queryset.filter(starts_on__lte=end, ends_on__gte=start)

    def signed_in_year(self, queryset, name, value):
        """Agreements signed within the school year (drafts are not signed): what the dashboards count."""
        start, end = school_year_period(int(value))
        return queryset.exclude(status=Agreement.Status.DRAFT).filter(signed_on__gte=start, signed_on__lte=end)

    def filter_form(self, queryset, name, value):
        return queryset.filter(**{value: True}) if value in Agreement.FORM_FIELDS else queryset


class SessionFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="Поиск: тема, школа", method="search")
    status = django_filters.ChoiceFilter(label="Подтверждение", choices=SupportSession.Status.choices, empty_label="любое")
    format = django_filters.ChoiceFilter(label="Форма", choices=SessionFormat.choices, empty_label="любая")
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="все", field_name="agreement__supported_school__municipality"
    )
    school = SchoolChoiceFilter(label="Сопровождаемая школа", field_name="agreement__supported_school")
    risk_factor = django_filters.ModelChoiceFilter(label="Фактор риска", queryset=RiskFactor.objects.all(), empty_label="любой")
    held_from = django_filters.DateFilter(label="С даты", field_name="held_on", lookup_expr="gte")
    held_to = django_filters.DateFilter(label="По дату", field_name="held_on", lookup_expr="lte")
    agreement = django_filters.ModelChoiceFilter(label="Договор", queryset=None, empty_label="все")

    class Meta:
        model = SupportSession
        fields = ["q", "status", "format", "municipality", "school", "risk_factor", "held_from", "held_to", "agreement"]

    def __init__(self, data=None, *args, user, agreements=None, **kwargs):
        """`agreements`: those to choose from, when the list has read which the user sees (by default, read here)."""
        super().__init__(data, *args, user=user, **kwargs)
        agreements = agreements if agreements is not None else visible_agreements(user)
        self.filters["agreement"].queryset = agreements.select_related(
            "curator_school", "curator_organisation", "supported_school"
        ).order_by("supported_school__short_name", "number", "pk")

    def search(self, queryset, name, value):
        for word in _words(value):
            queryset = queryset.filter(
                Q(topic__icontains=word)
                | Q(agreement__supported_school__short_name__icontains=word)
                | Q(agreement__curator_school__short_name__icontains=word)
                | Q(agreement__curator_organisation__short_name__icontains=word)
                | Q(agreement__number__icontains=word)
            )
        return queryset


class TeacherFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="Поиск: ФИО", method="search")
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="все", field_name="school__municipality"
    )
    school = SchoolChoiceFilter(label="Школа")
    subject = django_filters.ModelChoiceFilter(label="Предмет", queryset=Subject.objects.all(), empty_label="все")
    category = django_filters.ChoiceFilter(label="Категория", choices=Teacher.Category.choices, empty_label="любая")
    experience = django_filters.ChoiceFilter(label="Стаж", choices=Teacher.Experience.choices, empty_label="любой")
    with_plan = django_filters.ChoiceFilter(label="ИПРП на этот год", choices=YES_NO, empty_label="все", method="filter_plan")
    plan_year = django_filters.ChoiceFilter(
        label="С ИПРП на учебный год", choices=lambda: school_year_choices(back=10), empty_label="любой",
        method="filter_plan_year",
    )
    with_tutor = django_filters.ChoiceFilter(label="С тьютором", choices=YES_NO, empty_label="все", method="filter_tutor")
    tutor_year = django_filters.ChoiceFilter(
        label="С тьютором в учебном году", choices=lambda: school_year_choices(back=10), empty_label="любом",
        method="filter_tutor_year", help_text="На сегодня, для прошедшего учебного года — на его последний день.",
    )
    active = django_filters.ChoiceFilter(label="Работает в школе", choices=YES_NO, empty_label="все", method="filter_active")
    mine = django_filters.ChoiceFilter(label="Тьютор", choices=MINE, empty_label="любой", method="filter_mine")

    class Meta:
        model = Teacher
        fields = [
            "q", "municipality", "school", "subject", "category", "experience", "with_plan", "plan_year", "with_tutor",
            "tutor_year", "active", "mine",
        ]  # fmt: skip

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        _offer_mine_to_tutors(self, user)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(pk__in=tutored_by(self.user))

    def search(self, queryset, name, value):
        for word in _words(value):
            queryset = queryset.filter(full_name__icontains=word)
        return queryset

    def filter_plan(self, queryset, name, value):
        has = Exists(
            DevelopmentPlan.objects.filter(
                teacher=OuterRef("pk"), year=current_school_year(), status__in=DevelopmentPlan.COUNTING
            )
        )
        return queryset.filter(has if value == "yes" else ~has)

    def filter_plan_year(self, queryset, name, value):
        """Teachers with an ИПРП for the school year, active or completed: what the dashboards count."""
        plans = DevelopmentPlan.objects.filter(
            teacher=OuterRef("pk"), year=int(value), status__in=DevelopmentPlan.COUNTING
        )
        return queryset.filter(Exists(plans))

    def filter_tutor_year(self, queryset, name, value):
        """Teachers with a tutor on the day the dashboards count the school year on: today, or its last day."""
        on = min(timezone.localdate(), school_year_period(int(value))[1])
        return queryset.filter(Exists(TutorAssignment.objects.current(on).filter(teacher=OuterRef("pk"))))

    def filter_tutor(self, queryset, name, value):
        has = Exists(TutorAssignment.objects.current().filter(teacher=OuterRef("pk")))
        return queryset.filter(has if value == "yes" else ~has)

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")


def _plan_year_choices():
    year = current_school_year()
    return [(y, school_year_label(y)) for y in range(year + 1, year - 4, -1)]


class PlanFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="Поиск: ФИО педагога", method="search")
    year = django_filters.ChoiceFilter(label="Учебный год", choices=_plan_year_choices, empty_label="все")
    status = django_filters.ChoiceFilter(label="Статус", choices=DevelopmentPlan.Status.choices, empty_label="любой")
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="все", field_name="teacher__school__municipality"
    )
    school = SchoolChoiceFilter(label="Школа", field_name="teacher__school")
    due = django_filters.ChoiceFilter(
        label="Сроки пунктов",
        empty_label="все",
        method="filter_due",
        choices=[("overdue", "есть просроченные"), ("soon", "срок в ближайшие 30 дней")],
    )
    mine = django_filters.ChoiceFilter(label="Тьютор", choices=MINE, empty_label="любой", method="filter_mine")

    class Meta:
        model = DevelopmentPlan
        fields = ["q", "year", "status", "municipality", "school", "due", "mine"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        _offer_mine_to_tutors(self, user)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(teacher__in=tutored_by(self.user))

    def search(self, queryset, name, value):
        for word in _words(value):
            queryset = queryset.filter(teacher__full_name__icontains=word)
        return queryset

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        items = DevelopmentPlanItem.objects.filter(plan=OuterRef("pk"), status__in=OPEN_ITEM_STATUSES)
        if value == "overdue":
            items = items.filter(due_on__lt=today)
        else:
            items = items.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=30))
        return queryset.filter(Exists(items))


def practices_search(queryset, value: str):
    """The practices each of whose words is in the title, the description or the school's name."""
    for word in _words(value):
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(school__short_name__icontains=word)
        )
    return queryset


class PracticeFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="Поиск: название, описание, школа", method="search")
    subject = django_filters.ModelChoiceFilter(
        label="Предмет", queryset=Subject.objects.all(), empty_label="все", field_name="subjects", distinct=False,
        method="filter_subject",
    )
    risk_factor = django_filters.ModelChoiceFilter(
        label="Фактор риска", queryset=RiskFactor.objects.all(), empty_label="любой", method="filter_risk"
    )
    status = django_filters.ChoiceFilter(label="Статус", choices=Practice.Status.choices, empty_label="любой")
    municipality = MunicipalityFilter(
        label="Муниципалитет школы", queryset=None, empty_label="все", field_name="school__municipality"
    )

    class Meta:
        model = Practice
        fields = ["q", "subject", "risk_factor", "status", "municipality"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        # Everybody searches the whole bank of their regions, so every municipality of them is a fair filter.
        from .access import bank_municipalities

        self.filters["municipality"].queryset = bank_municipalities(user)

    def search(self, queryset, name, value):
        return practices_search(queryset, value)

    def filter_subject(self, queryset, name, value):
        return queryset.filter(pk__in=Practice.subjects.through.objects.filter(subject=value).values("practice_id"))

    def filter_risk(self, queryset, name, value):
        return queryset.filter(pk__in=Practice.risk_factors.through.objects.filter(riskfactor=value).values("practice_id"))


class DownloadFilter(ScopedFilterSet):
    """Downloads of the bank's published practices: the rows behind the dashboards' «Скачиваний практик за год»."""

    q = django_filters.CharFilter(label="Поиск: практика, школа", method="search")
    municipality = MunicipalityFilter(
        label="Муниципалитет школы", queryset=None, empty_label="все", field_name="practice__school__municipality"
    )
    year = django_filters.ChoiceFilter(
        label="Скачано в учебном году", choices=lambda: school_year_choices(back=10), empty_label="любом",
        method="in_year",
    )

    class Meta:
        model = PracticeDownload
        fields = ["q", "municipality", "year"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        from .access import bank_municipalities

        self.filters["municipality"].queryset = bank_municipalities(user)  # the bank's, as its list

    def search(self, queryset, name, value):
        for word in _words(value):
            queryset = queryset.filter(
                Q(practice__title__icontains=word) | Q(practice__school__short_name__icontains=word)
            )
        return queryset

    def in_year(self, queryset, name, value):
        start, end = school_year_period(int(value))
        return queryset.filter(downloaded_at__date__gte=start, downloaded_at__date__lte=end)


class EventFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label="Поиск: название, организатор", method="search")
    format = django_filters.ChoiceFilter(label="Форма", choices=MethodicalEvent.Format.choices, empty_label="любая")
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="все", null_label="региональные", null_value="regional"
    )
    year = django_filters.ChoiceFilter(
        label="Учебный год", choices=lambda: school_year_choices(back=10), empty_label="любой", method="in_year"
    )
    when = django_filters.ChoiceFilter(
        label="Когда", empty_label="все", method="filter_when", choices=[("upcoming", "предстоящие"), ("past", "прошедшие")]
    )
    invited = django_filters.ChoiceFilter(
        label="Приглашения", empty_label="все", method="filter_invited",
        choices=[("mine", "приглашены моя школа или её люди")],
    )  # fmt: skip

    class Meta:
        model = MethodicalEvent
        fields = ["q", "format", "municipality", "year", "when", "invited"]

    def filter_invited(self, queryset, name, value):
        return queryset.filter(pk__in=invited_events(self.user).values("pk"))

    def search(self, queryset, name, value):
        for word in _words(value):
            queryset = queryset.filter(Q(title__icontains=word) | Q(organiser__icontains=word))
        return queryset

    def in_year(self, queryset, name, value):
        """Events held within the school year (2027: 1 September 2026 – 31 August 2027)."""
        start, end = school_year_period(int(value))
        return queryset.filter(held_on__gte=start, held_on__lte=end)

    def filter_when(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(held_on__gte=today) if value == "upcoming" else queryset.filter(held_on__lt=today)


def school_events_filter(user) -> django_filters.Filter:
    """The registry's filter «Методические мероприятия»: schools that took part (attended) in at least one methodical
    event held in the school year and not cancelled — what the dashboards count for ШНОР."""

    def took_part(queryset, name, value):
        if not value:
            return queryset
        start, end = school_year_period(int(value))
        attended = EventInvitation.objects.filter(
            attended=True, event__is_cancelled=False, event__held_on__gte=start, event__held_on__lte=end
        )
        return queryset.filter(pk__in=attended.values("school_id"))

    choices = [(year, f"участвовала в {label} учебном году") for year, label in school_year_choices(back=10)]
    return django_filters.ChoiceFilter(
        label="Методические мероприятия", choices=choices, empty_label="все", method=took_part
    )


def school_curator_filter(user) -> django_filters.Filter:
    """The registry's filter «Куратор»: schools supported (or not) by an agreement in force today — the home pages'
    «школ перечня без куратора»."""

    def curated(queryset, name, value):
        if not value:
            return queryset
        supported = Agreement.objects.filter(in_force_q()).values("supported_school_id")
        return queryset.filter(pk__in=supported) if value == "yes" else queryset.exclude(pk__in=supported)

    choices = [("yes", "есть действующий договор с куратором"), ("no", "без действующего договора с куратором")]
    return django_filters.ChoiceFilter(label="Куратор", choices=choices, empty_label="все", method=curated)
