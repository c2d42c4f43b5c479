from django.apps import AppConfig


class ToolsConfig(AppConfig):
    # An app only so that its management commands are found: it has no models.
    name = "tools"
    verbose_name = "Development and operations tooling"
