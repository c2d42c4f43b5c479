"""Template tags of the Outcomes page."""

from django import template
from django.utils.safestring import SafeString

from dashboard.templatetags.dashboard_forms import option_tags

register = template.Library()


@register.simple_tag
def locality_options(outcomes) -> SafeString:
    """The locality chooser's <option>s (one a locality: 800 at factor 100), the chosen one
    selected; built in Python for the reason dashboard_forms gives."""
    chosen = outcomes.locality.slug if outcomes.locality else ""
    return option_tags(((place.slug, place.name) for place in outcomes.localities), chosen)
