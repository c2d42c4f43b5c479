"""Money as a board paper writes it: £1,234,567 for a locality, £32.0m for the programme.

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


def pounds_millions(value, *, decimals: int = 1) -> str:
    """Millions of pounds: £32.0m, £164.5m."""
    if value is None:
        return NOTHING
    amount = _rounded(Decimal(value) / MILLION, decimals)
    return f"{_sign(amount)}£{abs(amount):,.{decimals}f}m"


def pounds_short(value) -> str:
    """£32.0m from a million pounds up, otherwise whole pounds (£481,100)."""
    if value is None:
        return NOTHING
    if abs(_rounded(value, 0)) >= MILLION:
        return pounds_millions(value)
    return pounds(value)


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


def _plain_number(value) -> str:
    """1,000 or 32.5: whole numbers without decimals, others as given."""
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount.normalize():,f}"


def _percent(value) -> str:
    return f"{_plain_number(value)}%"


def _years(value) -> str:
    return f"{_plain_number(value)} years"


def figure_text(*, unit: str, value, value_high=None) -> str:
    """A headline figure from the papers in its unit: £218.0m, 415, 35%, 22 years, £164.0m to £190.0m."""
    one = {"pounds": pounds_short, "percent": _percent, "years": _years}.get(unit, _plain_number)
    if value_high is not None and value_high != value:
        return f"{one(value)} to {one(value_high)}"
    return one(value)
