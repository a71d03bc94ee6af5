"""Writing a region's public page: its department's words and what it chooses to publish."""

from django.db import transaction

from schools.models import Region
from shnor_portal.history import stale_message

from .access import NOT_DEPARTMENT, can_edit_page, require
from .models import PublicPage


class PublicPageError(Exception):
    """A save refused with a message for the user (somebody saved the page meanwhile)."""


@transaction.atomic
def public_page_save(*, region: Region, actor, about: str, publish_list: bool, seen: int | None) -> PublicPage:
    """Save the region's page, made on its first save. `seen` is the version the form was opened on (0: before the
    page was first saved): a save made after somebody else's is refused instead of overwriting it."""
    require(can_edit_page(actor, region), NOT_DEPARTMENT)
    page = PublicPage.objects.select_for_update().filter(region=region).first()
    if page is None:
        page = PublicPage(region=region)
    else:
        message = stale_message(page, seen)
        if message:
            raise PublicPageError(message)
    page.about = about.strip()
    page.publish_list = publish_list
    page._history_user = actor
    page.save()
    return page
