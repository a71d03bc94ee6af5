"""The invitations' filters: state, municipality, and a search by name or e-mail."""

import django_filters
from django.db.models import Count, Q

from schools.access import visible_municipalities
from shnor_portal.choices import MunicipalityFilter

from .models import Invitation

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
