"""The filter form's options, built in Python, are what the template loop rendered."""

import re

import django_filters
import pytest
from django import forms
from django.template import engines
from django.utils.safestring import mark_safe

from dashboard.templatetags.dashboard_forms import select_options
from localities.models import Locality

# The loop that templates/includes/filter_form.html had before select_options.
TEMPLATE_LOOP = """{% for value, label in field.field.choices %}
<option value="{{ value }}"{% if field.value|stringformat:"s" == value|stringformat:"s" %} selected{% endif %}>{{ label }}</option>
{% endfor %}"""


class Filters(django_filters.FilterSet):
    area = django_filters.ChoiceFilter(
        empty_label="All areas",
        choices=[
            ("east", "East <Kent>"),
            ("west", 'West & "Medway"'),
            ("None", "None"),
            ("o'k", "Kent's"),
        ],
    )
    number = django_filters.ChoiceFilter(choices=[(1, "One"), (2, "Two")])

    class Meta:
        model = Locality  # never queried: only the form is used
        fields = []


def options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", str(html))


@pytest.mark.parametrize(
    "data",
    [{}, {"area": "west"}, {"area": "east", "number": "2"}, {"area": "nowhere", "number": "x"}],
)
def test_select_options_are_the_template_loop_rendered_in_python(data):
    form = Filters(data).form
    loop = engines["django"].from_string(TEMPLATE_LOOP)

    for field in form:
        expected = options(loop.render({"field": field}))
        assert options(select_options(field)) == expected, (field.name, data)
        assert len(expected) == len(field.field.choices)


def test_the_chosen_option_is_selected_and_text_is_escaped():
    html = select_options(Filters({"area": "west"}).form["area"])

    assert '<option value="west" selected>West &amp; &quot;Medway&quot;</option>' in html
    assert '<option value="east">East &lt;Kent&gt;</option>' in html
    assert html.count(" selected") == 1


def test_nothing_is_selected_when_nothing_is_chosen():
    # As in the template: an unchosen field is "None", and no option says selected.
    assert " selected" not in select_options(Filters({}).form["number"])


def test_a_label_already_safe_is_not_escaped_twice():
    class Form(forms.Form):
        kind = forms.ChoiceField(choices=[("a", mark_safe("A &amp; B"))])

    assert select_options(Form()["kind"]) == '<option value="a">A &amp; B</option>'
