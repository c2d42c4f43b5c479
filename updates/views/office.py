"""The programme office's pages: returns for a quarter, review, approve, return, reopen."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from common.pagination import paged
from localities.models import Quarter, SubSystem
from risks.selectors import register_work
from updates import comment_selectors, comment_services, selectors, services
from updates.comparison import review_comparison
from updates.filters import ReturnsFilter
from updates.forms import ReopenForm, ReviewCommentsForm
from updates.models import RETURN_COMMENT_MAX_LENGTH
from updates.views.common import UpdateTarget, find_update, require_reviewer

RETURN_PREFIX = "return"
REOPEN_PREFIX = "reopen"
OUT_OF_DATE = "This page was out of date. Reload it, check the update again, then try once more."
# With many localities (a region, all of England) the returns come a page at a time,
# keeping the page within its 150 kB HTML budget; the counts above it cover them all.
RETURNS_PER_PAGE = 25
# The milestones the office should chase: the first few, and how many in all.
REPORTING_GAPS_SHOWN = 50
# The register's to-do lists under the returns: the first few, and how many in all.
REGISTER_WORK_SHOWN = 5


@require_GET
def returns(request):
    require_reviewer(request)
    today = timezone.localdate()
    quarters = list(Quarter.objects.chronological())
    requested = request.GET.get("quarter")
    if requested:
        quarter = next((q for q in quarters if q.slug == requested), None)
        if quarter is None:
            raise Http404("No such quarter")
    else:
        default = selectors.default_returns_quarter(today=today)
        if default is None:
            raise Http404("No quarters have been set up yet")
        quarter = next(q for q in quarters if q.pk == default.pk)
    returns_filter = ReturnsFilter(
        request.GET,
        queryset=selectors.localities_with_return_status(quarter=quarter, today=today),
        quarter=quarter,
        today=today,
        sub_systems=SubSystem.objects.choices(),
    )
    # Counted and sliced in SQL (LIMIT/OFFSET): only the page's localities become rows.
    returns_page = paged(
        request,
        returns_filter.qs,
        per_page=RETURNS_PER_PAGE,
        parameter="page",
        label="the returns",
        anchor="returns",
    )
    # Quarters that have started, latest first, and the one shown even if it has not.
    options = [q for q in quarters if q.start_date <= today or q == quarter]
    return render(
        request,
        "updates/returns.html",
        {
            "quarter": quarter,
            "quarter_slug": quarter.slug,
            "quarter_choices": [(q.slug, q.label) for q in reversed(options)],
            "filter": returns_filter,
            # What includes/filter_form.html reads from a dashboard page: the quarter to keep.
            "page": {"quarter_slug": quarter.slug, "is_preview": False},
            "returns_page": returns_page,
            "rows": selectors.return_rows(returns_page.rows, quarter=quarter, today=today),
            "summary": selectors.summarise_returns(quarter=quarter, today=today),
            "queue_order": selectors.QUEUE_ORDER_TEXT,
            "reporting_gaps": selectors.milestone_reporting_gaps(
                today=today, limit=REPORTING_GAPS_SHOWN
            ),
            "register_work": register_work(today=today, limit=REGISTER_WORK_SHOWN),
        },
    )


def _started(locality: str, quarter: str) -> UpdateTarget:
    target = find_update(locality, quarter)
    if not target.is_started:
        raise Http404("This locality has not started its update for that quarter")
    return target


@require_GET
def review(request, locality, quarter):
    require_reviewer(request)
    return _review_page(request, _started(locality, quarter))


def _review_page(
    request,
    target: UpdateTarget,
    *,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    return_form: forms.Form | None = None,
    reopen_form: forms.Form | None = None,
    version: int | None = None,
):
    """The review page; after a refused action, with its errors and the typed text kept."""
    update = target.update
    errors = list(errors or [])
    for form in (return_form, reopen_form):
        if form is not None and form.is_bound:
            errors += [
                (f"#{form[name].auto_id}", message)
                for name, messages_ in form.errors.items()
                if name in form.fields
                for message in messages_
            ]
    threads = comment_selectors.comment_threads(update)
    comment_services.mark_replies(threads.threads, update, request.user)
    return render(
        request,
        "updates/review.html",
        {
            "target": target,
            "update": update,
            "status_label": selectors.return_status_label(update),
            "comparison": review_comparison(update=update),
            # What would refuse an approval, said before the office presses Approve.
            "approval_problems": services.submission_problems(update)
            if update.status == update.Status.SUBMITTED
            else [],
            "timeline": comment_selectors.timeline_with_comments(
                selectors.update_timeline(update), threads
            ),
            "comment_threads": threads,
            "comment_rows": comment_selectors.comment_rows(update)
            if update.status == update.Status.SUBMITTED
            else {},
            "comment_max_length": RETURN_COMMENT_MAX_LENGTH,
            "messages_sent": selectors.messages_for_return(
                locality=target.locality, quarter=target.quarter
            ),
            "return_form": return_form or ReviewCommentsForm(prefix=RETURN_PREFIX),
            "reopen_form": reopen_form or ReopenForm(prefix=REOPEN_PREFIX),
            "version": update.version if version is None else version,
            "errors": errors,
        },
        status=status,
    )


def _posted_version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _decide(
    request,
    locality: str,
    quarter: str,
    *,
    anchor: str,
    act: Callable[..., object],
    done: str,
    form_class: type[forms.Form] | None = None,
    prefix: str = "",
    form_name: str = "",
):
    """Check, act through a service, and answer: redirect on success, or the page again.

    `act(update=, expected_version=, by=, **cleaned_data)` is the service call.
    A stale version answers 409 and a refused one 400, each with what was
    typed still in the form; the service checks the rules, the view only reports.
    """
    require_reviewer(request)
    target = _started(locality, quarter)
    form = form_class(request.POST, prefix=prefix) if form_class else None
    version = _posted_version(request)
    forms_kept = {form_name: form} if form_name else {}

    if version is None:
        return _review_page(
            request, target, status=400, errors=[(anchor, OUT_OF_DATE)], **forms_kept
        )
    if form is not None and not form.is_valid():
        return _review_page(request, target, status=400, version=version, **forms_kept)
    try:
        act(
            update=target.update,
            expected_version=version,
            by=request.user,
            **(form.cleaned_data if form else {}),
        )
    except services.StaleEdit as stale:
        # Show the update as it now is; its current version lets them try again knowingly.
        fresh = _started(locality, quarter)
        return _review_page(
            request, fresh, status=409, errors=[("#history", stale.messages[0])], **forms_kept
        )
    except ValidationError as refused:
        fresh = _started(locality, quarter)
        if form is not None and hasattr(refused, "error_dict"):
            form.add_error(None, refused)
            errors = []
        else:
            errors = [(anchor, message) for message in refused.messages]
        return _review_page(
            request, fresh, status=400, errors=errors, version=version, **forms_kept
        )
    messages.success(request, done.format(update=target.update))
    return redirect(target.url("review"))


@require_POST
def approve(request, locality, quarter):
    return _decide(
        request,
        locality,
        quarter,
        anchor="#approve-button",
        act=services.approve_update,
        done="You approved the {update} update. The board now sees it.",
    )


@require_POST
def return_to_lead(request, locality, quarter):
    return _decide(
        request,
        locality,
        quarter,
        anchor=f"#id_{RETURN_PREFIX}-comments",
        act=services.return_update,
        done="You returned the {update} update to the lead with your comments.",
        form_class=ReviewCommentsForm,
        prefix=RETURN_PREFIX,
        form_name="return_form",
    )


@require_POST
def reopen(request, locality, quarter):
    return _decide(
        request,
        locality,
        quarter,
        anchor=f"#id_{REOPEN_PREFIX}-reason",
        act=services.reopen_update,
        done=(
            "You reopened the {update} update. The lead can correct it and submit it again; "
            "the update as approved stays in its history."
        ),
        form_class=ReopenForm,
        prefix=REOPEN_PREFIX,
        form_name="reopen_form",
    )
