"""Who may watch whom on the coordinator's page «кто не отреагировал», built on `schools.access`.

A person only ever reads their own notifications. The coordinator watches the people of their municipalities,
the department every municipality's.
"""

from django.db.models import QuerySet

from schools.access import oversees, reach_of
from schools.models import Municipality


def can_watch(user) -> bool:
    return oversees(user)


def watched_municipalities(user) -> QuerySet[Municipality]:
    """Whose people the user may watch: the coordinator's municipalities, every one for the department."""
    return Municipality.objects.filter(pk__in=reach_of(user).overseen_municipality_ids).order_by("name")
