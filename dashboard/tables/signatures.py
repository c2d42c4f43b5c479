"""Read each render method's signature once, not once per table cell.

django-tables2 calls `inspect.signature` on a column's render method for every
cell it renders, to pass only the arguments the method takes. At 0.1 ms a
call that was about 1 ms a row on the risks register, a quarter of the time
its rows took, and the one part of a table page that grows with its page
size. A function's signature does not change, so it is read once here.

`django_tables2.utils.call_with_appropriate` looks `signature` up in its
module on every call; `install()` puts the caching one there (from
DashboardConfig.ready). tests/dashboard/test_table_signatures.py checks it
answers as the library's own does and that the library still calls it.
"""

from collections.abc import Callable

from django_tables2 import utils

library_signature: Callable = utils.signature

# Render methods and column callables are few; the bound stops callables made
# afresh per request (lambdas in a view) from growing it for ever.
MOST_REMEMBERED = 4096
_remembered: dict[tuple[Callable, bool], tuple[tuple[str, ...], str | None]] = {}


def signature(fn: Callable) -> tuple[tuple[str, ...], str | None]:
    """As `django_tables2.utils.signature`, remembered per function."""
    function = getattr(fn, "__func__", None)
    # A bound method's signature is its function's without `self`, whatever it is bound to.
    key = (function, True) if function is not None else (fn, False)
    try:
        return _remembered[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable callable object
        return library_signature(fn)
    found = library_signature(fn)
    if len(_remembered) < MOST_REMEMBERED:
        _remembered[key] = found
    return found


def install() -> None:
    utils.signature = signature
