from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"

    def ready(self):
        from dashboard import signals
        from dashboard.tables import signatures

        signals.connect()
        signatures.install()
