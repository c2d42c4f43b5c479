"""Who may read or change what. Every view and service asks here.

A refusal is raised as `refuse(what, target)`: a PermissionDenied that says
what was refused and on which object. localcare.middleware logs every
PermissionDenied a view raises (user, path, object, time) in one place.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from localities.models import LeadAssignment, Locality

BOARD_MEMBER = "Board member"
LOCALITY_LEAD = "Locality lead"
PROGRAMME_OFFICE = "Programme office"
GROUP_NAMES = (BOARD_MEMBER, LOCALITY_LEAD, PROGRAMME_OFFICE)


class AccessRefused(PermissionDenied):
    """PermissionDenied that carries what was refused and the object, for the access log."""

    def __init__(self, what: str, target=None, *, message: str = ""):
        # The 403 page shows the message (or what was refused); the log says what and on what.
        super().__init__(message or what)
        self.what = what
        self.target = target


def refuse(what: str, target=None, *, message: str = "") -> AccessRefused:
    """The exception to raise when a check here says no.

    `raise access.refuse("editing this locality's update", locality)`
    """
    return AccessRefused(what, target, message=message)


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


def must_verify(user) -> bool:
    """Whoever holds a power the board relies on gives a second factor before using it.

    The programme office approves, returns and reopens updates, previews
    returns before approval and keeps the risk register; staff and superusers
    reach Django admin. A stolen password alone must open none of that.
    Board members and leads may set two-factor up, but are not made to.
    """
    if not user.is_authenticated:
        return False
    # Staff and superusers first: no group query for them.
    return user.is_staff or user.is_superuser or is_programme_office(user)


def owes_second_factor(user) -> bool:
    """This user must give a one-time code first and has not, in this session.

    Only while settings.REQUIRE_STAFF_TWO_FACTOR is on (always with DEBUG off).
    A user object that did not come through django-otp's middleware (no
    `is_verified`) has given no code.
    """
    if not settings.REQUIRE_STAFF_TWO_FACTOR or not must_verify(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


def can_view_dashboards(user) -> bool:
    """Board members, leads and the programme office all read the dashboards."""
    return user.is_authenticated and (
        user.is_superuser or any(_in_group(user, name) for name in GROUP_NAMES)
    )


# --- Who leads what, and when (decision 0023, "Who may work on a return") ----------


def lead_assignments(user) -> list[LeadAssignment]:
    """Every assignment this user ever held, past, present and future.

    One query per request, with their localities, cached on the user object like
    the groups, so that a page asking about several localities or quarters costs
    the same as one.
    """
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_lead_assignments"):
        user._lead_assignments = list(
            LeadAssignment.objects.filter(user=user).select_related("locality")
        )
    return user._lead_assignments


def return_day(quarter) -> datetime.date:
    """The day that says who leads a quarter's return: the quarter's last day.

    Whoever was assigned to the locality on that day opens, edits, submits and
    comments on the return, before and after the day itself, until it is
    approved; whoever takes the locality over afterwards starts with the next
    quarter's.
    """
    return quarter.end_date


def assignment_covers_return(assignment: LeadAssignment, locality, quarter) -> bool:
    """The rule, for one assignment: to this locality, in force on the quarter's last day."""
    return assignment.locality_id == locality.pk and assignment.is_in_force_on(return_day(quarter))


def leads_locality_on(user, locality, day: datetime.date) -> bool:
    """This user is a locality lead, assigned to `locality` on `day`."""
    if not is_locality_lead(user):
        return False
    return any(
        assignment.locality_id == locality.pk and assignment.is_in_force_on(day)
        for assignment in lead_assignments(user)
    )


def can_work_on_return(user, locality, quarter) -> bool:
    """Whether this user may open, edit, submit and comment on `locality`'s
    return for `quarter`: a locality lead holding an assignment to the locality
    in force on the quarter's last day. Every lead's write asks here."""
    if not is_locality_lead(user):
        return False
    return any(
        assignment_covers_return(assignment, locality, quarter)
        for assignment in lead_assignments(user)
    )


def localities_led_by(user, *, day: datetime.date) -> QuerySet:
    """The localities this user leads on `day` (today for their navigation), else none."""
    if not is_locality_lead(user):
        return Locality.objects.none()
    return Locality.objects.filter(
        pk__in={a.locality_id for a in lead_assignments(user) if a.is_in_force_on(day)}
    )


def localities_ever_led_by(user) -> list[Locality]:
    """Every locality this user was, is or will be assigned to, by name (none if not a
    lead); no query beyond lead_assignments'."""
    if not is_locality_lead(user):
        return []
    localities = {a.locality_id: a.locality for a in lead_assignments(user)}
    return sorted(localities.values(), key=lambda locality: locality.name)


def return_leads(locality, quarter) -> QuerySet:
    """The active locality leads who work on `locality`'s `quarter` return (one query):
    whom its e-mails go to."""
    assigned = LeadAssignment.objects.filter(locality=locality).in_force_on(return_day(quarter))
    return (
        get_user_model()
        .objects.filter(
            pk__in=assigned.values("user_id"), is_active=True, groups__name=LOCALITY_LEAD
        )
        .distinct()
        .order_by("username")
    )


def can_review_updates(user) -> bool:
    """The programme office returns, approves and reopens quarterly updates."""
    return is_programme_office(user)


def can_delete_register_records(user) -> bool:
    """Closed and rejected risks and every review are kept: only a superuser removes a mistake."""
    return user.is_authenticated and user.is_superuser


def can_read_update(user, update) -> bool:
    """Leads and the office read any locality's update; board members only approved ones."""
    if is_programme_office(user) or is_locality_lead(user):
        return True
    return can_view_dashboards(user) and update.status == update.Status.APPROVED


# Model-level permissions per group, by app label: every app whose models hold
# programme data. Object-level rules (a lead edits only their own locality) are
# the functions above, not these.
PROGRAMME_DATA_APPS = ("localities", "risks", "governance", "updates")


@transaction.atomic
def sync_access_groups() -> None:
    """Create the three user groups and give each its model permissions.

    Idempotent: run after every migrate so that new models get permissions.
    """
    view_permissions = Permission.objects.filter(
        content_type__app_label__in=PROGRAMME_DATA_APPS, codename__startswith="view_"
    )
    all_permissions = Permission.objects.filter(content_type__app_label__in=PROGRAMME_DATA_APPS)

    board, _ = Group.objects.get_or_create(name=BOARD_MEMBER)
    board.permissions.set(view_permissions)

    lead, _ = Group.objects.get_or_create(name=LOCALITY_LEAD)
    lead.permissions.set(view_permissions)

    office, _ = Group.objects.get_or_create(name=PROGRAMME_OFFICE)
    office.permissions.set(all_permissions)


def can_write_board_reports(user) -> bool:
    """The programme office writes, edits and approves the quarter's report to each board."""
    return is_programme_office(user)


def can_read_board_report(user, report) -> bool:
    """The office reads every report; board members and leads only approved ones (never drafts).

    `report` is a governance.models.BoardReport (this module sits below governance).
    """
    if is_programme_office(user):
        return True
    return can_view_dashboards(user) and report.status == "approved"
