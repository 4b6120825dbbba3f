"""Values read on every page view, kept in Django's cache under a version that writes bump.

Every process shares the cache (Redis in production), so a change is seen by all of
them at once: nothing is held in a process-local dict. Each entry stores the version
it was computed under, and a read fetches the version and the entry in one round trip
(``get_many``); an entry of an older version is recomputed. A write bumps the version
at once *and* again when its transaction commits, so a reader that computed from the
database between the two (seeing the old rows) stored its entry under a version that
is already gone. A version that is missing (new, evicted or flushed) restarts from
the clock, never from a number an old entry may still carry.

Entries also expire (``timeout``), a safety net for writes that send no signal
(``QuerySet.update`` or raw SQL).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction


class VersionedCache:
    """A family of cached values made stale together by :meth:`bump`."""

    def __init__(self, name: str, timeout: int = 300):
        self.prefix = f"wagtail_pledges:{name}:"
        self.version_key = f"wagtail_pledges:{name}:version"
        self.timeout = timeout

    def get(self, part: str, compute: Callable[[], Any]) -> Any:
        """The value for ``part``: cached if computed under the current version."""
        key = self.prefix + part
        found = cache.get_many([self.version_key, key])
        version = found.get(self.version_key)
        if version is None:
            cache.add(self.version_key, time.time_ns(), None)
            version = cache.get(self.version_key)
        entry = found.get(key)
        if entry is not None and version is not None and entry[0] == version:
            return entry[1]
        value = compute()
        if version is not None:
            cache.set(key, (version, value), self.timeout)
        return value

    def bump(self, **_signal_kwargs) -> None:
        """Make every entry stale, now and when the current transaction commits.

        Usable as a signal receiver.
        """
        self._incr()
        transaction.on_commit(self._incr)

    def _incr(self) -> None:
        try:
            cache.incr(self.version_key)
        except ValueError:  # missing: a fresh start no old entry can match
            cache.set(self.version_key, time.time_ns(), None)
