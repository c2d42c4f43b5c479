"""Money as the pages write it (common.money), for templates: {{ amount|pounds_short }}."""

from django import template

from common import money

register = template.Library()

register.filter("pounds", money.pounds)
register.filter("pounds_short", money.pounds_short)
register.filter("pounds_short_signed", money.pounds_short_signed)
