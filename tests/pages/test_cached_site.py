"""``CachedSiteMiddleware`` finds the site Wagtail would, from one cache entry, and
follows a changed site or root page at once."""

from __future__ import annotations

import itertools

import pytest
from django.test import RequestFactory
from wagtail.models import Page, Site

from tests.testsite.models import PlainPage
from wagtail_pledges.middleware import CachedSiteMiddleware, cached_sites, site_for


def _wagtail_answer(hostname, port):
    request = RequestFactory().get("/", HTTP_HOST=hostname, SERVER_PORT=str(port))
    return Site._find_for_request(request)


SITE_SETS = [
    [],
    [("example.org", 80, True)],
    [("example.org", 80, False)],
    [("example.org", 80, False), ("example.org", 8000, False)],
    [("default.org", 80, True), ("example.org", 8000, False)],
    [("default.org", 80, True), ("example.org", 8000, False), ("example.org", 9000, False)],
    [("example.org", 8000, True), ("example.org", 80, False), ("other.org", 80, False)],
]


@pytest.mark.parametrize("sites", SITE_SETS)
def test_same_site_as_wagtail(db, sites):
    Site.objects.all().delete()
    root = Page.get_first_root_node()
    for n, (hostname, port, default) in enumerate(sites):
        page = root.add_child(instance=PlainPage(title=f"Root {n}", slug=f"root-{n}"))
        Site.objects.create(hostname=hostname, port=port, is_default_site=default,
                            root_page=page)
    for hostname, port in itertools.product(["example.org", "default.org", "other.org",
                                             "unknown.org"], [80, 8000, 9000, 443]):
        expected = _wagtail_answer(hostname, port)
        found = site_for(cached_sites(), hostname, port)
        assert getattr(found, "pk", None) == getattr(expected, "pk", None), (hostname, port)


def test_middleware_puts_the_cached_site_on_the_request(home, client,
                                                        django_assert_num_queries):
    seen = {}

    def view(request):
        seen["site"] = Site.find_for_request(request)
        return None

    request = RequestFactory().get("/", HTTP_HOST="localhost")
    CachedSiteMiddleware(view)(request)
    assert seen["site"].root_page_id == home.pk
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    with django_assert_num_queries(0):  # warm: no query, not even for the root page
        CachedSiteMiddleware(view)(request)
        assert seen["site"].root_page.pk == home.pk


def test_changed_site_and_root_page_are_honoured_at_once(home):
    site = Site.objects.get(is_default_site=True)
    assert site_for(cached_sites(), "localhost", 80).pk == site.pk
    site.hostname = "members.example.org"
    site.save()
    assert site_for(cached_sites(), "members.example.org", 80).hostname == \
        "members.example.org"
    other = Page.get_first_root_node().add_child(instance=PlainPage(title="New home",
                                                                    slug="new-home"))
    site.root_page = other
    site.save()
    assert site_for(cached_sites(), "members.example.org", 80).root_page.title == "New home"
    other.title = "Renamed home"
    other.save_revision().publish()
    assert site_for(cached_sites(), "members.example.org", 80).root_page.title == \
        "Renamed home"
    Site.objects.all().delete()
    assert site_for(cached_sites(), "members.example.org", 80) is None


def _root_paths_of_a_request(host="localhost"):
    seen = {}

    def view(request):
        seen["request"] = request

    CachedSiteMiddleware(view)(RequestFactory().get("/", HTTP_HOST=host))
    return seen["request"]


def test_page_urls_need_no_cache_round_trip_for_the_site_root_paths(home, monkeypatch):
    """Wagtail reads its site root paths from Django's cache for every page URL it
    builds (one cache round trip per request); the middleware hands it the page
    cache's copy, Wagtail's own answer."""
    from django.core.cache import caches
    from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY

    child = home.add_child(instance=PlainPage(title="About", slug="about"))
    _root_paths_of_a_request()  # warm
    asked = []
    backend = caches["default"]
    original = type(backend).get
    monkeypatch.setattr(type(backend), "get", lambda self, key, *args, **kwargs: (
        asked.append(key), original(self, key, *args, **kwargs))[1])
    request = _root_paths_of_a_request()
    assert child.get_url(request) == "/about/"
    assert not [key for key in asked if SITE_ROOT_PATHS_CACHE_KEY in str(key)]
    Site.clear_site_root_paths_cache()
    assert request._wagtail_cached_site_root_paths == Site.get_site_root_paths()


def test_site_root_paths_follow_changes_and_never_keep_a_stale_wagtail_entry(home):
    from django.core.cache import cache
    from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY, SITE_ROOT_PATHS_CACHE_VERSION

    child = home.add_child(instance=PlainPage(title="About", slug="about"))
    assert child.get_url(_root_paths_of_a_request()) == "/about/"
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "members.example.org", 8000
    site.save()
    request = _root_paths_of_a_request("members.example.org:8000")
    assert child.get_full_url(request) == "http://members.example.org:8000/about/"
    # Wagtail's own entry refilled from rows that were about to change (a reader
    # between a write and its commit): the page cache's next version does not take it.
    cache.set(SITE_ROOT_PATHS_CACHE_KEY, [(site.pk, "/stale/", "http://stale.example", "en")],
              version=SITE_ROOT_PATHS_CACHE_VERSION)
    home.title = "Home, renamed"
    home.save_revision().publish()
    request = _root_paths_of_a_request("members.example.org:8000")
    assert child.get_full_url(request) == "http://members.example.org:8000/about/"
