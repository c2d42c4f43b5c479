"""The load test posts forms as a browser would (tools.loadtest.forms)."""

import pytest

from tools.loadtest.forms import post_form_fields, replace

PAGE = """
<form method="post" action="/accounts/logout/">
  <input type="hidden" name="csrfmiddlewaretoken" value="logout-token">
</form>
<form method="post" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="token">
  <input type="hidden" name="version" value="4">
  <input type="text" name="title" value="Workforce &amp; estates">
  <input type="checkbox" name="is_illustrative" checked>
  <input type="checkbox" name="scores_are_illustrative">
  <input type="radio" name="tier" value="1">
  <input type="radio" name="tier" value="2" checked>
  <select name="category"><option value="">---</option><option value="3" selected>Money</option></select>
  <select name="owner"><option value="7">First</option><option value="8">Second</option></select>
  <textarea name="description">
Line one
Line two</textarea>
  <input type="text" name="actions-__prefix__-description" value="">
  <input type="submit" name="_save" value="Save">
</form>
"""


def test_reads_the_form_that_holds_the_field():
    fields = post_form_fields(PAGE, containing="version")

    assert fields == [
        ("csrfmiddlewaretoken", "token"),
        ("version", "4"),
        ("title", "Workforce & estates"),
        ("is_illustrative", "on"),
        ("tier", "2"),
        ("category", "3"),
        ("owner", "7"),
        ("description", "Line one\nLine two"),
    ]


def test_no_such_form_is_an_error():
    with pytest.raises(LookupError):
        post_form_fields(PAGE, containing="loaded_version")


def test_replace_changes_values_and_adds_buttons():
    fields = [("version", "4"), ("summary", "old")]
    assert replace(fields, summary="new", _save="Save") == [
        ("version", "4"),
        ("summary", "new"),
        ("_save", "Save"),
    ]
