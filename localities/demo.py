"""Demo accounts for development. Never created when DEBUG is off."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from localities import access
from localities.models import LeadAssignment, Locality

DEMO_PASSWORD = "localcare-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    description: str
    group: str | None = None
    locality_slug: str | None = None
    is_staff: bool = False
    is_superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("board", "Board member (LCIB and the Joint Board)", group=access.BOARD_MEMBER),
    DemoAccount(
        "lead-thanet",
        "Locality lead for Thanet",
        group=access.LOCALITY_LEAD,
        locality_slug="thanet",
    ),
    DemoAccount(
        "lead-medway",
        "Locality lead for Medway",
        group=access.LOCALITY_LEAD,
        locality_slug="medway",
    ),
    DemoAccount(
        "office", "Programme office (STP core team)", group=access.PROGRAMME_OFFICE, is_staff=True
    ),
    DemoAccount("admin", "Superuser", is_staff=True, is_superuser=True),
)


DEMO_CHANGE_REASON = "Demo account (create_demo_accounts)"


def _assign_throughout(user, locality: Locality) -> None:
    """An open-ended assignment (every quarter, before and after), unless one is there:
    the demo lead works on every return of their locality, as before leads were dated."""
    if LeadAssignment.objects.filter(
        user=user, locality=locality, in_force_from__isnull=True, in_force_until__isnull=True
    ).exists():
        return
    assignment = LeadAssignment(user=user, locality=locality)
    assignment.full_clean()
    assignment._change_reason = DEMO_CHANGE_REASON
    assignment.save()


@transaction.atomic
def create_demo_accounts() -> list[str]:
    """Create or reset the demo accounts; returns the usernames. Idempotent."""
    if not settings.DEBUG:
        raise ImproperlyConfigured("Demo accounts are for development only (DEBUG is off).")
    user_model = get_user_model()
    for account in DEMO_ACCOUNTS:
        user, _ = user_model.objects.update_or_create(
            username=account.username,
            defaults={
                "is_staff": account.is_staff,
                "is_superuser": account.is_superuser,
                "is_active": True,
                # A reserved domain (RFC 2606): reminders print to the console in
                # development and could never reach anyone.
                "email": f"{account.username}@example.invalid",
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if account.group:
            user.groups.set([Group.objects.get(name=account.group)])
        if account.locality_slug:
            _assign_throughout(user, Locality.objects.get(slug=account.locality_slug))
    return [account.username for account in DEMO_ACCOUNTS]
