import re

import pytest
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
    # mitigating actions (1 prefetch); 62: the published versions of the pack (1, however
    # many there are); 63: the board's action log (1, read with the cover, not cached);
    # 78: the overview's exceptions (8) and grouped changes (7), the same selectors.
    # 80 (issue 18): the outcomes summary matrix of the pack's localities (ramp, change
    # points, baseline means, trajectories, locality count, their months, Kent and
    # Medway's sums) in place of the quarterly figures, totals and baselines.
    with django_assert_max_num_queries(80):
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


# --- Issue 17: the pack as a board paper ------------------------------------------


@pytest.fixture
def no_board_reports(programme_data):
    """The demo's illustrative 2018/19 Q4 reports set aside: each test writes its own."""
    from governance.models import BoardReport

    BoardReport.objects.all().delete()


def _report(*, body=None, status="approved", quarter="2018-19-q4", **fields):
    from django.utils import timezone

    from governance.models import BoardReport
    from localities.models import GovernanceBody, Quarter, Rag

    year, number = int(quarter[:4]), int(quarter[-1])
    values = {
        "quarter": Quarter.objects.get(financial_year__start_year=year, number=number),
        "body": body or GovernanceBody.objects.order_by("name").last(),
        "agenda_item": "7",
        "report_from": "Local Care Senior Responsible Officer",
        "author": "STP Local Care Lead",
        "purpose": BoardReport.Purpose.NOTING,
        "assessment_rag": Rag.AMBER,
        "assessment_reason": "Two localities are behind plan.",
        "key_messages": "MDTs are ahead of plan.\nSpend is below plan.\n<script>alert(1)</script>",
        "recommendations": "Note the progress.\nSupport the OD approach.",
        "status": status,
        "approved_at": timezone.now() if status == "approved" else None,
        **fields,
    }
    return BoardReport.objects.create(**values)


def test_with_no_approved_report_the_cover_says_so_and_keeps_the_data(
    client, no_board_reports, board_user
):
    _report(status="draft", key_messages="A draft the board must not see.")
    client.force_login(board_user)

    response = client.get(BOARD_PACK + Q4)
    text = visible_text(response.text)

    assert response.context["cover"].report is None
    assert "No board report has been approved for this quarter" in text
    assert "A draft the board must not see." not in text
    assert "The Board is asked to:" not in text
    completeness = response.context["pack"].overview.headline.figures.completeness
    assert (
        f"Data complete {completeness.approved} of {completeness.localities_total} localities' "
        "returns approved for 2018/19 Q4" in text
    )
    assert "Data as at 2018/19 Q4 (to 31 March 2019)" in text


def test_the_cover_sheet_is_the_approved_report_in_the_usual_nhs_form(
    client, no_board_reports, board_user
):
    report = _report(is_illustrative=True)
    client.force_login(board_user)

    response = client.get(BOARD_PACK + Q4)
    text = visible_text(response.text)
    cover = text[text.index("Cover sheet") : text.index("Contents")]

    # The board of the quarter's one approved report is chosen by default.
    assert response.context["cover"].body == report.body
    assert f'<option value="{report.body.pk}" selected>' in response.text
    for words in (
        f"Meeting {report.body.name}",
        "Agenda item 7",
        "Title Local Care progress report, 2018/19 Q4",
        "Report from Local Care Senior Responsible Officer",
        "Author STP Local Care Lead",
        "Purpose For noting",
        "Overall assessment Amber Two localities are behind plan.",
        "Executive summary MDTs are ahead of plan. Spend is below plan.",
        "The Board is asked to: Note the progress. Support the OD approach.",
        "Illustrative report",
    ):
        assert words in cover, words
    # Free text is escaped.
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    # Every printed page's running header names the quarter and the board.
    assert 'data-running-header="Local Care board pack · 2018/19 Q4 · ' in response.text


def test_another_board_is_chosen_by_its_select_and_an_unknown_one_is_not_found(
    client, programme_data, board_user
):
    from localities.models import GovernanceBody

    report = _report()
    other = GovernanceBody.objects.exclude(pk=report.body_id).first()
    client.force_login(board_user)

    response = client.get(BOARD_PACK + Q4 + f"&board={other.pk}")

    assert response.context["cover"].body == other
    assert "No board report has been approved for this quarter" in visible_text(response.text)
    for bad in ("999999", "abc", "1%27"):
        assert client.get(BOARD_PACK + Q4 + f"&board={bad}").status_code == 404


