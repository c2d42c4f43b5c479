"""templates/includes/filter_form.html: the select options built by dashboard.templatetags."""

import re

from django import forms
from django.template import Context, Template
from django.utils.safestring import mark_safe

from dashboard.templatetags.dashboard_forms import select_options

PAYLOAD = "<img src=x onerror=alert(1)>"

# The loop the template used before the options were built in Python.
TEMPLATE_LOOP = Template(
    "{% for value, label in field.field.choices %}"
    '<option value="{{ value }}"{% if field.value|stringformat:"s" == value|stringformat:"s" %}'
    " selected{% endif %}>{{ label }}</option>"
    "{% endfor %}"
)


class PlaceForm(forms.Form):
    place = forms.ChoiceField(
        required=False,
        choices=[
            ("", "All localities"),
            ("thanet", "Thanet"),
            (PAYLOAD, f"Name {PAYLOAD} & 'quotes'"),
            ("7", "Seven"),
        ],
    )
    number = forms.TypedChoiceField(required=False, coerce=int, choices=[(1, "One"), (2, "Two")])


def options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", html)


def test_the_options_are_what_the_template_loop_gave():
    for data in ({}, {"place": "thanet"}, {"place": "7", "number": "2"}, {"place": "nowhere"}):
        form = PlaceForm(data) if data else PlaceForm()
        for name in ("place", "number"):
            field = form[name]
            expected = TEMPLATE_LOOP.render(Context({"field": field}))
            assert options(select_options(field)) == options(expected), (data, name)


def test_the_chosen_option_is_selected_and_text_is_escaped():
    field = PlaceForm({"place": "thanet"})["place"]

    html = select_options(field)

    assert '<option value="thanet" selected>Thanet</option>' in html
    assert html.count(" selected") == 1
    assert "<img" not in html
    assert "Name &lt;img src=x onerror=alert(1)&gt; &amp; &#x27;quotes&#x27;" in html


def test_a_label_already_safe_is_not_escaped_twice():
    class Form(forms.Form):
        kind = forms.ChoiceField(choices=[("a", mark_safe("A &amp; B"))])

    assert select_options(Form()["kind"]) == '<option value="a">A &amp; B</option>'
