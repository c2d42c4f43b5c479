"""E-mails about returns, once each: queued with the event, sent after the commit,
retried from the outbox by `send_outbox`, and shown to the office on the review page.

The illustrative data's 2018/19 Q4: Thanet submitted, Swale returned, Medway a
draft, Ashford (and four others) approved.
"""

import io
import smtplib
import threading

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from localities import access
from localities.models import Locality
from tests import factories
from tests.helpers import assign_lead, visible_text
from tests.updates.update_data import q4_2018_19, save_complete_update
from updates import outbox, services
from updates.models import OutboxMessage, QuarterlyUpdate

Kind = OutboxMessage.Kind
PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def person(django_user_model, username, group, *localities, email=None, active=True):
    user = django_user_model.objects.create_user(
        username=username,
        first_name=username.split("-")[0].title(),
        last_name="Example",
        email=f"{username}@example.nhs.uk" if email is None else email,
        password="x" * 16,
        is_active=active,
    )
    user.groups.add(Group.objects.get(name=group))
    for slug in localities:
        assign_lead(user, slug)
    return user


@pytest.fixture
def people(programme_data, django_user_model):
    lead, office = access.LOCALITY_LEAD, access.PROGRAMME_OFFICE
    return {
        "office": person(django_user_model, "office-one", office),
        "office-2": person(django_user_model, "office-two", office),
        "office-no-email": person(django_user_model, "office-blank", office, email=""),
        "office-gone": person(django_user_model, "office-gone", office, active=False),
        "office-typo": person(django_user_model, "office-typo", office, email="office at nhs"),
        "thanet": person(django_user_model, "thanet-lead", lead, "thanet"),
        "thanet-2": person(django_user_model, "thanet-deputy", lead, "thanet"),
        "thanet-gone": person(django_user_model, "thanet-gone", lead, "thanet", active=False),
        "medway": person(django_user_model, "medway-lead", lead, "medway"),
        "ashford": person(django_user_model, "ashford-lead", lead, "ashford"),
    }


def q4(slug: str) -> QuarterlyUpdate:
    return QuarterlyUpdate.objects.select_related("locality", "quarter__financial_year").get(
        locality__slug=slug, quarter=q4_2018_19()
    )


def sent_to() -> dict[str, str]:
    """Address → subject of every e-mail sent; each address once."""
    result = {}
    for message in mail.outbox:
        [address] = message.to
        assert address not in result, f"{address} was e-mailed twice"
        result[address] = message.subject
    return result


