"""The project's configuration of Django's own apps."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """collectstatic leaves out ReDoc: drf-spectacular's sidecar ships it beside
    Swagger UI, and the API's documentation page is Swagger UI only. It would be
    4.8 MB more to hash and compress on every deploy, served to nobody."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "redoc"]
