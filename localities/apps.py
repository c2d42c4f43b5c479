from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_access_groups(sender, **kwargs):
    from localities.access import sync_access_groups

    sync_access_groups()


class LocalitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "localities"
    verbose_name = "Localities and the programme"

    def ready(self):
        # Permissions exist only after every app has migrated, so the groups
        # are kept in step after migrate rather than in a data migration.
        post_migrate.connect(_sync_access_groups, dispatch_uid="localities.sync_access_groups")
