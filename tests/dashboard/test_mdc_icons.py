"""The Making Data Count icons and "how to read this chart" (templates/includes/mdc_*.html).

Rendered with Django's template engine. Every icon is an accessible inline SVG (role="img"
and a <title>) with its words visible beside it; where the data cannot support an icon
nothing is drawn and the words say why. Colour is never the only cue.
"""

import re

import pandas as pd
import pytest
from django.template.loader import render_to_string

from dashboard.spc import Assurance, Variation, xmr
from dashboard.templatetags.mdc_tags import LETTER_COLOURS, mdc_assurance, mdc_variation

SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def variation_icon(**context):
    return render_to_string("includes/mdc_variation_icon.html", context)


def assurance_icon(**context):
    return render_to_string("includes/mdc_assurance_icon.html", context)


def visible_words(html: str) -> str:
    """The text a sighted reader sees outside the icon."""
    return " ".join(TAG.sub(" ", SVG.sub(" ", html)).split())


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html).group(1)


VARIATIONS = [
    ("common_cause", None, "Common cause variation: no significant change", "", "#6B6B6B"),
    ("improvement", "low", "Special cause variation – improving (low)", "L", "#0072C6"),
    ("improvement", "high", "Special cause variation – improving (high)", "H", "#0072C6"),
    ("concern", "high", "Special cause variation – concerning (high)", "H", "#C24E00"),
    ("concern", "low", "Special cause variation – concerning (low)", "L", "#C24E00"),
    (
        "neither",
        "high",
        "Special cause variation – neither improving nor concerning (high)",
        "H",
        "#8000C0",
    ),
    (
        "neither",
        "low",
        "Special cause variation – neither improving nor concerning (low)",
        "L",
        "#8000C0",
    ),
]


@pytest.mark.parametrize(("variation", "direction", "words", "letter", "colour"), VARIATIONS)
def test_each_variation_icon_is_an_image_with_its_words_beside_it(
    variation, direction, words, letter, colour
):
    html = variation_icon(variation=variation, direction=direction)

    assert html.count("<svg") == 1
    assert 'role="img"' in html
    assert title(html) == f"Variation: {words}"
    assert visible_words(html) == words
    assert f'stroke="{colour}"' in html
    letters = re.findall(r"<text[^>]*>(.*?)</text>", html)
    assert letters == ([letter] if letter else [])


def test_the_icons_differ_by_more_than_colour():
    # Improving and concerning high share a letter and a shape: their words differ.
    shapes = {}
    for variation, direction, words, _letter, _colour in VARIATIONS:
        html = variation_icon(variation=variation, direction=direction)
        shape = re.sub(r'(fill|stroke)="#[0-9A-Fa-f]{6}"', "", SVG.search(html).group(0))
        shape = re.sub(r"<title>.*?</title>", "", shape)
        shapes.setdefault(shape, set()).add(words)
    # Common cause, high and low are three shapes; each shape's icons have their own words.
    assert len(shapes) == 3
    assert all(len(words) == len(set(words)) for words in shapes.values())


@pytest.mark.parametrize(
    ("variation", "direction", "words"),
    [
        ("too_few", None, "Too few points to judge variation"),
        ("missing", None, "No value to judge"),
        ("improvement", None, "Special cause variation, direction not known"),
        ("nonsense", "high", "Variation not known"),
        (None, None, "Variation not known"),
    ],
)
def test_no_variation_icon_where_the_data_cannot_support_one(variation, direction, words):
    html = variation_icon(variation=variation, direction=direction)

    assert "<svg" not in html
    assert visible_words(html) == words


@pytest.mark.parametrize(
    ("assurance", "words", "letter", "colour"),
    [
        ("pass", "Consistently passing the target", "P", "#0072C6"),
        ("fail", "Consistently failing the target", "F", "#C24E00"),
        ("hit_and_miss", "Hit and miss: the target lies within the limits", "?", "#6B6B6B"),
    ],
)
def test_each_assurance_icon_is_an_image_with_its_words_beside_it(assurance, words, letter, colour):
    html = assurance_icon(assurance=assurance)

    assert 'role="img"' in html
    assert title(html) == f"Assurance: {words}"
    assert visible_words(html) == words
    assert re.findall(r"<text[^>]*>(.*?)</text>", html) == [letter]
    assert f'stroke="{colour}"' in html
    assert "stroke-dasharray" in html  # the target line


