"""Numbers in templates, written by common.money: `{% load numbers %}`.

Every page, the board pack and the lead's pages show money and counts through
these filters (never floatformat or intcomma), so a figure reads the same
wherever it appears. The library lives in `common`, which imports no product
app, because templates look a library up by name at render time, where
import-linter cannot see which app's code a template leans on.
"""

from django import template

from common import money

register = template.Library()

register.filter("pounds", money.pounds)
register.filter("pounds_short", money.pounds_short)
register.filter("pounds_exact", money.pounds_exact)
register.filter("pounds_signed", money.pounds_signed)
register.filter("percent_signed", money.percent_signed)
register.filter("count", money.count)
register.filter("whole", money.whole)
