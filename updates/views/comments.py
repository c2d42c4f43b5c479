"""The conversation on a return: the programme office comments, the lead and the office reply.

Each action answers with a redirect back to the thread; refused input comes
back on a page of its own with the error summary and what was typed.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from localities import access
from updates import comment_services
from updates.comment_forms import ReplyForm, ReturnCommentForm
from updates.comment_selectors import comment_rows
from updates.models import RETURN_COMMENT_MAX_LENGTH, ReturnComment
from updates.services import SECTION_HEADINGS
from updates.views.common import UpdateTarget, find_update, require_reviewer


def _started(locality: str, quarter: str) -> UpdateTarget:
    target = find_update(locality, quarter)
    if not target.is_started:
        raise Http404("This locality has not started its update for that quarter")
    return target


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


def _errors(form) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary: each field's message linked to its input."""
    anchors = {"text": "#comment-text", "row": "#comment-row"}
    return [
        (anchors.get(name, "#comment-text"), message)
        for name, messages_ in form.errors.items()
        for message in messages_
    ]


@require_POST
def add(request, locality, quarter):
    require_reviewer(request)
    target = _started(locality, quarter)
    form = ReturnCommentForm(request.POST)
    if form.is_valid():
        section = form.cleaned_data["section"]
        try:
            comment_services.add_comment(
                update=target.update,
                section=section,
                row_key=form.cleaned_data["row"],
                text=form.cleaned_data["text"],
                by=request.user,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, f"Your comment on {SECTION_HEADINGS[section]} is posted.")
            return redirect(target.url("review") + f"#comments-{section}")
    section = request.POST.get("section", "")
    rows = comment_rows(target.update).get(section, {}) if section in SECTION_HEADINGS else {}
    return render(
        request,
        "updates/comment.html",
        {
            "target": target,
            "form": form,
            "heading": f"Comment on {SECTION_HEADINGS.get(section, 'the update')}",
            "section": section if section in SECTION_HEADINGS else "",
            "rows": rows,
            "errors": _errors(form),
            "back_url": target.url("review"),
            "back_label": f"Back to the review of the {target.quarter.label} update",
            "action_url": target.url("comment"),
            "comment_max_length": RETURN_COMMENT_MAX_LENGTH,
        },
        status=400,
    )


@require_POST
def reply(request, locality, quarter, comment):
    target = _started(locality, quarter)
    # Who may reply is asked before which comment: a refusal says nothing of what exists.
    comment_services.require_can_reply(target.update, request.user)
    first = get_object_or_404(
        ReturnComment.objects.select_related("author", "parent"),
        pk=comment,
        update_id=target.update.pk,
    )
    first.update = target.update
    form = ReplyForm(request.POST)
    back = "review" if access.can_review_updates(request.user) else "detail"
    if form.is_valid():
        try:
            answer = comment_services.reply(
                comment=first, text=form.cleaned_data["text"], by=request.user
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Your reply is posted.")
            section = request.POST.get("back_to", "")
            if back == "detail" and section == answer.section and section in SECTION_HEADINGS:
                # Replied beside the row on a section page: back to where they were.
                return redirect(
                    target.url("edit-section", section=section) + f"#comment-{answer.parent_id}"
                )
            return redirect(target.url(back) + f"#comment-{answer.parent_id}")
    thread_start = first.parent or first
    return render(
        request,
        "updates/comment.html",
        {
            "target": target,
            "form": form,
            "heading": "Reply to a comment",
            "replying_to": thread_start,
            "errors": _errors(form),
            "back_url": target.url(back),
            "back_label": f"Back to the review of the {target.quarter.label} update"
            if back == "review"
            else f"Back to the {target.quarter.label} update",
            "action_url": target.url("reply", comment=thread_start.pk),
            "comment_max_length": RETURN_COMMENT_MAX_LENGTH,
        },
        status=400,
    )
