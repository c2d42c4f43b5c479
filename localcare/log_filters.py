"""Filters for settings.LOGGING."""

import logging


class ExpectedRefusalFilter(logging.Filter):
    """Keeps an expected 403 to one line, on the "django.request" logger.

    Django logs a PermissionDenied as "Forbidden (Permission denied)" with the
    exception's traceback, after RefusedAccessLogMiddleware has logged the same
    refusal with who, what and where: a refusal is the access rules working,
    not a fault, and the traceback buried that line. So Django's record is
    dropped when the middleware logged the request, and otherwise (a 403 the
    middleware did not see) kept without its traceback. Other statuses, 5xx
    above all, are untouched.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        if getattr(getattr(record, "request", None), "refusal_logged", False):
            return False
        record.exc_info = None
        record.exc_text = None
        return True
