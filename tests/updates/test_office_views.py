"""The programme office's pages: returns, review, and approve / return / reopen.

The illustrative data's 2018/19 Q4: Thanet submitted, Swale returned with
comments, Medway a draft, the other five approved. "Today" is pinned after
the 21 April 2019 deadline, so Swale and Medway are overdue.
"""

import datetime
import logging
from collections import Counter

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from localities import access
from localities.models import Locality, Quarter
from tests.dashboard.test_structure_as_at import merge_medway_and_swale
from tests.helpers import assert_queries_do_not_grow, assign_lead, visible_text
from tools.scale import generate_scale_data
from updates import selectors, services
from updates.models import QuarterlyUpdate
from updates.views import office as office_views
from updates.views.office import RETURNS_PER_PAGE

AFTER_DEADLINE = datetime.datetime(2019, 4, 25, 12, tzinfo=datetime.UTC)
Q4 = "2018-19-q4"
RETURNS = reverse("updates:returns")
RETURNS_Q4 = f"{RETURNS}?quarter={Q4}"
PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def url(name, locality="thanet", quarter=Q4):
    return reverse(f"updates:{name}", kwargs={"locality": locality, "quarter": quarter})


def q4_update(locality="thanet") -> QuarterlyUpdate:
    return QuarterlyUpdate.objects.get(
        locality__slug=locality, quarter__financial_year__start_year=2018, quarter__number=4
    )


def snapshot(update: QuarterlyUpdate) -> tuple:
    update.refresh_from_db()
    return (update.status, update.version, update.review_comments, update.reviewed_by_id)


@pytest.fixture(autouse=True)
def after_the_deadline():
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        yield


@pytest.fixture
def lead_ashford(programme_data, django_user_model):
    user = django_user_model.objects.create_user(username="lead-ashford", password="x" * 16)
    user.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    assign_lead(user, "ashford")
    return user


@pytest.fixture
def office(client, programme_data, office_user):
    client.force_login(office_user)
    return client


# --- Who may see the pages -------------------------------------------------------------

PAGES = [RETURNS_Q4, url("review")]
ACTIONS = [
    (url("approve"), {"version": "1"}),
    (url("return"), {"version": "1", "return-comments": "Please check the spend."}),
    (url("reopen", "ashford"), {"version": "1", "reopen-reason": "Spend figure wrong"}),
]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, programme_data, page):
    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_anonymous_posts_are_sent_to_log_in_and_change_nothing(
    client, programme_data, action, data
):
    before = {u.pk: snapshot(u) for u in QuarterlyUpdate.objects.all()}

    response = client.post(action, data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert {u.pk: snapshot(u) for u in QuarterlyUpdate.objects.all()} == before


@pytest.mark.parametrize("role", ["board_user", "lead_thanet", "lead_ashford"])
@pytest.mark.parametrize("page", PAGES)
def test_board_members_and_leads_are_refused_the_pages(
    client, programme_data, request, role, page, caplog
):
    client.force_login(request.getfixturevalue(role))

    with caplog.at_level(logging.WARNING, logger="localcare.access"):
        response = client.get(page)

    assert response.status_code == 403
    assert "Refused reviewing quarterly updates" in caplog.text


@pytest.mark.parametrize("role", ["board_user", "lead_thanet", "lead_ashford"])
@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_board_members_and_leads_cannot_approve_return_or_reopen(
    client, programme_data, request, role, action, data, caplog
):
    client.force_login(request.getfixturevalue(role))
    before = {u.pk: snapshot(u) for u in QuarterlyUpdate.objects.all()}

    with caplog.at_level(logging.WARNING, logger="localcare.access"):
        response = client.post(action, data)

    assert response.status_code == 403
    assert "Refused reviewing quarterly updates" in caplog.text
    assert {u.pk: snapshot(u) for u in QuarterlyUpdate.objects.all()} == before


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["office_user", "admin_user"])
def test_the_programme_office_and_admins_see_the_pages(client, programme_data, request, role, page):
    client.force_login(request.getfixturevalue(role))

    assert client.get(page).status_code == 200


@pytest.mark.parametrize(("action", "data"), ACTIONS)
def test_the_actions_accept_post_only(office, action, data):
    assert office.get(action).status_code == 405


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_accept_get_only(office, page):
    assert office.post(page).status_code == 405


def test_reviewing_an_update_not_started_is_not_found(office):
    assert office.get(url("review", "ashford", "2019-20-q1")).status_code == 404
    response = office.post(url("approve", "ashford", "2019-20-q1"), {"version": "0"})
    assert response.status_code == 404
    assert not QuarterlyUpdate.objects.filter(
        locality__slug="ashford", quarter__financial_year__start_year=2019
    ).exists()


