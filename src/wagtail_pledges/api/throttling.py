"""Scoped throttles whose rates come from ``WAGTAIL_PLEDGES["API_THROTTLE_RATES"]``.

A view names its scope with ``throttle_scope``; without one, reads (GET, HEAD,
OPTIONS) count against ``"read"`` and everything else against ``"write"``. Clients
are told apart by user when signed in, by IP address otherwise (DRF's rule, which
honours ``NUM_PROXIES``). The counters live in the default cache; give production a
shared cache (Redis or Memcached) so every worker counts together.
"""

from __future__ import annotations

import time

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from ..conf import pledges_settings


class PledgesRateThrottle(SimpleRateThrottle):
    """One throttle for every scope; ``None`` as a scope's rate turns it off."""

    cache_format = "wagtail_pledges_throttle_%(scope)s_%(ident)s"

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
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        return pledges_settings.api_throttle_rates.get(self.scope)

    def get_cache_key(self, request, view) -> str:
        if request.user and request.user.is_authenticated:
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
