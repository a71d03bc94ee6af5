"""The demo of `make demo`: each app seeds its own part on top of the apps below it, in the order of the layers."""

from django.db import transaction

from monitoring.demo import seed_monitoring
from partnerships.demo import seed_partnerships
from people.demo import seed_invitations
from programs.demo import seed_programmes
from schools.demo import DEMO_PASSWORD, DEMO_USERS, seed_registry  # noqa: F401  (the users the command lists)
from surveys.demo import seed_surveys

from .demo_acts import seed_acts
from .demo_notifications import seed_notifications
from .demo_territories import seed_territories


@transaction.atomic
def seed_demo() -> dict[str, int]:
    """The registry with its users and approved list, and the programmes of municipality A. Idempotent."""
    counts = seed_registry()
    seed_programmes()
    return counts


def seed_full_demo() -> dict[str, int]:
    """The whole demo: the registry and programmes (`seed_demo`), then curator agreements, teachers, practices and
    events, indicators and self-assessments, the satisfaction survey, the acts, seed 004's territory
    (`demo_territories`), the coordinator's invitations, and last the notifications about all of them. Each step is idempotent,
    so a second run changes nothing."""
    counts = seed_demo()
    counts.update({f"partnerships_{key}": value for key, value in seed_partnerships().items()})
    counts.update({f"monitoring_{key}": value for key, value in seed_monitoring().items()})
    counts.update({f"surveys_{key}": value for key, value in seed_surveys().items()})
    counts["acts"] = seed_acts()
    counts.update({f"territories_{key}": value for key, value in seed_territories().items()})
    counts["invitations"] = seed_invitations()
    counts["notifications"] = seed_notifications()
    return counts
