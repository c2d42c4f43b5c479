"""Return reminders: exactly who is e-mailed about what, and how the command reports it.

In the illustrative data, 2018/19 Q4 (deadline 21 April 2019) is submitted by
Thanet, returned with comments to Swale, a draft in Medway and approved for
the other five, whose current return is therefore 2019/20 Q1 (deadline 21
July 2019).
"""

import datetime
import io
import smtplib

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command

from localities import access
from localities.models import Locality, Quarter
from tests.helpers import assign_lead
from updates import reminders, selectors
from updates.models import OutboxMessage, QuarterlyUpdate

SWALE_COMMENTS = (
    "Q4 actual spend does not reconcile with the locality finance return; please check it "
    "and resubmit."
)


def moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 7, tzinfo=datetime.UTC)


def lead(django_user_model, username, *localities, email=None, active=True, in_group=True):
    user = django_user_model.objects.create_user(
        username=username,
        email=f"{username}@example.nhs.uk" if email is None else email,
        password="x" * 16,
        is_active=active,
    )
    if in_group:
        user.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    for slug in localities:
        assign_lead(user, slug)
    return user


@pytest.fixture
def leads(programme_data, django_user_model):
    """Leads in every situation the rules distinguish."""
    return {
        "swale": lead(django_user_model, "swale-lead", "swale"),
        "medway": lead(django_user_model, "medway-lead", "medway"),
        "medway-no-email": lead(django_user_model, "medway-no-email", "medway", email=""),
        "medway-inactive": lead(django_user_model, "medway-gone", "medway", active=False),
        "medway-not-a-lead": lead(django_user_model, "medway-board", "medway", in_group=False),
        "thanet": lead(django_user_model, "thanet-lead", "thanet"),
        "ashford": lead(django_user_model, "ashford-lead", "ashford"),
        "thanet-and-swale": lead(django_user_model, "two-places", "thanet", "swale"),
    }


