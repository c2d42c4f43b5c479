"""The filter form's selects (templates/includes/filter_form.html)."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def select_options(bound_field) -> SafeString:
    """The field's <option>s, the chosen one marked `selected`.

    Built in Python, not with a template loop: a select can list every
    locality (800 at factor 100), and the loop cost about a hundred template
    calls an option. Compares as the template did (`value|stringformat:"s"`,
    which is str()), so an unchosen field ("None") selects nothing and the
    browser shows the first option.
    """
    chosen = str(bound_field.value())
    return format_html_join(
        "\n",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if str(value) == chosen else "", label)
            # getattr: the template looped over nothing for a field without choices.
            for value, label in getattr(bound_field.field, "choices", ())
        ),
    )
