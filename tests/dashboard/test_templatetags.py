import re

from django import forms
from django.template import Context, Template

from dashboard.templatetags.dashboard_forms import select_options

# The loop templates/includes/filter_form.html used before select_options.
TEMPLATE_LOOP = Template(
    """{% for value, label in field.field.choices %}
    <option value="{{ value }}"{% if field.value|stringformat:"s" == value|stringformat:"s" %} selected{% endif %}>{{ label }}</option>
    {% endfor %}"""
)


class _Form(forms.Form):
    place = forms.ChoiceField(
        choices=[("", "All places"), ("a&b", "<b>A & B</b>"), ("12", "Twelve"), ("c", "C")]
    )


def _options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", html)


def test_select_options_is_the_template_loop_option_for_option():
    for data in ({"place": "12"}, {"place": "a&b"}, {}, {"place": "nonsense"}):
        field = _Form(data)["place"]

        built = select_options(field)
        looped = TEMPLATE_LOOP.render(Context({"field": field}))

        assert _options(built) == _options(looped), data
        assert len(_options(built)) == 4


def test_the_chosen_value_is_selected_and_text_escaped():
    built = select_options(_Form({"place": "a&b"})["place"])

    assert '<option value="a&amp;b" selected>&lt;b&gt;A &amp; B&lt;/b&gt;</option>' in built
    assert built.count(" selected") == 1