@pytest.mark.parametrize(
    "page",
    [
        url("review", "nowhere"),
        url("review", "thanet", "2030-31-q1"),
        url("review", "thanet", "q4"),
        f"{RETURNS}?quarter=2030-31-q1",
        f"{RETURNS}?quarter=not-a-quarter",
    ],
)
def test_unknown_localities_and_quarters_are_not_found(office, page):
    assert office.get(page).status_code == 404


# --- Returns page ---------------------------------------------------------------------


def rows_by_slug(response):
    return {row.locality.slug: row for row in response.context["rows"]}


def test_the_returns_page_lists_every_locality_with_its_status(office):
    response = office.get(RETURNS_Q4)

    assert response.status_code == 200
    rows = rows_by_slug(response)
    assert len(rows) == 8
    assert {slug: row.status_label for slug, row in rows.items()} == {
        "ashford": "Approved",
        "canterbury-and-coastal": "Approved",
        "dartford-gravesham-and-swanley": "Approved",
        "medway": "Draft",
        "south-kent-coast": "Approved",
        "swale": "Returned with comments",
        "thanet": "Submitted",
        "west-kent": "Approved",
    }
    assert "5 of 8 approved, 2 overdue" in response.text
    assert response.context["summary"].counts == {
        "Not started": 0,
        "Draft": 1,
        "Submitted": 1,
        "Returned with comments": 1,
        "Approved": 5,
    }


def test_overdue_returns_are_marked_with_a_word_as_well_as_a_highlight(office):
    response = office.get(RETURNS_Q4)

    overdue = {slug for slug, row in rows_by_slug(response).items() if row.is_overdue}
    assert overdue == {"medway", "swale"}
    assert response.text.count('data-testid="overdue">Overdue</strong>') == 2
    assert response.text.count("app-row--overdue") == 2
    medway = response.text.split('data-testid="return-medway"')[1].split("</tr>")[0]
    assert "Overdue" in medway
    thanet = response.text.split('data-testid="return-thanet"')[1].split("</tr>")[0]
    assert "Overdue" not in thanet


def test_each_started_return_links_to_its_review(office):
    response = office.get(RETURNS_Q4)

    assert f'href="{url("review")}">Review<' in response.text
    assert f'href="{url("review", "ashford")}">View<' in response.text


def test_who_submitted_and_reviewed_and_when(office, lead_thanet, office_user):
    QuarterlyUpdate.objects.filter(pk=q4_update().pk).update(submitted_by=lead_thanet)
    QuarterlyUpdate.objects.filter(pk=q4_update("ashford").pk).update(reviewed_by=office_user)

    response = office.get(RETURNS_Q4)

    thanet = response.text.split('data-testid="return-thanet"')[1].split("</tr>")[0]
    assert "21 Apr 2019" in thanet
    assert "by lead-thanet" in thanet
    ashford = response.text.split('data-testid="return-ashford"')[1].split("</tr>")[0]
    assert "by office" in ashford


def test_the_returns_page_opens_on_the_latest_quarter_with_updates(office):
    response = office.get(RETURNS)

    assert response.context["quarter"].label == "2018/19 Q4"
    assert '<option value="2018-19-q4" selected>' in response.text
    # Quarters that have started by today are offered, latest first.
    choices = [slug for slug, _ in response.context["quarter_choices"]]
    assert choices[:2] == ["2019-20-q1", "2018-19-q4"]
    assert "2019-20-q2" not in choices


def test_a_quarter_nobody_has_started(office):
    response = office.get(f"{RETURNS}?quarter=2019-20-q1")

    assert "0 of 8 approved, 0 overdue" in response.text
    assert {row.status_label for row in response.context["rows"]} == {"Not started"}
    assert response.text.count("Nothing to review yet") == 8


def test_returns_page_queries_are_pinned_and_do_not_grow_with_localities(
    office, django_assert_num_queries
):
    # Session, user, groups; quarters; counts by status (one GROUP BY); sub-systems for
    # the filter; the page's count, its localities and their updates; the milestones to
    # chase: their counts, the first few and their localities' leads; the register's
    # work: both counts, the first proposed risks, the first overdue reviews.
    with django_assert_num_queries(15):
        office.get(RETURNS_Q4)

    assert assert_queries_do_not_grow(office, RETURNS_Q4) == 15
    assert len(office.get(RETURNS_Q4).context["rows"]) == RETURNS_PER_PAGE


