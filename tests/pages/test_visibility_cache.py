"""The cached view restrictions and menus are never stale.

``wagtail_pledges.visibility`` keeps every page view restriction (with its groups and
page path) and each menu in the page cache (``versioned_cache.page_cache``): values
under a version, kept in Django's cache shared by every process, that every change
bumps; each process keeps what it read beside its version, read once per request.
These tests change a restriction, its groups, a page's place in the tree or a menu page
*after* the cache is warm, and check the very next request honours it — and that
nothing held in the process outlives a bump made elsewhere.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from tests import factories
from tests.testsite.models import PlainPage
from wagtail_pledges.groups import managed_groups
from wagtail_pledges.versioned_cache import page_cache
from wagtail_pledges.visibility import (
    GATED_ATTR,
    menu_items,
    page_restrictions,
    public_menu_items,
)


def _request(user=None):
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return request


def _restrict(page, *group_keys):
    if not group_keys:
        return PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.LOGIN)
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS)
    groups = managed_groups()
    restriction.groups.add(*(groups[key] for key in group_keys))
    return restriction


def _status(client, page, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    page.refresh_from_db()
    return client.get(page.url).status_code


@pytest.fixture
def member(db):
    return factories.active_individual().user


@pytest.fixture
def lounge(home):
    return home.add_child(instance=PlainPage(title="Lounge", slug="lounge", show_in_menus=True))


# -- serving ----------------------------------------------------------------------------------


def test_public_page_costs_an_anonymous_visitor_no_query_of_ours(plain_page, client):
    _restrict(plain_page.get_parent().add_child(instance=PlainPage(title="P", slug="p")))
    client.get(plain_page.url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(plain_page.url)
    assert response.status_code == 200
    restriction_reads = [q["sql"] for q in captured if "pageviewrestriction" in q["sql"]]
    # Only Wagtail's own check (the page's and its ancestors' restrictions, no groups).
    assert len(restriction_reads) == 1
    assert "pageviewrestriction_groups" not in restriction_reads[0]
    assert not [q for q in captured if "auth_group" in q["sql"]]


def test_new_restriction_is_honoured_at_once(lounge, client, member, user):
    assert _status(client, lounge) == 200
    _restrict(lounge, "members")
    assert _status(client, lounge) == 302
    assert _status(client, lounge, user) == 403
    assert _status(client, lounge, member) == 200


def test_changed_restriction_and_groups_are_honoured_at_once(lounge, client, member, user):
    restriction = _restrict(lounge, "members")
    assert _status(client, lounge, member) == 200
    restriction.groups.set([managed_groups()["organisation"]])  # m2m change only
    assert _status(client, lounge, member) == 403
    restriction.groups.clear()
    restriction.restriction_type = PageViewRestriction.LOGIN
    restriction.save()
    assert _status(client, lounge, user) == 200
    assert _status(client, lounge) == 302


def test_removed_restriction_is_honoured_at_once(lounge, client):
    restriction = _restrict(lounge)
    assert _status(client, lounge) == 302
    restriction.delete()
    assert _status(client, lounge) == 200


def test_moved_pages_are_honoured_at_once(home, lounge, plain_page, client, user):
    """Signed in and refused by the policy: our 403 (Wagtail's own check would send
    them to log in), so the cached restriction's path is what is tested."""
    _restrict(lounge, "members")
    assert _status(client, plain_page, user) == 200
    plain_page.move(lounge, pos="last-child")  # into a private subtree
    assert _status(client, plain_page, user) == 403
    plain_page.refresh_from_db()
    plain_page.move(home, pos="last-child")
    assert _status(client, plain_page, user) == 200
    shelf = home.add_child(instance=PlainPage(title="Shelf", slug="shelf"))
    lounge.refresh_from_db()
    lounge.move(shelf, pos="last-child")  # a private page keeps its privacy when moved
    assert _status(client, lounge, user) == 403


def test_deleted_private_page_leaves_no_privacy_on_its_reused_path(home, client):
    private = home.add_child(instance=PlainPage(title="Private", slug="private"))
    _restrict(private)
    assert _status(client, private) == 302
    path = private.path
    private.delete()
    home.refresh_from_db()
    public = home.add_child(instance=PlainPage(title="Public", slug="public"))
    assert public.path == path  # the tree gives the new page the old path
    assert _status(client, public) == 200


