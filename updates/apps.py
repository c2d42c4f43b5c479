from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "updates"
    verbose_name = "Quarterly updates"

    def ready(self):
        # The outcome totals are this app's derived data: kept in step with the
        # figures by its own receivers, not by the dashboards that read them.
        from updates import outcome_totals

        outcome_totals.connect()
