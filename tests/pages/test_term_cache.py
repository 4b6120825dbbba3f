"""Taxonomy terms from the page cache (wagtail_pledges.term_cache): the commit step's
strategy is found without a query once warm, and never stale after an edit."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.forms import PledgeActionForm
from wagtail_pledges.models import Pledge, Strategy

pytestmark = pytest.mark.django_db


def _form(strategy_id, pledge=None):
    return PledgeActionForm({
        "action": "Debrief after every incident", "strategy": str(strategy_id),
        "target_date": (lifecycle.today() + datetime.timedelta(days=60)).isoformat(),
    }, instance=pledge or Pledge())


def test_the_strategy_is_found_without_a_query_once_warm(django_assert_num_queries):
    strategy = factories.strategy()
    assert _form(strategy.pk).is_valid()  # warm
    with django_assert_num_queries(0):
        form = _form(strategy.pk)
        assert form.is_valid(), form.errors
    found = form.cleaned_data["strategy"]
    assert found == strategy and found.name == strategy.name
    again = _form(strategy.pk)
    assert again.is_valid() and again.cleaned_data["strategy"] is not found  # own object


def test_a_new_renamed_or_deleted_strategy_is_followed_at_once():
    _form(factories.strategy().pk).is_valid()  # warm
    added = Strategy.objects.create(name="Added later", slug="added-later")
    form = _form(added.pk)
    assert form.is_valid(), form.errors
    added.name = "Renamed"
    added.save()
    form = _form(added.pk)
    assert form.is_valid() and form.cleaned_data["strategy"].name == "Renamed"
    pk = added.pk
    added.delete()
    form = _form(pk)
    assert not form.is_valid() and "strategy" in form.errors


@pytest.mark.parametrize("value", ["0", "-1", "999999", "2147483648", "1.5", "x", "1\x00"])
def test_a_strategy_id_that_names_none_is_an_error_on_the_field(value):
    factories.strategy()
    form = PledgeActionForm({"action": "x", "strategy": value,
                             "target_date": lifecycle.today().isoformat()}, instance=Pledge())
    assert not form.is_valid() and "strategy" in form.errors


def test_a_served_commit_reads_no_strategy_nor_the_cache_version_again(
        client, individual_page, settings):
    """Served through CachedSiteMiddleware (the page cache's version read once for the
    request): the commit step's POST finds the strategy it names with no statement
    and no second read of the version, and the pledge is written with that strategy."""
    from unittest import mock

    from django.core.cache import cache

    from tests.pages.test_individual import ready_to_commit, url

    settings.MIDDLEWARE = ["wagtail_pledges.middleware.CachedSiteMiddleware",
                           *settings.MIDDLEWARE]
    factories.active_individual()  # the counters and groups exist, as on a live site
    _user, data = ready_to_commit(client, individual_page)  # a first member warms it
    client.post(url(individual_page, "commit/"), data)
    user, data = ready_to_commit(client, individual_page)
    version_reads = []
    real_get = cache.get

    def counting_get(key, *args, **kwargs):
        if key.endswith(":version"):
            version_reads.append(key)
        return real_get(key, *args, **kwargs)

    with CaptureQueriesContext(connection) as queries, \
            mock.patch.object(cache, "get", side_effect=counting_get):
        response = client.post(url(individual_page, "commit/"), data)
    assert response.status_code == 302
    assert not [q["sql"] for q in queries if '"wagtail_pledges_strategy"' in q["sql"]]
    assert version_reads.count("wagtail_pledges:pages:version") == 1, version_reads
    pledge = Pledge.objects.get(user=user)
    assert pledge.review_status == "approved" and pledge.strategy_id == data["strategy"]
