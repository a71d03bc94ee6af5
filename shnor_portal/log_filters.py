"""What the server log keeps of a request: a refusal is one line, a failure its traceback.

Django logs every 4xx through `django.request` at WARNING with the exception attached, so each 404 of a mistyped
link and each 403 of a person outside their reach wrote a traceback (806 in one probe) and hid the real errors.
A refusal is the portal working as meant: one line at INFO, shown when `LOG_LEVEL=INFO`. Server errors (5xx) keep
their level and traceback — but for the 503 of a failing `/health/`, which the load balancer asks for every few
seconds: the failing check logs its cause itself (logger `health_check`), and django.request would add an ERROR, and
an e-mail to ADMINS, for each probe.
"""

import logging

REFUSALS = {401, 403, 404, 405, 410}


class RefusalsOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) not in REFUSALS:
            return True
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        # The record was made at WARNING; keep it only where INFO is wanted.
        return logging.getLogger(record.name).isEnabledFor(logging.INFO)


class HealthProbes(logging.Filter):
    """Drops django.request's record of a /health/ answer (marked by the view: `request.health_probe`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(getattr(record, "request", None), "health_probe", False)
