"""``CachedRouteMiddleware`` finds the page Wagtail would find, refuses what Wagtail
would refuse, follows every change at once, and costs no query when warm (issue 13).

Each answer is compared with Wagtail's own routing of the same request: the same
status, the same body, the same redirect.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Page, PageViewRestriction

from tests import factories
from tests.testsite.models import PlainPage
from wagtail_pledges import routing
from wagtail_pledges.middleware import CachedRouteMiddleware, CachedSiteMiddleware
from wagtail_pledges.versioned_cache import page_cache

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
CACHED = ["wagtail_pledges.middleware.CachedSiteMiddleware",
          "wagtail_pledges.middleware.CachedRouteMiddleware"]


@pytest.fixture
def cached_settings(settings):
    plain = list(settings.MIDDLEWARE)
    return plain, [*plain, *CACHED]


@pytest.fixture
def tree(home, membership_page, plans_page, resources):
    about = home.add_child(instance=PlainPage(title="About us", slug="about",
                                              body="<p>Who we are.</p>"))
    team = about.add_child(instance=PlainPage(title="The team", slug="team",
                                              body="<p>Ten people.</p>"))
    draft = home.add_child(instance=PlainPage(title="Draft", slug="draft", live=False))
    return {"about": about, "team": team, "draft": draft, "plans": plans_page}


def _answer(settings, middleware, url, user=None):
    settings.MIDDLEWARE = middleware
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    body = response.content if response.status_code == 200 else b""
    body = CSRF.sub(b"", body)  # a new token for every response
    return response.status_code, response.get("Location"), body


def _same_as_wagtail(settings, cached_settings, url, user=None):
    plain, cached = cached_settings
    expected = _answer(settings, plain, url, user)
    assert _answer(settings, cached, url, user) == expected, url  # cold
    assert _answer(settings, cached, url, user) == expected, url  # warm
    return expected


URLS = ["/", "/about/", "/about/team/", "/about/team/none/", "/draft/", "/nowhere/",
        "/membership/", "/plans/", "/plans/no-such-plan/", "/resources/",
        "/resources/debrief/", "/pledge/", "/ab%20out/", "/about//team/"]


@pytest.mark.parametrize("url", URLS)
def test_same_answer_as_wagtail(tree, settings, cached_settings, url):
    _same_as_wagtail(settings, cached_settings, url)


def test_same_answer_as_wagtail_for_a_member(tree, settings, cached_settings):
    member = factories.active_individual().user
    for url in ("/", "/membership/", "/pledge/", "/about/team/"):
        _same_as_wagtail(settings, cached_settings, url, member)


def test_warm_route_and_restriction_check_cost_no_query(tree, rf, django_assert_num_queries):
    def route(url):
        request = rf.get(url, HTTP_HOST="localhost")
        CachedSiteMiddleware(lambda r: None)(request)
        routing.route_from_cache(request, url)
        page = request._wagtail_route_for_request[0]
        return page, list(page.get_view_restrictions())

    cold, _ = route("/about/team/")
    with django_assert_num_queries(0):
        page, restrictions = route("/about/team/")
    assert (type(page), page.pk, page.title, page.body) == (PlainPage, cold.pk, "The team",
                                                            "<p>Ten people.</p>")
    assert restrictions == []
    assert page.get_parent().pk == tree["about"].pk  # the parent came with the route


def test_a_warm_restriction_check_builds_no_filter_and_still_refines(tree, rf):
    """The cached restrictions come in a copy of a query set built once per set of
    pages (building the filter cost more than the rest of the check); a caller that
    refines it still asks the database, for those pages only."""
    from unittest import mock

    from django.db.models import QuerySet

    PageViewRestriction.objects.create(page=tree["about"],
                                       restriction_type=PageViewRestriction.LOGIN)

    def restrictions():
        request = rf.get("/about/team/", HTTP_HOST="localhost")
        CachedSiteMiddleware(lambda r: None)(request)
        routing.route_from_cache(request, "/about/team/")
        return request._wagtail_route_for_request[0].get_view_restrictions()

    restrictions()  # warm
    with mock.patch.object(QuerySet, "filter", autospec=True,
                           side_effect=QuerySet.filter) as built:
        first, second = restrictions(), restrictions()
    assert not built.called
    assert first is not second and [r.page_id for r in first] == [tree["about"].pk]
    assert list(second.filter(restriction_type="password")) == []
    assert [r.page_id for r in second.order_by("pk")] == [tree["about"].pk]


def test_stream_field_page_keeps_its_blocks(tree, rf):
    request = rf.get("/resources/debrief/", HTTP_HOST="localhost")
    routing.route_from_cache(request, "/resources/debrief/")
    routing.route_from_cache(rf.get("/"), "/")  # and again, warm
    request = rf.get("/resources/debrief/", HTTP_HOST="localhost")
    routing.route_from_cache(request, "/resources/debrief/")
    page = request._wagtail_route_for_request[0]
    assert [block.block_type for block in page.body] == ["paragraph", "members_only"]


def test_changes_are_followed_at_once(tree, settings, cached_settings):
    _plain, cached = cached_settings
    about, team = tree["about"], tree["team"]
    assert _answer(settings, cached, "/about/team/")[0] == 200
    team.title = "The whole team"
    team.save_revision().publish()
    assert b"The whole team" in _answer(settings, cached, "/about/team/")[2]
    team.unpublish()
    assert _answer(settings, cached, "/about/team/")[0] == 404
    team.refresh_from_db()
    team.save_revision().publish()
    team.refresh_from_db()
    team.move(tree["draft"].get_parent(), pos="last-child")
    # Gone from its old address (Wagtail's redirects app points it at the new one).
    assert _answer(settings, cached, "/about/team/")[:2] == (301, "/team/")
    assert _answer(settings, cached, "/team/")[0] == 200
    about.slug = "who-we-are"
    about.save_revision().publish()
    assert _same_as_wagtail(settings, cached_settings, "/about/")[0] != 200
    assert _answer(settings, cached, "/who-we-are/")[0] == 200
    Page.objects.get(pk=about.pk).delete()
    assert _answer(settings, cached, "/who-we-are/")[0] == 404


def test_a_new_restriction_refuses_at_once_and_its_removal_allows(tree, settings,
                                                                  cached_settings):
    _plain, cached = cached_settings
    assert _answer(settings, cached, "/about/team/")[0] == 200
    restriction = PageViewRestriction.objects.create(
        page=tree["about"], restriction_type=PageViewRestriction.LOGIN)
    status, location, _ = _answer(settings, cached, "/about/team/")
    assert status == 302 and "next=/about/team/" in location
    restriction.restriction_type = PageViewRestriction.GROUPS
    restriction.save()
    group = Group.objects.create(name="Insiders")
    restriction.groups.add(group)
    insider = factories.UserFactory(verified=True)
    assert _answer(settings, cached, "/about/team/", insider)[0] in (302, 403)
    insider.groups.add(group)
    assert _answer(settings, cached, "/about/team/", insider)[0] == 200
    restriction.delete()
    assert _answer(settings, cached, "/about/team/")[0] == 200


def test_password_restriction_asks_for_the_password(tree, settings, cached_settings):
    PageViewRestriction.objects.create(page=tree["about"], password="letmein",
                                       restriction_type=PageViewRestriction.PASSWORD)
    status, _location, body = _same_as_wagtail(settings, cached_settings, "/about/team/")
    assert status == 200 and b"password" in body.lower() and b"Ten people" not in body


def test_an_alias_is_restricted_as_its_source_is(tree, settings, cached_settings):
    alias = tree["team"].create_alias(parent=Page.objects.get(pk=tree["draft"].get_parent().pk),
                                      update_slug="team-alias")
    _same_as_wagtail(settings, cached_settings, alias.url)
    PageViewRestriction.objects.create(page=tree["team"],
                                       restriction_type=PageViewRestriction.LOGIN)
    status, location, _ = _same_as_wagtail(settings, cached_settings, alias.url)
    assert status == 302 and location


def test_a_made_up_address_leaves_no_entry(tree, settings, cached_settings):
    _plain, cached = cached_settings
    for n in range(5):
        assert _answer(settings, cached, f"/made-up-{n}/")[0] == 404
        assert _answer(settings, cached, f"/about/made-up-{n}/")[0] == 404
    assert not [key for key in page_cache._local if "made-up" in key]


def test_page_with_a_value_it_cannot_share_is_read_from_the_database(tree, monkeypatch, rf):
    monkeypatch.setattr(routing, "_PLAIN", (int, type(None)))  # text is not "plain" now
    assert routing._page_entry(tree["team"].specific) == routing._UNCACHEABLE
    request = rf.get("/about/team/", HTTP_HOST="localhost")
    routing.route_from_cache(request, "/about/team/")
    assert request._wagtail_route_for_request[0].title == "The team"


def test_other_views_are_left_alone(tree, rf):
    request = rf.get("/about/", HTTP_HOST="localhost")
    CachedRouteMiddleware(lambda r: None).process_view(request, lambda r: None, (), {})
    assert not hasattr(request, "_wagtail_route_for_request")


def test_a_routed_page_can_still_be_pickled(tree, rf):
    """A site may cache the page object itself: the routed page pickles, and its view
    restrictions still answer (from the page cache) after a round trip."""
    import pickle

    PageViewRestriction.objects.create(page=tree["about"],
                                       restriction_type=PageViewRestriction.LOGIN)
    request = rf.get("/about/team/", HTTP_HOST="localhost")
    routing.route_from_cache(request, "/about/team/")
    page = request._wagtail_route_for_request[0]
    copy = pickle.loads(pickle.dumps(page))  # noqa: S301 — our own bytes
    assert copy.title == "The team"
    assert [r.restriction_type for r in copy.get_view_restrictions()] == ["login"]


def test_a_long_slug_makes_a_short_key(home, settings, cached_settings):
    slug = "a" * 250
    home.add_child(instance=PlainPage(title="Long", slug=slug))
    _same_as_wagtail(settings, cached_settings, f"/{slug}/")
    assert all(len(key) < 120 for key in page_cache._local)


def test_a_page_deleted_after_routing_is_no_server_error(tree, rf):
    request = rf.get("/about/team/", HTTP_HOST="localhost")
    routing.route_from_cache(request, "/about/team/")
    page = request._wagtail_route_for_request[0]
    Page.objects.filter(pk=page.pk).delete()  # between routing and Wagtail's check
    assert list(page.get_view_restrictions()) == []


def _routed(rf, url):
    request = rf.get(url, HTTP_HOST="localhost")
    CachedSiteMiddleware(lambda r: None)(request)
    routing.route_from_cache(request, url)
    return request._wagtail_route_for_request[0]


def test_each_request_gets_its_own_page_without_constructing_one(tree, rf, monkeypatch):
    """A warm route copies a page built once per process (Django builds an instance
    field by field, ~60–80 µs for a page type): each copy has its own state and its
    own stream values, so nothing one request does to its page reaches another's."""
    url = "/resources/debrief/"
    warm = _routed(rf, url)
    model = type(warm)
    constructed = []
    original = model.__init__
    monkeypatch.setattr(model, "__init__", lambda self, *args, **kwargs: (
        constructed.append(self), original(self, *args, **kwargs))[1])
    one, two = _routed(rf, url), _routed(rf, url)
    assert constructed == []
    assert one is not two and one.__dict__ is not two.__dict__
    assert one._state is not two._state and one._state.fields_cache is not two._state.fields_cache
    assert one.body is not two.body
    one.title = "Changed by one request"
    one.body[0].value.source = "<p>Changed</p>"
    one._state.fields_cache["x"] = "y"
    three = _routed(rf, url)
    assert (three.title, three.pk) == (warm.title, warm.pk)
    assert three.body[0].value.source == warm.body[0].value.source != "<p>Changed</p>"
    assert [block.block_type for block in three.body] == ["paragraph", "members_only"]
    assert "x" not in three._state.fields_cache and not three._state.adding


def test_a_page_type_with_init_receivers_is_still_constructed(tree, rf):
    """A site's ``post_init`` receiver for a page type sees every object, as before."""
    from django.db.models import signals

    _routed(rf, "/about/team/")  # warm (the copy would be taken from here on)
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=PlainPage)
    try:
        page = _routed(rf, "/about/team/")
    finally:
        signals.post_init.disconnect(receiver, sender=PlainPage)
    assert any(instance is page for instance in seen)
    assert page.title == "The team"


def test_an_edited_page_is_built_again(tree, rf):
    assert _routed(rf, "/about/team/").title == "The team"
    team = tree["team"]
    team.title = "The whole team"
    team.save_revision().publish()
    assert _routed(rf, "/about/team/").title == "The whole team"
