"""The dashboard's primary navigation, in one place."""

from django.urls import NoReverseMatch, reverse

from localities import access

# (URL name, label). Pages keep the viewer's quarter when moving between them.
DASHBOARD_PAGES = (
    ("dashboard:home", "Overview"),
    ("dashboard:objectives", "Objectives"),
    ("dashboard:milestones", "Milestones"),
    ("dashboard:mdts", "MDT roll-out"),
    ("dashboard:money", "Money"),
    ("dashboard:outcomes", "Outcomes"),
    ("dashboard:critical-areas", "Critical areas"),
    ("dashboard:maturity", "Maturity"),
    ("dashboard:risks", "Risks"),
    ("dashboard:actions", "Actions and decisions"),
    ("dashboard:board-pack", "Board pack"),
)


# Pages without a header link of their own, and the link they belong under.
SECTION_OF = {
    "dashboard:risk-detail": "dashboard:risks",
    "dashboard:locality": "dashboard:home",
    "updates:detail": "updates:mine",
    "updates:edit-section": "updates:mine",
    "updates:submit": "updates:mine",
    "updates:upload": "updates:mine",
    "updates:review": "updates:returns",
    "governance:meeting-add": "governance:home",
    "governance:meeting-edit": "governance:home",
    "governance:decision-add": "governance:home",
    "governance:decision-edit": "governance:home",
    "governance:action-add": "governance:home",
    "governance:action-edit": "governance:home",
    "reports:create": "reports:list",
    "reports:detail": "reports:list",
    "reports:edit": "reports:list",
    "reports:approve": "reports:list",
}


def navigation(request):
    """Context processor: the header's links for users who may see dashboards."""
    if not access.can_view_dashboards(getattr(request, "user", None) or _Anonymous()):
        return {}
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match and match.namespace else None
    current = SECTION_OF.get(current, current)
    items = []
    for url_name, label in _work_pages(request.user) + DASHBOARD_PAGES:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # a page not built yet
        items.append({"url": url, "label": label, "current": url_name == current})
    return {"dashboard_navigation": items}


def _work_pages(user) -> tuple[tuple[str, str], ...]:
    """Links to the pages where people enter and review quarterly updates."""
    pages = ()
    if access.is_locality_lead(user):
        pages += (("updates:mine", "My localities"),)
    if access.can_review_updates(user):
        pages += (("updates:returns", "Returns"),)
    if access.is_programme_office(user):
        pages += (("reports:list", "Board reports"), ("governance:home", "Meetings and actions"))
    return pages


class _Anonymous:
    is_authenticated = False