def test_changes_from_another_process_are_seen_through_the_cache(lounge, client):
    """Another process changes the database and bumps the shared version (as its
    signal receivers do): nothing held in this process hides the change."""
    restriction = _restrict(lounge)
    assert _status(client, lounge) == 302
    PageViewRestriction.objects.filter(pk=restriction.pk).update(
        restriction_type=PageViewRestriction.PASSWORD, password="x")  # no signal here
    cache.incr(page_cache.version_key)  # ...the other process's bump
    response = client.get(lounge.url)
    assert response.status_code == 200  # Wagtail's password form, not our login redirect
    assert b"password" in response.content.lower()
    PageViewRestriction.objects.filter(pk=restriction.pk).delete()
    cache.clear()  # a flushed cache: read afresh, never a copy kept in this process
    assert _status(client, lounge) == 200


def test_evicted_version_never_revives_an_old_entry(lounge, client):
    restriction = _restrict(lounge)
    assert _status(client, lounge) == 302
    cache.delete(page_cache.version_key)  # evicted; the entry survives
    PageViewRestriction.objects.filter(pk=restriction.pk).delete()  # (bumps: undo it)
    cache.delete(page_cache.version_key)
    assert _status(client, lounge) == 200


def test_a_reader_between_write_and_commit_cannot_keep_stale_rows(
        lounge, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _restrict(lounge)
        # Another process reads the rows before the commit and caches what it saw.
        page_cache.get("restrictions", lambda: ())
        assert page_cache.get("restrictions", lambda: None) == ()
    for callback in callbacks:  # the commit
        callback()
    assert [r.path for r in page_restrictions(_request())] == [lounge.path]


def test_deleted_group_is_honoured_at_once(lounge, client, user):
    extra = Group.objects.create(name="Trustees")
    restriction = PageViewRestriction.objects.create(
        page=lounge, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(extra)
    user.groups.add(extra)
    assert _status(client, lounge, user) == 200
    extra.delete()
    assert _status(client, lounge, user) == 403


# -- menus --------------------------------------------------------------------------------------


def _titles(items):
    return [item.title for item in items]


def test_menu_follows_publishing_moves_and_deletes_at_once(home, lounge):
    assert _titles(menu_items(home, _request())) == ["Lounge"]
    later = home.add_child(instance=PlainPage(title="Later", slug="later", show_in_menus=True,
                                              live=False))
    assert _titles(menu_items(home, _request())) == ["Lounge"]
    later.save_revision().publish()
    assert _titles(menu_items(home, _request())) == ["Lounge", "Later"]
    later.title = "Later on"
    later.save_revision().publish()
    items = menu_items(home, _request())
    assert _titles(items) == ["Lounge", "Later on"]
    assert items[1].url == "/later/"
    later.refresh_from_db()
    later.unpublish()
    assert _titles(menu_items(home, _request())) == ["Lounge"]
    lounge.show_in_menus = False
    lounge.save()
    assert _titles(menu_items(home, _request())) == []
    lounge.show_in_menus = True
    lounge.save()
    shelf = home.add_child(instance=PlainPage(title="Shelf", slug="shelf"))
    lounge.move(shelf, pos="last-child")
    assert _titles(menu_items(home, _request())) == []
    assert _titles(menu_items(shelf, _request())) == ["Lounge"]
    lounge.refresh_from_db()
    lounge.delete()
    assert _titles(menu_items(shelf, _request())) == []


def test_menu_is_filtered_per_viewer_and_a_members_menu_is_private(home, lounge, member, user):
    _restrict(lounge, "members")
    home.add_child(instance=PlainPage(title="About", slug="about", show_in_menus=True))
    anonymous = _request()
    assert _titles(menu_items(home, anonymous)) == ["About"]
    assert not getattr(anonymous, GATED_ATTR, False)
    assert _titles(menu_items(home, _request(user))) == ["About"]
    seen_by_member = _request(member)
    assert _titles(menu_items(home, seen_by_member)) == ["Lounge", "About"]
    assert getattr(seen_by_member, GATED_ATTR, False)  # → private, no-store
    # The home page's cards list only pages with no restriction at all, for everyone.
    assert _titles(public_menu_items(home, _request(member))) == ["About"]


def test_a_copy_kept_in_this_process_expires_with_the_shared_entry(lounge, client,
                                                                   monkeypatch):
    """With a per-process cache another process's bump never arrives here: the copy
    this process keeps is then stale for at most the shared entry's timeout."""
    import time

    from wagtail_pledges import versioned_cache

    _restrict(lounge)
    assert _status(client, lounge) == 302
    version = cache.get(page_cache.version_key)
    PageViewRestriction.objects.all().delete()  # "in another process":
    cache.set(page_cache.version_key, version, None)  # its bump never seen here
    cache.delete(page_cache.prefix + "restrictions")  # the shared entry expired
    later = time.monotonic() + page_cache.timeout + 1
    monkeypatch.setattr(versioned_cache.time, "monotonic", lambda: later)
    assert _status(client, lounge) == 200