def test_filtered_returns_page_queries_do_not_grow_either(office):
    filtered = f"{RETURNS_Q4}&status=overdue&sub_system=north-kent&page=2"

    assert assert_queries_do_not_grow(office, filtered) == 15


def test_summarise_returns_counts_every_status_in_the_database(programme_data):
    quarter = Quarter.objects.get(financial_year__start_year=2019, number=1)
    before_its_deadline = quarter.submission_deadline - datetime.timedelta(days=1)

    summary = selectors.summarise_returns(quarter=quarter, today=before_its_deadline)

    assert summary.sentence == "0 of 8 approved, 0 overdue"
    assert summary.counts == {
        "Not started": 8,
        "Draft": 0,
        "Submitted": 0,
        "Returned with comments": 0,
        "Approved": 0,
    }
    after = selectors.summarise_returns(quarter=quarter, today=quarter.submission_deadline)
    assert after.overdue == 0  # due on the day, not yet overdue
    late = quarter.submission_deadline + datetime.timedelta(days=1)
    assert selectors.summarise_returns(quarter=quarter, today=late).overdue == 8


def test_the_returns_are_owed_by_the_localities_in_force_at_the_quarters_end(programme_data):
    """Medway and Swale merge on 1 January 2019 (decision 0023): from then the partnership
    owes the returns, not they; a return they had begun for a later quarter still shows."""
    merge_medway_and_swale()
    q3 = Quarter.objects.get(financial_year__start_year=2018, number=3)
    q1 = Quarter.objects.get(financial_year__start_year=2019, number=1)

    def owing(quarter):
        return set(
            selectors.localities_with_return_status(
                quarter=quarter, today=quarter.end_date
            ).values_list("slug", flat=True)
        )

    assert {"medway", "swale"} <= owing(q3)
    assert "medway-and-swale" not in owing(q3)
    assert "medway-and-swale" in owing(q1)
    assert not {"medway", "swale"} & owing(q1)
    assert selectors.summarise_returns(quarter=q1, today=q1.end_date).total == 7

    QuarterlyUpdate.objects.create(locality=Locality.objects.get(slug="swale"), quarter=q1)
    assert "swale" in owing(q1)


def test_a_locality_that_ended_is_owed_no_current_return_it_had_not_begun(programme_data):
    """Medway and Swale merge on 1 April 2019: the returns the office chases and the
    reminders name (current_returns) are the partnership's from 2019/20 Q1, and theirs
    only for quarters they saw the end of or had begun."""
    partnership = merge_medway_and_swale(datetime.date(2019, 4, 1))
    # Their 2018/19 Q4 returns approved: next would be 2019/20 Q1, after they ended.
    QuarterlyUpdate.objects.filter(
        locality__slug__in=["medway", "swale"], quarter__financial_year__start_year=2018
    ).update(
        status=QuarterlyUpdate.Status.APPROVED,
        submitted_at=datetime.datetime(2019, 4, 20, tzinfo=datetime.UTC),
        reviewed_at=datetime.datetime(2019, 5, 1, tzinfo=datetime.UTC),
    )
    today = datetime.date(2019, 7, 15)

    rows = selectors.current_returns(localities=Locality.objects.all(), today=today)

    assert partnership in [row.locality for row in rows]
    assert not {"medway", "swale"} & {row.locality.slug for row in rows}
    for row in rows:
        assert row.update is not None or row.locality.is_in_force_on(row.quarter.end_date), row


# --- Returns page at scale: pages, filters, counts ------------------------------------


def page_slugs(response) -> list[str]:
    return [row.locality.slug for row in response.context["rows"]]


def queue_place(row) -> int:
    """Where a row belongs in the office's queue, worked out from what the row shows."""
    if row.is_overdue:
        return 1
    order = ["submitted", None, "returned", "draft", None, "approved"]
    return order.index(row.update.status) if row.update else 4


def set_q4_status(**statuses):
    for slug, status in statuses.items():
        # The times the constraints ask of a submitted or reviewed update.
        moment = datetime.datetime(2019, 4, 1, tzinfo=datetime.UTC)
        QuarterlyUpdate.objects.filter(pk=q4_update(slug).pk).update(
            status=status, submitted_at=moment, reviewed_at=moment
        )


