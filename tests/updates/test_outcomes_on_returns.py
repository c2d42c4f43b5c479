"""A return shows the monthly extract's outcome figures, read-only (decision 0019).

The illustrative data has every month from April 2016 to March 2019, loaded
by one extract a month from April 2018 (2018/19 Q4's last, March 2019, loaded
in April 2019). 2019/20 Q1 has none loaded yet.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from localities.models import Locality, MonthlyOutcome, OutcomeMeasure, Quarter
from tests.helpers import visible_text
from updates import outcome_selectors, services
from updates.models import QuarterlyUpdate

pytestmark = pytest.mark.django_db
Q4 = "2018-19-q4"


def url(name, locality="medway", quarter=Q4, **kwargs):
    return reverse(f"updates:{name}", kwargs={"locality": locality, "quarter": quarter, **kwargs})


def q4():
    return Quarter.objects.get(financial_year__start_year=2018, number=4)


def test_the_selector_gives_each_measures_three_months_and_their_sum(programme_data):
    medway = Locality.objects.get(slug="medway")
    expected = {
        (o.measure_id, o.month): o.value
        for o in MonthlyOutcome.objects.filter(
            locality=medway, month__year=2019, month__month__lte=3
        )
    }

    monthly = outcome_selectors.quarter_outcomes(locality=medway, quarter=q4())

    assert monthly.months == [datetime.date(2019, m, 1) for m in (1, 2, 3)]
    assert len(monthly.rows) == OutcomeMeasure.objects.count()
    first = monthly.rows[0]
    assert [m.value for m in first.months] == [
        expected[(first.measure.pk, month)] for month in monthly.months
    ]
    assert first.total == sum(expected[(first.measure.pk, month)] for month in monthly.months)
    assert first.is_complete
    assert monthly.is_illustrative
    latest = (
        MonthlyOutcome.objects.filter(locality=medway, month__in=monthly.months)
        .order_by("-extract__loaded_at")
        .values_list("extract__loaded_at", flat=True)
        .first()
    )
    assert monthly.source_text == (
        "From the monthly data warehouse extract loaded by the programme office on "
        f"{latest.day} {latest:%B %Y}; not entered on the return."
    )


def test_a_month_not_loaded_yet_is_said_and_left_out_of_the_sum(programme_data):
    medway = Locality.objects.get(slug="medway")
    MonthlyOutcome.objects.filter(locality=medway, month=datetime.date(2019, 3, 1)).delete()

    monthly = outcome_selectors.quarter_outcomes(locality=medway, quarter=q4())

    row = monthly.rows[0]
    assert row.months[2].value is None
    assert row.months[2].missing_text == "No figures loaded yet for March 2019"
    assert (row.months_loaded, row.is_complete) == (2, False)
    assert row.total == row.months[0].value + row.months[1].value


def test_a_quarter_with_nothing_loaded_says_so(programme_data):
    medway = Locality.objects.get(slug="medway")
    later = Quarter.objects.get(financial_year__start_year=2019, number=1)

    monthly = outcome_selectors.quarter_outcomes(locality=medway, quarter=later)

    assert monthly.loaded_on is None
    assert "none of this quarter's months is loaded yet" in monthly.source_text
    assert all(row.total is None for row in monthly.rows)


def test_the_update_page_shows_the_figures_read_only(client, lead_medway):
    client.force_login(lead_medway)

    html = client.get(url("detail")).text

    section = html[html.index('id="section-outcomes"') : html.index('id="section-maturity"')]
    text = visible_text(section)
    assert 'data-testid="quarter-outcomes"' in section
    assert "From the monthly data warehouse extract loaded by the programme office on" in text
    assert "not entered on the return" in text
    assert "January 2019 February 2019 March 2019 Quarter" in text
    assert 'data-testid="illustrative-tag"' in section
    assert "edit/outcomes/" not in section  # no "Change" link
    assert "<input" not in section


def test_missing_months_are_said_on_the_page(client, lead_medway):
    MonthlyOutcome.objects.filter(locality__slug="medway", month=datetime.date(2019, 2, 1)).delete()
    client.force_login(lead_medway)

    text = visible_text(client.get(url("detail")).text)

    assert "No figures loaded yet for February 2019" in text
    assert "(2 of 3 months)" in text


def test_the_outcomes_section_has_no_form(client, lead_medway):
    client.force_login(lead_medway)

    response = client.get(url("edit-section", section="outcomes"))

    assert response.status_code == 302
    assert response["Location"] == url("detail") + "#section-outcomes"
    assert client.post(url("edit-section", section="outcomes"), {}).status_code == 302


def test_the_money_form_goes_on_to_maturity_not_outcomes(client, lead_medway):
    client.force_login(lead_medway)

    html = client.get(url("edit-section", section="money")).text

    assert 'name="next_section" value="maturity"' in html


def test_submission_asks_for_no_outcome_figures(lead_medway):
    update = QuarterlyUpdate.objects.get(locality__slug="medway", quarter=q4())
    update.outcome_figures.all().delete()

    problems = services.submission_problems(update)

    assert "outcomes" not in {problem.section for problem in problems}


def test_nothing_to_confirm_in_the_outcomes(lead_medway):
    update = QuarterlyUpdate.objects.get(locality__slug="medway", quarter=q4())

    with pytest.raises(ValidationError) as refused:
        services.confirm_unchanged(
            locality=update.locality,
            quarter=update.quarter,
            sections=["outcomes"],
            expected_version=update.version,
            by=lead_medway,
        )

    assert refused.value.error_list[0].code == "nothing_to_confirm"
    assert not update.confirmations.filter(section="outcomes").exists()


def test_the_review_page_shows_the_figures_read_only(client, office_user, programme_data):
    client.force_login(office_user)

    html = client.get(url("review", locality="thanet")).text

    assert 'data-testid="review-outcomes"' in html
    assert 'data-testid="compare-outcomes"' not in html
    assert "not entered on the return" in visible_text(html)


def test_the_spreadsheet_has_no_outcomes_sheet_and_says_why(client, lead_medway):
    import io

    import openpyxl

    client.force_login(lead_medway)

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url("download")).content))

    assert "Outcomes" not in workbook.sheetnames
    about = " ".join(
        str(value)
        for row in workbook["About"].iter_rows(values_only=True)
        for value in row
        if value
    )
    assert "Outcome figures are not entered on the return" in about
