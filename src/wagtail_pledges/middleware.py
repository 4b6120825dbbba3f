"""Remember the address a request came in on, for emailed links when no base URL is set.

Optional: add ``"wagtail_pledges.middleware.RequestBaseURLMiddleware"`` to
``MIDDLEWARE``. Emailed links use ``WAGTAIL_PLEDGES["BASE_URL"]`` or
``WAGTAILADMIN_BASE_URL`` first; only when neither is set (a demo, a development
server on any port) do they use the address of the request that caused the email.
The Host header is trusted only as far as ``ALLOWED_HOSTS`` allows, which is why a
configured base URL always wins.
"""

from __future__ import annotations

from contextvars import ContextVar

request_base_url: ContextVar[str] = ContextVar("wagtail_pledges_request_base_url", default="")


class RequestBaseURLMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_base_url.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            request_base_url.reset(token)
