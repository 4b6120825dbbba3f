"""Private pages leave no trace; members see what their benefits allow.

A matrix: every kind of visitor × every route that could show a private page, a
members-only body or a restricted file. Each cell asserts exactly what the policy
allows: titles present or absent, and the refusal (never a 304) for those it refuses.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.test import RequestFactory
from freezegun import freeze_time
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from tests import factories
from tests.testsite.models import PlainPage
from wagtail_pledges import lifecycle
from wagtail_pledges.groups import managed_groups, sync_user_groups
from wagtail_pledges.models import OrganisationRole
from wagtail_pledges.pages.models import ResourcePage
from wagtail_pledges.visibility import menu_pages, private_if_gated, search_pages

DEADLINE = datetime.date.today() + datetime.timedelta(days=3)
AFTER_DEADLINE = DEADLINE + datetime.timedelta(days=1)

AREA = "Members restraint lounge"  # private to Members, in the menu
GUIDE = "Members restraint guide"  # private to Members, a resource
TOOLKIT = "Organisation restraint toolkit"  # private to Organisation members, a resource
TEASER = "Debrief guide"  # public with a members-only block (from the conftest)
SECRET = "Secret sauce"  # the teaser page's members-only body
PRIVATE_TITLES = (AREA, GUIDE, TOOLKIT)
DOC = "Members restraint handout"
IMAGE = "Members restraint diagram"


@dataclass(frozen=True)
class Visitor:
    name: str
    member: bool = False  # in the eyes of the policy, at request time
    organisation: bool = False
    after_deadline: bool = False


VISITORS = [
    Visitor("anonymous"),
    Visitor("non_member"),
    Visitor("lapsed"),
    Visitor("legacy_before_deadline", member=True),
    Visitor("legacy_after_deadline", after_deadline=True),
    Visitor("individual", member=True),
    Visitor("organisation_staff", member=True, organisation=True),
    Visitor("organisation_admin", member=True, organisation=True),
]


def _make_user(name: str):
    """A fresh user object: the policy caches a standing on the one it was asked about."""
    user = _build_user(name)
    return None if user is None else type(user).objects.get(pk=user.pk)


def _build_user(name: str):
    if name == "anonymous":
        return None
    if name == "non_member":
        return factories.UserFactory(verified=True)
    if name == "lapsed":
        pledge = factories.active_individual()
        lifecycle.lapse(pledge.membership)
        return pledge.user
    if name.startswith("legacy"):
        user = factories.UserFactory(verified=True)
        membership, _ = lifecycle.get_or_create_membership("individual", member=user)
        lifecycle.mark_legacy(membership)
        return user
    if name == "individual":
        return factories.active_individual().user
    plan = factories.approved_plan()
    if name == "organisation_admin":
        return plan.created_by
    staff = factories.UserFactory(verified=True)
    OrganisationRole.objects.create(organisation=plan.organisation, user=staff,
                                    role=OrganisationRole.Role.STAFF)
    sync_user_groups(staff)
    return staff


def _restrict(page_or_collection, group_key: str):
    groups = managed_groups()
    if isinstance(page_or_collection, Collection):
        restriction = CollectionViewRestriction.objects.create(
            collection=page_or_collection, restriction_type=CollectionViewRestriction.GROUPS)
    else:
        restriction = PageViewRestriction.objects.create(
            page=page_or_collection, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(groups[group_key])


@pytest.fixture(autouse=True, params=["wagtail routing", "cached routing"])
def routing(request, settings):
    """Every check twice: as Wagtail routes, and through the page cache
    (``CachedRouteMiddleware``, as the example runs)."""
    if request.param == "cached routing":
        settings.MIDDLEWARE = [*settings.MIDDLEWARE,
                               "wagtail_pledges.middleware.CachedSiteMiddleware",
                               "wagtail_pledges.middleware.CachedRouteMiddleware"]
    return request.param


@pytest.fixture
def site(home, resources, settings):
    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": DEADLINE.isoformat()}
    index, teaser = resources
    area = home.add_child(instance=PlainPage(title=AREA, slug="lounge", show_in_menus=True,
                                             body="<p>Members chat.</p>"))
    home.add_child(instance=PlainPage(title="Public about", slug="public-about",
                                      show_in_menus=True))
    guide = index.add_child(instance=ResourcePage(title=GUIDE, slug="guide",
                                                  summary="For members."))
    toolkit = index.add_child(instance=ResourcePage(title=TOOLKIT, slug="toolkit",
                                                    summary="For organisations."))
    _restrict(area, "members")
    _restrict(guide, "members")
    _restrict(toolkit, "organisation")

    root = Collection.get_first_root_node()
    members_files = root.add_child(name="Members files")
    _restrict(members_files, "members")
    get_document_model().objects.create(title=DOC, collection=members_files,
                                        file=ContentFile(b"%PDF-1.4 handout", name="handout.pdf"))
    get_document_model().objects.create(title="Public leaflet", collection=root,
                                        file=ContentFile(b"%PDF-1.4 leaflet", name="leaflet.pdf"))
    get_image_model().objects.create(title=IMAGE, collection=members_files,
                                     file=get_test_image_file())
    return {"area": area, "guide": guide, "toolkit": toolkit, "teaser": teaser, "index": index}


@pytest.fixture(params=VISITORS, ids=lambda v: v.name)
def visitor(request, site, client):
    """``(visitor, client, user)``; requests inside the test run at the visitor's date."""
    spec: Visitor = request.param
    user = _make_user(spec.name)
    if user is not None:
        client.force_login(user)
    clock = freeze_time(AFTER_DEADLINE) if spec.after_deadline else contextlib.nullcontext()
    with clock:
        yield spec, client, user


