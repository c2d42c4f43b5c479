"""Render methods' signatures are read once (dashboard.tables.signatures), with the same answers."""

import django_tables2 as tables
from django_tables2 import utils

from dashboard.tables import signatures


class Example(tables.Table):
    name = tables.Column()

    def render_name(self, value, record):
        return value

    def value_name(self, value, **kwargs):
        return value


def plain(value, *args, bound_column=None):
    return value


CALLABLES = [
    Example([]).render_name,
    Example([]).value_name,
    plain,
    lambda: None,
    lambda record, **rest: record,
    len,  # a builtin
]


def test_django_tables2_calls_the_remembering_signature():
    # call_with_appropriate looks `signature` up in its module on every call.
    assert utils.signature is signatures.signature


def test_it_answers_as_the_librarys_own():
    for fn in CALLABLES:
        assert signatures.signature(fn) == signatures.library_signature(fn)
        assert signatures.signature(fn) == signatures.library_signature(fn)  # remembered


def test_a_bound_method_is_remembered_once_for_every_instance():
    first, second = Example([]), Example([])
    signatures.signature(first.render_name)

    assert signatures.signature(second.render_name) == (("value", "record"), None)
    assert (Example.render_name, True) in signatures._remembered


def test_cells_still_get_only_the_arguments_their_method_takes():
    table = Example([{"name": "Thanet"}])

    assert [row.get_cell("name") for row in table.rows] == ["Thanet"]
