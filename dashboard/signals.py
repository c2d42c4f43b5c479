"""Programme data changed, so the dashboards' cached data is out of date.

Every save and delete of a localities, risks, governance or updates model (reference data,
quarterly updates and their rows, risks, reviews, actions, bands...) calls
dashboard.caching.note_programme_data_changed, which moves the data version
on once the write commits.

A signal rather than a call in each service, deliberately: this is cache
invalidation, which cuts across every way rows are written (services, Django
admin, loaddata, the spreadsheet import, a shell) and must not depend on each
of them remembering it. The handler holds no business rule; it only says
"something changed". Writes that send no signals (bulk_create, update())
must call note_programme_data_changed themselves, as tools.scale does.

One exception: a lead saving a draft (updates.services.save_draft) writes
rows that only the lead sees, until submission moves the update's status
(which does move the version). Leads save drafts far more often than
anything is approved; if each save emptied every board member's cached
dashboards, the cache would hardly ever be warm during the return window.
"""

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from simple_history.models import HistoricalChanges

from dashboard.caching import note_programme_data_changed
from updates.services import is_saving_draft

TRACKED_APPS = ("localities", "risks", "governance", "updates")


def tracked_models() -> list:
    """The models whose rows dashboards show (history tables follow their rows)."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in TRACKED_APPS
        and not issubclass(model, HistoricalChanges)
        and not getattr(model, "is_read_model", False)
    ]


def _programme_data_changed(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if is_saving_draft():
        return
    note_programme_data_changed(using)


def _migrated(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    # Every release runs migrate: a new version keeps a shared cache (Redis)
    # from serving data that older code computed, or a data migration changed.
    note_programme_data_changed(using)


def connect() -> None:
    for model in tracked_models():
        label = model._meta.label
        if model._meta.auto_created:  # a many-to-many table (MDT.partners, ...)
            m2m_changed.connect(
                _programme_data_changed, sender=model, dispatch_uid=f"data-version-m2m-{label}"
            )
            continue
        post_save.connect(
            _programme_data_changed, sender=model, dispatch_uid=f"data-version-save-{label}"
        )
        post_delete.connect(
            _programme_data_changed, sender=model, dispatch_uid=f"data-version-delete-{label}"
        )
    post_migrate.connect(_migrated, dispatch_uid="data-version-migrate")