def test_the_queue_is_submitted_then_overdue_returned_draft_not_started_approved(office):
    QuarterlyUpdate.objects.for_quarter(q4_update().quarter).exclude(
        locality__slug__in=["thanet", "medway", "swale"]
    ).delete()
    # One of each: Thanet submitted, Swale approved, Medway a draft past the deadline;
    # the other five have none (overdue too, being past the deadline).
    set_q4_status(thanet="submitted", swale="approved", medway="draft")

    slugs = page_slugs(office.get(RETURNS_Q4))

    overdue = sorted(
        Locality.objects.exclude(slug__in=["thanet", "swale"]).values_list("slug", flat=True)
    )
    assert slugs == ["thanet", *overdue, "swale"]
    assert (
        "submitted first, then overdue, returned, in draft, not started and approved, by name"
        in office.get(RETURNS_Q4).text
    )


def test_before_the_deadline_returned_drafts_and_not_started_keep_their_own_places(office):
    set_q4_status(thanet="approved", medway="returned", swale="draft", ashford="submitted")

    with time_machine.travel(datetime.datetime(2019, 4, 1, 12, tzinfo=datetime.UTC), tick=False):
        rows = office.get(RETURNS_Q4).context["rows"]

    places = [queue_place(row) for row in rows]
    assert places == sorted(places)
    assert not any(row.is_overdue for row in rows)
    assert [row.locality.slug for row in rows][:3] == ["ashford", "medway", "swale"]
    assert "thanet" in [row.locality.slug for row in rows if row.status_label == "Approved"]
    assert rows[-1].status_label == "Approved"
    for place in set(places):
        names = [row.locality.name for row in rows if queue_place(row) == place]
        assert names == sorted(names)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("overdue", {"medway", "swale"}),
        ("draft", {"medway"}),
        ("submitted", {"thanet"}),
        ("returned", {"swale"}),
        (
            "approved",
            {
                "ashford",
                "canterbury-and-coastal",
                "dartford-gravesham-and-swanley",
                "south-kent-coast",
                "west-kent",
            },
        ),
        ("not_started", set()),
    ],
)
def test_the_returns_filter_by_status(office, status, expected):
    response = office.get(f"{RETURNS_Q4}&status={status}")

    assert set(page_slugs(response)) == expected
    # The counts above the table still cover every locality.
    assert "5 of 8 approved, 2 overdue" in response.text
    if not expected:
        assert 'data-testid="no-returns"' in response.text


def test_not_started_returns_are_found_by_the_filter(office):
    response = office.get(f"{RETURNS}?quarter=2019-20-q1&status=not_started")

    assert len(page_slugs(response)) == 8


def test_nothing_is_overdue_before_the_deadline(office):
    with time_machine.travel(datetime.datetime(2019, 4, 1, 12, tzinfo=datetime.UTC), tick=False):
        response = office.get(f"{RETURNS_Q4}&status=overdue")

    assert page_slugs(response) == []
    assert "No returns match these filters." in response.text


def test_the_returns_filter_by_sub_system_and_status_together(office):
    east_kent = office.get(f"{RETURNS_Q4}&sub_system=east-kent")
    north_kent_overdue = office.get(f"{RETURNS_Q4}&sub_system=north-kent&status=overdue")

    assert set(page_slugs(east_kent)) == {
        "ashford",
        "canterbury-and-coastal",
        "south-kent-coast",
        "thanet",
    }
    assert page_slugs(north_kent_overdue) == ["swale"]
    assert "Showing 1 to 1 of 1 return matching the filters" in north_kent_overdue.text


def test_an_unknown_filter_value_is_reported_and_ignored(office):
    response = office.get(f"{RETURNS_Q4}&status=lost&sub_system=atlantis")

    assert response.status_code == 200
    assert len(page_slugs(response)) == 8
    assert "Select a valid choice" in response.text


def test_the_quarter_selector_keeps_the_filters(office):
    text = office.get(f"{RETURNS_Q4}&status=overdue&sub_system=north-kent").text

    selector = text.split('id="quarter-selector"')[1].split("</form>")[0]
    assert '<input type="hidden" name="status" value="overdue">' in selector
    assert '<input type="hidden" name="sub_system" value="north-kent">' in selector


def test_the_filter_form_shows_the_choices_in_force(office):
    text = office.get(f"{RETURNS_Q4}&status=overdue&sub_system=north-kent").text

    form = text.split('class="app-filter-form"')[1].split("</form>")[0]
    assert '<option value="overdue" selected>Overdue</option>' in form
    assert '<option value="north-kent" selected>' in form
    assert form.count(" selected>") == 2
    # Overdue is the first status offered after "All statuses".
    statuses = form.split('id="id_status"')[1].split("</select>")[0]
    assert statuses.index('value="overdue"') < statuses.index('value="not_started"')
    assert f'<input type="hidden" name="quarter" value="{Q4}">' in form


