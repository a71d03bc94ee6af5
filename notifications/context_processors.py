from django.utils.functional import cached_property

from .selectors import unread_count


class UnreadCount:
    """The bell's number, counted (one query) only when a page shows it, and once per page."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def count(self) -> int:
        # A page that has read the unread notifications already knows their number (`latest_unread`).
        known = getattr(self.request, "notifications_unread", None)
        if known is not None:
            return known
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return unread_count(user=user)


def bell(request):
    return {"notifications_unread": UnreadCount(request)}
