"""The two Making Data Count icons (variation and assurance), as data for their includes.

The icons follow NHS England's published Making Data Count design, as NHSRplotthedots
draws it (inst/icons): a white disc in a coloured ring with a small chart inside.

- Variation: common cause grey, no letter; special cause improving blue, concerning
  orange, neither (no better direction) purple, with H (high) or L (low) and the last
  dots of the little chart risen or fallen.
- Assurance: consistently passing blue P, consistently failing orange F (the process
  line wholly on one side of the dashed target), hit and miss grey ? (the process line
  crossing the target).

Colour is never the only cue: every icon has its letter (or its shape) and the words are
shown beside it (templates/includes/mdc_*_icon.html). Where the data cannot support an
icon (too few points, no value, no target) nothing is drawn and the words say why.

The colours are darker than the published ones where needed so that every letter has a
contrast of at least 4.5:1 on white (WCAG 2.2 AA for normal text): the published
orange #FF6600 is 2.9:1, so ours is #C24E00 (4.8:1); blue #0072C6 is 5.0:1 as published.
"""

from dataclasses import dataclass

from django import template

from dashboard.spc import (
    ASSURANCE_WORDS,
    HIGH,
    LIMIT_FACTOR,
    LOW,
    RECOMMENDED_POINTS,
    SCREEN_FACTOR,
    SHIFT_RUN,
    TREND_RUN,
    Assurance,
    Variation,
)
from localities.models import BASELINE_FIRST_MONTH, BASELINE_LAST_MONTH

register = template.Library()

BLUE = "#0072C6"  # improving; consistently passing
ORANGE = "#C24E00"  # concerning; consistently failing
PURPLE = "#8000C0"  # special cause on a measure with no better direction
GREY = "#6B6B6B"  # common cause; hit and miss
LIGHT_GREY = "#767676"  # the little chart's ordinary points
LETTER_COLOURS = (BLUE, ORANGE, PURPLE, GREY)

# The little chart: seven points across the upper half of the disc (x, y), the last
# three coloured where the variation is special cause.
_CHART_X = (22, 31, 40, 49, 58, 67, 76)
_FLAT = (40, 34, 41, 35, 40, 34, 38)
_RISING = (43, 38, 44, 39, 32, 28, 24)
_FALLING = (33, 38, 32, 37, 44, 48, 52)


@dataclass(frozen=True)
class Dot:
    x: int
    y: int
    colour: str


@dataclass(frozen=True)
class Icon:
    drawn: bool  # False: no icon, the words only
    key: str  # e.g. "improvement-low", "pass": a stable hook for tests and CSS
    words: str  # shown beside the icon, and its <title>
    short: str = ""  # for a crowded table (compact=True); the <title> keeps `words`
    colour: str = GREY
    letter: str = ""
    dots: tuple[Dot, ...] = ()
    process_line: str = ""  # assurance: the process against the target

    @property
    def line(self) -> str:
        """The little chart's line through its dots (an SVG polyline's points)."""
        return " ".join(f"{dot.x},{dot.y}" for dot in self.dots)


VARIATION_COLOURS = {
    Variation.IMPROVEMENT: BLUE,
    Variation.CONCERN: ORANGE,
    Variation.NEITHER: PURPLE,
}
VARIATION_WORDS = {
    Variation.IMPROVEMENT: "Special cause variation – improving",
    Variation.CONCERN: "Special cause variation – concerning",
    Variation.NEITHER: "Special cause variation – neither improving nor concerning",
}
DIRECTION_WORDS = {HIGH: "high", LOW: "low"}
VARIATION_SHORT = {
    Variation.IMPROVEMENT: "Improving",
    Variation.CONCERN: "Concerning",
    Variation.NEITHER: "Special cause",
}
NO_ICON_SHORT = {Variation.TOO_FEW: "Too few points", Variation.MISSING: "No value"}
NO_ICON_WORDS = {
    Variation.TOO_FEW: "Too few points to judge variation",
    Variation.MISSING: "No value to judge",
}