def test_each_count_links_to_its_returns(office):
    text = office.get(RETURNS_Q4).text

    counts = text.split('data-testid="returns-counts"')[1].split("</ul>")[0]
    assert f'href="?quarter={Q4}&amp;status=draft#returns">Draft</a>: <strong>1</strong>' in counts
    assert f'href="?quarter={Q4}&amp;status=overdue#returns">Overdue</a>: <strong>2</strong>' in (
        counts
    )


@pytest.fixture
def scaled(programme_data):
    generate_scale_data(factor=4)
    assert Locality.objects.count() == 32


def test_the_returns_come_a_page_at_a_time_each_locality_once(office, scaled):
    first = office.get(RETURNS_Q4)
    second = office.get(f"{RETURNS_Q4}&page=2")

    on_pages = page_slugs(first) + page_slugs(second)
    assert len(page_slugs(first)) == RETURNS_PER_PAGE
    assert sorted(on_pages) == sorted(Locality.objects.values_list("slug", flat=True))
    # The queue's order across the pages, not only within one.
    places = [queue_place(row) for page in (first, second) for row in page.context["rows"]]
    assert places == sorted(places)
    assert "Page 2 of 2" in first.text
    assert f'href="?quarter={Q4}&amp;page=2#returns"' in first.text
    assert "Showing 26 to 32 of 32 returns" in second.text


def test_the_pagination_links_keep_the_filters(office, scaled, monkeypatch):
    monkeypatch.setattr(office_views, "RETURNS_PER_PAGE", 15)  # two pages of approved
    query = f"{RETURNS_Q4}&status=approved"
    approved = QuarterlyUpdate.objects.approved().filter(
        quarter__financial_year__start_year=2018, quarter__number=4
    )
    assert 15 < approved.count() <= 30

    first = office.get(query)
    second = office.get(f"{query}&page=2")

    assert f'href="?quarter={Q4}&amp;status=approved&amp;page=2#returns"' in first.text
    assert f'href="?quarter={Q4}&amp;status=approved&amp;page=1#returns"' in second.text
    shown = page_slugs(first) + page_slugs(second)
    assert sorted(shown) == sorted(approved.values_list("locality__slug", flat=True))


def test_an_out_of_range_returns_page_shows_a_real_page(office, scaled):
    for bad in ("0", "99", "nonsense", "-1"):
        response = office.get(f"{RETURNS_Q4}&page={bad}")

        assert response.status_code == 200, bad
        assert response.context["rows"], bad


def test_the_counts_cover_every_locality_at_scale(office, scaled):
    response = office.get(f"{RETURNS_Q4}&sub_system=east-kent&page=2")

    updates = {
        u.locality_id: u
        for u in QuarterlyUpdate.objects.filter(
            quarter__financial_year__start_year=2018, quarter__number=4
        )
    }
    expected = Counter(
        updates[pk].get_status_display() if pk in updates else "Not started"
        for pk in Locality.objects.values_list("pk", flat=True)
    )
    summary = response.context["summary"]
    assert summary.total == 32
    assert summary.counts == {label: expected[label] for label in summary.counts}
    unfinished = ("Not started", "Draft", "Returned with comments")
    assert summary.overdue == sum(expected[label] for label in unfinished)


# --- Review page ----------------------------------------------------------------------


def test_the_review_page_shows_changes_since_the_previous_approved_update(office):
    response = office.get(url("review"))

    assert response.status_code == 200
    text = response.text
    assert "Compared with the approved 2018/19 Q3 update" in text
    assert 'class="nhsuk-tag nhsuk-tag--yellow app-rag-tag">Changed</strong>' in text
    comparison = response.context["comparison"]
    assert text.count('data-testid="changed-row"') == comparison.changed_count > 0
    # The RAG move on objective 3 shows both words in their tags.
    objective_3 = text.split("Objective 3 (Interagency partnerships): RAG status")[1]
    objective_3 = objective_3.split("</tr>")[0]
    assert "nhsuk-tag--green" in objective_3
    assert ">Green<" in objective_3
    assert ">Amber<" in objective_3
    assert "Changed" in objective_3


def test_a_submitted_update_offers_approve_and_return_with_its_version(office):
    text = office.get(url("review")).text

    assert f'action="{url("approve")}"' in text
    assert f'action="{url("return")}"' in text
    assert f'action="{url("reopen")}"' not in text
    assert text.count('<input type="hidden" name="version" value="1">') == 2
    assert 'id="id_return-comments"' in text


def test_an_approved_update_offers_reopen_only(office):
    text = office.get(url("review", "ashford")).text

    assert f'action="{url("reopen", "ashford")}"' in text
    assert f'action="{url("approve", "ashford")}"' not in text
    assert 'id="id_reopen-reason"' in text