def run(*args, today: datetime.date):
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(moment(today), tick=False):
        call_command("send_return_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sent() -> dict[str, str]:
    """Recipient address → subject, for every e-mail sent."""
    result = {}
    for message in mail.outbox:
        [address] = message.to
        assert address not in result, f"{address} was e-mailed twice"
        result[address] = message.subject
    return result


def body_for(address: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message.body


# --- Who gets what ----------------------------------------------------------------------


def test_a_week_before_the_deadline_leads_of_unsubmitted_returns_are_told(leads):
    out, err = run(today=datetime.date(2019, 4, 15))

    assert sent() == {
        "swale-lead@example.nhs.uk": "Swale 2018/19 Q4 update: due 21 Apr 2019",
        "two-places@example.nhs.uk": "Swale 2018/19 Q4 update: due 21 Apr 2019",
        "medway-lead@example.nhs.uk": "Medway 2018/19 Q4 update: due 21 Apr 2019",
    }
    assert "Skipped medway-no-email: no e-mail address" in err
    assert "3 reminders sent, 1 skipped (no e-mail address), 0 failed." in out
    assert "E-mailed swale-lead <swale-lead@example.nhs.uk>" in out


def test_the_e_mail_says_the_status_deadline_comments_and_links_to_the_update(leads, settings):
    settings.SITE_URL = "https://localcare.example.nhs.uk/"

    run(today=datetime.date(2019, 4, 15))

    swale = body_for("swale-lead@example.nhs.uk")
    assert swale.startswith("Dear swale-lead,\n")
    assert "The Swale quarterly update for 2018/19 Q4 is due by 21 April 2019, in 6 days." in swale
    assert "Status: Returned with comments" in swale
    assert "Deadline: 21 April 2019" in swale
    assert "Comments from the programme office:" in swale
    assert SWALE_COMMENTS in swale
    assert "Open the update: https://localcare.example.nhs.uk/updates/swale/2018-19-q4/" in swale

    medway = body_for("medway-lead@example.nhs.uk")
    assert "Status: Draft" in medway
    assert "Comments from the programme office" not in medway
    [message] = [m for m in mail.outbox if m.to == ["medway-lead@example.nhs.uk"]]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_after_the_deadline_the_reminder_says_overdue(leads):
    run(today=datetime.date(2019, 4, 25))

    assert sent() == {
        "swale-lead@example.nhs.uk": "Swale 2018/19 Q4 update: overdue since 21 Apr 2019",
        "two-places@example.nhs.uk": "Swale 2018/19 Q4 update: overdue since 21 Apr 2019",
        "medway-lead@example.nhs.uk": "Medway 2018/19 Q4 update: overdue since 21 Apr 2019",
    }
    assert "was due by 21 April 2019 and is 4 days overdue." in body_for(
        "medway-lead@example.nhs.uk"
    )


def test_on_the_day_itself(leads):
    run(today=datetime.date(2019, 4, 21))

    assert (
        sent()["medway-lead@example.nhs.uk"] == "Medway 2018/19 Q4 update: due today, 21 Apr 2019"
    )


def test_nothing_before_the_window_opens_and_days_widens_it(leads):
    run(today=datetime.date(2019, 4, 10))
    assert sent() == {}

    run("--days", "11", today=datetime.date(2019, 4, 10))
    assert set(sent()) == {
        "swale-lead@example.nhs.uk",
        "two-places@example.nhs.uk",
        "medway-lead@example.nhs.uk",
    }


def test_leads_of_approved_localities_hear_about_their_next_quarter_not_started(leads):
    run(today=datetime.date(2019, 7, 16))

    assert sent() == {
        "ashford-lead@example.nhs.uk": "Ashford 2019/20 Q1 update: due 21 Jul 2019",
        # Still the unsubmitted 2018/19 Q4 returns, overdue.
        "swale-lead@example.nhs.uk": "Swale 2018/19 Q4 update: overdue since 21 Apr 2019",
        "two-places@example.nhs.uk": "Swale 2018/19 Q4 update: overdue since 21 Apr 2019",
        "medway-lead@example.nhs.uk": "Medway 2018/19 Q4 update: overdue since 21 Apr 2019",
    }
    assert "Status: Not started" in body_for("ashford-lead@example.nhs.uk")


def test_submitted_and_approved_returns_need_no_reminder(leads):
    q4 = {"quarter__financial_year__start_year": 2018, "quarter__number": 4}
    submitted = moment(datetime.date(2019, 4, 19))
    QuarterlyUpdate.objects.filter(locality__slug="swale", **q4).update(
        status=QuarterlyUpdate.Status.SUBMITTED, submitted_at=submitted
    )
    QuarterlyUpdate.objects.filter(locality__slug="medway", **q4).update(
        status=QuarterlyUpdate.Status.APPROVED,
        submitted_at=submitted,
        reviewed_at=moment(datetime.date(2019, 4, 20)),
    )

    out, _ = run(today=datetime.date(2019, 4, 25))

    assert sent() == {}
    assert "0 reminders sent" in out


def test_dry_run_lists_the_e_mails_and_sends_none(leads):
    out, err = run("--dry-run", today=datetime.date(2019, 4, 15))

    assert mail.outbox == []
    assert "Would e-mail medway-lead <medway-lead@example.nhs.uk>: Medway 2018/19 Q4" in out
    assert "3 reminders would be sent, 1 skipped" in out
    assert "Skipped medway-no-email" in err


def test_negative_days_are_refused(leads):
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        run("--days", "-1", today=datetime.date(2019, 4, 15))
    assert mail.outbox == []


class RefusesMedway(EmailBackend):
    """The local-memory backend, except that one address bounces."""

    def send_messages(self, messages):
        for message in messages:
            if "medway-lead@example.nhs.uk" in message.to:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


def test_one_failure_is_reported_and_the_rest_still_go(leads, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesMedway"

    with pytest.raises(CommandError, match="1 reminder"):
        run(today=datetime.date(2019, 4, 15))

    assert set(sent()) == {"swale-lead@example.nhs.uk", "two-places@example.nhs.uk"}


# --- The pieces -----------------------------------------------------------------------


def row(status: str | None, *, deadline=datetime.date(2019, 4, 21), today) -> selectors.ReturnRow:
    quarter = Quarter(submission_deadline=deadline)
    update = QuarterlyUpdate(status=status) if status else None
    return selectors.ReturnRow(locality=Locality(), quarter=quarter, update=update, today=today)


@pytest.mark.parametrize(
    ("status", "today", "kind"),
    [
        (None, datetime.date(2019, 4, 14), reminders.Kind.DUE_SOON),
        ("draft", datetime.date(2019, 4, 21), reminders.Kind.DUE_SOON),
        ("returned", datetime.date(2019, 4, 22), reminders.Kind.OVERDUE),
        (None, datetime.date(2019, 4, 13), None),
        ("submitted", datetime.date(2019, 4, 30), None),
        ("approved", datetime.date(2019, 4, 30), None),
    ],
)
def test_reminder_kind(status, today, kind):
    assert reminders.reminder_kind(row(status, today=today), days=7) is kind


def test_reading_the_returns_takes_four_queries(leads, django_assert_num_queries):
    # Quarters; localities; their updates; their active leads.
    with django_assert_num_queries(4):
        rows = reminders.returns_for_reminders(today=datetime.date(2019, 4, 15))
        result = reminders.due_reminders(rows, days=7)

    assert sorted((r.user.username, r.locality.slug, r.kind) for r in result) == [
        ("medway-lead", "medway", reminders.Kind.DUE_SOON),
        ("medway-no-email", "medway", reminders.Kind.DUE_SOON),
        ("swale-lead", "swale", reminders.Kind.DUE_SOON),
        ("two-places", "swale", reminders.Kind.DUE_SOON),
    ]
    assert {r.quarter.label for r in result} == {"2018/19 Q4"}


# --- Through the outbox: recorded, once a day ---------------------------------------------


def test_each_reminder_is_recorded_in_the_outbox(leads):
    run(today=datetime.date(2019, 7, 16))

    messages = {m.to_address: m for m in OutboxMessage.objects.all()}
    assert set(messages) == set(sent())
    ashford = messages["ashford-lead@example.nhs.uk"]
    assert (ashford.kind, ashford.recipient, ashford.locality.slug) == (
        OutboxMessage.Kind.REMINDER,
        leads["ashford"],
        "ashford",
    )
    # Not started: a reminder about a return that has no update yet.
    assert (ashford.quarter.label, ashford.update) == ("2019/20 Q1", None)
    assert ashford.triggered_by is None
    assert messages["medway-lead@example.nhs.uk"].update.locality.slug == "medway"
    assert all(m.sent_at is not None for m in messages.values())


def test_a_second_run_the_same_day_sends_nothing_again_and_the_next_day_does(leads):
    run(today=datetime.date(2019, 4, 15))
    out, _ = run(today=datetime.date(2019, 4, 15))

    assert len(mail.outbox) == 3
    assert (
        "0 reminders sent, 1 skipped (no e-mail address), 0 failed, 3 already sent or queued today."
        in out
    )

    run(today=datetime.date(2019, 4, 16))
    assert len(mail.outbox) == 6
    assert OutboxMessage.objects.count() == 6


def test_a_failed_reminder_stays_in_the_outbox_for_send_outbox(leads, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesMedway"
    with pytest.raises(CommandError):
        run(today=datetime.date(2019, 4, 15))
    [failed] = OutboxMessage.objects.unsent()
    assert failed.to_address == "medway-lead@example.nhs.uk"
    assert failed.last_error.startswith("SMTPRecipientsRefused")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_outbox", stdout=io.StringIO())

    assert sent()["medway-lead@example.nhs.uk"] == "Medway 2018/19 Q4 update: due 21 Apr 2019"
    assert not OutboxMessage.objects.unsent().exists()


def test_a_malformed_address_is_skipped_not_a_crash(leads, django_user_model, caplog):
    lead(django_user_model, "medway-typo", "medway", email="medway at nhs")

    out, err = run(today=datetime.date(2019, 4, 15))

    assert "3 reminders sent, 2 skipped (no e-mail address), 0 failed." in out
    assert "Skipped medway-typo: no e-mail address" in err
    assert "'medway at nhs' is not an e-mail address" in caplog.text
    assert OutboxMessage.objects.count() == 3
