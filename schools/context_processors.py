from django.conf import settings

from .access import reach_of
from .demo import DEMO_PASSWORD, DEMO_USERS


def portal(request):
    """What every page's navigation needs: the user's roles and whether demo mode is on."""
    context = {"reach": reach_of(getattr(request, "user", None)), "DEMO_MODE": settings.DEMO_MODE}
    if settings.DEMO_MODE:
        context["demo_users"] = [(username, label) for username, *_rest, label in DEMO_USERS]
        context["demo_password"] = DEMO_PASSWORD
    return context
