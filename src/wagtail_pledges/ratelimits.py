"""Per-user and per-IP limits on flows that send email or store what members post.

Counting is django-ratelimit's, in the site's own cache (``RATELIMIT_USE_CACHE``,
default ``"default"``); the rates are ``WAGTAIL_PLEDGES["RATE_LIMITS"]``. A view asks
:func:`over_limit` first and returns its answer, a 429 page, when there is one.
"""

from __future__ import annotations

import logging
import math

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from .conf import pledges_settings

logger = logging.getLogger(__name__)


def _usage(request, flow: str, key: str) -> dict | None:
    try:
        return get_usage(request, group=f"wagtail_pledges.{flow}", key=key,
                         rate=pledges_settings.rate_limit(flow), increment=True)
    except (ImproperlyConfigured, ValueError, KeyError):
        # No usable client address (no or an empty REMOTE_ADDR behind a Unix socket, a
        # malformed forwarded header): count per user only, rather than fail.
        if key != "ip":
            raise
        logger.warning("Rate limit %s: no usable client IP address; see "
                       "RATELIMIT_IP_META_KEY", flow)
        return None


def over_limit(request, flow: str, *, json: bool = False) -> HttpResponse | None:
    """Count this request against ``flow``'s limit per user and per IP address.

    Returns a 429 response (with ``Retry-After``) when either is exceeded, else None.
    """
    keys = ["ip"]
    if getattr(request.user, "is_authenticated", False):
        keys.insert(0, "user")
    wait = 0
    for key in keys:
        usage = _usage(request, flow, key)
        if usage and usage["should_limit"]:
            wait = max(wait, usage["time_left"])
    if not wait:
        return None
    minutes = max(1, math.ceil(wait / 60))
    message = _("Too many attempts. Please try again in %(minutes)s minute(s).") % {
        "minutes": minutes}
    if json:
        response = JsonResponse({"error": message, "retry_after": wait}, status=429)
    else:
        response = HttpResponse(render_to_string(
            "wagtail_pledges/rate_limited.html",
            {"message": message, "minutes": minutes, "seconds": wait}, request=request,
        ), status=429)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response