def test_a_draft_offers_nothing_to_decide(office):
    text = office.get(url("review", "medway")).text

    assert "nothing to decide until the lead submits it" in text
    assert '<form method="post" action="/updates/medway' not in text


def test_returned_comments_are_shown_escaped(office):
    QuarterlyUpdate.objects.filter(pk=q4_update("swale").pk).update(review_comments=PAYLOAD)

    text = office.get(url("review", "swale")).text

    assert PAYLOAD not in text
    assert ESCAPED in text


def test_the_timeline_is_empty_for_loaded_data(office):
    text = office.get(url("review")).text

    assert "No changes have been recorded for this update yet." in text


def test_review_page_queries_are_pinned_and_do_not_grow(office, django_assert_num_queries):
    # Session, user, groups; locality, quarter, update; comment threads; comparison (10);
    # timeline; the rows a comment can be about (objectives 2, milestones, MDTs); the
    # e-mails sent about the return (tests/updates/test_outbox.py pins them too); the
    # submission checks run again to say before Approve what would refuse it (12); the
    # quarter's monthly outcomes, read-only (2).
    with django_assert_num_queries(34):
        office.get(url("review"))

    assert assert_queries_do_not_grow(office, url("review")) == 34


# --- Transitions through the views -----------------------------------------------------


def test_approving_a_submitted_update(office, office_user):
    response = office.post(url("approve"), {"version": "1"})

    assert response.status_code == 302
    assert response["Location"] == url("review")
    update = q4_update()
    assert update.status == QuarterlyUpdate.Status.APPROVED
    assert update.reviewed_by == office_user
    assert update.version == 2
    page = office.get(response["Location"])
    assert "You approved the Thanet 2018/19 Q4 update" in page.text
    assert f'action="{url("reopen")}"' in page.text
    [latest, *_] = page.context["timeline"]
    assert (latest.who, latest.what, latest.status_label) == (
        "office",
        "Approved",
        "Approved",
    )


def test_returning_an_update_keeps_the_comments_as_typed_and_shows_them_escaped(office):
    comments = f"Spend does not reconcile. {PAYLOAD}"

    response = office.post(url("return"), {"version": "1", "return-comments": comments})

    assert response.status_code == 302
    update = q4_update()
    assert update.status == QuarterlyUpdate.Status.RETURNED
    assert update.review_comments == comments
    page = office.get(url("review"))
    assert "You returned the Thanet 2018/19 Q4 update to the lead" in page.text
    assert PAYLOAD not in page.text
    assert f"Spend does not reconcile. {ESCAPED}" in page.text


