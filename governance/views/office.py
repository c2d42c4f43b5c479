"""The programme office's pages: meetings, their decisions, and the actions that follow.

Thin: each checks access (governance.access), fills a form, and hands the
save to governance.services. A refused save is a 400 with every problem in an
NHS.UK error summary; an edit begun before someone else's save is a 409 with
what was typed still in the form.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from governance import selectors, services
from governance.access import require_governance_keeper
from governance.forms import ActionForm, DecisionForm, MeetingForm, StaleAwareForm
from governance.models import Action, Decision, Meeting


@require_GET
def home(request):
    require_governance_keeper(request.user)
    return render(request, "governance/home.html", {"meetings": selectors.office_meetings()})


def _put_on_form(form: StaleAwareForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        for each in errors:
            form.add_error(name if name in form.fields else None, each)


def _edit_page(
    request,
    *,
    instance,
    form_class: type[StaleAwareForm],
    what: str,
    loaded: Callable[[object], int | None],
    save: Callable[..., object],
    done: Callable[[object], str],
    extra: dict | None = None,
):
    """GET: the form; POST: save through `save`, or the form again with what was wrong."""
    require_governance_keeper(request.user)
    adding = instance.pk is None
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, instance=instance)
        if form.is_valid():
            record = form.save(commit=False)
            try:
                save(record, by=request.user, loaded=form.cleaned_data.get("loaded_version"))
            except services.StaleEdit as error:
                form.now_at(loaded(type(instance).objects.get(pk=instance.pk)))
                form.add_error(None, error)
                status = 409
            except ValidationError as error:
                _put_on_form(form, error)
                status = 400
            else:
                messages.success(request, f"The {what} is saved.")
                return redirect(done(record))
        else:
            status = 400
    else:
        form = form_class(
            instance=instance,
            initial={**request.GET.dict(), "loaded_version": None if adding else loaded(instance)},
        )
    context = {
        "form": form,
        "what": what,
        "adding": adding,
        "instance": instance,
        "stale": status == 409,
        **(extra or {}),
    }
    return render(request, "governance/edit.html", context, status=status)


def _meeting_loaded(meeting: Meeting) -> int | None:
    return services.latest_history_id(meeting)


def _save_meeting(meeting, *, by, loaded):
    return services.save_meeting(meeting=meeting, by=by, loaded_history_id=loaded)


def _save_decision(decision, *, by, loaded):
    return services.save_decision(decision=decision, by=by, loaded_history_id=loaded)


def _save_action(action, *, by, loaded):
    return services.save_action(action=action, by=by, loaded_version=loaded)


def _home(record) -> str:
    return reverse("governance:home")


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_add(request):
    return _edit_page(
        request,
        instance=Meeting(),
        form_class=MeetingForm,
        what="meeting",
        loaded=_meeting_loaded,
        save=_save_meeting,
        done=_home,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_edit(request, pk):
    require_governance_keeper(request.user)
    meeting = get_object_or_404(Meeting, pk=pk)
    return _edit_page(
        request,
        instance=meeting,
        form_class=MeetingForm,
        what="meeting",
        loaded=_meeting_loaded,
        save=_save_meeting,
        done=_home,
        extra={"history": selectors.record_history(meeting)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def decision_add(request):
    return _edit_page(
        request,
        instance=Decision(),
        form_class=DecisionForm,
        what="decision",
        loaded=_meeting_loaded,
        save=_save_decision,
        done=_home,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def decision_edit(request, pk):
    require_governance_keeper(request.user)
    decision = get_object_or_404(Decision, pk=pk)
    return _edit_page(
        request,
        instance=decision,
        form_class=DecisionForm,
        what="decision",
        loaded=_meeting_loaded,
        save=_save_decision,
        done=_home,
        extra={"history": selectors.record_history(decision)},
    )


def _action_page(action) -> str:
    return reverse("governance:action-edit", kwargs={"pk": action.pk})


@require_http_methods(["GET", "HEAD", "POST"])
def action_add(request):
    return _edit_page(
        request,
        instance=Action(),
        form_class=ActionForm,
        what="action",
        loaded=lambda action: action.version,
        save=_save_action,
        done=_action_page,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def action_edit(request, pk):
    require_governance_keeper(request.user)
    action = get_object_or_404(Action, pk=pk)
    return _edit_page(
        request,
        instance=action,
        form_class=ActionForm,
        what="action",
        loaded=lambda action: action.version,
        save=_save_action,
        done=_action_page,
        extra={"history": selectors.record_history(action)},
    )
