"""A milestone nobody has reported on is "Not reported" everywhere, never overdue or missed;
a reported late one still is. Planned timings show as the paper wrote them."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from localities.models import Locality, Milestone
from tests.helpers import assign_lead

Q4 = "?quarter=2018-19-q4"
MILESTONES = reverse("dashboard:milestones")
ASHFORD = reverse("dashboard:locality", args=["ashford"])
RETURNS = reverse("updates:returns") + "?quarter=2018-19-q4"
# From the Oct 2018 paper: planned "Early August 2018"; the papers never report it held.
UNREPORTED = "Test session on the deep dive process with one locality"
UNREPORTED_HERE = "Ashford hub scoping (never reported)"
REPORTED_LATE = "Ashford hub business case (reported late)"


@pytest.fixture
def milestones(programme_data):
    ashford = Locality.objects.get(slug="ashford")
    window = {"planned_start": datetime.date(2019, 1, 1), "planned_end": datetime.date(2019, 1, 31)}
    Milestone.objects.create(title=UNREPORTED_HERE, locality=ashford, **window)
    Milestone.objects.create(
        title=REPORTED_LATE,
        locality=ashford,
        status=Milestone.Status.IN_PROGRESS,
        forecast_date=datetime.date(2019, 6, 30),
        reported_by="Ashford's 2018/19 Q3 return",
        reported_on=datetime.date(2019, 1, 25),
        **window,
    )


def test_the_unreported_milestone_is_not_reported_on_the_milestones_page(
    client, milestones, board_user
):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + "&per_page=100")

    rows = {row.title: row for row in response.context["data"].rows.rows}
    assert rows[UNREPORTED].status_label == "Not reported"
    assert rows[UNREPORTED].report == "Not reported"
    assert rows[UNREPORTED_HERE].status_label == "Not reported"
    assert rows[REPORTED_LATE].status_label == "Overdue"
    assert rows[REPORTED_LATE].report == "Reported by Ashford's 2018/19 Q3 return, 25 Jan 2019"
    # As the paper wrote it, never the window read from it, nor days from its end.
    assert rows[UNREPORTED].planned_window == "Early August 2018"
    assert "Early August 2018" in response.text
    assert "1 Aug 2018 – 15 Aug 2018" not in response.text
    assert "77 days" not in response.text
    overdue = client.get(MILESTONES + Q4 + "&status=overdue&per_page=100").context["data"]
    titles = {row.title for row in overdue.rows.rows}
    assert REPORTED_LATE in titles
    assert UNREPORTED not in titles
    assert UNREPORTED_HERE not in titles
    not_reported = client.get(MILESTONES + Q4 + "&status=not_reported&per_page=100")
    assert UNREPORTED in {row.title for row in not_reported.context["data"].rows.rows}


def test_the_csv_export_says_not_reported(client, milestones, board_user):
    client.force_login(board_user)

    response = client.get(MILESTONES + Q4 + "&_export=csv")

    rows = {
        row["Milestone"]: row
        for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    }
    assert rows[UNREPORTED]["Status at quarter end"] == "Not reported"
    assert rows[UNREPORTED]["Planned"] == "Early August 2018"
    assert rows[REPORTED_LATE]["Status at quarter end"] == "Overdue"
    assert "1 Aug 2018 – 15 Aug 2018" not in response.content.decode()


def test_what_changed_never_calls_an_unreported_milestone_overdue(client, milestones, board_user):
    client.force_login(board_user)

    changes = client.get(reverse("dashboard:home") + Q4).context["overview"].changes
    earlier = client.get(reverse("dashboard:home") + "?quarter=2018-19-q2").context["overview"]

    overdue = [change for change in changes if change.startswith("Milestone overdue")]
    assert any(REPORTED_LATE in change for change in overdue)
    assert not any(UNREPORTED_HERE in change for change in overdue)
    # Its "Early August 2018" window closed in Q2: still not overdue.
    assert not any(UNREPORTED in change for change in earlier.changes)
    assert not any("15 August 2018" in change for change in earlier.changes)


def test_the_board_pack_counts_unreported_milestones_and_does_not_list_them(
    client, milestones, board_user
):
    client.force_login(board_user)

    response = client.get(reverse("dashboard:board-pack") + Q4)

    pack = response.context["pack"]
    unreported = Milestone.objects.filter(status=Milestone.Status.NOT_REPORTED).count()
    assert pack.milestones_unreported == unreported > 0
    listed = {row.title for row in pack.milestones_for_attention}
    assert REPORTED_LATE in listed
    assert not listed & {UNREPORTED, UNREPORTED_HERE}
    assert "Milestones to chase" not in response.text
    assert response.context["overview"].headline.milestones_overdue == (
        Milestone.objects.overdue(datetime.date(2019, 3, 31))
        .exclude(actual_date__lte=datetime.date(2019, 3, 31))
        .count()
    )


def test_the_locality_page_says_not_reported(client, milestones, board_user):
    client.force_login(board_user)

    response = client.get(ASHFORD + Q4)

    rows = {row.title: row for row in response.context["data"].milestones}
    assert rows[UNREPORTED_HERE].status == "Not reported"
    assert rows[REPORTED_LATE].status == "Overdue"
    assert rows[REPORTED_LATE].slippage == "150 days late (forecast)"


def test_the_office_sees_who_to_chase_and_the_board_does_not(
    client, milestones, office_user, board_user
):
    assign_lead(office_user, "ashford")
    client.force_login(office_user)

    response = client.get(RETURNS)

    gaps = {gap.title: gap for gap in response.context["reporting_gaps"].rows}
    assert gaps[UNREPORTED].last_report == "Never reported"
    assert gaps[UNREPORTED].owner == "Programme office"
    assert gaps[UNREPORTED].planned == "Early August 2018"
    assert gaps[UNREPORTED_HERE].owner == (office_user.get_full_name() or office_user.username)
    # Reported, but not for more than a quarter before today: chase an update.
    assert gaps[REPORTED_LATE].last_report == "No update since 25 Jan 2019"
    assert "Milestones to chase" in response.text
    client.force_login(board_user)
    assert client.get(RETURNS).status_code == 403


def test_a_milestone_past_its_date_reads_overdue_on_every_page(client, milestones, board_user):
    """One word for slippage: the overview, the register, its export and the locality page
    all call a reported milestone past its planned date "overdue", never "missed"."""
    client.force_login(board_user)

    overview = client.get(reverse("dashboard:home") + Q4)
    register = client.get(MILESTONES + Q4 + "&per_page=100")
    export = client.get(MILESTONES + Q4 + "&_export=csv").content.decode("utf-8-sig")
    locality = client.get(ASHFORD + Q4)

    assert any(
        change.startswith("Milestone overdue (Ashford): " + REPORTED_LATE)
        for change in overview.context["overview"].changes
    )
    rows = {row["Milestone"]: row for row in csv.DictReader(io.StringIO(export))}
    assert rows[REPORTED_LATE]["Status at quarter end"] == "Overdue"
    for page in (overview.text, register.text, export, locality.text):
        assert "missed" not in page.lower()
    assert "Overdue" in register.text
    assert "Overdue" in locality.text
