from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "Data API"

    def ready(self):
        # Registers the token's security scheme with drf-spectacular.
        from api import schema  # noqa: F401
