import datetime

import pytest
from django import forms

from common.forms import UKDateField


class DateForm(forms.Form):
    day = UKDateField(what="due date")


@pytest.mark.parametrize(
    "typed", ["15/3/2019", "15/03/19", "2019-03-15", "15 Mar 2019", "15 March 2019"]
)
def test_a_date_is_typed_the_ways_people_write_it(typed):
    form = DateForm(data={"day": typed})

    assert form.is_valid()
    assert form.cleaned_data["day"] == datetime.date(2019, 3, 15)


def test_a_wrong_date_says_what_to_type():
    form = DateForm(data={"day": "31/2/2019"})

    assert not form.is_valid()
    assert form.errors["day"] == ["Enter the due date as a real date, like 15/3/2019."]


def test_a_saved_date_is_shown_as_typed():
    form = DateForm(initial={"day": datetime.date(2019, 3, 5)})

    assert 'value="5/3/2019"' in str(form["day"])
