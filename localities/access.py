"""Who may read or change what. Every view and service asks here."""

from django.contrib.auth.models import AnonymousUser, User

BOARD_MEMBER = "Board member"
LOCALITY_LEAD = "Locality lead"
PROGRAMME_OFFICE = "Programme office"
GROUP_NAMES = (BOARD_MEMBER, LOCALITY_LEAD, PROGRAMME_OFFICE)


def _in_group(user: User | AnonymousUser, name: str) -> bool:
    if not user.is_authenticated:
        return False
    # Cached on the user object so that templates and views asking several
    # times cost one query per request.
    if not hasattr(user, "_group_names"):
        user._group_names = set(user.groups.values_list("name", flat=True))
    return name in user._group_names


def is_board_member(user) -> bool:
    return _in_group(user, BOARD_MEMBER)


def is_locality_lead(user) -> bool:
    return _in_group(user, LOCALITY_LEAD)


def is_programme_office(user) -> bool:
    return user.is_authenticated and (user.is_superuser or _in_group(user, PROGRAMME_OFFICE))


def can_view_dashboards(user) -> bool:
    """Board members, leads and the programme office all read the dashboards."""
    return user.is_authenticated and (
        user.is_superuser or any(_in_group(user, name) for name in GROUP_NAMES)
    )


def can_edit_locality(user, locality) -> bool:
    """Only a lead of this locality enters its quarterly update."""
    if not user.is_authenticated or not is_locality_lead(user):
        return False
    return locality.leads.filter(pk=user.pk).exists()


def can_review_updates(user) -> bool:
    """The programme office returns, approves and reopens quarterly updates."""
    return is_programme_office(user)


def can_read_update(user, update) -> bool:
    """Leads and the office read any locality's update; board members only approved ones."""
    if is_programme_office(user) or is_locality_lead(user):
        return True
    return can_view_dashboards(user) and update.status == update.Status.APPROVED
