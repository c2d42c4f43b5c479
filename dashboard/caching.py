"""Computed dashboard data, cached per page and never shown stale.

A dashboard page's data (a selector's result and the charts built from it) is
stored in Django's cache under a key made of:

- the page's name and the parts of the request that change what it shows
  (a locality, a risk, the filter parameters);
- the page's as-at day (DashboardPage.as_at): a past quarter's end, which never
  moves, or today for the quarter still running, so that "overdue" is never
  a day stale;
- the quarter shown and the statuses the viewer may see (approved only, or
  approved and submitted for the programme office's preview): the viewer's
  scope. Nothing else about the viewer changes a dashboard's data;
- the **data version**, one counter in the cache that moves after every
  committed write to programme data (see `note_programme_data_changed`).
  A write therefore starts a fresh set of keys; entries made before it are
  never read again and expire after `DASHBOARD_CACHE_SECONDS`.

The counter lives in the cache, not the database, so a page costs no extra
query. With several app processes the cache must be shared (Redis through
`REDIS_URL`): a process-local cache would keep one counter per process.

Why the counter moves only after the commit: a reader that saw the new
version before the writer committed could compute the page from the old rows
and store it under the new version, and it would stay there. So a write
registers `transaction.on_commit(bump_data_version)` (once per transaction); a
rolled-back write registers nothing that runs. Until its transaction commits,
the writing connection itself does not use the cache at all
(`has_uncommitted_changes`), so a request or test that writes and then reads
sees its own writes.
"""

import hashlib
import logging
import pickle
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

if TYPE_CHECKING:
    from dashboard.periods import DashboardPage

logger = logging.getLogger(__name__)

T = TypeVar("T")

DATA_VERSION_KEY = "dashboard:data-version"
PAGE_KEY_PREFIX = "dashboard:page"


def _cache_errors() -> tuple[type[BaseException], ...]:
    """What a cache server that is down or unreachable raises."""
    errors: tuple[type[BaseException], ...] = (OSError,)
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is in requirements.txt
        return errors
    return (*errors, RedisError)


CACHE_ERRORS = _cache_errors()


def data_version() -> int:
    """The current data version; started afresh if the cache has lost it."""
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        # A clock reading, not 1: if the counter was evicted or the cache
        # restarted, entries made under earlier versions can never match.
        cache.add(DATA_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(DATA_VERSION_KEY)
    return version


def bump_data_version() -> None:
    """Move the data version on: every page's cached data is now out of date."""
    try:
        cache.incr(DATA_VERSION_KEY)
    except ValueError:  # no counter yet (or it was evicted): start a new one
        cache.set(DATA_VERSION_KEY, time.time_ns(), timeout=None)
    except CACHE_ERRORS:
        logger.exception("Could not move the dashboard data version on")


def note_programme_data_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Call after writing programme data: the version moves once the write commits.

    The one place writes reach the cache. Model signals call it for every
    save and delete (dashboard.signals); bulk writers that bypass signals
    (tools.scale) call it themselves.
    """
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and has_uncommitted_changes(using):
        return  # this transaction will already move the version when it commits
    transaction.on_commit(bump_data_version, using=using)


def has_uncommitted_changes(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Has this connection written programme data in a transaction still open?"""
    connection = transaction.get_connection(using)
    # Django keeps a transaction's on-commit callbacks as (savepoints, callback, robust)
    # and drops them on rollback, so a pending bump is exactly "uncommitted writes".
    return connection.in_atomic_block and any(
        callback is bump_data_version for _, callback, _ in connection.run_on_commit
    )


def _key(name: str, version: int, parts: dict) -> str:
    identity = repr(sorted(parts.items()))
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"{PAGE_KEY_PREFIX}:{name}:{version}:{digest}"


# After the cache fails, leave it alone this long rather than wait for its
# timeout on every page (settings.CACHES gives Redis a one-second timeout).
UNAVAILABLE_BACK_OFF_SECONDS = 30
_unavailable_until = 0.0


def _cache_failed(name: str) -> None:
    global _unavailable_until
    _unavailable_until = time.monotonic() + UNAVAILABLE_BACK_OFF_SECONDS
    logger.warning(
        "Dashboard cache unavailable; computing %s afresh (cache skipped for %d s)",
        name,
        UNAVAILABLE_BACK_OFF_SECONDS,
        exc_info=True,
    )


def cached_data(name: str, *, compute: Callable[[], T], **parts) -> T:
    """`compute()`, or what it returned before for the same name, parts and data version.

    `parts` are whatever else decides the result (plain values: strings,
    numbers, dates, tuples). The result must pickle: selectors return frozen
    dataclasses of plain values and model instances, which do.

    A cache that is down never takes a page down: the data is computed
    afresh, as if nothing were cached.
    """
    if has_uncommitted_changes() or time.monotonic() < _unavailable_until:
        return compute()
    try:
        key = _key(name, data_version(), parts)
    except CACHE_ERRORS:
        _cache_failed(name)
        return compute()
    try:
        found = cache.get(key)
    except CACHE_ERRORS:
        _cache_failed(name)
        return compute()
    except (pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        # Written by an older release whose classes have since changed shape.
        logger.warning("Unreadable cached %s; computing it afresh", name, exc_info=True)
        found = None
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, timeout=settings.DASHBOARD_CACHE_SECONDS)
    except CACHE_ERRORS:
        _cache_failed(name)
    return value


def cached_page_data(name: str, *, page: "DashboardPage", compute: Callable[[], T], **parts) -> T:
    """A dashboard page's data, cached for its quarter, as-at day and the viewer's scope (see above)."""
    return cached_data(
        name,
        compute=compute,
        quarter=page.quarter.pk,
        as_at=page.as_at,
        statuses=tuple(sorted(page.statuses)),
        **parts,
    )


def filter_parameters(query, names: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The request's values for a filter's fields, as part of a cache key."""
    return tuple((name, tuple(query.getlist(name))) for name in sorted(names))