def _dots(heights, colour) -> tuple[Dot, ...]:
    return tuple(
        Dot(x=x, y=y, colour=colour if index >= 4 else LIGHT_GREY)
        for index, (x, y) in enumerate(zip(_CHART_X, heights, strict=True))
    )


@register.simple_tag
def mdc_variation(variation, direction=None) -> Icon:
    """The variation icon for a verdict (a `Variation` or its value) and direction."""
    try:
        variation = Variation(str(variation))
    except ValueError:
        return Icon(drawn=False, key="unknown", words="Variation not known", short="Not known")
    if variation == Variation.COMMON_CAUSE:
        return Icon(
            drawn=True,
            key="common-cause",
            words="Common cause variation: no significant change",
            short="Common cause",
            colour=GREY,
            dots=_dots(_FLAT, LIGHT_GREY),
        )
    if variation in NO_ICON_WORDS or direction not in DIRECTION_WORDS:
        return Icon(
            drawn=False,
            key="none",
            words=NO_ICON_WORDS.get(variation, "Special cause variation, direction not known"),
            short=NO_ICON_SHORT.get(variation, "Special cause"),
        )
    colour = VARIATION_COLOURS[variation]
    return Icon(
        drawn=True,
        key=f"{variation}-{direction}",
        words=f"{VARIATION_WORDS[variation]} ({DIRECTION_WORDS[direction]})",
        short=f"{VARIATION_SHORT[variation]}, {DIRECTION_WORDS[direction]}",
        colour=colour,
        letter="H" if direction == HIGH else "L",
        dots=_dots(_RISING if direction == HIGH else _FALLING, colour),
    )


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


ASSURANCE_ICONS = {  # words from dashboard.spc.ASSURANCE_WORDS: one wording
    Assurance.PASS: (_sentence(ASSURANCE_WORDS[Assurance.PASS]), "Passing", BLUE, "P"),
    Assurance.FAIL: (_sentence(ASSURANCE_WORDS[Assurance.FAIL]), "Failing", ORANGE, "F"),
    Assurance.HIT_AND_MISS: (
        _sentence(ASSURANCE_WORDS[Assurance.HIT_AND_MISS]),
        "Hit and miss",
        GREY,
        "?",
    ),
}
# The process line against the dashed target line (y 70) in the lower half of the disc.
ASSURANCE_LINES = {
    Assurance.PASS: "18,60 28,55 38,61 48,56 58,60 68,54 82,58",
    Assurance.FAIL: "18,80 28,76 38,82 48,77 58,81 68,76 82,79",
    Assurance.HIT_AND_MISS: "18,62 28,80 38,60 48,81 58,63 68,79 82,64",
}


@register.simple_tag
def mdc_assurance(assurance) -> Icon:
    """The assurance icon for an `Assurance` (or its value)."""
    try:
        assurance = Assurance(str(assurance))
    except ValueError:
        assurance = Assurance.NONE
    if assurance not in ASSURANCE_ICONS:
        return Icon(
            drawn=False,
            key="none",
            words=_sentence(ASSURANCE_WORDS[Assurance.NONE]),
            short="No assurance",
        )
    words, short, colour, letter = ASSURANCE_ICONS[assurance]
    return Icon(
        drawn=True,
        key=str(assurance),
        words=words,
        short=short,
        colour=colour,
        letter=letter,
        process_line=ASSURANCE_LINES[assurance],
    )


@register.simple_tag
def mdc_rules() -> dict:
    """The numbers the "how to read this chart" text quotes, from dashboard.spc."""
    return {
        "shift_run": SHIFT_RUN,
        "trend_run": TREND_RUN,
        "trend_steps": TREND_RUN - 1,
        "recommended_points": RECOMMENDED_POINTS,
        "limit_factor": LIMIT_FACTOR,
        "screen_factor": SCREEN_FACTOR,
        "baseline_first_month": BASELINE_FIRST_MONTH,
        "baseline_last_month": BASELINE_LAST_MONTH,
    }
