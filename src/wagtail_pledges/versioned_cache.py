"""Values read on every page view, kept under a version that writes bump.

The version lives in Django's cache, shared by every process (Redis in production), and
is read at least once per request: a change made anywhere is seen by the next request
everywhere. The values live in the shared cache too, each stored with the version it
was computed under (an entry of an older version is recomputed), and each process keeps
the ones it has read beside the version they belong to — so a warm page view costs one
cache read (the version) however many values it uses, and no unpickling.

A write bumps the version at once *and* again when its transaction commits, so a reader
that computed from the database between the two (seeing the old rows) stored its value
under a version that is already gone. A version that is missing (new, evicted or
flushed) restarts from the clock, never from a number an old value may still carry.
Shared entries also expire (``timeout``), a safety net for writes that send no signal
(``QuerySet.update`` or raw SQL: call :meth:`VersionedCache.bump` after those).

Values must be immutable (tuples, frozen dataclasses, strings): one object serves every
request of a process.

All of this needs a cache shared by every process: with a per-process cache
(``LocMemCache``) a change made in one process reaches the others only when their
entries expire — check ``wagtail_pledges.W015`` says so on ``check --deploy``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import django
import wagtail
from django.core.cache import cache
from django.db import transaction

from . import __version__

# In every value's key: what one release pickled (a dataclass, a model's field list)
# is never read by another during a rolling deploy.
_RELEASE = f"{__version__}-{django.get_version()}-{wagtail.__version__}"


@functools.cache
def field_names(model) -> tuple[str, ...]:
    """The column attributes of ``model``'s rows, in the order ``Model.from_db`` takes
    them: a cached row is a tuple of :func:`field_values`, rebuilt per request with
    ``model.from_db(db, field_names(model), values)``."""
    return tuple(field.attname for field in model._meta.concrete_fields)


def field_values(instance) -> tuple:
    """``instance``'s row, as :func:`field_names` lists it."""
    return tuple(getattr(instance, name) for name in field_names(type(instance)))


class VersionedCache:
    """A family of cached values made stale together by :meth:`bump`."""

    def __init__(self, name: str, timeout: int = 300):
        self.prefix = f"wagtail_pledges:{name}:{_RELEASE}:"
        self.version_key = f"wagtail_pledges:{name}:version"
        self.timeout = timeout
        self._request_attr = f"_wagtail_pledges_version_{name}"
        self._local: dict[str, tuple[int, Any, float]] = {}

    def version(self, request=None) -> int | None:
        """The current version, read from the shared cache once per ``request``."""
        version = getattr(request, self._request_attr, None)
        if version is None:
            version = cache.get(self.version_key)
            if version is None:
                cache.add(self.version_key, time.time_ns(), None)
                version = cache.get(self.version_key)
            if request is not None and version is not None:
                setattr(request, self._request_attr, version)
        return version

    def get(self, part: str, compute: Callable[[], Any], request=None) -> Any:
        """The value for ``part`` under the current version (``compute()`` if none)."""
        version = self.version(request)
        if version is None:  # no working cache: nothing can be trusted to be fresh
            return compute()
        local = self._local.get(part)
        if local is not None and local[0] == version and local[2] > time.monotonic():
            return local[1]
        key = self.prefix + part
        entry = cache.get(key)
        if entry is None or entry[0] != version:
            entry = (version, compute())
            cache.set(key, entry, self.timeout)
        # Kept no longer than the shared entry: with a per-process cache (no Redis),
        # where another process's bump is never seen here, at most ``timeout`` stale.
        self._local[part] = (*entry, time.monotonic() + self.timeout)
        return entry[1]

    def bump(self, **_signal_kwargs) -> None:
        """Make every value stale, now and when the current transaction commits.

        Usable as a signal receiver.
        """
        self._incr()
        transaction.on_commit(self._incr)

    def _incr(self) -> None:
        try:
            cache.incr(self.version_key)
        except ValueError:  # missing: a fresh start no old entry can match
            cache.set(self.version_key, time.time_ns(), None)


# Everything derived from the page tree and its privacy: sites, menus, view
# restrictions, managed groups, the journey pages' URLs (signal_handlers bumps it
# when a page, site, view restriction or group changes). A site may keep its own
# per-page values here too (the example's footer does).
page_cache = VersionedCache("pages")
