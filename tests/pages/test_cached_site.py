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
