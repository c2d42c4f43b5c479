"""Money as a board paper writes it: £1,234,567 for a locality, £32m for the programme.

Rounding is half-up (the way people round by hand), not Python's default
half-to-even, so that £2,500.50 shows as £2,501 and £0.05m as £0.1m.
A negative amount uses a true minus sign (−), which screen readers say as
"minus" and which no spreadsheet reads as a formula.

Every page, chart, comparison and download writes money through here (no app
keeps a pounds() of its own), so the board pages, the chart hover text and the
returns' comparison agree to the pound and the sign. Plain Python with no app's
models, beside common.exports, so that localities may use it as the dashboard does.
"""

from decimal import ROUND_HALF_UP, Decimal

MINUS = "\u2212"
THOUSAND = Decimal("1000")
MILLION = Decimal("1000000")
NOTHING = "—"


def _rounded(value, places: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _sign(amount: Decimal) -> str:
    return MINUS if amount < 0 else ""


def spreadsheet_number(amount: Decimal, *, decimals: int) -> int | float:
    """A rounded amount as a download holds it: an int for whole units, else a float
    with the same places (8.0, not 8); never "-0"."""
    if decimals == 0:
        return int(amount)
    return float(amount) + 0.0  # + 0.0 turns -0.0 into 0.0


def pounds_number(value) -> int | None:
    """The amount `pounds` shows, as a number for a download: 2500.50 gives 2501."""
    return None if value is None else spreadsheet_number(_rounded(value, 0), decimals=0)


def percent_number(value, *, decimals: int = 1) -> int | float | None:
    """The percentage `percent_signed` shows, as a number for a download: 8.6, -8.6."""
    if value is None:
        return None
    return spreadsheet_number(_rounded(value, decimals), decimals=decimals)


def pounds(value) -> str:
    """Whole pounds with thousands separators: £1,234,567."""
    if value is None:
        return NOTHING
    amount = _rounded(value, 0)
    return f"{_sign(amount)}£{abs(amount):,.0f}"


def _short_number(amount: Decimal) -> str:
    """32 or 2.5: one decimal place at most, and none when it is 0, so that a short
    form never claims more precision than the figure has (£32m, not £32.0m)."""
    text = f"{abs(amount):,.1f}"
    return text.removesuffix(".0")


def pounds_millions(value) -> str:
    """Millions of pounds to the nearest £0.1m: £32m, £164.5m."""
    if value is None:
        return NOTHING
    amount = _rounded(Decimal(value) / MILLION, 1)
    return f"{_sign(amount)}£{_short_number(amount)}m"


def pounds_thousands(value) -> str:
    """Thousands of pounds to the nearest £0.1k: £150k, £481.1k."""
    if value is None:
        return NOTHING
    amount = _rounded(Decimal(value) / THOUSAND, 1)
    return f"{_sign(amount)}£{_short_number(amount)}k"


def pounds_short(value) -> str:
    """A tile's or a chart's money: £32m from a million pounds up, £150k from a thousand,
    whole pounds below (£950)."""
    if value is None:
        return NOTHING
    if abs(_rounded(Decimal(value) / THOUSAND, 1)) >= THOUSAND:
        return pounds_millions(value)
    if abs(_rounded(value, 0)) >= THOUSAND:
        return pounds_thousands(value)
    return pounds(value)


def pounds_exact(value) -> str:
    """A sum as someone entered it: whole pounds when it is whole (£1,200,000), else to
    the penny (£1,150,000.50); never pence that are not there."""
    if value is None:
        return NOTHING
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return pounds(amount)
    amount = _rounded(amount, 2)
    return f"{_sign(amount)}£{abs(amount):,.2f}"


def pounds_signed(value) -> str:
    """A variance: +£12,345, −£12,345 or £0."""
    if value is None:
        return NOTHING
    text = pounds(value)
    return text if text.startswith(MINUS) or _rounded(value, 0) == 0 else f"+{text}"


def percent_signed(value, *, decimals: int = 1) -> str:
    """A percentage change: +8.6%, −8.6% or 0.0%."""
    if value is None:
        return NOTHING
    amount = _rounded(value, decimals)
    if amount == 0:
        return f"{abs(amount):.{decimals}f}%"
    return f"{'+' if amount > 0 else MINUS}{abs(amount):.{decimals}f}%"


def count(value) -> str:
    """A count with thousands separators and no decimals: 12,060, never 12,060.0.

    A count held as a decimal (an outcome figure's 12060.0) that is not whole keeps
    its places as given (32.5)."""
    if value is None or value == "":
        return NOTHING
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"{_sign(amount)}{abs(amount):,.0f}"
    return f"{_sign(amount)}{abs(amount).normalize():,f}"


def whole(value) -> str:
    """A figure rounded to a whole number with separators: a mean of 5,325.4 a month is
    5,325 (half away from zero)."""
    if value is None or value == "":
        return NOTHING
    return count(_rounded(value, 0))


def _percent(value) -> str:
    return f"{count(value)}%"


def _years(value) -> str:
    return f"{count(value)} years"


def figure_text(*, unit: str, value, value_high=None) -> str:
    """A headline figure from the papers in its unit: £218m, 415, 35%, 22 years, £164m to £190m."""
    one = {"pounds": pounds_short, "percent": _percent, "years": _years}.get(unit, count)
    if value_high is not None and value_high != value:
        return f"{one(value)} to {one(value_high)}"
    return one(value)


def pounds_short_signed(value) -> str:
    """A difference as a tile or chart shows it: +£2.6m, −£150k or £0."""
    text = pounds_short(value)
    return f"+{text}" if value is not None and Decimal(value) > 0 else text


def pounds_short_number(value) -> int | None:
    """The amount `pounds_short` shows, as a number for a download: £5.5m gives 5500000,
    £481.1k gives 481100."""
    if value is None:
        return None
    amount = Decimal(value)
    if abs(_rounded(amount / THOUSAND, 1)) >= THOUSAND:
        return int(_rounded(amount / MILLION, 1) * MILLION)
    if abs(_rounded(amount, 0)) >= THOUSAND:
        return int(_rounded(amount / THOUSAND, 1) * THOUSAND)
    return pounds_number(amount)
