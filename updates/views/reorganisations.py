"""The programme office's reorganisations: the list, one with its history, and recording one.

Recording goes form → preview → record. The preview is the plan
(localities.reorganisation_services.plan_reorganisation): what ends on which
day, what starts, what became what, which leads move, and from which quarter the
pages show the new structure. Recording checks the plan is still the one
previewed (its fingerprint): if anything changed meanwhile, 409 with what was
typed kept.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms.utils import ErrorDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from governance.selectors import record_history
from localities.models import Commissioner, Locality, Quarter, Reorganisation, Succession
from localities.reorganisation_services import (
    Level,
    StalePreview,
    plan_reorganisation,
    record_reorganisation,
)
from updates.models import QuarterlyUpdate
from updates.reorganisation_forms import MAX_CHANGES, ReorganisationForm
from updates.views.common import require_reviewer

SUCCESSIONS = Prefetch(
    "successions",
    queryset=Succession.objects.select_related(
        "predecessor_locality",
        "successor_locality",
        "predecessor_sub_system",
        "successor_sub_system",
        "predecessor_commissioner",
        "successor_commissioner",
    ).order_by("id"),
)
# Not carried from the form into the preview's hidden fields.
NOT_CARRIED = {"csrfmiddlewaretoken", "action", "fingerprint"}


@require_safe
def reorganisations(request):
    require_reviewer(request)
    return render(
        request,
        "updates/reorganisations.html",
        {
            "reorganisations": Reorganisation.objects.select_related("recorded_by")
            .prefetch_related(SUCCESSIONS)
            .order_by("-effective_date", "-id"),
        },
    )


@require_safe
def reorganisation(request, reorganisation):
    require_reviewer(request)
    event = get_object_or_404(
        Reorganisation.objects.select_related("recorded_by").prefetch_related(SUCCESSIONS),
        pk=reorganisation,
    )
    return render(
        request,
        "updates/reorganisation.html",
        {
            "event": event,
            "ended_on": event.effective_date - datetime.timedelta(days=1),
            "history": record_history(event),
        },
    )


def _form_page(request, form, *, status=200, stale=False):
    return render(
        request,
        "updates/reorganisation_record.html",
        {"form": form, "stale": stale, "can_add": form.change_count < MAX_CHANGES},
        status=status,
    )


def _without_errors(form: ReorganisationForm) -> ReorganisationForm:
    """Shown again as typed, not yet checked (adding a change, changing the preview)."""
    form._errors = ErrorDict()
    return form


@require_http_methods(["GET", "HEAD", "POST"])
def record(request):
    require_reviewer(request)
    if request.method != "POST":
        return _form_page(request, ReorganisationForm(change_count=1))
    action = request.POST.get("action", "preview")
    if action == "add":
        form = ReorganisationForm(request.POST)
        count = min(form.change_count + 1, MAX_CHANGES)
        data = request.POST.copy()
        data["change_count"] = count
        return _form_page(request, _without_errors(ReorganisationForm(data, change_count=count)))
    form = ReorganisationForm(request.POST)
    if action == "edit":
        return _form_page(request, _without_errors(form))
    if not form.is_valid():
        return _form_page(request, form, status=400)
    if action == "record":
        return _record(request, form)
    try:
        plan = plan_reorganisation(**form.reorganisation())
    except ValidationError as error:
        form.put(error)
        return _form_page(request, form, status=400)
    return _preview_page(request, form, plan)


def _record(request, form):
    fingerprint = form.cleaned_data["fingerprint"]
    if not fingerprint:
        form.add_error(None, "Preview the reorganisation before recording it.")
        return _form_page(request, form, status=400)
    try:
        event = record_reorganisation(
            by=request.user, expected_fingerprint=fingerprint, **form.reorganisation()
        )
    except StalePreview as error:
        form.add_error(None, error)
        return _form_page(request, form, status=409, stale=True)
    except ValidationError as error:
        form.put(error)
        return _form_page(request, form, status=400)
    messages.success(
        request,
        f"The reorganisation is recorded: the new structure shows on pages as at quarters "
        f"ending on or after {event.effective_date:%-d %B %Y}.",
    )
    return redirect("updates:reorganisation", reorganisation=event.pk)


def _preview_page(request, form, plan):
    first_quarter = (
        Quarter.objects.select_related("financial_year")
        .filter(end_date__gte=plan.effective_date)
        .order_by("end_date")
        .first()
    )
    ending_localities = [row.pk for level, row in plan.ends if level == Level.LOCALITY]
    later_returns = (
        QuarterlyUpdate.objects.approved()
        .filter(locality__in=ending_localities, quarter__end_date__gte=plan.effective_date)
        .count()
        if ending_localities
        else 0
    )
    carried = [
        (name, value)
        for name in request.POST
        if name not in NOT_CARRIED
        for value in request.POST.getlist(name)
    ]
    words = {
        Level.COMMISSIONER: "Commissioner",
        Level.SUB_SYSTEM: "Sub-system",
        Level.LOCALITY: "Locality",
    }
    kinds = dict(Succession.Kind.choices)
    new_kinds = {**dict(Locality.Kind.choices), **dict(Commissioner.Kind.choices)}
    return render(
        request,
        "updates/reorganisation_preview.html",
        {
            "form": form,
            "plan": plan,
            "carried": carried,
            "fingerprint": plan.fingerprint,
            "first_quarter": first_quarter,
            "later_returns": later_returns,
            "ends": [(words[level], row.name) for level, row in plan.ends],
            "starts": [
                (
                    words[level],
                    new.name,
                    new_kinds.get(new.kind, ""),
                    new.sub_system if level == Level.LOCALITY else "",
                    ", ".join(plan.commissioner_areas.get(new.name, [])),
                )
                for level, new in plan.starts
            ],
            "lines": [
                (words[level], str(before), kinds[kind].lower(), str(after))
                for level, before, kind, after in plan.lines
            ],
            "lead_moves": [
                (
                    move.assignment.user.get_full_name() or move.assignment.user.get_username(),
                    move.assignment.locality.name,
                    ", ".join(move.to),
                )
                for move in plan.lead_moves
            ],
        },
    )