def allowed_titles(spec: Visitor) -> set[str]:
    titles = set()
    if spec.member:
        titles |= {AREA, GUIDE}
    if spec.organisation:
        titles.add(TOOLKIT)
    return titles


def _page_for(site, title):
    return {AREA: site["area"], GUIDE: site["guide"], TOOLKIT: site["toolkit"]}[title]


def assert_private(response):
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


# -- the page itself ----------------------------------------------------------------------


def test_private_page_url(visitor, site):
    spec, client, user = visitor
    for title in PRIVATE_TITLES:
        response = client.get(_page_for(site, title).url)
        assert_private(response)
        if title in allowed_titles(spec):
            assert response.status_code == 200
            assert title in response.content.decode()
        elif user is None:
            assert response.status_code == 302
            assert response["Location"].startswith("/_util/login/")
        else:
            # Signed in but refused: 403, not a login loop; the page is not named.
            assert response.status_code == 403
            assert title not in response.content.decode()


@pytest.mark.parametrize("header", [
    {"HTTP_IF_NONE_MATCH": "*"},
    {"HTTP_IF_MODIFIED_SINCE": "Sat, 01 Jan 2100 00:00:00 GMT"},
])
def test_conditional_request_gets_the_same_answer(visitor, site, settings, header):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.middleware.http.ConditionalGetMiddleware"]
    spec, client, _user = visitor
    for title in PRIVATE_TITLES:
        url = _page_for(site, title).url
        plain = client.get(url)
        conditional = client.get(url, **header)
        assert conditional.status_code == plain.status_code != 304
        assert ("ETag" in conditional) is False  # no-store: nothing to revalidate against


def test_teaser_page_shows_the_body_only_to_members(visitor, site):
    spec, client, _user = visitor
    response = client.get(site["teaser"].url)
    html = response.content.decode()
    assert response.status_code == 200
    assert TEASER in html and "A teaser." not in html if spec.member else "A teaser." in html
    assert (SECRET in html) is spec.member
    assert_private(response)


def test_not_found_under_a_private_page_names_nothing(visitor, site):
    _spec, client, _user = visitor
    response = client.get(site["guide"].url + "no-such-page/")
    assert response.status_code == 404
    assert GUIDE not in response.content.decode()


def test_login_page_after_refusal_names_nothing(site, client):
    response = client.get(site["guide"].url, follow=True)
    assert response.redirect_chain[0][1] == 302
    assert GUIDE not in response.content.decode()


# -- lists: resource index, menus, search, sitemap -------------------------------------------


def test_resource_index_lists_what_benefits_allow(visitor, site):
    spec, client, _user = visitor
    html = client.get(site["index"].url).content.decode()
    assert TEASER in html  # an editor chose a teaser: public
    for title in (GUIDE, TOOLKIT):
        assert (title in html) is (title in allowed_titles(spec)), title


