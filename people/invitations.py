"""Invitations: a Russian letter with a one-time link to set one's password (Django's token machinery), valid for
INVITATION_DAYS days; sending again renews the link. The letters go out from the task worker over one SMTP
connection (`people.invitation_letters`), so a file of 500 people is confirmed at once and its letters follow.
"""

from django.db import transaction
from django.utils import timezone

from shnor_portal.jobs import enqueue

from .models import Invitation
from .tasks import invitation_letters_send


def invitations_create(entries: list[tuple], *, actor) -> list[Invitation]:
    """One invitation per new person — entries are (user, region, municipality) — and their letters queued for
    the worker once the transaction commits."""
    invitations = Invitation.objects.bulk_create(
        [Invitation(user=user, region=region, municipality=municipality, invited_by=actor)
         for user, region, municipality in entries]  # fmt: skip
    )
    invitations_enqueue([invitation.pk for invitation in invitations])
    return invitations


def invitations_enqueue(ids: list[int]) -> None:
    if ids:
        enqueue(invitation_letters_send, ids)


def invitation_resend(invitation: Invitation) -> None:
    """A new link in a new letter: the old link stops working only when the days run out, which is harmless — both
    open the same account once."""
    Invitation.objects.filter(pk=invitation.pk).update(send_error="")
    invitations_enqueue([invitation.pk])


@transaction.atomic
def invitation_accept(user) -> None:
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=timezone.now())
