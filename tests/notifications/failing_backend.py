"""A mail backend whose server is down: every send raises, as smtplib would."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend

ATTEMPTS = []


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        ATTEMPTS.extend(email_messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class UnreachableBackend(BaseEmailBackend):
    """The server cannot even be connected to."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, email_messages):  # pragma: no cover - never reached: open() fails first
        raise AssertionError("send after a failed open")