def test_reopening_an_approved_update_with_a_reason(office):
    response = office.post(
        url("reopen", "ashford"), {"version": "1", "reopen-reason": "Spend figure wrong"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("review", "ashford")
    update = q4_update("ashford")
    assert update.status == QuarterlyUpdate.Status.RETURNED
    assert update.review_comments == services.REOPEN_PREFIX + "Spend figure wrong"
    page = office.get(response["Location"])
    assert "You reopened the Ashford 2018/19 Q4 update" in page.text
    assert page.context["timeline"][0].what == services.REOPEN_PREFIX + "Spend figure wrong"


def test_the_timeline_lists_each_decision_newest_first(office, office_user):
    office_user.first_name, office_user.last_name = "Pat", "Office"
    office_user.save()
    office.post(url("approve"), {"version": "1"})
    office.post(url("reopen"), {"version": "2", "reopen-reason": "Typo in narrative"})

    timeline = office.get(url("review")).context["timeline"]

    assert [(entry.what, entry.status_label, entry.version) for entry in timeline] == [
        (services.REOPEN_PREFIX + "Typo in narrative", "Returned with comments", 3),
        ("Approved", "Approved", 2),
    ]
    assert {entry.who for entry in timeline} == {"Pat Office"}


def test_update_timeline_of_an_unsaved_update_is_empty(programme_data):
    assert selectors.update_timeline(QuarterlyUpdate()) == []


# --- Bad input --------------------------------------------------------------------------


def assert_error_page(response, status, message):
    assert response.status_code == status
    assert response.context["errors"], "no error summary"
    assert "nhsuk-error-summary" in response.text
    assert "<title>Error: " in response.text
    assert message in response.text


@pytest.mark.parametrize("comments", ["", "   \n  "])
def test_returning_without_comments_is_refused_clearly(office, comments):
    before = snapshot(q4_update())

    response = office.post(url("return"), {"version": "1", "return-comments": comments})

    assert_error_page(response, 400, "Tell the lead what to change before returning the update.")
    assert 'href="#id_return-comments"' in response.text
    assert snapshot(q4_update()) == before


def test_twenty_kilobytes_of_comments_are_refused_and_kept(office):
    comments = "Spend. " * 3000  # about 20 kB

    response = office.post(url("return"), {"version": "1", "return-comments": comments})

    assert_error_page(response, 400, "The comments must be 5,000 characters or fewer")
    assert comments.strip() in response.text
    assert q4_update().status == QuarterlyUpdate.Status.SUBMITTED


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Say what needs correcting."), ("x" * 71, "Keep the reason to 70 characters")],
)
def test_reopening_needs_a_short_reason(office, reason, message):
    before = snapshot(q4_update("ashford"))

    response = office.post(url("reopen", "ashford"), {"version": "1", "reopen-reason": reason})

    assert_error_page(response, 400, message)
    assert snapshot(q4_update("ashford")) == before


@pytest.mark.parametrize("version", [None, "", "two", "1.5"])
def test_a_missing_or_garbled_version_is_refused(office, version):
    data = {} if version is None else {"version": version}

    response = office.post(url("approve"), data)

    assert_error_page(response, 400, "This page was out of date")
    assert q4_update().status == QuarterlyUpdate.Status.SUBMITTED


@pytest.mark.parametrize(
    ("action", "locality", "data", "message"),
    [
        (
            "approve",
            "ashford",
            {},
            "The Ashford 2018/19 Q4 update is approved, so it cannot be approved.",
        ),
        ("approve", "medway", {}, "is draft, so it cannot be approved."),
        (
            "return",
            "swale",
            {"return-comments": "Again"},
            "is returned with comments, so it cannot be returned.",
        ),
        ("reopen", "thanet", {"reopen-reason": "Why"}, "is submitted, so it cannot be reopened."),
    ],
)
def test_a_decision_the_status_does_not_allow_is_refused_never_a_500(
    office, action, locality, data, message
):
    before = snapshot(q4_update(locality))

    response = office.post(url(action, locality), {"version": "1", **data})

    assert_error_page(response, 400, message)
    assert snapshot(q4_update(locality)) == before


def test_a_stale_version_is_refused_with_409_and_the_typed_comments_kept(office):
    # Someone else saved the update after this page was loaded.
    QuarterlyUpdate.objects.filter(pk=q4_update().pk).update(version=2)
    comments = f"Please recheck the spend. {PAYLOAD}"

    response = office.post(url("return"), {"version": "1", "return-comments": comments})

    assert_error_page(response, 409, "Someone else saved this update while you were editing it")
    assert PAYLOAD not in response.text
    assert f"Please recheck the spend. {ESCAPED}</textarea>" in response.text
    # The page now carries the current version, so they can send it again knowingly.
    assert '<input type="hidden" name="version" value="2">' in response.text
    assert snapshot(q4_update())[:3] == (QuarterlyUpdate.Status.SUBMITTED, 2, "")


def test_a_stale_approval_is_refused_with_409(office):
    QuarterlyUpdate.objects.filter(pk=q4_update().pk).update(version=5)

    response = office.post(url("approve"), {"version": "1"})

    assert_error_page(response, 409, "Someone else saved this update")
    assert q4_update().status == QuarterlyUpdate.Status.SUBMITTED


def test_comments_typed_while_a_colleague_approved_are_shown_back(office, django_user_model):
    colleague = django_user_model.objects.create_user(username="colleague", password="x" * 16)
    colleague.groups.add(Group.objects.get(name=access.PROGRAMME_OFFICE))
    services.approve_update(update=q4_update(), expected_version=1, by=colleague)

    response = office.post(url("return"), {"version": "1", "return-comments": "Fix the spend"})

    assert_error_page(response, 400, "is approved, so it cannot be returned.")
    assert 'data-testid="kept-text"' in response.text
    assert "Fix the spend</textarea>" in response.text
    assert q4_update().status == QuarterlyUpdate.Status.APPROVED


# --- The returns page's row pieces, built in Python, match what the templates wrote ----


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("approved", "Approved"),
        ("submitted", "Submitted"),
        ("returned", "Returned with comments"),
        ("draft", "Draft"),
        ("", "Not started"),
        (None, "Not started"),
        ("draft", PAYLOAD),
    ],
)
def test_status_tag_is_the_include_rendered_in_python(status, label):
    from django.template.loader import render_to_string

    from updates.templatetags.update_tags import status_tag

    include = render_to_string(
        "updates/includes/status_tag.html", {"status": status, "label": label}
    )
    assert status_tag(status, label) == include.strip()
    assert PAYLOAD not in status_tag(status, label)


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2019, 4, 21, 9, 30, tzinfo=datetime.UTC),
        datetime.datetime(2019, 3, 31, 23, 30, tzinfo=datetime.UTC),  # 1 April in London
        datetime.datetime(2019, 1, 5, 23, 59, tzinfo=datetime.UTC),
        datetime.datetime(2018, 10, 31, 23, 30, tzinfo=datetime.UTC),  # GMT again
    ],
)
def test_short_date_is_the_date_filter(moment):
    from django.template import engines

    template = engines["django"].from_string('{{ moment|date:"j M Y" }}')

    assert selectors.short_date(moment) == template.render({"moment": moment})
    assert selectors.short_date(None) == ""


