"""Dashboard data is cached per page, scope and data version, and never shown stale.

The tests that prove freshness run with real commits (`transaction=True`), so
that the data version moves exactly as it does in production: after the
writing transaction commits (dashboard.caching).
"""

import pytest
from django.db import transaction
from django.urls import reverse

from dashboard import caching
from dashboard.selectors.overview import LocalityHealth
from dashboard.signals import tracked_models
from localities.access import PROGRAMME_DATA_APPS
from localities.models import Locality, Objective
from risks import services as risk_services
from risks.models import Risk, RiskReview
from tests.helpers import query_count
from tests.updates.update_data import save_complete_update
from updates import services as update_services
from updates.models import QuarterlyUpdate

Q4 = "?quarter=2018-19-q4"
OVERVIEW = reverse("dashboard:home") + Q4
THANET = reverse("dashboard:locality", args=["thanet"]) + Q4
RISKS = reverse("dashboard:risks") + Q4
RISK = "LC-R01"

# What a page served from the cache still asks the database: the session, the
# user and the user's groups (who may see dashboards), plus what the view must
# read to build its key or its filter form.
CACHED_PAGE_QUERIES = {
    reverse("dashboard:home"): 3,
    reverse("dashboard:objectives"): 4,  # localities, for the filter form
    reverse("dashboard:milestones"): 3,
    reverse("dashboard:mdts"): 3,
    reverse("dashboard:money"): 3,  # the sub-systems offered come with the cached structure
    reverse("dashboard:outcomes"): 3,
    reverse("dashboard:outcomes-summary"): 3,
    reverse("dashboard:critical-areas"): 3,
    reverse("dashboard:maturity"): 3,
    reverse("dashboard:benefits"): 3,
    reverse("dashboard:risks"): 3,
    # The cover sheet's boards and approved report (2), the board's action log (1) and the
    # published versions of the pack (1) are read afresh: an approval or a publication
    # shows at once, and the cached pack is the same for every board.
    reverse("dashboard:board-pack"): 7,
    reverse("dashboard:actions"): 3,
    reverse("dashboard:governance"): 3,
    reverse("dashboard:locality", args=["thanet"]): 4,  # the locality itself
    reverse("dashboard:risk-detail", args=[RISK]): 4,  # the risk itself
}


