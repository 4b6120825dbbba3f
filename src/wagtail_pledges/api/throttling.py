"""Scoped throttles whose rates come from ``WAGTAIL_PLEDGES["API_THROTTLE_RATES"]``.

A view names its scope with ``throttle_scope``; without one, reads (GET, HEAD,
OPTIONS) count against ``"read"`` and everything else against ``"write"``. Clients
are told apart by user when signed in, by IP address otherwise (DRF's rule, which
honours ``NUM_PROXIES``). The counters live in the default cache; give production a
shared cache (Redis or Memcached) so every worker counts together.

On Django's Redis cache (and :class:`wagtail_pledges.redis_cache.RedisCache`) each
check is one Redis script, run atomically: the client's recent requests are a Redis
list, pruned, counted and added to in one round trip. DRF's own throttle reads the
list, then writes it back (two round trips), and two requests checked at once both
see the same list, so a burst of simultaneous requests could pass more than the rate
allows. Any other cache is counted as DRF does.
"""

from __future__ import annotations

import time

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from ..conf import pledges_settings

# KEYS[1]: the client's list of request times, newest first. ARGV: now, the window in
# seconds (whole), the number allowed in it. Drops the times that have left the
# window, then adds now if fewer than the number allowed remain: DRF's rule, in one
# step no other check can come between. Answers {allowed, times in the window, the
# oldest of them} (as text: Redis would cut a Lua number to an integer).
_CHECK = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
    tonumber(ARGV[3])
local oldest = redis.call('LINDEX', key, -1)
while oldest and tonumber(oldest) <= now - window do
  redis.call('RPOP', key)
  oldest = redis.call('LINDEX', key, -1)
end
local count = redis.call('LLEN', key)
if count >= limit then
  return {0, count, oldest}
end
redis.call('LPUSH', key, ARGV[1])
redis.call('EXPIRE', key, ARGV[2])
return {1, count + 1, oldest or ARGV[1]}
"""
_script = None


def _redis_check(backend, key: str, now: float, window: int, limit: int):
    """``(allowed, count, oldest)`` from :data:`_CHECK` on ``backend``'s Redis (sent
    by its hash once Redis has it, as redis-py's ``Script`` does)."""
    global _script
    client = backend._cache.get_client(key, write=True)
    if _script is None:
        _script = client.register_script(_CHECK)
    allowed, count, oldest = _script(keys=[key], args=[repr(now), window, limit],
                                     client=client)
    return bool(allowed), int(count), float(oldest)


class PledgesRateThrottle(SimpleRateThrottle):
    """One throttle for every scope; ``None`` as a scope's rate turns it off."""

    cache_format = "wagtail_pledges_throttle_%(scope)s_%(ident)s"
    # A Redis list, not a cached value: kept under a name of its own.
    redis_format = "wagtail_pledges_throttle_log_%(scope)s_%(ident)s"

    def timer(self) -> float:
        # A method reading the clock when called: DRF keeps ``time.time`` as a class
        # attribute, which clock-faking tools (freezegun) replace with a plain
        # function that then receives ``self``.
        return time.time()

    def __init__(self):
        # DRF resolves the rate here from REST_FRAMEWORK; ours depends on the view.
        pass

    def allow_request(self, request, view) -> bool:
        self.scope = getattr(view, "throttle_scope", None) or (
            "read" if request.method in SAFE_METHODS else "write")
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        backend = caches[DEFAULT_CACHE_ALIAS]
        if not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        key = backend.make_and_validate_key(
            self.redis_format % self._key_parts(request))
        self.now = self.timer()
        allowed, count, oldest = _redis_check(backend, key, self.now, self.duration,
                                              self.num_requests)
        if not allowed:  # what DRF's wait() reads: the times in the window
            self.history = [oldest] * count
        return allowed

    def get_rate(self) -> str | None:
        return pledges_settings.api_throttle_rates.get(self.scope)

    def _key_parts(self, request) -> dict:
        if request.user and request.user.is_authenticated:
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        return {"scope": self.scope, "ident": ident}

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % self._key_parts(request)
