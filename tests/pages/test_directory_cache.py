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


def test_a_search_renders_only_its_search_box_afresh(client, plans_page):
    """The closed-set filters' HTML (options, the one chosen) is kept per directory
    version; a search neither queries their choices again nor loses what was chosen."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.approved_plan()
    first = client.get(plans_page.url, {"q": "first", "sector": "health"}).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(plans_page.url, {"q": "second <b>", "sector": "health"})
    html = second.content.decode()
    assert second.status_code == 200
    assert 'value="second &lt;b&gt;"' in html and 'value="first"' not in html
    assert '<option value="health" selected>' in html
    assert html.count('<option value="health" selected>') == first.count(
        '<option value="health" selected>') == 1
    assert "<select" in html and html.count("<select") == first.count("<select")
    choices = [q["sql"] for q in ctx.captured_queries
               if "wagtail_pledges_strategy" in q["sql"]
               or "wagtail_pledges_restrictivepractice" in q["sql"]]
    assert choices == []
    # A bad value is shown with its error, rendered afresh.
    bad = client.get(plans_page.url, {"q": "x", "sector": "nope"})
    assert bad.status_code == 400 and "pledges-field--error" in bad.content.decode()
