"""Who reaches what of the public pages.

The pages themselves, the acts of a region and the files of its published practices are everyone's, without a
login: the rules here say only which rows are public (a published practice of the region's schools, an act of the
region), so that a draft or another region's row is a 404 whoever asks. The settings of a region's page are its
regional department's (`Reach.acts_for_region`): those who work in the region see them refused (403), anybody else
does not learn they exist (404).
"""

from django.shortcuts import get_object_or_404

from partnerships.models import Practice, PracticeFile
from schools.access import reach_of, readable_regions, require  # noqa: F401  (`require` is re-exported for views)
from schools.models import Act, Region

NOT_DEPARTMENT = "Открытую страницу региона настраивает его управление образования (министерство)."


def get_region_or_404(pk) -> Region:
    """Any region, with its page's settings (one query)."""
    return get_object_or_404(Region.objects.select_related("public_page"), pk=pk)


def get_public_act_or_404(region_pk, pk) -> Act:
    """An act of the region's register (a municipality's act is its region's too)."""
    return get_object_or_404(Act, pk=pk, region_id=region_pk)


def get_public_practice_file_or_404(region_pk, pk) -> PracticeFile:
    """A file of a practice published in the bank by a school of the region; a draft's, a practice's on moderation
    or another region's is 404."""
    return get_object_or_404(
        PracticeFile.objects.select_related("practice"),
        pk=pk,
        practice__status=Practice.Status.PUBLISHED,
        practice__school__municipality__region_id=region_pk,
    )


def get_settings_region_or_404(user, pk) -> Region:
    """The region whose page's settings are asked for, among those the user works in (404 otherwise)."""
    return get_object_or_404(readable_regions(user).select_related("public_page"), pk=pk)


def can_edit_page(user, region: Region) -> bool:
    return reach_of(user).acts_for_region(region.pk)


def regions_to_edit(user) -> list[Region]:
    """The regions whose public page the user keeps: those they are the regional department of."""
    return list(Region.objects.filter(pk__in=reach_of(user).department_region_ids).order_by("name"))


def downloader(user):
    """Who a download is recorded for: the logged-in user, or nobody for an anonymous visitor."""
    return user if getattr(user, "is_authenticated", False) else None
