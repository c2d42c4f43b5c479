import datetime

import pytest

from localities.models import Milestone, Quarter

D = datetime.date


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"planned_start": D(2018, 6, 28), "planned_end": D(2018, 6, 28)}, "28 Jun 2018"),
        ({"planned_end": D(2019, 3, 19)}, "By 19 Mar 2019"),
        ({"planned_start": D(2017, 9, 1), "planned_end": D(2017, 9, 30)}, "Sep 2017"),
        ({"planned_start": D(2018, 8, 1), "planned_end": D(2018, 9, 30)}, "Aug 2018 – Sep 2018"),
        ({"planned_start": D(2019, 2, 1), "planned_end": D(2019, 2, 28)}, "Feb 2019"),
        ({"planned_start": D(2018, 8, 1), "planned_end": D(2018, 9, 7)}, "1 Aug 2018 – 7 Sep 2018"),
        (
            {
                "planned_start": D(2018, 7, 1),
                "planned_end": D(2018, 9, 30),
                "is_date_uncertain": True,
            },
            "Jul 2018 – Sep 2018 (uncertain)",
        ),
        ({"timing_as_written": "TBC", "is_date_uncertain": True}, "TBC (uncertain)"),
        ({"timing_as_written": "In progress"}, "In progress"),
        ({}, "No date yet"),
    ],
)
def test_the_planned_window_is_never_more_precise_than_the_data(fields, expected):
    assert Milestone(title="x", **fields).planned_window_text() == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"planned_end": D(2018, 9, 7), "actual_date": D(2018, 11, 23)}, 77),
        ({"planned_end": D(2018, 9, 7), "forecast_date": D(2018, 9, 1)}, -6),
        ({"planned_end": D(2018, 9, 7)}, None),
        ({"actual_date": D(2018, 11, 23)}, None),
    ],
)
def test_slippage_runs_from_the_end_of_the_planned_window(fields, expected):
    found = Milestone(title="x", **fields).slippage()
    assert (found.days if found else None) == expected


@pytest.mark.parametrize(
    ("number", "start", "end"),
    [
        (1, D(2018, 4, 1), D(2018, 6, 30)),
        (2, D(2018, 7, 1), D(2018, 9, 30)),
        (3, D(2018, 10, 1), D(2018, 12, 31)),
        (4, D(2019, 1, 1), D(2019, 3, 31)),
    ],
)
def test_quarters_run_april_to_march(number, start, end):
    assert Quarter.dates_for(2018, number) == (start, end)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "Not reported"),
        (
            {
                "status": "in_progress",
                "reported_by": "the programme office",
                "reported_on": D(2018, 12, 12),
            },
            "Reported by the programme office, 12 Dec 2018",
        ),
        (
            {"status": "in_progress", "reported_by": "Thanet's 2018/19 Q4 return"},
            "Reported by Thanet's 2018/19 Q4 return",
        ),
        (
            {
                "status": "complete",
                "source": "Kent and Medway Joint Health and Wellbeing Board, "
                "9 October 2018: STP Local Care update (2.2)",
            },
            "In the paper of 9 October 2018",
        ),
        (
            {
                "status": "complete",
                "source": "Kent and Medway Joint Health and Wellbeing Board, 9 October 2018: "
                "STP Local Care update (3.2); Kent and Medway Joint Health and Wellbeing "
                "Board minutes: STP Local Care update",
            },
            "In the Joint Board minutes",
        ),
    ],
)
def test_the_board_sees_who_reported_a_status(fields, expected):
    assert Milestone(title="x", **fields).report_text() == expected
