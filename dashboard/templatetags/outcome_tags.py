"""Template tags of the outcome pages."""

from urllib.parse import parse_qsl

from django import template
from django.utils.safestring import SafeString

from dashboard.tables.outcomes import cell_html
from dashboard.templatetags.dashboard_forms import option_tags

register = template.Library()


@register.simple_tag
def locality_options(outcomes) -> SafeString:
    """The locality chooser's <option>s (one a locality: 800 at factor 100), the chosen one
    selected; built in Python for the reason dashboard_forms gives."""
    chosen = outcomes.locality.slug if outcomes.locality else ""
    return option_tags(((place.slug, place.name) for place in outcomes.localities), chosen)


@register.simple_tag
def outcome_cell(series, page=None) -> SafeString:
    """A summary matrix cell: the latest month linked to its chart (keeping `page`'s
    quarter), the change against baseline and the two Making Data Count icons with
    their words."""
    query = dict(parse_qsl(page.query_string.lstrip("?"))) if page is not None else {}
    return cell_html(series, query)


@register.filter
def prepend_to(first, rest) -> list:
    """`[first, *rest]`: Kent and Medway before the localities."""
    return [first, *rest]
