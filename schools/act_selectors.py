"""Reads of the register of acts: the register's rows with what each act approves, the acts of one thing, the acts
of a school year. Rows come from `schools.access.visible_acts`; the names of the linked things from each kind's
`names(user, ids)` — one query per kind for a whole page, so the register costs the same queries at any size."""

from dataclasses import dataclass, field

import django_filters
from django.db.models import Prefetch, Q, QuerySet

from shnor_portal.choices import MunicipalityFilter

from . import act_targets
from .access import editable_acts, visible_acts, visible_municipalities
from .models import Act, ActLink
from .school_year import school_year_choices, school_year_period

UNLINKED = "none"
# Kinds of acts that approve: the programme's passport names these as its approval.
APPROVING_KINDS = (Act.Kind.ORDER, Act.Kind.DIRECTIVE, Act.Kind.RESOLUTION)


@dataclass
class LinkedThing:
    link: ActLink
    label: str  # the kind: «программа»
    name: str
    url: str


@dataclass
class ActRow:
    act: Act
    things: list[LinkedThing] = field(default_factory=list)
    hidden: int = 0  # linked things outside the reader's reach: counted, never named


class ActSearch(django_filters.FilterSet):
    """Finding acts by their words, kind, school year and municipality — over `municipalities`, those the reader may
    choose from: the register's filter below, and the public page's list of a region's acts."""

    q = django_filters.CharFilter(label="Поиск: номер, название, орган, примечание", method="search")
    kind = django_filters.ChoiceFilter(label="Вид акта", choices=Act.Kind.choices, empty_label="любой")
    year = django_filters.ChoiceFilter(
        label="Учебный год", choices=lambda: school_year_choices(back=10), empty_label="любой", method="in_school_year"
    )
    municipality = MunicipalityFilter(
        label="Муниципалитет", queryset=None, empty_label="все", null_label="акты региона", null_value="region"
    )

    searched = ("number", "title", "issuer", "note")  # the fields `q` looks in, as its label says

    class Meta:
        model = Act
        fields = ["q", "kind", "year", "municipality"]

    def __init__(self, data=None, *args, municipalities, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["municipality"].queryset = municipalities

    def search(self, queryset, name, value):
        for word in value.split():
            found = Q()
            for field_name in self.searched:
                found |= Q(**{f"{field_name}__icontains": word})
            queryset = queryset.filter(found)
        return queryset

    def in_school_year(self, queryset, name, value):
        start, end = school_year_period(int(value))
        return queryset.filter(date__range=(start, end))


class ActFilter(ActSearch):
    """The register's filter: the acts the user reads, and what they approve."""

    approves = django_filters.ChoiceFilter(label="Что утверждает", choices=[], empty_label="что угодно",
                                           method="filter_approves")  # fmt: skip

    class Meta(ActSearch.Meta):
        fields = [*ActSearch.Meta.fields, "approves"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, municipalities=visible_municipalities(user), **kwargs)
        self.filters["approves"].extra["choices"] = act_targets.choices() + [(UNLINKED, "ни с чем не связан")]

    def filter_approves(self, queryset, name, value):
        if value == UNLINKED:
            return queryset.exclude(pk__in=ActLink.objects.values("act_id"))
        return queryset.filter(pk__in=ActLink.objects.filter(target=value).values("act_id"))


def register_acts(user, data) -> ActFilter:
    """The filter of the register over the acts the user reads, newest first."""
    queryset = visible_acts(user).select_related("municipality").order_by("-date", "-pk")
    return ActFilter(data if data is not None else {}, queryset=queryset, user=user)


def with_things(user, acts) -> list[ActRow]:
    """Rows of the register for `acts` (a page, or an export's chunk): each act with the things it approves that the
    user sees, by name and link. Queries: the links of every act at once, then one per kind linked."""
    acts = list(acts)
    links = list(ActLink.objects.filter(act__in=[a.pk for a in acts]).order_by("target", "object_id", "pk"))
    by_kind: dict[str, set[int]] = {}
    for link in links:
        by_kind.setdefault(link.target, set()).add(link.object_id)
    names: dict[str, dict] = {}
    for key, ids in by_kind.items():
        kind = act_targets.target(key)
        names[key] = kind.names(user, ids) if kind is not None else {}
    rows = {act.pk: ActRow(act) for act in acts}
    for link in links:
        row = rows[link.act_id]
        found = names.get(link.target, {}).get(link.object_id)
        if found is None:
            row.hidden += 1
        else:
            kind = act_targets.target(link.target)
            row.things.append(LinkedThing(link, kind.label, *found))
    return list(rows.values())


def acts_of(user, key: str, object_id) -> QuerySet[Act]:
    """The acts the user reads that approve this thing, oldest first."""
    return (
        visible_acts(user)
        .filter(pk__in=ActLink.objects.filter(target=key, object_id=object_id).values("act_id"))
        .select_related("municipality")
        .prefetch_related(Prefetch("links", ActLink.objects.filter(target=key, object_id=object_id)))
        .order_by("date", "pk")
    )


def linkable_acts(user, key: str, object_id, limit: int = 300) -> QuerySet[Act]:
    """Acts the user may link to this thing: those they edit, not linked to it yet, newest first."""
    return (
        editable_acts(user)
        .exclude(pk__in=ActLink.objects.filter(target=key, object_id=object_id).values("act_id"))
        .order_by("-date", "-pk")[:limit]
    )


def approval_label(acts) -> str:
    """«приказ от 12.03.2024 № 148-02» of the approving acts among `acts` (joined by «; »), or ""."""
    return "; ".join(act.label for act in acts if act.kind in APPROVING_KINDS)


def acts_of_period(user, start, end, municipality_ids) -> QuerySet[Act]:
    """The acts of a period the user reads, of the municipalities given and of the region."""
    return (
        visible_acts(user)
        .filter(date__gte=start, date__lte=end)
        .filter(Q(municipality_id__in=municipality_ids) | Q(municipality__isnull=True))
        .select_related("municipality")
        .order_by("date", "pk")
    )
