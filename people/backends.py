from django.core.exceptions import PermissionDenied

from . import throttle


class AccountThrottleBackend:
    """Refuses every password for an account the throttle has closed, on every login form (the portal's and the back
    office's): raising PermissionDenied stops Django from asking the backends after it. It has no `get_user` on
    purpose (not BaseBackend's), so that sessions keep naming ModelBackend, the one that loads users."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and throttle.closed_until(username):
            raise PermissionDenied
        return None
