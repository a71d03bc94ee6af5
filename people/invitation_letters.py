"""The invitation's letter: its one-time link (Django's token machinery under the invitation's own salt and validity)
and the sending of a batch of letters over one SMTP connection, run by the task worker (`people.tasks`)."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage, get_connection
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
