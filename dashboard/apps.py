from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"

    def ready(self):
        from dashboard import outcome_totals, signals
        from dashboard.tables import signatures

        signals.connect()
        outcome_totals.connect()
        signatures.install()
