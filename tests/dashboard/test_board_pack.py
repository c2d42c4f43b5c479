import re

from django.urls import reverse

from tests.helpers import assert_queries_do_not_grow, visible_text

BOARD_PACK = reverse("dashboard:board-pack")
Q4 = "?quarter=2018-19-q4"


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get(BOARD_PACK)["Location"].startswith(reverse("login"))


def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor"))

    assert client.get(BOARD_PACK).status_code == 403


def test_every_programme_role_may_take_the_pack(
    client, programme_data, board_user, office_user, lead_thanet, admin_user
):
    for user in (board_user, office_user, lead_thanet, admin_user):
        client.force_login(user)
        assert client.get(BOARD_PACK + Q4).status_code == 200


def test_the_pack_is_stamped_with_its_quarter_and_date(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(BOARD_PACK + "?quarter=2018-19-q3")

    assert "As at <strong>2018/19 Q3</strong>" in response.text
    assert "Generated " in response.text
    assert "from approved quarterly updates" in response.text


def test_the_pack_uses_the_same_figures_as_the_pages(client, programme_data, board_user):
    client.force_login(board_user)
    pack = client.get(BOARD_PACK + Q4).context["pack"]
    home = client.get(reverse("dashboard:home") + Q4).context
    overview = home["overview"]
    money = client.get(reverse("dashboard:money") + Q4).context

    assert pack.overview.headline == overview.headline
    assert pack.overview.change_lists == overview.change_lists
    # Eight localities: the pack shows every row of the overview's matrix.
    assert sorted(pack.matrix, key=lambda row: row.locality.name) == home["matrix"].rows
    assert pack.money_total == pack.overview.headline.figures.spend
    assert money["page"].quarter == pack.overview.quarter
    assert pack.open_risk_count == sum(item.count for item in overview.headline.risks_by_band)
    assert [line.score for line in pack.top_risks] == sorted(
        (line.score for line in pack.top_risks), reverse=True
    )


def test_query_count_is_pinned_and_does_not_grow(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    # The pack reads only what it prints: a few localities' rows (outcomes,
    # MDTs, money) and totals over all, each in SQL.
    # 47: the headline figures every page shares add five to the overview's.
    # 61 (issue 17): the cover sheet's boards and approved report (2, not cached), the
    # objectives' RAG charts (6), maturity (4), the heatmap (1) and the top risks'
    # mitigating actions (1 prefetch).
    with django_assert_max_num_queries(61):
        client.get(BOARD_PACK + Q4)

    assert_queries_do_not_grow(client, BOARD_PACK + Q4)


def test_the_packs_locality_rows_and_totals_are_the_pages_figures(
    client, programme_data, board_user
):
    client.force_login(board_user)
    pack = client.get(BOARD_PACK + Q4).context["pack"]
    mdts = client.get(reverse("dashboard:mdts") + Q4).context["data"]
    money = client.get(reverse("dashboard:money") + Q4).context["money"]
    milestones = client.get(reverse("dashboard:milestones") + Q4).context["data"]

    assert pack.mdt_totals == mdts.totals
    assert pack.money_total == money.total
    assert pack.milestones_summary == milestones.summary_sentence
    # Eight localities: every one is in the pack, row for row as on the pages.
    assert pack.mdt_rows == sorted(mdts.localities.rows, key=lambda row: row.name)
    assert pack.money_rows == sorted(money.localities.rows, key=lambda row: row.name)


def test_the_milestones_for_attention_are_bounded_and_the_rest_counted(
    client, programme_data, board_user, monkeypatch
):
    from dashboard.selectors import board_pack
    from dashboard.selectors.milestones import StatusAsAt

    monkeypatch.setattr(board_pack, "PACK_LIST_ITEMS", 2)
    client.force_login(board_user)
    pack = client.get(BOARD_PACK + Q4).context["pack"]
    page = client.get(reverse("dashboard:milestones") + Q4 + "&per_page=100").context
    quarter = page["page"].quarter
    every = page["data"].rows.rows
    assert len(every) == page["data"].rows.total  # the whole register on one page
    wanted = [
        row
        for row in every
        if row.status_then == StatusAsAt.OVERDUE
        or (row.actual_date and quarter.start_date <= row.actual_date <= quarter.end_date)
    ]

    assert len(wanted) > 2
    assert len(pack.milestones_for_attention) == 2
    assert {row.id for row in pack.milestones_for_attention} <= {row.id for row in wanted}
    assert pack.more_milestones == len(wanted) - 2


def test_a_month_only_completion_is_listed_with_its_month_not_a_day(
    client, programme_data, board_user
):
    client.force_login(board_user)

    # The pack lists what was completed in its quarter; the first with returns is 2018/19 Q1
    # (the investment case, September 2017, is on the milestones page instead).
    for quarter, title, as_written, stored_day in [
        ("2018-19-q1", "Locality planning exercise started", "April 2018", "30 Apr 2018"),
        ("2018-19-q2", "All 8 locality plans refreshed", "July 2018", "31 Jul 2018"),
    ]:
        response = client.get(BOARD_PACK + f"?quarter={quarter}")
        assert response.status_code == 200, quarter
        page = response.content.decode()

        rows = {row.title: row for row in response.context["pack"].milestones_for_attention}
        row = next(row for name, row in rows.items() if name.startswith(title))
        assert row.actual_text == as_written
        assert f"Complete, {as_written}" in page
        assert stored_day not in page


def test_the_pack_writes_money_and_percentages_as_the_pages_do(client, programme_data, board_user):
    """The £32m as the papers give it (not £32,000,000 or £32.0m); percentages signed with
    the pages' true minus sign (−8.6%, +8.6%), never a bare "8.6%" or a hyphen."""
    client.force_login(board_user)

    text = visible_text(client.get(BOARD_PACK + "?quarter=2018-19-q4").text)

    assert "£32m planned for the year, illustrative; £32m being invested" in text
    assert "£32,000,000" not in text
    assert not re.search(r"£\d+\.0m", text)
    assert not re.search(r"(?<![+\u2212\d.])\d+\.\d% vs baseline", text)
    assert re.search(r"[+\u2212]\d+\.\d% vs baseline", text)