# --- The register's work under the returns: proposed risks, overdue reviews ----------


def test_the_office_sees_risks_to_accept_and_reviews_overdue_with_counts_and_links(office):
    from risks.models import Risk
    from tests import factories

    Risk.objects.all().delete()
    category = factories.risk_category("Landing test")
    proposed = [
        factories.open_risk(
            reference=None,
            title=f"Proposed {n} {PAYLOAD}",
            category=category,
            status=Risk.Status.PROPOSED,
            date_raised=datetime.date(2019, 4, n),
        )
        for n in range(1, office_views.REGISTER_WORK_SHOWN + 3)
    ]
    late = factories.open_risk(
        reference="LC-R90", category=category, next_review_date=datetime.date(2019, 4, 1)
    )
    factories.open_risk(
        reference="LC-R91", category=category, next_review_date=datetime.date(2019, 5, 1)
    )
    factories.open_risk(
        reference="LC-R92",
        category=category,
        status=Risk.Status.CLOSED,
        closing_note="Mitigated.",
        closed_on=datetime.date(2019, 2, 1),
        next_review_date=datetime.date(2019, 1, 1),
    )

    response = office.get(RETURNS_Q4)
    text = response.text

    assert PAYLOAD not in text
    assert ESCAPED in text
    work = response.context["register_work"]
    assert work.proposed_count == len(proposed)
    assert [r.pk for r in work.proposed] == [r.pk for r in proposed][
        : office_views.REGISTER_WORK_SHOWN
    ]
    assert f"{len(proposed)} proposed risks waiting to be accepted or rejected." in text
    changelist = reverse("admin:risks_risk_changelist")
    assert f'href="{changelist}?status__exact=proposed">See all {len(proposed)}' in text
    assert reverse("admin:risks_risk_change", args=[proposed[0].pk]) in text
    assert (work.review_overdue_count, [r.pk for r in work.review_overdue]) == (1, [late.pk])
    assert "1 open risk past its review date." in text
    assert f'href="{changelist}?overdue=yes">See all 1' in text
    assert "LC-R91" not in text
    assert "LC-R92" not in text


def test_with_nothing_to_do_the_register_lists_say_so_without_links(office):
    from risks.models import Risk

    Risk.objects.all().delete()

    text = office.get(RETURNS_Q4).text

    assert "0 proposed risks waiting to be accepted or rejected." in text
    assert "0 open risks past their review date." in text
    assert 'data-testid="proposed-risks"' not in text


def test_the_register_links_filter_the_admin_list_as_the_page_counts(office):
    from tests import factories

    category = factories.risk_category("Landing test")
    factories.open_risk(
        reference="LC-R90", category=category, next_review_date=datetime.date(2019, 4, 1)
    )
    response = office.get(RETURNS_Q4)
    work = response.context["register_work"]

    changelist = reverse("admin:risks_risk_changelist")
    overdue = office.get(f"{changelist}?overdue=yes")
    proposed = office.get(f"{changelist}?status__exact=proposed")

    assert overdue.context["cl"].result_count == work.review_overdue_count
    assert proposed.context["cl"].result_count == work.proposed_count


def test_the_review_pages_have_no_version_numbers(office):
    """Submitted, just approved (its timeline says so) and approved alike: the version
    stays in the hidden inputs, for the guard against clashing decisions, and nowhere else."""
    submitted = office.get(url("review", "thanet")).text
    office.post(url("approve", "thanet"), {"version": "1"})

    for html in (submitted, office.get(url("review", "thanet")).text):
        assert 'type="hidden" name="version"' in html
        assert "version" not in visible_text(html).lower()
    approved = office.get(url("review", "ashford")).text
    assert "version" not in visible_text(approved).lower()
