"""The dashboard's primary navigation, in one place."""

from django.urls import NoReverseMatch, reverse

from localities import access

# (URL name, label). Pages keep the viewer's quarter when moving between them.
DASHBOARD_PAGES = (
    ("dashboard:home", "Overview"),
    ("dashboard:objectives", "Objectives"),
    ("dashboard:milestones", "Milestones"),
    ("dashboard:mdts", "MDTs"),
    ("dashboard:money", "Money"),
    ("dashboard:outcomes", "Outcomes"),
    ("dashboard:critical-areas", "Critical areas"),
    ("dashboard:risks", "Risks"),
    ("dashboard:actions", "Actions"),
    ("dashboard:board-pack", "Board pack"),
)


# Pages without a header link of their own, and the link they belong under.
SECTION_OF = {
    # Maturity is read beside the outcomes (and linked from them, each locality's page
    # and the board pack): the header fits every role's links at 1280 px.
    "dashboard:maturity": "dashboard:outcomes",
    "dashboard:outcomes-summary": "dashboard:outcomes",
    "dashboard:risk-detail": "dashboard:risks",
    # Benefits tracks the investment case's money against outcomes; under Money (linked
    # from the Money and Outcomes pages) so that the header still fits at 1280 px.
    "dashboard:benefits": "dashboard:money",
    "dashboard:locality": "dashboard:home",
    # The boards, their roles and meetings: read with the actions they agreed (and linked
    # from the Actions page) so that the header still fits at 1280 px.
    "dashboard:governance": "dashboard:actions",
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
    "reports:list": "governance:home",
    "reports:create": "governance:home",
    "reports:detail": "governance:home",
    "reports:edit": "governance:home",
    "reports:approve": "governance:home",
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
        # One link for the office's governance work (its page links the board reports):
        # the header must fit at 1280 px for every role (tests/browser/test_landing.py).
        pages += (("governance:home", "Governance"),)
    return pages


class _Anonymous:
    is_authenticated = False
