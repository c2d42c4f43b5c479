"""Who keeps the governance records: the programme office (and superusers).

Board members and leads read meetings, decisions and actions on the dashboards;
only the office writes them. Every governance view and service asks here.
"""

from localities import access


def can_keep_governance(user) -> bool:
    """The programme office records meetings, decisions and actions."""
    return access.is_programme_office(user)


def require_governance_keeper(user) -> None:
    """Refuse (403, logged by localcare.middleware) anyone but the programme office."""
    if not can_keep_governance(user):
        raise access.refuse(
            "keeping meetings, decisions and actions",
            message="Only the programme office records meetings, decisions and actions.",
        )
