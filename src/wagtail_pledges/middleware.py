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

from .term_cache import current_request
from .versioned_cache import field_names, field_values, page_cache

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


class CachedSiteMiddleware:
    """Find the request's Wagtail ``Site`` from the cache instead of the database.

    Optional: add ``"wagtail_pledges.middleware.CachedSiteMiddleware"`` to
    ``MIDDLEWARE``. Wagtail looks the site up with one query on every page view
    (``Site.find_for_request``, which then keeps it on the request); this middleware
    puts the same answer there first, and with it the site root paths Wagtail reads
    from Django's cache to build any page's URL. Every site (with its root page) is one cache
    entry, matched to the host name and port as Wagtail matches them — one entry
    whatever ``Host`` headers clients send, kept as field values (each request gets its
    own ``Site`` and root page objects). It is made stale whenever a site or a page is
    saved, moved or deleted, so a changed host name or root page is honoured at once,
    in every process.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http.request import split_domain_port

        hostname = split_domain_port(request._get_raw_host())[0]
        try:
            port = int(request.get_port())
        except ValueError:  # a forwarded port that is no number: Wagtail's own lookup
            return self.get_response(request)
        request._wagtail_site = site_for(cached_sites(request), hostname, port)
        # Where Wagtail keeps a request's site root paths (read from Django's cache
        # by every page URL it builds): from the page cache, with no cache round trip.
        request._wagtail_cached_site_root_paths = site_root_paths(request)
        # Code that is handed no request (a form field finding a taxonomy term) reads
        # the page cache at this request's version too.
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class CachedRouteMiddleware:
    """Route page views from the page cache (see :mod:`wagtail_pledges.routing`).

    Optional: add ``"wagtail_pledges.middleware.CachedRouteMiddleware"`` to
    ``MIDDLEWARE`` after ``CachedSiteMiddleware``. Wagtail's serve view then finds the
    page, and checks its view restrictions, without a query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from wagtail import views as wagtail_views

        from .routing import route_from_cache

        if view_func is wagtail_views.serve:
            route_from_cache(request, view_kwargs.get("path", view_args[0] if view_args else ""))
        return None


def cached_sites(request=None) -> list:
    """Every Wagtail site with its root page: new objects, from cached field values."""
    from wagtail.models import Page, Site

    def read():
        sites = Site.objects.select_related("root_page")
        return tuple((site._state.db, field_values(site), field_values(site.root_page))
                     for site in sites)

    root_page = Site._meta.get_field("root_page")
    found = []
    for db, site_values, page_values in page_cache.get("sites", read, request):
        site = Site.from_db(db, field_names(Site), site_values)
        root_page.set_cached_value(site, Page.from_db(db, field_names(Page), page_values))
        found.append(site)
    return found


def site_root_paths(request=None) -> list:
    """``Site.get_site_root_paths()`` (Wagtail's own answer, as it computes it), kept in
    the page cache: made stale by every site and page change. Computed afresh from the
    database for each version (Wagtail's own cache entry is cleared first: a reader
    may have refilled it from rows a transaction was about to change)."""
    from wagtail.models import Site

    def read():
        Site.clear_site_root_paths_cache()
        return tuple(Site.get_site_root_paths())

    return list(page_cache.get("site_root_paths", read, request))


def site_for(sites: list, hostname: str, port: int) -> object | None:
    """The site Wagtail's ``get_site_for_hostname`` picks for ``hostname:port``, or None."""

    def rank(site):  # Wagtail's order: host and port, host and default, default, host
        if site.hostname == hostname:
            return 0 if site.port == port else 1 if site.is_default_site else 3
        return 2

    ranked = sorted((s for s in sites if s.hostname == hostname or s.is_default_site),
                    key=rank)
    if not ranked:
        return None
    if len(ranked) == 1 or rank(ranked[0]) in (0, 1):
        return ranked[0]
    if rank(ranked[0]) == 2:
        return ranked[len(ranked) == 2]
    return None
