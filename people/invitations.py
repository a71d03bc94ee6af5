"""Invitations: a Russian letter with a one-time link to set one's password (Django's token machinery), valid for
INVITATION_DAYS days; sending again renews the link. The letters go out from the task worker over one SMTP
connection (`invitations_send`), so a file of 500 people is confirmed at once and its letters follow.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from .models import Invitation

logger = logging.getLogger(__name__)


def invitation_days() -> int:
    return getattr(settings, "INVITATION_DAYS", 7)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token under its own salt and with the invitation's validity instead of
    PASSWORD_RESET_TIMEOUT: it stops working once the password is set (the hash covers it) or the days run out."""

    key_salt = "people.invitations.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(constant_time_compare(self._make_token_with_timestamp(user, ts, s), token) for s in secrets):
            return False
        return self._num_seconds(self._now()) - ts <= invitation_days() * 24 * 60 * 60


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user) -> str:
    path = reverse(
        "people:invitation_accept",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": invitation_tokens.make_token(user)},
    )
    return settings.PORTAL_BASE_URL.rstrip("/") + path


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
    from shnor_portal.jobs import enqueue

    from .tasks import invitation_letters_send

    if ids:
        enqueue(invitation_letters_send, ids)


def invitation_resend(invitation: Invitation) -> None:
    """A new link in a new letter: the old link stops working only when the days run out, which is harmless — both
    open the same account once."""
    Invitation.objects.filter(pk=invitation.pk).update(send_error="")
    invitations_enqueue([invitation.pk])


def invitations_send(ids: list[int], *, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send the letters of these invitations (not yet accepted) over one connection; each row records what happened."""
    now = now or timezone.now()
    pending = list(Invitation.objects.filter(pk__in=ids, accepted_at__isnull=True).select_related("user", "invited_by"))
    sent = failed = 0
    connection = get_connection()
    try:
        connection.open()
        for invitation in pending:
            try:
                _letter(invitation, connection).send()
            except Exception as error:  # noqa: BLE001  (a refused address must not stop the other letters)
                logger.warning("Invitation %s not sent: %s", invitation.pk, error)
                invitation.send_error = str(error)[:300]
                failed += 1
            else:
                invitation.sent_at, invitation.send_error = now, ""
                invitation.expires_at = now + datetime.timedelta(days=invitation_days())
                invitation.times_sent += 1
                sent += 1
    finally:
        connection.close()
    Invitation.objects.bulk_update(pending, ["sent_at", "send_error", "expires_at", "times_sent"], batch_size=500)
    return {"sent": sent, "failed": failed}


def _letter(invitation: Invitation, connection) -> EmailMessage:
    user = invitation.user
    context = {
        "user": user, "link": invitation_link(user), "days": invitation_days(), "invited_by": invitation.invited_by,
        "login_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("login"),
    }  # fmt: skip
    return EmailMessage(
        subject="Приглашение в портал поддержки ШНОР и ШНСУ",
        body=render_to_string("people/invitation_email.txt", context),
        to=[user.email],
        connection=connection,
    )


@transaction.atomic
def invitation_accept(user) -> None:
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=timezone.now())
