"""The filter form's selects (templates/includes/filter_form.html)."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def select_options(bound_field) -> SafeString:
    """The field's <option>s, the chosen one marked `selected`.

    Built in Python, not with a template loop: a select can list every
    locality (800 at factor 100), and the loop cost about a hundred template
    calls an option (format_html still cost eighty). Compares as the template
    did (`value|stringformat:"s"`, which is str()), so an unchosen field
    ("None") selects nothing and the browser shows the first option. Values
    and labels are escaped as the template escapes them (html.escape is what
    django.utils.html.escape calls).
    """
    chosen = str(bound_field.value())
    return mark_safe(  # noqa: S308 - every value and label is escaped above
        "\n".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) == chosen else ''}>{escape(str(label))}</option>"
            # getattr: the template looped over nothing for a field without choices.
            for value, label in getattr(bound_field.field, "choices", ())
        )
    )
