"""The programme office opens the next financial year (decision 0024).

Thin: check access, build the form from the service's proposal, preview or open
through updates.year_services. The preview writes nothing; its page re-posts the
same data to confirm, and the service checks it all again then (a plan made from
last year as it no longer is, or a year opened meanwhile, is a 409).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from localities.models import Milestone, Quarter
from updates import year_services
from updates.views.common import require_reviewer
from updates.year_forms import OpenYearForm

# The buttons: see what will be created, go back to the form, or open the year.
PREVIEW, CHANGE, OPEN = "preview", "change", "open"


def _form_page(request, *, form, status=200, conflict=""):
    return render(
        request,
        "updates/open_year.html",
        {"form": form, "proposed": form.proposed, "conflict": conflict},
        status=status,
    )


def _posted(request) -> list[tuple[str, str]]:
    """The form's data as sent, to send again from the preview page."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "action")
        for value in values
    ]


@require_http_methods(["GET", "HEAD", "POST"])
def open_year(request):
    require_reviewer(request)
    today = timezone.localdate()
    proposed = year_services.proposal(today=today)
    if request.method != "POST":
        return _form_page(request, form=OpenYearForm(proposed=proposed))
    form = OpenYearForm(request.POST, proposed=proposed)
    action = request.POST.get("action", PREVIEW)
    if action == CHANGE:
        return _form_page(request, form=form)
    if not form.is_valid():
        return _form_page(request, form=form, status=400)
    plan = form.plan()
    try:
        if action == OPEN:
            year = year_services.open_year(plan=plan, by=request.user, today=today)
        else:
            preview = year_services.preview_year(plan=plan, today=today)
    except (year_services.YearAlreadyOpen, year_services.StalePlan) as conflict:
        form.add_error(None, conflict)
        form.now_from_proposal()
        return _form_page(request, form=form, status=409, conflict=conflict.messages[0])
    except year_services.YearRefused as refused:
        form.put_problems(refused.problems)
        return _form_page(request, form=form, status=400)
    if action != OPEN:
        return render(
            request,
            "updates/open_year_preview.html",
            {"preview": preview, "posted": _posted(request)},
        )
    first = Quarter.objects.get(financial_year=year, number=1)
    objectives = year.objectives.count()
    rolled = Milestone.objects.filter(in_plan_from=year.start_date).count()
    messages.success(
        request,
        f"{year.label} is open: its 4 quarters, {objectives} objective{pluralize(objectives)}, "
        f"each locality's planned investment and {rolled} milestone{pluralize(rolled)} "
        "rolled forward are saved.",
    )
    return redirect(f"{reverse('updates:returns')}?quarter={first.slug}")
