"""Template tags of the Outcomes page."""

import html

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def locality_options(outcomes):
    """The locality chooser's <option>s, the chosen one selected.

    Built as one string: there is an option a locality (800 at factor 100), and both
    the template loop and format_html cost over a tenth of a second a page at that
    size. `html.escape` is what django.utils.html.escape calls, without its lazy-string
    wrapper; every slug and name goes through it.
    """
    chosen = outcomes.locality.id if outcomes.locality else None
    options = "\n".join(
        f'<option value="{html.escape(place.slug)}"{" selected" if place.id == chosen else ""}>'
        f"{html.escape(place.name)}</option>"
        for place in outcomes.localities
    )
    return mark_safe(options)  # noqa: S308 - every value above is escaped
