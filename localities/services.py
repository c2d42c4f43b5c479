"""Writes to programme data. Keyword-only functions, one transaction each."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from localities import access

# Model-level permissions per group. Object-level rules (a lead edits only
# their own locality) live in localities.access, not here.
_VIEW_ONLY_APPS = ("localities", "risks")


@transaction.atomic
def sync_access_groups() -> None:
    """Create the three user groups and give each its model permissions.

    Idempotent: run after every migrate so that new models get permissions.
    """
    view_permissions = Permission.objects.filter(
        content_type__app_label__in=_VIEW_ONLY_APPS, codename__startswith="view_"
    )
    all_permissions = Permission.objects.filter(content_type__app_label__in=_VIEW_ONLY_APPS)

    board, _ = Group.objects.get_or_create(name=access.BOARD_MEMBER)
    board.permissions.set(view_permissions)

    lead, _ = Group.objects.get_or_create(name=access.LOCALITY_LEAD)
    lead.permissions.set(view_permissions)

    office, _ = Group.objects.get_or_create(name=access.PROGRAMME_OFFICE)
    office.permissions.set(all_permissions)
