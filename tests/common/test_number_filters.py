"""The `numbers` template library: pages write money and counts through common.money."""

from decimal import Decimal

import pytest
from django.template import engines


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load numbers %}" + source).render(context)


@pytest.mark.parametrize(
    ("source", "value", "text"),
    [
        ("{{ v|pounds }}", Decimal("1234567.49"), "£1,234,567"),
        ("{{ v|pounds }}", Decimal("-17600"), "−£17,600"),
        ("{{ v|pounds_short }}", Decimal("32000000.00"), "£32m"),
        ("{{ v|pounds_short }}", Decimal("2500000"), "£2.5m"),
        ("{{ v|pounds_short }}", Decimal("150000"), "£150k"),
        ("{{ v|pounds_exact }}", Decimal("1200000.00"), "£1,200,000"),
        ("{{ v|pounds_signed }}", Decimal("12"), "+£12"),
        ("{{ v|percent_signed }}", Decimal("-8.65"), "−8.7%"),
        ("{{ v|count }}", Decimal("12060.0"), "12,060"),
        ("{{ v|count }}", 34100, "34,100"),
        ("{{ v|count }}", None, "—"),
    ],
)
def test_each_filter_writes_what_common_money_writes(source, value, text):
    assert render(source, v=value) == text


def test_templates_no_longer_format_numbers_their_own_way():
    """floatformat and intcomma give 12,060.0 and £-less figures; the filters are the one way."""
    from pathlib import Path

    from django.conf import settings

    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {word}"
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        for word in ("floatformat", "intcomma", "£{{")
        if word in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