def test_an_approval_shows_on_the_cover_at_once_though_the_pack_is_cached(
    client, no_board_reports, board_user
):
    client.force_login(board_user)
    assert client.get(BOARD_PACK + Q4).context["cover"].report is None

    _report()

    assert client.get(BOARD_PACK + Q4).context["cover"].report is not None


def test_the_sections_follow_the_board_paper_order(client, programme_data, board_user):
    client.force_login(board_user)

    html = client.get(BOARD_PACK + Q4).text
    ids = [
        "pack-cover",
        "pack-contents",
        "pack-exceptions",
        "pack-objectives",
        "pack-actions",
        "pack-milestones",
        "pack-mdts",
        "pack-money",
        "pack-outcomes",
        "pack-risks",
        "pack-critical-areas",
        "pack-maturity",
    ]
    positions = [html.index(f'id="{name}"') for name in ids]
    assert positions == sorted(positions)
    for name in ids[2:]:
        assert f'href="#{name}"' in html  # linked from the contents


def test_the_action_log_is_the_boards_own_as_at_the_quarter(client, programme_data, board_user):
    client.force_login(board_user)
    joint_board = "?board=3&quarter="

    q4 = client.get(BOARD_PACK + joint_board + "2018-19-q4")
    q2 = client.get(BOARD_PACK + joint_board + "2018-19-q2")
    lcib = client.get(BOARD_PACK + "?board=1&quarter=2018-19-q4")

    # The Joint Board's three actions from the papers, each with its status as at the end
    # of the quarter: the report due by "19 March 2018" (2019) was overdue by 31 March 2019.
    section = visible_text(q4.text.split('id="pack-actions"')[1].split("</section>")[0])
    assert "Actions from previous meetings of the Kent and Medway Joint Health" in section
    assert "status as at 31 March 2019" in section
    assert "Present a report to the Joint Board" in section
    assert "Overdue" in section
    assert "Illustrative owner and status" in section
    # At the end of September 2018 only the 9 October meeting's action is not yet agreed.
    assert [row.text for row in q2.context["actions"]] == []
    assert "No actions are recorded from previous meetings of the Local Care Implementation" in (
        visible_text(lcib.text)
    )


def test_top_risks_carry_owner_trend_target_and_their_mitigating_actions(
    client, programme_data, board_user
):
    from risks.models import MitigatingAction

    client.force_login(board_user)

    response = client.get(BOARD_PACK + Q4)
    lines = response.context["pack"].top_risks
    text = visible_text(response.text)

    assert lines
    for line in lines:
        assert line.owner == line.risk.owner_role or line.owner  # as recorded by then
        assert line.trend_label
        assert {action.pk for action in line.actions} == set(
            MitigatingAction.objects.filter(risk=line.risk).values_list("pk", flat=True)
        )
    with_actions = next(line for line in lines if line.actions)
    assert with_actions.actions[0].description in text
    assert "Mitigating actions (status at quarter end)" in text
    assert "Target" in text


def test_the_pack_charts_each_have_a_summary_and_a_table(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(BOARD_PACK + Q4)
    pack = response.context["pack"]
    charts = [
        *pack.objective_charts,
        pack.spend_chart,
        *pack.outcome_charts,
        pack.maturity_chart,
    ]

    assert len(pack.objective_charts) == 4
    assert len(pack.outcome_charts) == len(pack.outcome_matrix.measures)
    assert len({chart.dom_id for chart in charts}) == len(charts)
    for chart in charts:
        assert chart.summary
        assert chart.table.rows
        assert f'data-chart="{chart.data_id}"' in response.text
    assert pack.heatmap.total == pack.open_risk_count
    assert "Heatmap: open risks by likelihood and consequence" in visible_text(response.text)


def test_maturity_in_the_pack_is_the_maturity_pages(client, programme_data, board_user):
    client.force_login(board_user)

    pack = client.get(BOARD_PACK + Q4).context["pack"]
    page = client.get(reverse("dashboard:maturity") + Q4).context["data"]

    assert pack.maturity.by_element == page.by_element
    assert (
        pack.maturity_chart.summary
        == client.get(reverse("dashboard:maturity") + Q4).context["chart"].summary
    )
    assert pack.maturity_is_illustrative