def run_send_outbox(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("send_outbox", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class FailingBackend(EmailBackend):
    """A mail server that refuses every message (a real backend, not a mock)."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class UnreachableBackend(EmailBackend):
    """A mail server that cannot be reached at all."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


def return_thanet(people, comments="Please check the spend against the plan."):
    update = q4("thanet")
    return services.return_update(
        update=update, comments=comments, expected_version=update.version, by=people["office"]
    )


def approve_thanet(people):
    update = q4("thanet")
    return services.approve_update(
        update=update, expected_version=update.version, by=people["office"]
    )


# --- Each event tells the right people -------------------------------------------------


def test_a_submission_tells_the_programme_office(
    people, settings, django_capture_on_commit_callbacks, caplog
):
    settings.SITE_URL = "https://localcare.example.nhs.uk/"
    save_complete_update(q4("medway").locality, q4_2018_19(), people["medway"])
    update = q4("medway")

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_update(update=update, expected_version=update.version, by=people["medway"])

    assert sent_to() == {
        "office-one@example.nhs.uk": "Medway 2018/19 Q4 update: submitted for review",
        "office-two@example.nhs.uk": "Medway 2018/19 Q4 update: submitted for review",
    }
    body = mail.outbox[0].body
    assert body.startswith("Dear Office Example,\n")
    assert "Medway Example submitted the Medway quarterly update for 2018/19 Q4 on " in body
    assert "https://localcare.example.nhs.uk/updates/medway/2018-19-q4/review/" in body
    assert mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL
    messages = OutboxMessage.objects.order_by("to_address")
    assert [(m.kind, m.recipient, m.triggered_by, m.update) for m in messages] == [
        (Kind.SUBMITTED, people["office"], people["medway"], update),
        (Kind.SUBMITTED, people["office-2"], people["medway"], update),
    ]
    assert all(m.sent_at and m.attempts == 1 for m in messages)
    # Without an address, inactive, or a malformed address (logged): not e-mailed, not refused.
    assert "Not e-mailing office-typo: 'office at nhs' is not an e-mail address" in caplog.text


def test_a_return_tells_the_leads_of_that_locality_only_with_the_comments(
    people, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://localcare.example.nhs.uk"
    comments = f"Spend is 20% over plan: explain it. {PAYLOAD}"

    with django_capture_on_commit_callbacks(execute=True):
        return_thanet(people, comments)

    assert sent_to() == {
        "thanet-lead@example.nhs.uk": "Thanet 2018/19 Q4 update: returned with comments",
        "thanet-deputy@example.nhs.uk": "Thanet 2018/19 Q4 update: returned with comments",
    }
    body = mail.outbox[0].body
    assert "Office Example of the programme office returned the Thanet quarterly update" in body
    # Plain text: the comments as typed, never in the subject.
    assert f"Comments from the programme office:\n{comments}\n" in body
    assert "Open the update: https://localcare.example.nhs.uk/updates/thanet/2018-19-q4/" in body
    assert "you are a locality lead for Thanet" in body
    assert {m.kind for m in OutboxMessage.objects.all()} == {Kind.RETURNED}


def test_an_approval_tells_the_leads(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        approve_thanet(people)

    assert sent_to() == {
        "thanet-lead@example.nhs.uk": "Thanet 2018/19 Q4 update: approved",
        "thanet-deputy@example.nhs.uk": "Thanet 2018/19 Q4 update: approved",
    }
    assert "The board now sees it." in mail.outbox[0].body
    assert "Comments from the programme office" not in mail.outbox[0].body


def test_reopening_tells_the_leads_why(people, django_capture_on_commit_callbacks):
    update = q4("ashford")

    with django_capture_on_commit_callbacks(execute=True):
        services.reopen_update(
            update=update,
            reason="The MDT go-live date is a month early.",
            expected_version=update.version,
            by=people["office"],
        )

    assert sent_to() == {
        "ashford-lead@example.nhs.uk": "Ashford 2018/19 Q4 update: reopened for correction"
    }
    body = mail.outbox[0].body
    assert "reopened the Ashford quarterly update for 2018/19 Q4 for correction" in body
    assert f"{services.REOPEN_PREFIX}The MDT go-live date is a month early." in body
    [message] = OutboxMessage.objects.all()
    assert message.kind == Kind.RETURNED


def test_nothing_is_sent_before_the_commit(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        return_thanet(people)

    # Queued with the return, in its transaction; one send for all of them, after it.
    assert OutboxMessage.objects.unsent().count() == 2
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()
    assert len(mail.outbox) == 2
    assert OutboxMessage.objects.unsent().count() == 0


def test_an_event_that_rolls_back_leaves_no_message(people, django_capture_on_commit_callbacks):
    queued = []

    @transaction.atomic
    def approve_then_fail():
        approve_thanet(people)
        queued.append(OutboxMessage.objects.count())
        raise RuntimeError("something after the approval failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        approve_then_fail()

    assert queued == [2]
    assert OutboxMessage.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []
    assert q4("thanet").status == QuarterlyUpdate.Status.SUBMITTED


def test_a_refused_event_queues_nothing(people):
    update = q4("medway")  # a draft: nothing to approve

    with pytest.raises(Exception, match="cannot be approved"):
        services.approve_update(update=update, expected_version=update.version, by=people["office"])

    assert OutboxMessage.objects.count() == 0


def test_the_same_event_cannot_queue_twice(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        update = return_thanet(people)
        again = outbox.notify(outbox.Event.RETURNED, update=update, by=people["office"])

    assert again == []
    assert OutboxMessage.objects.count() == 2
    assert len(mail.outbox) == 2


def test_the_database_refuses_a_second_message_with_the_same_key(people):
    fields = {
        "key": "returned:update-1:v2:user-1",
        "kind": Kind.RETURNED,
        "locality": Locality.objects.get(slug="thanet"),
        "quarter": q4_2018_19(),
        "to_address": "someone@example.nhs.uk",
        "subject": "Subject",
        "body": "Body",
    }
    OutboxMessage.objects.create(**fields)

    with pytest.raises(IntegrityError, match="outbox_one_message_per_key"):
        OutboxMessage.objects.create(**fields)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"sent_at": timezone.now, "attempts": 0}, "outbox_sent_after_an_attempt"),
        ({"kind": "gossip"}, "outbox_kind_valid"),
    ],
)
def test_the_database_refuses_an_impossible_message(people, fields, constraint):
    values = {name: value() if callable(value) else value for name, value in fields.items()}
    with pytest.raises(IntegrityError, match=constraint):
        OutboxMessage.objects.create(
            key="k",
            kind=values.pop("kind", Kind.APPROVED),
            locality=Locality.objects.get(slug="thanet"),
            quarter=q4_2018_19(),
            to_address="someone@example.nhs.uk",
            subject="Subject",
            body="Body",
            **values,
        )


# --- Sending: once, and again until it goes ------------------------------------------


def test_a_re_run_sends_nothing_twice(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return_thanet(people)
    assert len(mail.outbox) == 2

    out, err = run_send_outbox()
    out_again, _ = run_send_outbox()

    assert len(mail.outbox) == 2
    assert "0 sent, 0 failed, 0 being sent by another run; 0 waiting in the outbox." in out
    assert "0 sent" in out_again
    assert err == ""


def test_a_failed_send_stays_in_the_outbox_and_the_next_run_sends_it(
    people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        return_thanet(people)  # the page still answers: the failure is recorded, not raised

    assert mail.outbox == []
    messages = list(OutboxMessage.objects.order_by("to_address"))
    assert [(m.sent_at, m.attempts) for m in messages] == [(None, 1), (None, 1)]
    assert messages[0].last_error == ("SMTPServerDisconnected: Connection unexpectedly closed")

    out, err = run_send_outbox()  # the server is still refusing
    assert "0 sent, 2 failed" in out
    assert "Not sent to thanet-deputy@example.nhs.uk (attempt 2): SMTPServerDisconnected" in err

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out, _ = run_send_outbox()

    assert "2 sent, 0 failed" in out
    assert (
        "Sent to thanet-lead@example.nhs.uk: Thanet 2018/19 Q4 update: returned with comments"
        in out
    )
    assert set(sent_to()) == {"thanet-lead@example.nhs.uk", "thanet-deputy@example.nhs.uk"}
    for message in OutboxMessage.objects.all():
        assert (message.attempts, message.last_error) == (3, "")
        assert message.sent_at is not None

    run_send_outbox()
    assert len(mail.outbox) == 2


def test_an_unreachable_server_is_tried_once_per_run_and_recorded_on_every_message(
    people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableBackend"
    with django_capture_on_commit_callbacks(execute=True):
        return_thanet(people)

    assert {(m.attempts, m.last_error) for m in OutboxMessage.objects.all()} == {
        (1, "ConnectionRefusedError: [Errno 111] Connection refused")
    }


def test_send_outbox_sends_the_oldest_first_up_to_a_limit(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        return_thanet(people)

    out, _ = run_send_outbox("--limit", "1")

    assert "1 sent, 0 failed, 0 being sent by another run; 1 waiting in the outbox." in out
    with pytest.raises(CommandError, match="--limit must be 1 or more"):
        run_send_outbox("--limit", "0")


def test_the_sender_claims_rows_skipping_those_another_sender_holds(people):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        list(OutboxMessage.objects.unsent().for_update())

    [claim] = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    if connection.vendor == "postgresql":
        assert claim.endswith("FOR UPDATE SKIP LOCKED")


@pytest.mark.django_db(transaction=True)
def test_a_message_another_run_is_sending_is_not_sent_again():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: it serialises writers instead")
    thanet = factories.locality("Thanet")
    quarter = factories.quarter(factories.financial_year(2018), 4)
    message = OutboxMessage.objects.create(
        key="reminder:thanet:2018-19-q4:2019-04-15:user-1",
        kind=Kind.REMINDER,
        locality=thanet,
        quarter=quarter,
        to_address="thanet-lead@example.nhs.uk",
        subject="Thanet 2018/19 Q4 update: due 21 Apr 2019",
        body="Body",
    )
    locked, release = threading.Event(), threading.Event()

    def other_run():
        # Another cron run, holding the row while its mail server is slow.
        try:
            with transaction.atomic():
                OutboxMessage.objects.unsent().for_update().get(pk=message.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert locked.wait(10)
        report = outbox.send_queued()
    finally:
        release.set()
        thread.join()

    assert (report.sent, report.failed, report.skipped) == ([], [], 1)
    assert mail.outbox == []


# --- The review page -------------------------------------------------------------------


def review_url(slug="thanet"):
    return reverse("updates:review", kwargs={"locality": slug, "quarter": "2018-19-q4"})


def test_the_office_sees_what_was_sent_and_what_is_not_sent_yet(
    client, people, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        return_thanet(people)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    deputy = OutboxMessage.objects.get(recipient=people["thanet-2"])
    OutboxMessage.objects.filter(pk=deputy.pk).update(sent_at=None, attempts=0)
    outbox.send_queued()
    client.force_login(people["office"])

    response = client.get(review_url())

    assert response.status_code == 200
    text = visible_text(response.content.decode())
    section = text[text.index("Messages sent E-mails about this return") :]
    assert (
        "Thanet Example thanet-lead@example.nhs.uk Thanet 2018/19 Q4 update: returned with comments"
        in section
    )
    assert "Thanet Example thanet-deputy@example.nhs.uk" in section
    assert (
        "Not sent yet 1 attempt so far; it is tried again every few minutes. Last error: SMTPServerDisconnected: Connection unexpectedly closed"
        in section
    )
    assert section.count("Not sent yet") == 1


def test_the_review_page_says_when_nothing_has_been_sent(client, people):
    client.force_login(people["office"])

    response = client.get(review_url())

    assert "No e-mails have been sent about this return yet." in response.content.decode()


def test_the_review_page_escapes_what_it_shows(client, people):
    OutboxMessage.objects.create(
        key="k",
        kind=Kind.RETURNED,
        locality=Locality.objects.get(slug="thanet"),
        quarter=q4_2018_19(),
        to_address="lead@example.nhs.uk",
        subject=PAYLOAD,
        body="Body",
        attempts=1,
        last_error=PAYLOAD,
    )
    client.force_login(people["office"])

    html = client.get(review_url()).content.decode()

    assert PAYLOAD not in html
    assert html.count(ESCAPED) == 2


def test_the_review_page_costs_the_same_queries_for_one_message_or_many(
    client, people, django_user_model
):
    client.force_login(people["office"])
    with transaction.atomic():
        return_thanet(people)
    url = review_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for number in range(20):
        recipient = person(django_user_model, f"extra-{number}", access.LOCALITY_LEAD, "thanet")
        outbox.queue(
            key=f"extra:{number}",
            kind=Kind.REMINDER,
            locality=Locality.objects.get(slug="thanet"),
            quarter=q4_2018_19(),
            recipient=recipient,
            subject="Reminder",
            body="Body",
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.content.decode().count('data-testid="message-row"') == 22
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["thanet", "medway"])
def test_a_lead_never_sees_the_messages_or_other_peoples_addresses(
    client, people, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        return_thanet(people)
    client.force_login(people[role])

    detail = client.get(
        reverse("updates:detail", kwargs={"locality": "thanet", "quarter": "2018-19-q4"})
    )
    review = client.get(review_url())

    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Messages sent" not in html
    assert "@example.nhs.uk" not in html
    assert review.status_code == 403


def test_the_board_and_visitors_cannot_see_the_messages(client, people, board_user):
    response = client.get(review_url())
    assert response.status_code == 302

    client.force_login(board_user)
    assert client.get(review_url()).status_code == 403


# --- Admin: read-only, the programme office only ----------------------------------------


def test_the_office_reads_the_outbox_in_admin_and_cannot_change_it(
    client, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        return_thanet(people)
    office = people["office"]
    office.is_staff = True
    office.save()
    client.force_login(office)
    message = OutboxMessage.objects.first()

    changelist = client.get(reverse("admin:updates_outboxmessage_changelist") + "?sent=yes")
    unsent = client.get(reverse("admin:updates_outboxmessage_changelist") + "?sent=no")
    change = client.get(reverse("admin:updates_outboxmessage_change", args=[message.pk]))
    add = client.get(reverse("admin:updates_outboxmessage_add"))
    post = client.post(
        reverse("admin:updates_outboxmessage_change", args=[message.pk]), {"subject": "Changed"}
    )

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 2
    assert unsent.context["cl"].result_count == 0
    assert change.status_code == 200
    assert add.status_code == 403
    assert post.status_code == 403
    message.refresh_from_db()
    assert message.subject == "Thanet 2018/19 Q4 update: returned with comments"


def test_a_lead_made_staff_cannot_read_the_outbox_in_admin(client, people):
    lead = people["thanet"]
    lead.is_staff = True
    lead.save()
    client.force_login(lead)

    response = client.get(reverse("admin:updates_outboxmessage_changelist"))

    assert response.status_code == 403


# --- Through the pages: the e-mails follow the click, and a refused one is no error ---


def test_the_office_returning_on_the_page_e_mails_the_leads(
    client, people, django_capture_on_commit_callbacks
):
    client.force_login(people["office"])
    update = q4("thanet")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("updates:return", kwargs={"locality": "thanet", "quarter": "2018-19-q4"}),
            {"version": str(update.version), "return-comments": "Check the spend."},
        )

    assert response.status_code == 302
    assert set(sent_to()) == {"thanet-lead@example.nhs.uk", "thanet-deputy@example.nhs.uk"}


def test_a_mail_server_refusing_never_turns_an_approval_into_an_error(
    client, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    client.force_login(people["office"])
    update = q4("thanet")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("updates:approve", kwargs={"locality": "thanet", "quarter": "2018-19-q4"}),
            {"version": str(update.version)},
        )

    assert response.status_code == 302
    assert q4("thanet").status == QuarterlyUpdate.Status.APPROVED
    assert OutboxMessage.objects.unsent().count() == 2
    assert mail.outbox == []


def test_a_message_not_yet_tried_says_it_is_waiting(
    client, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        return_thanet(people)
    client.force_login(people["office"])

    text = visible_text(client.get(review_url()).content.decode())

    assert text.count("Not sent yet Waiting to be sent.") == 2
