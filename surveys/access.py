"""Who sees which survey and whose results (on the shared `schools.access.Reach`).

- a region's department launches and closes its region's campaign and reads every school's results; the
  institute and the federal operator read them;
- a municipal coordinator reads the results of the schools of their municipality;
- a school's team reads its own school's results, prints its link's QR code and issues class codes;
- curators, tutors and experts do not read survey results (issue 22: «to the school, its coordinator and the
  department»); the answering pages need no account (`public_views`).
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from schools.access import reach_of

from .models import Campaign, SchoolLink


def _results_q(reach, prefix: str = "") -> Q | None:
    """The schools whose results the user reads, as a filter on `prefix` + school; None for every school."""
    if reach.reads_all:
        return None
    municipalities = reach.territory_municipality_ids | reach.coordinator_municipality_ids
    return Q(**{f"{prefix}school__municipality_id__in": municipalities}) | Q(
        **{f"{prefix}school_id__in": reach.team_school_ids}
    )


def reads_surveys(user) -> bool:
    reach = reach_of(user)
    return bool(
        reach.reads_all or reach.territory_region_ids or reach.territory_municipality_ids
        or reach.coordinator_municipality_ids or reach.team_school_ids
    )  # fmt: skip


def visible_links(user) -> QuerySet[SchoolLink]:
    reach = reach_of(user)
    scope = _results_q(reach)
    links = SchoolLink.objects.all()
    return links if scope is None else links.filter(scope)


def visible_campaigns(user) -> QuerySet[Campaign]:
    reach = reach_of(user)
    if reach.reads_all:
        return Campaign.objects.all()
    return Campaign.objects.filter(
        Q(region_id__in=reach.territory_region_ids) | Q(pk__in=visible_links(user).values("campaign_id"))
    )


def get_campaign_or_404(user, pk) -> Campaign:
    return get_object_or_404(visible_campaigns(user).select_related("region"), pk=pk)


def get_link_or_404(user, pk) -> SchoolLink:
    return get_object_or_404(
        visible_links(user).select_related("campaign__region", "school__municipality"), pk=pk
    )


def launch_regions(user):
    """The regions whose campaigns the user launches: those it is the regional department of."""
    from schools.models import Region

    return Region.objects.filter(pk__in=reach_of(user).department_region_ids).order_by("name")


def can_manage_campaign(user, campaign: Campaign) -> bool:
    return reach_of(user).acts_for_region(campaign.region_id)


def can_prepare_link(user, link: SchoolLink) -> bool:
    """Print the QR code, issue class codes, require them: the school's team, its coordinator, the department."""
    reach = reach_of(user)
    return (
        link.school_id in reach.team_school_ids
        or reach.oversees_municipality(link.school.municipality_id)
        or reach.acts_for_region(link.campaign.region_id)
    )
