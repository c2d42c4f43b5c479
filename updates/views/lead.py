"""A locality lead's pages: My localities, the update in sections, submit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from governance.selectors import actions_for_localities
from localities import access
from updates import carry, comment_selectors, comment_services, selectors, services, typed_sections
from updates.forms import SECTION_CLASSES, SectionContext, build_section
from updates.models import RETURN_COMMENT_MAX_LENGTH
from updates.views.common import UpdateTarget, find_update, require_can_edit, require_can_read

SECTION_ORDER = [slug for slug, _ in services.SECTIONS]
# The sections a lead fills in, in order ("Save and go to the next section" skips the rest).
ENTERED_SECTIONS = [slug for slug in SECTION_ORDER if not SECTION_CLASSES[slug].read_only]


def _status_context(target: UpdateTarget, user) -> dict:
    update = target.update
    is_editable = update.status in services.EDITABLE_STATUSES
    return {
        "target": target,
        "update": update,
        "status_label": selectors.return_status_label(update if target.is_started else None),
        "can_edit": is_editable
        and access.can_work_on_return(user, target.locality, target.quarter),
        "is_editable": is_editable,
        "can_review": target.is_started and access.can_review_updates(user),
        "sections": services.SECTIONS,
    }


@require_http_methods(["GET"])
def my_localities(request):
    if not access.is_locality_lead(request.user):
        raise access.refuse(
            "the My localities page (locality leads only)",
            message="My localities is for locality leads.",
        )
    today = timezone.localdate()
    rows = selectors.lead_returns(user=request.user, today=today)
    return render(
        request,
        "updates/my_localities.html",
        {
            "rows": rows,
            # The board's actions that concern each locality, with their status today.
            "board_actions": actions_for_localities(
                localities=[row.locality for row in rows], day=today
            ),
        },
    )


@require_http_methods(["GET"])
def update_detail(request, locality, quarter):
    target = find_update(locality, quarter)
    require_can_read(request, target)
    return _update_page(request, target)


def _update_page(request, target, *, status=200, problems=()):
    context = _status_context(target, request.user)
    section_context = SectionContext(
        locality=target.locality, quarter=target.quarter, update=target.update
    )
    context["section_views"] = [
        build_section(slug, update=target.update, context=section_context) for slug in SECTION_ORDER
    ]
    if context["is_editable"]:
        # Where each section stands against the last approved return (issue 16).
        standings = carry.standings(update=target.update, context=section_context)
        for section in context["section_views"]:
            section.standing = standing = standings[section.slug]
            if section.slug in carry.ROWS_CONFIRMED_ONE_BY_ONE:
                for form in section.forms:
                    form.row_state = carry.RowStanding(standing.rows[form.subject.pk])
                    form.can_carry = form.subject.pk in standing.to_carry
        context["can_confirm_any"] = any(s.can_confirm for s in standings.values())
    threads = comment_selectors.comment_threads(target.update)
    comment_services.mark_replies(threads.threads, target.update, request.user)
    timeline = selectors.update_timeline(target.update) if target.is_started else []
    context.update(
        timeline=comment_selectors.timeline_with_comments(timeline, threads),
        comment_threads=threads,
        can_reply=any(thread.takes_reply for thread in threads.threads),
        comment_max_length=RETURN_COMMENT_MAX_LENGTH,
        problems=problems,
        # Typing kept when the lead's session ended: said here too, not only in its section.
        kept_sections=typed_sections.typed_sections_for(
            user=request.user, locality=target.locality, quarter=target.quarter
        )
        if context["can_edit"]
        else [],
    )
    return render(request, "updates/update_detail.html", context, status=status)


def _confirmed_message(target, sections, done) -> str:
    if len(sections) > 1:
        return (
            f"Every section still to do is confirmed as no change since last quarter "
            f"({done.carried} answer{'s' if done.carried != 1 else ''} carried forward)."
        )
    heading = services.SECTION_HEADINGS[sections[0]]
    return f"{heading}: confirmed, no change since last quarter."


@require_http_methods(["POST"])
def confirm_unchanged(request, locality, quarter):
    """ "No change since last quarter" for a section, one of its rows, or every section."""
    target = find_update(locality, quarter)
    require_can_edit(request, target)
    section = request.POST.get("section", "")
    sections = SECTION_ORDER if section == "all" else [section]
    if target.update.status not in services.EDITABLE_STATUSES:
        return _update_page(
            request, target, status=409, problems=[selectors.why_locked(target.update)]
        )
    try:
        row = int(request.POST["row"]) if request.POST.get("row") else None
        expected_version = int(request.POST.get("version", ""))
    except ValueError:
        return _update_page(
            request, target, status=400, problems=["That row is not part of this section."]
        )
    try:
        done = services.confirm_unchanged(
            locality=target.locality,
            quarter=target.quarter,
            sections=sections,
            row=row,
            expected_version=expected_version,
            by=request.user,
        )
    except services.StaleEdit as stale:
        return _update_page(request, target, status=409, problems=stale.messages)
    except ValidationError as error:
        if getattr(error, "code", None) == "wrong_status":
            target = find_update(locality, quarter)
            return _update_page(
                request, target, status=409, problems=[selectors.why_locked(target.update)]
            )
        return _update_page(request, target, status=400, problems=error.messages)
    messages.success(request, _confirmed_message(target, sections, done))
    if done.still_to_answer:
        messages.warning(
            request,
            "Still to answer, with no earlier value to carry forward: "
            + " ".join(done.still_to_answer),
        )
    # The top of the update page, where the success banner takes the focus (WCAG 4.1.3).
    return redirect(target.url("detail"))


def _locked_page(request, target, section_slug):
    """409: the update was submitted or approved while this section was being typed.

    Nothing is saved, and what was typed comes back in the form (from the POST,
    never kept anywhere else) so that it can be copied.
    """
    section = build_section(section_slug, update=target.update, data=request.POST)
    return _section_page(
        request,
        target,
        section,
        status=409,
        problem=selectors.why_locked(target.update),
        locked=True,
    )


def _section_page(request, target, section, *, status=200, problem="", locked=False, kept=None):
    context = _status_context(target, request.user)
    # A returned update's lead answers, beside its row, the threads the return closed.
    threads = comment_selectors.comment_threads(target.update)
    comment_services.mark_replies(threads.threads, target.update, request.user)
    position = ENTERED_SECTIONS.index(section.slug)
    context.update(
        section=section,
        # A locked update's form only gives back what was typed: no checks to fix.
        errors=section.errors() if section.data is not None and not locked else [],
        problem=problem,
        locked=locked,
        # After a stale save the form carries the version now saved, so that saving
        # again, having seen the message, replaces it; after invalid input it keeps
        # the version the page was loaded with, so a stale edit is still caught.
        version=_version_typed_against(request, target, status, kept),
        kept=kept,
        kept_today=kept is not None and timezone.localdate(kept.kept_at) == timezone.localdate(),
        # The idle timer sends this form to keep what was typed (accounts.session_views),
        # only where there is something to keep; `unsaved` when the form shows more than
        # what is saved (after an error, or kept), so that it counts as typed.
        keeps_typing=not locked,
        unsaved=section.data is not None,
        next_section=ENTERED_SECTIONS[position + 1]
        if position + 1 < len(ENTERED_SECTIONS)
        else None,
        comment_threads=threads,
        comment_max_length=RETURN_COMMENT_MAX_LENGTH,
    )
    return render(request, "updates/edit_section.html", context, status=status)


def _version_typed_against(request, target, status, kept) -> int | str:
    if kept is not None:
        # What was kept was typed against this version: a save still catches a stale edit.
        return kept.data.get("version", [target.update.version])[0]
    if status == 400:
        return request.POST.get("version", target.update.version)
    return target.update.version


@require_http_methods(["GET", "POST"])
def edit_section(request, locality, quarter, section):
    if section not in SECTION_CLASSES:
        raise Http404("No such section")
    target = find_update(locality, quarter)
    require_can_edit(request, target)
    if SECTION_CLASSES[section].read_only:
        # Shown on the update page, never entered (the outcomes: decision 0019).
        messages.info(
            request,
            f"{SECTION_CLASSES[section].heading}: nothing to enter. The figures come from the "
            "monthly data warehouse extract the programme office loads.",
        )
        return redirect(target.url("detail") + f"#section-{section}")
    if target.update.status not in services.EDITABLE_STATUSES:
        # Locked: submitted or approved. Reading stays possible on the update page.
        if request.method == "POST":
            return _locked_page(request, target, section)
        messages.info(
            request,
            f"The update is {target.update.get_status_display().lower()}, so it cannot be changed.",
        )
        return redirect(target.url("detail"))

    if request.method == "GET":
        kept = typed_sections.typed_section_for(
            user=request.user, locality=target.locality, quarter=target.quarter, section=section
        )
        if kept is not None:
            # What was typed before the session ended, in the form as typed (with
            # the section's checks shown, as after a save that failed them).
            restored = build_section(
                section, update=target.update, data=typed_sections.as_post(kept)
            )
            return _section_page(request, target, restored, kept=kept)
        return _section_page(request, target, build_section(section, update=target.update))

    form_section = build_section(section, update=target.update, data=request.POST)
    if not form_section.is_valid():
        return _section_page(request, target, form_section, status=400)
    try:
        expected_version = int(request.POST.get("version", ""))
    except ValueError:
        expected_version = -1  # a missing version can only be stale
    try:
        services.save_draft(
            locality=target.locality,
            quarter=target.quarter,
            sections={section: form_section.cleaned()},
            expected_version=expected_version,
            by=request.user,
        )
    except services.StaleEdit as stale:
        return _section_page(request, target, form_section, status=409, problem=stale.messages[0])
    except ValidationError as error:
        if getattr(error, "code", None) == "wrong_status":
            # Submitted or approved between the check above and the save's lock.
            return _locked_page(request, find_update(locality, quarter), section)
        return _section_page(request, target, form_section, status=400, problem=error.messages[0])
    typed_sections.discard_typed_section(
        user=request.user,
        locality=target.locality,
        quarter=target.quarter,
        section=section,
        reason="Saved",
    )
    messages.success(request, f"{form_section.heading} saved as a draft.")
    next_section = request.POST.get("next_section")
    if "save_and_continue" in request.POST and next_section in SECTION_CLASSES:
        return redirect(target.url("edit-section", section=next_section))
    # To the top of the update, not to #section-…: a fragment scrolls the success banner
    # out of sight and the browser leaves the focus on the body, so keyboard and screen
    # reader users hear nothing (WCAG 4.1.3). At the top, NHS.UK frontend focuses the
    # banner (role="alert"), as after submit and "Save and continue".
    return redirect(target.url("detail"))


@require_http_methods(["POST"])
def discard_typed(request, locality, quarter, section):
    """The lead does not want back what they typed before they were signed out."""
    if section not in SECTION_CLASSES:
        raise Http404("No such section")
    target = find_update(locality, quarter)
    require_can_edit(request, target)
    if SECTION_CLASSES[section].read_only:
        # Shown on the update page, never entered (the outcomes: decision 0019).
        messages.info(
            request,
            f"{SECTION_CLASSES[section].heading}: nothing to enter. The figures come from the "
            "monthly data warehouse extract the programme office loads.",
        )
        return redirect(target.url("detail") + f"#section-{section}")
    if typed_sections.discard_typed_section(
        user=request.user,
        locality=target.locality,
        quarter=target.quarter,
        section=section,
        reason="Discarded",
    ):
        messages.success(request, "What you typed before you were signed out is discarded.")
    return redirect(target.url("edit-section", section=section))


@require_http_methods(["GET", "POST"])
def submit(request, locality, quarter):
    target = find_update(locality, quarter)
    require_can_edit(request, target)
    if not target.is_started:
        raise Http404("Nothing to submit yet")
    context = _status_context(target, request.user)
    if not context["is_editable"]:
        messages.info(
            request,
            f"The update is {target.update.get_status_display().lower()} already.",
        )
        return redirect(target.url("detail"))
    problems = services.submission_problems(target.update)
    context["problems"] = problems
    if request.method == "GET":
        return render(request, "updates/submit.html", context)
    try:
        services.submit_update(
            update=target.update,
            expected_version=int(request.POST.get("version") or -1),
            by=request.user,
        )
    except services.StaleEdit as stale:
        context["problem"] = stale.messages[0]
        return render(request, "updates/submit.html", context, status=409)
    except ValidationError:
        return render(request, "updates/submit.html", context, status=400)
    messages.success(
        request,
        f"{target.locality}'s {target.quarter} update is submitted to the programme office.",
    )
    return redirect(target.url("detail"))