@pytest.mark.parametrize("assurance", ["none", None, "", "nonsense", Assurance.NONE])
def test_no_assurance_icon_without_a_target_or_enough_points(assurance):
    html = assurance_icon(assurance=assurance)

    assert "<svg" not in html
    assert visible_words(html) == "No assurance: no target, or too few points to test one"


def test_the_enums_themselves_are_accepted():
    assert mdc_variation(Variation.IMPROVEMENT, "low").key == "improvement-low"
    assert mdc_assurance(Assurance.PASS).key == "pass"


@pytest.mark.parametrize(
    ("include", "context", "short", "full"),
    [
        (
            "includes/mdc_variation_icon.html",
            {"variation": "concern", "direction": "high"},
            "Concerning, high",
            "Special cause variation – concerning (high)",
        ),
        (
            "includes/mdc_variation_icon.html",
            {"variation": "common_cause"},
            "Common cause",
            "Common cause variation: no significant change",
        ),
        (
            "includes/mdc_variation_icon.html",
            {"variation": "too_few"},
            "Too few points",
            None,
        ),
        ("includes/mdc_assurance_icon.html", {"assurance": "hit_and_miss"}, "Hit and miss", None),
        ("includes/mdc_assurance_icon.html", {"assurance": "none"}, "No assurance", None),
    ],
)
def test_compact_icons_keep_short_words_visible_and_the_full_words_in_the_title(
    include, context, short, full
):
    html = render_to_string(include, {**context, "compact": True})

    assert visible_words(html) == short
    if full:
        assert title(html).endswith(full)


def test_what_is_passed_in_is_never_output_unescaped():
    hostile = '"><script>alert(1)</script>'

    outputs = [
        variation_icon(variation=hostile, direction=hostile),
        variation_icon(variation="improvement", direction=hostile),
        assurance_icon(assurance=hostile),
        render_to_string(
            "includes/mdc_how_to_read.html", {"measure_name": hostile, "lower_is_better": True}
        ),
    ]

    for html in outputs:
        assert "<script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in outputs[-1]


def relative_luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", LETTER_COLOURS)
def test_every_letter_meets_wcag_aa_contrast_on_white(colour):
    contrast = 1.05 / (relative_luminance(colour) + 0.05)

    assert contrast >= 4.5


@pytest.mark.parametrize(
    ("lower_is_better", "says"),
    [
        (True, "For A&amp;E attendances fewer is better"),
        (False, "For A&amp;E attendances more is better"),
        (None, "A&amp;E attendances has no better direction"),
    ],
)
def test_how_to_read_says_which_way_is_better(lower_is_better, says):
    html = render_to_string(
        "includes/mdc_how_to_read.html",
        {"measure_name": "A&E attendances", "lower_is_better": lower_is_better},
    )

    assert says in html


def test_how_to_read_states_the_rules_as_applied_and_shows_every_icon():
    html = render_to_string("includes/mdc_how_to_read.html", {"lower_is_better": True})
    text = " ".join(TAG.sub(" ", html).split())

    assert "How to read this chart" in text
    assert "calculated from the baseline before Local Care, April 2016 to March 2018" in text
    assert "then frozen" in text
    assert "change point" in text
    assert "target or trajectory" in text
    assert "plus or minus 2.66 times" in text
    assert "3.267 times" in text
    assert "one of 7 or more months in a row each higher" in text
    assert "one of 7 or more months in a row all above" in text
    assert "fewer than 15 months" in text.lower()
    assert "all three on the same side of the mean" in text
    assert "Where we differ from NHSRplotthedots" in text
    assert html.count('role="img"') == 8  # five variation icons, three assurance
    assert "For this measure fewer is better" in text


def test_fewer_than_fifteen_points_draw_no_icon_the_data_cannot_support():
    # Fourteen months against a target: limits indicative, so no assurance icon; one
    # month: no limits at all, so no variation icon either.
    fourteen = xmr(pd.Series([10.0, 14.0] * 7), lower_is_better=True, target=25.0)
    one = xmr(pd.Series([10.0]), lower_is_better=True, target=25.0)

    assert fourteen["limits_indicative"].all()
    assert "<svg" not in assurance_icon(assurance=fourteen["assurance"].iloc[-1])
    latest = one.iloc[-1]
    html = variation_icon(variation=latest["variation"], direction=latest["direction"])
    assert "<svg" not in html
    assert visible_words(html) == "Too few points to judge variation"
