"""The directory caches rendered results, keyed on a version every change bumps."""

import pytest

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import ProgressUpdate

pytestmark = pytest.mark.django_db


def test_cached_directory_costs_few_queries_and_is_never_stale(
    client, plans_page, django_assert_max_num_queries
):
    first = factories.approved_plan()
    client.get(plans_page.url)  # fill the cache
    with django_assert_max_num_queries(8) as ctx:
        response = client.get(plans_page.url)
    assert first.organisation.name in response.content.decode()
    warm = len(ctx.captured_queries)
    second = factories.approved_plan()  # publishing bumps the version
    response = client.get(plans_page.url)
    assert second.organisation.name in response.content.decode()
    with django_assert_max_num_queries(warm):
        client.get(plans_page.url)
    lifecycle.withdraw(second.membership, second.created_by, "leaving")
    assert second.organisation.name not in client.get(plans_page.url).content.decode()


def test_plan_page_shows_new_updates_and_organisation_edits(client, plans_page):
    plan = factories.approved_plan()
    url = plans_page.url + plan.organisation.slug + "/"
    assert "No updates yet" in client.get(url).content.decode()
    ProgressUpdate.objects.create(plan=plan, author=plan.created_by, body="Board lead appointed")
    assert "Board lead appointed" in client.get(url).content.decode()
    plan.organisation.name = "Renamed <Trust>"
    plan.organisation.save()
    # A rename moves the plan to a new address; the old one redirects there.
    body = client.get(url, follow=True).content.decode()
    assert "Renamed &lt;Trust&gt;" in body and "<Trust>" not in body


def test_free_text_searches_and_bad_filters_are_not_cached(client, plans_page):
    from django.core.cache import cache

    factories.approved_plan()

    def fragments():
        return [k for k in cache._cache if "wagtail_pledges:fragment" in k]

    client.get(plans_page.url, {"q": "anything"})
    assert client.get(plans_page.url, {"sector": "nope"}).status_code == 400
    assert fragments() == []
    client.get(plans_page.url, {"page": "1"})
    assert len(fragments()) == 1
