from decimal import Decimal

import pytest

from common.money import (
    count,
    figure_text,
    percent_number,
    percent_signed,
    pounds,
    pounds_exact,
    pounds_millions,
    pounds_number,
    pounds_short,
    pounds_short_number,
    pounds_short_signed,
    pounds_signed,
    whole,
)
from dashboard.tables.base import number_as_shown


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234567"), "£1,234,567"),
        (Decimal("1234567.49"), "£1,234,567"),
        (Decimal("2500.50"), "£2,501"),  # half-up, not half-to-even
        (Decimal("0"), "£0"),
        (Decimal("-12345"), "−£12,345"),  # a true minus sign, before the £
        (481100, "£481,100"),
        (None, "—"),
    ],
)
def test_pounds(value, text):
    assert pounds(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("32000000"), "£32m"),  # no false precision: not £32.0m
        (Decimal("164500000"), "£164.5m"),
        (Decimal("50000"), "£0.1m"),  # 0.05 rounds half-up
        (Decimal("-2881300"), "−£2.9m"),
        (None, "—"),
    ],
)
def test_pounds_millions(value, text):
    assert pounds_millions(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("26828700"), "£26.8m"),
        (Decimal("1000000"), "£1m"),
        (Decimal("999999.50"), "£1m"),  # rounds to a million, so shown in millions
        (Decimal("999949.99"), "£999.9k"),
        (Decimal("999950"), "£1m"),  # £1,000.0k is a million
        (Decimal("32000000"), "£32m"),
        (Decimal("2500000"), "£2.5m"),
        (Decimal("150000"), "£150k"),
        (Decimal("999.49"), "£999"),
        (Decimal("-150000"), "−£150k"),
        (None, "—"),
        (Decimal("481100"), "£481.1k"),
    ],
)
def test_pounds_short_is_in_thousands_or_millions_with_no_false_precision(value, text):
    assert pounds_short(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12"), "+£12"),
        (Decimal("-17600"), "−£17,600"),
        (Decimal("0.4"), "£0"),  # rounds to nothing: no sign
        (None, "—"),
    ],
)
def test_pounds_signed(value, text):
    assert pounds_signed(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("8.65"), "+8.7%"),
        (Decimal("-9.7"), "−9.7%"),
        (Decimal("-0.04"), "0.0%"),
        (None, "—"),
    ],
)
def test_percent_signed(value, text):
    assert percent_signed(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1200000.00"), "£1,200,000"),  # whole pounds: no pence
        (Decimal("1150000.50"), "£1,150,000.50"),
        (Decimal("0.05"), "£0.05"),
        (None, "—"),
    ],
)
def test_pounds_exact_shows_pence_only_when_there_are_some(value, text):
    assert pounds_exact(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12060.0"), "12,060"),  # an outcome figure held as a decimal
        (12060, "12,060"),
        (12060.0, "12,060"),
        ("12060.0", "12,060"),
        (Decimal("32.50"), "32.5"),
        (-1234, "−1,234"),
        (None, "—"),
    ],
)
def test_count_is_whole_with_separators(value, text):
    assert count(value) == text


@pytest.mark.parametrize(
    ("unit", "value", "high", "text"),
    [
        ("pounds", "218000000.00", None, "£218m"),
        ("pounds", "164000000.00", "190000000.00", "£164m to £190m"),
        ("pounds", "18000000.00", "18000000.00", "£18m"),  # a range of one value
        ("count", "415.00", None, "415"),
        ("count", "1000.00", None, "1,000"),
        ("percent", "35.00", None, "35%"),
        ("percent", "32.50", None, "32.5%"),
    ],
)
def test_figure_text_reads_each_unit(unit, value, high, text):
    high = Decimal(high) if high else None
    assert figure_text(unit=unit, value=Decimal(value), value_high=high) == text


# --- The same figures as a download holds them: numbers, rounded as shown ----------------------


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (Decimal("2360000.00"), 2360000),
        (Decimal("2500.50"), 2501),  # as pounds() shows it: half-up
        (Decimal("-17600.00"), -17600),
        (Decimal("-0.4"), 0),
        (None, None),
    ],
)
def test_pounds_number_is_the_amount_shown(value, number):
    assert pounds_number(value) == number
    assert type(pounds_number(value)) is type(number)


@pytest.mark.parametrize(
    ("value", "number", "text"),
    [
        (8.55, 8.6, "+8.6%"),
        (-15.876, -15.9, "−15.9%"),
        (Decimal("0.25"), 0.3, "+0.3%"),  # half-up, as percent_signed
        (-0.04, 0.0, "0.0%"),
        (8, 8.0, "+8.0%"),
    ],
)
def test_percent_number_is_the_percentage_shown(value, number, text):
    assert percent_signed(value) == text
    assert percent_number(value) == number
    assert str(percent_number(value)) == text.lstrip("+").replace("−", "-").rstrip("%")


@pytest.mark.parametrize(
    ("value", "decimals", "number"),
    [
        (161575.33333333334, 0, 161575),
        (159102.86333333334, 0, 159103),
        (162514.0, 0, 162514),
        (-3.7368, 1, -3.7),
        (-0.04, 1, 0.0),
        (12.25, 1, 12.2),  # as f"{12.25:.1f}" shows it
    ],
)
def test_number_as_shown_matches_the_number_column(value, decimals, number):
    assert number_as_shown(value, decimals=decimals) == number
    assert str(number_as_shown(value, decimals=decimals)) == f"{value:.{decimals}f}".replace(
        "-0.0", "0.0"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("2630530"), "+£2.6m"),
        (Decimal("-150000"), "\u2212£150k"),
        (Decimal("0"), "£0"),
        (None, "—"),
    ],
)
def test_pounds_short_signed_says_which_way(value, text):
    assert pounds_short_signed(value) == text


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (Decimal("5450000"), 5500000),
        (Decimal("481149"), 481100),
        (Decimal("-1062965"), -1100000),
        (Decimal("950.4"), 950),
        (None, None),
    ],
)
def test_pounds_short_number_is_the_figure_as_shown(value, number):
    assert pounds_short_number(value) == number
    if value is not None:
        assert pounds_short(number) == pounds_short(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [(5325.4166, "5,325"), (5325.5, "5,326"), (-2.5, "−3"), (None, "—")],
)
def test_whole_rounds_half_away_from_zero_with_separators(value, text):
    assert whole(value) == text
