"""What was typed before an idle session ended, back in the section's form
(updates.typed_sections, updates.views.lead): shown to its typist only, escaped,
deleted once saved or discarded."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from localities.models import Locality, Quarter
from tests.helpers import assign_lead, visible_text
from updates import typed_sections
from updates.models import QuarterlyUpdate, TypedSection

pytestmark = pytest.mark.django_db

MEDWAY_Q4 = "/updates/medway/2018-19-q4/"
SECTION = MEDWAY_Q4 + "edit/objectives/"
DISCARD = SECTION + "discard-typed/"
XSS = '<script>alert("x")</script>'


def medway_update():
    return QuarterlyUpdate.objects.get(
        locality__slug="medway", quarter__number=4, quarter__financial_year__start_year=2018
    )


def keep(user, *, section="objectives", data=None, kept_at=None):
    update = medway_update()
    return TypedSection.objects.create(
        user=user,
        locality=update.locality,
        quarter=update.quarter,
        section=section,
        data=data
        or {
            "version": [str(update.version)],
            "objective-1-rag": ["amber"],
            "objective-1-narrative": [XSS],
            "objective-1-percent_complete": ["not a number"],
        },
        kept_at=kept_at or timezone.now(),
    )


def test_the_section_opens_with_what_was_typed(client, lead_medway):
    keep(lead_medway, kept_at=timezone.now().replace(hour=10, minute=5))
    client.force_login(lead_medway)

    response = client.get(SECTION)

    assert response.status_code == 200
    page = response.text
    text = visible_text(page)
    assert "We kept what you typed before you were signed out at 10:05 — check it and save." in (
        text
    )
    assert " on " not in text.split("signed out at 10:05")[1][:5]
    # Escaped in the form, and the section's checks shown as after a failed save.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert XSS not in page
    assert "Objective 1: Enter percent complete as a whole number from 0 to 100." in text
    assert f'name="version" value="{medway_update().version}"' in page
    assert "data-session-unsaved" in page


def test_an_older_kept_copy_says_which_day(client, lead_medway):
    keep(lead_medway, kept_at=timezone.now() - datetime.timedelta(days=3))
    client.force_login(lead_medway)
    day = timezone.localtime(timezone.now() - datetime.timedelta(days=3))
    assert f"on {day:%-d %B %Y}" in visible_text(client.get(SECTION).text)


def test_a_kept_copy_is_its_typists_alone(client, lead_medway, django_user_model):
    other_lead = django_user_model.objects.create_user("lead-medway-2")
    other_lead.groups.set(lead_medway.groups.all())
    assign_lead(other_lead, "medway")
    keep(other_lead)
    client.force_login(lead_medway)

    page = client.get(SECTION).text

    assert "We kept what you typed before" not in page
    assert "data-session-unsaved" not in page
    assert "data-session-keep-url" in page  # still kept if this lead's session ends


def test_a_kept_copy_is_for_its_own_section(client, lead_medway):
    keep(lead_medway, section="summary", data={"summary-summary": ["Kept"]})
    client.force_login(lead_medway)
    assert "We kept what you typed before" not in client.get(SECTION).text
    assert "Kept</textarea>" in client.get(MEDWAY_Q4 + "edit/summary/").text


def test_saving_the_section_deletes_what_was_kept(client, lead_medway):
    keep(lead_medway, section="summary", data={"summary-summary": ["Kept"]})
    client.force_login(lead_medway)
    response = client.post(
        MEDWAY_Q4 + "edit/summary/",
        {"version": medway_update().version, "summary-summary": "Kept, then saved"},
    )
    assert response.status_code == 302
    assert not TypedSection.objects.exists()
    assert medway_update().summary == "Kept, then saved"
    history = TypedSection.history.filter(history_type="-").get()
    assert (history.history_user, history.history_change_reason) == (lead_medway, "Saved")


def test_a_failed_save_keeps_what_was_kept(client, lead_medway):
    keep(lead_medway)
    client.force_login(lead_medway)
    response = client.post(
        SECTION, {"version": medway_update().version, "objective-1-percent_complete": "lots"}
    )
    assert response.status_code == 400
    assert TypedSection.objects.count() == 1


def test_discarding_deletes_it_and_shows_the_saved_section(client, lead_medway):
    keep(lead_medway)
    client.force_login(lead_medway)

    response = client.post(DISCARD)

    assert response.status_code == 302
    assert response["Location"] == SECTION
    assert not TypedSection.objects.exists()
    page = client.get(SECTION).text
    assert "What you typed before you were signed out is discarded." in visible_text(page)
    assert XSS not in page
    history = TypedSection.history.filter(history_type="-").get()
    assert history.history_change_reason == "Discarded"


def test_discarding_nothing_says_nothing(client, lead_medway):
    client.force_login(lead_medway)
    response = client.post(DISCARD, follow=True)
    assert "discarded" not in visible_text(response.text)


def test_discarding_is_by_post_and_for_the_locality_lead_only(
    client, lead_medway, lead_thanet, board_user, office_user
):
    keep(lead_medway)
    response = client.post(DISCARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    for other in (lead_thanet, board_user, office_user):
        client.force_login(other)
        assert client.post(DISCARD).status_code == 403
    client.force_login(lead_medway)
    assert client.get(DISCARD).status_code == 405
    assert client.post(MEDWAY_Q4 + "edit/nonsense/discard-typed/").status_code == 404
    assert TypedSection.objects.count() == 1


def test_a_kept_copy_costs_the_page_one_query(client, lead_medway):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(lead_medway)
    with CaptureQueriesContext(connection) as without:
        client.get(SECTION)
    keep(lead_medway)
    with CaptureQueriesContext(connection) as with_kept:
        client.get(SECTION)
    # The lookup is made either way; binding the kept data to the forms adds none.
    assert len(with_kept) == len(without)


def test_the_service_refuses_others_and_locked_updates(lead_medway, lead_thanet):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import QueryDict

    medway = Locality.objects.get(slug="medway")
    quarter = Quarter.objects.select_related("financial_year").with_slug("2018-19-q4").get()
    with pytest.raises(PermissionDenied):
        typed_sections.keep_typed_section(
            user=lead_thanet,
            locality=medway,
            quarter=quarter,
            update=medway_update(),
            section="summary",
            data=QueryDict("summary-summary=x"),
        )
    # A return not yet started can be kept too: it is the locality and quarter that count.
    kept = typed_sections.keep_typed_section(
        user=lead_medway,
        locality=medway,
        quarter=quarter,
        update=QuarterlyUpdate(locality=medway, quarter=quarter),
        section="summary",
        data=QueryDict("summary-summary=x&csrfmiddlewaretoken=t"),
    )
    assert kept.data == {"summary-summary": ["x"]}
    submitted = medway_update()
    submitted.status = QuarterlyUpdate.Status.SUBMITTED
    with pytest.raises(ValidationError) as error:
        typed_sections.keep_typed_section(
            user=lead_medway,
            locality=medway,
            quarter=quarter,
            update=submitted,
            section="summary",
            data=QueryDict("summary-summary=y"),
        )
    assert error.value.code == "wrong_status"
    assert get_user_model().objects.filter(pk=lead_medway.pk).exists()


def test_the_update_page_lists_the_sections_with_typing_kept(
    client, lead_medway, lead_thanet, office_user
):
    keep(lead_medway, kept_at=timezone.now().replace(hour=9, minute=30))
    keep(lead_medway, section="summary", data={"summary-summary": ["Kept"]})
    client.force_login(lead_medway)

    page = client.get(MEDWAY_Q4).text

    text = visible_text(page)
    assert "We kept what you typed before you were signed out. Check it and save it in:" in text
    assert "Objectives (kept at 09:30 on " in text
    assert text.index("Objectives (kept") < text.index("Summary (kept")
    assert f'href="{SECTION}"' in page
    # Nobody else is told (the office reads the same page; another lead cannot edit it).
    for other in (office_user, lead_thanet):
        client.force_login(other)
        assert "kept-sections" not in client.get(MEDWAY_Q4).text
