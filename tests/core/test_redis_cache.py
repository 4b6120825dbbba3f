"""Counts and directory fragments through a shared Redis cache, as in production."""

import pytest

from tests import factories
from wagtail_pledges.counts import get_counts

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def test_counts_are_invalidated_after_each_transition(redis_cache,
                                                      django_capture_on_commit_callbacks):
    assert get_counts().individual_members == 0
    assert redis_cache.get("wagtail_pledges:counts:v1") is not None
    with django_capture_on_commit_callbacks(execute=True):
        factories.active_individual()
    assert redis_cache.get("wagtail_pledges:counts:v1") is None
    assert get_counts().individual_members == 1


def test_directory_fragment_is_shared_and_versioned(redis_cache, client):
    from wagtail.models import Page, Site

    from wagtail_pledges.pages.models import PlansIndexPage

    root = Page.get_first_root_node()
    index = root.add_child(instance=PlansIndexPage(title="Plans", slug="plans-redis"))
    Site.objects.update_or_create(is_default_site=True,
                                  defaults={"hostname": "testserver", "root_page": index})
    first = factories.approved_plan()
    assert first.organisation.name in client.get("/").content.decode()
    keys = redis_cache._cache.get_client().keys("pledges-tests:*fragment*")
    assert len(keys) == 1
    second = factories.approved_plan()
    body = client.get("/").content.decode()
    assert second.organisation.name in body and first.organisation.name in body


def test_the_reusing_backend_does_what_djangos_does(redis_cache):
    """Every operation the package uses, through one reused client, against Redis."""
    client = redis_cache._cache.get_client()
    assert redis_cache.add("a", {"x": 1}) and not redis_cache.add("a", 2)
    assert redis_cache.get("a") == {"x": 1}
    redis_cache.set_many({"b": 1, "c": "two"}, 60)
    assert redis_cache.get_many(["a", "b", "c", "missing"]) == {"a": {"x": 1}, "b": 1,
                                                                 "c": "two"}
    assert redis_cache.incr("b") == 2
    assert redis_cache.delete("a") and redis_cache.get("a", "gone") == "gone"
    redis_cache.delete_many(["b", "c"])
    assert redis_cache.get_many(["b", "c"]) == {}
    assert redis_cache._cache.get_client(write=True) is client