def count_queries(client, url: str) -> int:
    """Queries for one GET, leaving the cache as it is (query_count empties it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def thanet_row(client):
    rows = client.get(OVERVIEW).context["matrix"].rows
    return next(row for row in rows if row.locality.slug == "thanet")


def thanet_q4() -> QuarterlyUpdate:
    return QuarterlyUpdate.objects.get(
        locality__slug="thanet", quarter__financial_year__start_year=2018, quarter__number=4
    )


@pytest.mark.parametrize(("url", "cached_queries"), list(CACHED_PAGE_QUERIES.items()))
def test_every_dashboard_page_is_computed_once_then_served_from_the_cache(
    client, programme_data, board_user, url, cached_queries
):
    client.force_login(board_user)

    first = client.get(url + Q4)  # computes the data and stores it
    served = count_queries(client, url + Q4)
    computed = query_count(client, url + Q4)  # the cache emptied first
    second = client.get(url + Q4)

    assert served == cached_queries < computed
    # The same data either way (read back through the cache's pickling).
    assert second.context["page"] == first.context["page"]
    shown = ("overview", "data", "pack", "outcomes", "outcome_matrix", "money", "chart")
    assert any(name in first.context for name in shown)
    for name in shown:
        if name in first.context:
            assert second.context[name] == first.context[name], name


@pytest.mark.django_db(transaction=True)
def test_an_approval_shows_on_the_next_load_of_the_overview_and_locality_pages(
    client, programme_data, board_user, office_user
):
    client.force_login(board_user)
    assert thanet_row(client).health == LocalityHealth.NO_RETURN
    assert client.get(THANET).context["data"].update is None
    # Both pages are now in the cache and served from it.
    assert count_queries(client, OVERVIEW) == CACHED_PAGE_QUERIES[reverse("dashboard:home")]
    assert count_queries(client, THANET) == 4
    assert thanet_row(client).health == LocalityHealth.NO_RETURN

    update = thanet_q4()
    update_services.approve_update(update=update, expected_version=update.version, by=office_user)

    assert thanet_row(client).health != LocalityHealth.NO_RETURN
    response = client.get(THANET)
    assert response.context["data"].update.status == QuarterlyUpdate.Status.APPROVED
    assert "Thanet&#x27;s 2018/19 Q4 update" in response.text or "Thanet's 2018/19 Q4 update" in (
        response.text
    )


@pytest.mark.django_db(transaction=True)
def test_a_reopened_update_leaves_the_next_load(client, programme_data, board_user, office_user):
    client.force_login(board_user)
    update = QuarterlyUpdate.objects.get(
        locality__slug="ashford", quarter__financial_year__start_year=2018, quarter__number=4
    )
    ashford = reverse("dashboard:locality", args=["ashford"]) + Q4
    assert client.get(ashford).context["data"].update == update

    update_services.reopen_update(
        update=update,
        reason="Spend figure is wrong",
        expected_version=update.version,
        by=office_user,
    )

    assert client.get(ashford).context["data"].update is None


@pytest.mark.django_db(transaction=True)
def test_a_risk_edit_shows_on_the_next_load_of_the_risks_pages(
    client, programme_data, board_user, office_user
):
    client.force_login(board_user)
    detail = reverse("dashboard:risk-detail", args=[RISK]) + Q4
    risk = Risk.objects.get(reference=RISK)
    assert risk.title in client.get(RISKS).text
    assert count_queries(client, RISKS) == CACHED_PAGE_QUERIES[reverse("dashboard:risks")]
    assert client.get(detail).context["data"].risk.title == risk.title

    risk.title = "Edited: GP recruitment now the main constraint on MDT staffing"
    risk_services.save_risk(risk=risk, expected_version=risk.version, by=office_user)

    assert "Edited: GP recruitment now the main constraint" in client.get(RISKS).text
    assert client.get(detail).context["data"].risk.title == risk.title


@pytest.mark.django_db(transaction=True)
def test_a_reference_data_edit_shows_on_the_next_load(client, programme_data, board_user):
    """As Django admin saves it: a plain model save, no service in between."""
    client.force_login(board_user)
    assert "Expanding the model" in client.get(OVERVIEW).text

    objective = Objective.objects.get(financial_year__start_year=2018, number=4)
    objective.short_title = "Growing the model"
    objective.save()

    page = client.get(OVERVIEW).text
    assert "Growing the model" in page
    assert "Expanding the model" not in page


@pytest.mark.django_db(transaction=True)
def test_a_draft_save_keeps_the_cached_dashboards_and_submission_moves_them_on(
    client, programme_data, board_user, lead_medway
):
    medway_q4 = QuarterlyUpdate.objects.get(
        locality__slug="medway", quarter__financial_year__start_year=2018, quarter__number=4
    )
    assert medway_q4.status == QuarterlyUpdate.Status.DRAFT
    client.force_login(board_user)
    client.get(OVERVIEW)
    before = caching.data_version()

    # Drafts are the lead's alone: saving them leaves every cached page in place.
    update = save_complete_update(medway_q4.locality, medway_q4.quarter, lead_medway)
    assert update.version > medway_q4.version
    assert caching.data_version() == before
    assert count_queries(client, OVERVIEW) == CACHED_PAGE_QUERIES[reverse("dashboard:home")]

    # Submitting shows it to the office's preview: the version moves.
    update_services.submit_update(update=update, expected_version=update.version, by=lead_medway)
    assert caching.data_version() == before + 1


@pytest.mark.django_db(transaction=True)
def test_the_version_moves_once_per_committed_transaction_and_not_on_rollback(programme_data):
    before = caching.data_version()

    with transaction.atomic():
        for locality in Locality.objects.all():
            locality.name += " "
            locality.save()
        assert caching.data_version() == before  # not until the commit
    assert caching.data_version() == before + 1

    def delete_then_fail():
        with transaction.atomic():
            RiskReview.objects.filter(risk__reference=RISK).first().delete()
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        delete_then_fail()
    assert caching.data_version() == before + 1

    Locality.objects.filter(slug="thanet").first().save()  # autocommit: at once
    assert caching.data_version() == before + 2


def test_a_request_that_wrote_sees_its_own_writes_before_commit(
    client, programme_data, board_user, office_user
):
    """Tests (and a request in one transaction) read what they have just written."""
    client.force_login(board_user)
    assert thanet_row(client).health == LocalityHealth.NO_RETURN

    update = thanet_q4()
    update_services.approve_update(update=update, expected_version=update.version, by=office_user)

    assert caching.has_uncommitted_changes()
    assert thanet_row(client).health != LocalityHealth.NO_RETURN


def test_bulk_generated_data_counts_as_a_write(programme_data):
    from tools.scale import generate_scale_data

    assert not caching.has_uncommitted_changes()
    generate_scale_data(factor=2)
    assert caching.has_uncommitted_changes()


def test_the_viewers_scope_is_part_of_the_key(client, programme_data, board_user, office_user):
    """The office's preview includes submitted updates; the board's view never does."""
    client.force_login(office_user)
    preview = client.get(OVERVIEW + "&preview=1").context["matrix"]
    client.force_login(board_user)
    board = client.get(OVERVIEW).context["matrix"]
    client.force_login(office_user)
    office = client.get(OVERVIEW).context["matrix"]

    def health(matrix):
        return next(row.health for row in matrix.rows if row.locality.slug == "thanet")

    assert health(preview) != LocalityHealth.NO_RETURN  # Thanet's Q4 return is submitted
    assert health(board) == health(office) == LocalityHealth.NO_RETURN


def test_quarter_and_filters_are_part_of_the_key(client, programme_data, board_user):
    client.force_login(board_user)

    q3 = client.get(reverse("dashboard:home") + "?quarter=2018-19-q3").context["overview"]
    q4 = client.get(OVERVIEW).context["overview"]
    everything = client.get(RISKS).context["data"]
    thanet = client.get(RISKS + "&locality=thanet").context["data"]
    programme = client.get(RISKS + "&locality=programme-wide").context["data"]

    assert (q3.quarter.number, q4.quarter.number) == (3, 4)
    assert {row.where for row in thanet.register.rows} == {"Thanet"}
    assert {row.where for row in programme.register.rows} == {"Programme-wide"}
    assert everything.register.total > thanet.register.total + programme.register.total


def test_every_localities_and_risks_model_moves_the_version():
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from dashboard.signals import _programme_data_changed

    expected = {
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in PROGRAMME_DATA_APPS
        and not model.__name__.startswith("Historical")
        and not getattr(model, "is_read_model", False)
    }
    assert {Risk, RiskReview, QuarterlyUpdate, Objective} <= expected
    assert set(tracked_models()) == expected
    for model in expected:
        signals = (m2m_changed,) if model._meta.auto_created else (post_save, post_delete)
        for signal in signals:
            sync_receivers, _ = signal._live_receivers(model)
            assert _programme_data_changed in sync_receivers, (model, signal)


def test_a_restore_outside_django_is_followed_by_invalidating_the_cache(capsys):
    from django.core.management import call_command

    before = caching.data_version()

    call_command("invalidate_dashboard_cache")

    assert caching.data_version() == before + 1
    assert f"now {before + 1}" in capsys.readouterr().out


def test_a_lost_version_restarts_beyond_every_version_used_before():
    """An evicted or restarted cache must never hand out a version seen before."""
    from django.core.cache import cache

    before = caching.data_version()
    caching.bump_data_version()
    cache.delete(caching.DATA_VERSION_KEY)

    assert caching.data_version() > before + 1
