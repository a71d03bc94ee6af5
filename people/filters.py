"""The filters of the people pages: the invitations' (state, municipality, search) and the people's (role,
municipality, active, search)."""

import django_filters
from django import forms
from django.db.models import Count, Q

from schools.access import Role, visible_municipalities
from shnor_portal.choices import MunicipalityFilter

from .models import Invitation, PersonalDataAccess

State = Invitation.State


def _state_q(state: str, now) -> Q:
    return {
        State.ACCEPTED: Q(accepted_at__isnull=False),
        State.FAILED: Q(accepted_at__isnull=True, sent_at__isnull=True) & ~Q(send_error=""),
        State.QUEUED: Q(accepted_at__isnull=True, sent_at__isnull=True, send_error=""),
        State.EXPIRED: Q(accepted_at__isnull=True, sent_at__isnull=False, expires_at__lte=now),
        State.SENT: Q(accepted_at__isnull=True, sent_at__isnull=False, expires_at__gt=now),
    }[state]


class InvitationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search", help_text="ФИО или адрес электронной почты")
    state = django_filters.ChoiceFilter(
        label="Состояние", choices=[("waiting", "не приняли"), *State.choices], method="by_state",
        empty_label="все",
    )
    municipality = MunicipalityFilter(label="Муниципалитет", queryset=None, empty_label="все")

    class Meta:
        model = Invitation
        fields = ["q", "state", "municipality"]

    def __init__(self, *args, request=None, now=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.now = now
        self.filters["municipality"].queryset = visible_municipalities(request.user).order_by("name")

    def search(self, queryset, name, value):
        query = Q()
        for word in value.split():
            query &= Q(user__last_name__icontains=word) | Q(user__first_name__icontains=word) | Q(
                user__email__icontains=word
            )
        return queryset.filter(query)

    def by_state(self, queryset, name, value):
        if value == "waiting":
            return queryset.filter(accepted_at__isnull=True)
        return queryset.filter(_state_q(value, self.now))

    def counts(self) -> dict[str, int]:
        """How many of the filtered invitations are in each state, in one query."""
        return self.qs.aggregate(**{state: Count("pk", filter=_state_q(state, self.now)) for state in State.values})


class PeopleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search", help_text="ФИО, адрес электронной почты или имя входа")
    role = django_filters.ChoiceFilter(label="Роль", choices=Role.choices, method="by_role", empty_label="все")
    municipality = MunicipalityFilter(label="Муниципалитет", queryset=None, empty_label="все", method="by_municipality")
    active = django_filters.ChoiceFilter(
        label="Учётная запись", choices=[("yes", "действует"), ("no", "отключена")], method="by_active",
        empty_label="все",
    )

    def __init__(self, *args, request=None, reached=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.reached = reached
        self.filters["municipality"].queryset = visible_municipalities(request.user).order_by("name")

    def search(self, queryset, name, value):
        query = Q()
        for word in value.split():
            query &= Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(email__icontains=word) | Q(
                username__icontains=word
            )
        return queryset.filter(query)

    def by_role(self, queryset, name, value):
        return queryset.filter(pk__in=self.reached.filter(role=value).values("user_id"))

    def by_municipality(self, queryset, name, value):
        at = self.reached.filter(Q(municipality=value) | Q(school__municipality=value))
        return queryset.filter(pk__in=at.values("user_id"))

    def by_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")


class AccessLogFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Кто", method="search", help_text="ФИО или имя входа")
    kind = django_filters.ChoiceFilter(label="Что открыто", choices=PersonalDataAccess.Kind.choices, empty_label="всё")
    municipality = MunicipalityFilter(label="Муниципалитет", queryset=None, empty_label="все")
    since = django_filters.DateFilter(label="С", field_name="at", lookup_expr="date__gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    until = django_filters.DateFilter(label="По", field_name="at", lookup_expr="date__lte",
                                      widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    class Meta:
        model = PersonalDataAccess
        fields = ["q", "kind", "municipality", "since", "until"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["municipality"].queryset = visible_municipalities(request.user).order_by("name")

    def search(self, queryset, name, value):
        query = Q()
        for word in value.split():
            query &= Q(user__last_name__icontains=word) | Q(user__first_name__icontains=word) | Q(
                user__username__icontains=word
            )
        return queryset.filter(query)