def test_menus_show_only_visible_pages(visitor, site, home):
    spec, client, user = visitor
    request = RequestFactory().get("/")
    request.user = user or _anonymous()
    request.session = client.session
    titles = [p.title for p in menu_pages(home, request)]
    assert "Public about" in titles
    assert (AREA in titles) is spec.member
    # A member's menu names a private page: whatever shows it must not be shared-cached.
    response = private_if_gated(request, HttpResponse("menu"))
    assert ("no-store" in response.get("Cache-Control", "")) is spec.member


def test_search_helper(visitor, site):
    spec, client, user = visitor
    request = RequestFactory().get("/search/")
    request.user = user or _anonymous()
    request.session = client.session
    found = {p.title for p in search_pages(request, "restraint")}
    assert found == allowed_titles(spec)


def test_sitemap_lists_no_private_page(visitor, site):
    _spec, client, _user = visitor
    xml = client.get("/sitemap.xml").content.decode()
    assert "/resources/debrief/" in xml
    for page in (site["area"], site["guide"], site["toolkit"]):
        assert page.url not in xml


# -- APIs --------------------------------------------------------------------------------


def test_wagtail_api_pages(visitor, site):
    spec, client, user = visitor
    response = client.get("/api/v2/pages/", {"limit": 20})
    assert response.status_code == 200
    titles = {item["title"] for item in response.json()["items"]}
    assert titles & set(PRIVATE_TITLES) == allowed_titles(spec)
    assert TEASER in titles
    for title in PRIVATE_TITLES:
        detail = client.get(f"/api/v2/pages/{_page_for(site, title).pk}/")
        assert detail.status_code == (200 if title in allowed_titles(spec) else 404)
        assert (title in detail.content.decode()) is (title in allowed_titles(spec))
        found = client.get("/api/v2/pages/find/", {"html_path": _page_for(site, title).url})
        assert found.status_code == (302 if title in allowed_titles(spec) else 404)
    if user is not None:
        assert_private(response)


@pytest.mark.parametrize("endpoint,title", [("documents", DOC), ("images", IMAGE)])
def test_wagtail_api_files(visitor, site, endpoint, title):
    spec, client, _user = visitor
    response = client.get(f"/api/v2/{endpoint}/")
    assert response.status_code == 200
    titles = {item["title"] for item in response.json()["items"]}
    assert (title in titles) is spec.member
    assert "Cookie" in response["Vary"]


def test_our_api_never_names_a_private_page(visitor, site):
    _spec, client, _user = visitor
    for url in ("/api/pledges/v1/plans/", "/api/pledges/v1/counts/",
                "/api/pledges/v1/strategies/", "/api/pledges/v1/me/"):
        body = client.get(url).content.decode()
        for title in PRIVATE_TITLES:
            assert title not in body, (url, title)


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


# -- outside the matrix ------------------------------------------------------------------


def test_legacy_member_after_deadline_is_refused_though_still_in_the_group(site, client):
    """Groups lag the policy until the daily job; the policy wins."""
    user = _make_user("legacy_after_deadline")
    members = Group.objects.get(name="Members")
    client.force_login(user)
    with freeze_time(AFTER_DEADLINE):
        assert members in user.groups.all()
        assert client.get(site["guide"].url).status_code == 403


def test_password_page_hidden_until_unlocked(home, client):
    page = home.add_child(instance=PlainPage(title="Password lounge", slug="pw"))
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="letmein")
    request = RequestFactory().get("/")
    request.user = _anonymous()
    request.session = client.session
    assert "Password lounge" not in {p.title for p in search_pages(request, "lounge")}
    response = client.post(f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
                           {"password": "letmein", "return_url": page.url})
    assert response.status_code == 302
    request = RequestFactory().get("/")
    request.user = _anonymous()
    request.session = client.session
    assert "Password lounge" in {p.title for p in search_pages(request, "lounge")}


def test_visibility_costs_constant_queries(site, home, django_assert_max_num_queries):
    user = factories.active_individual().user
    for n in range(5):
        page = home.add_child(instance=PlainPage(title=f"Extra private {n}", slug=f"x{n}"))
        _restrict(page, "organisation")
    request = RequestFactory().get("/")
    request.user = user
    from django.contrib.sessions.backends.cache import SessionStore

    request.session = SessionStore()
    # restrictions (1), managed groups (1), user's groups (1), standing (2), listing (1)
    with django_assert_max_num_queries(6):
        list(menu_pages(home, request))


def test_public_page_stays_cacheable_for_anonymous(site, plain_page, client):
    response = client.get(plain_page.url)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
