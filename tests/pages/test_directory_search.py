"""Directory search (issue 13): assembled from per-plan cached cards, counted no further
than a window past the page, constant in queries however many plans there are, and
unable to fill the cache with one entry per query string."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.counts import bump_directory_version
from wagtail_pledges.models import Membership

pytestmark = pytest.mark.django_db


def captured(client, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200, response.status_code
    return [q["sql"] for q in ctx.captured_queries], response


def entries(kind):
    return [k for k in cache._cache if f"wagtail_pledges:{kind}:" in k]


def listed(response):
    return [card.pk for card in response.context["cards"]]


def test_search_queries_are_constant_in_the_number_of_plans_and_count_nothing(
        client, plans_page):
    factories.approved_plan()
    factories.approved_plan()
    client.get(plans_page.url, {"q": "warm"})  # Wagtail's own caches (sites, pages)
    bump_directory_version()  # every directory entry is built afresh
    cold_few, response = captured(client, plans_page.url, {"q": "trust"})
    assert len(listed(response)) == 2
    warm_few, _r = captured(client, plans_page.url, {"q": "trust"})
    for _ in range(23):
        factories.approved_plan()
    bump_directory_version()
    cold_many, response = captured(client, plans_page.url, {"q": "trust"})
    assert len(listed(response)) == 20
    warm_many, response = captured(client, plans_page.url, {"q": "trust"})
    assert len(cold_few) == len(cold_many)
    assert len(warm_few) == len(warm_many)
    # Warm, a search costs the unfiltered (cached) page's queries and its one id query.
    unfiltered, _r = captured(client, plans_page.url)
    unfiltered, _r = captured(client, plans_page.url)
    assert len(warm_many) <= len(unfiltered) + 1
    # No page view counts every match: not a search, not an uncached directory page.
    bump_directory_version()
    uncached, _r = captured(client, plans_page.url)
    for sql in (*cold_many, *warm_many, *uncached):
        assert "COUNT(" not in sql.upper(), sql


def test_totals_are_exact_within_the_window_and_honest_beyond_it(
        client, plans_page, monkeypatch):
    monkeypatch.setattr(type(plans_page), "plans_per_page", 2)
    monkeypatch.setattr(type(plans_page), "plans_counted", 3)
    plans = [factories.approved_plan() for _ in range(6)]
    everything = sorted(plans, key=lambda plan: (plan.organisation.name, plan.pk))
    seen, pages = [], {}
    for number in (1, 2, 3):
        response = client.get(plans_page.url, {"q": "trust", "page": number})
        pages[number] = response.content.decode()
        seen += listed(response)
    assert seen == [plan.pk for plan in everything]  # every match, once, in order
    assert "More than 3 action plans" in pages[1] and 'rel="next"' in pages[1]
    assert "Page 1<" in pages[1] and "Page 1 of" not in pages[1]
    assert "More than 5 action plans" in pages[2]
    assert 'rel="prev"' in pages[2] and 'rel="next"' in pages[2]
    assert "6 action plans" in pages[3] and "Page 3 of 3" in pages[3]
    assert 'rel="next"' not in pages[3]
    past = client.get(plans_page.url, {"q": "trust", "page": 4})
    assert past.status_code == 200 and listed(past) == []
    body = past.content.decode()
    assert "past the end" in body and 'rel="next"' not in body
    assert "No action plans on this page." in body and "More than" not in body
    # Within the window the total is exact from the first page.
    response = client.get(plans_page.url, {"q": plans[0].organisation.name})
    assert listed(response) == [plans[0].pk]
    assert "1 action plan<" in response.content.decode()


def test_the_whole_directory_says_how_many_plans_from_the_counters(
        client, plans_page, monkeypatch, django_assert_max_num_queries):
    """Unfiltered, past the counted window, the total is still exact: the counters
    keep the number of published plans (no COUNT(*))."""
    monkeypatch.setattr(type(plans_page), "plans_per_page", 2)
    monkeypatch.setattr(type(plans_page), "plans_counted", 3)
    for _ in range(6):
        factories.approved_plan()
    for number in (1, 2, 3):
        body = client.get(plans_page.url, {"page": number}).content.decode()
        assert "6 action plans" in body and f"Page {number} of 3" in body, number
        assert "More than" not in body
    # A filter past the window still says "more than" (its total is not kept).
    body = client.get(plans_page.url, {"q": "trust"}).content.decode()
    assert "More than 3 action plans" in body


def test_no_query_string_adds_a_cache_entry_of_its_own(client, plans_page):
    plans = [factories.approved_plan() for _ in range(3)]
    for word in ["trust", "tru", "person1", "zzz", "a b c", "<b>", "o" * 99]:
        client.get(plans_page.url, {"q": word})
        client.get(plans_page.url, {"q": word, "page": "2"})
    for query in ["page=01", "page=1&page=1", "page=999", "page=-3", "page=abc",
                  "sector=health&sector=health", "sector=health&page=007"]:
        assert client.get(f"{plans_page.url}?{query}").status_code == 200
    assert entries("fragment") == []
    assert len(entries("card")) <= len(plans)  # one card per plan, whatever was asked
    client.get(plans_page.url, {"page": "1"})
    client.get(plans_page.url, {"sector": "health"})
    assert len(entries("fragment")) == 2


def test_huge_page_numbers_are_past_the_end_not_an_error(client, plans_page):
    factories.approved_plan()
    for page in ["9" * 30, str(2**63), "1e9"]:
        response = client.get(plans_page.url, {"q": "trust", "page": page})
        assert response.status_code == 200


def test_a_search_shows_changes_and_never_an_unpublished_plan(client, plans_page):
    plan = factories.approved_plan()
    draft = factories.draft_plan()
    submitted = factories.submitted_plan()
    body = client.get(plans_page.url, {"q": "trust"}).content.decode()
    assert plan.organisation.name in body
    assert draft.organisation.name not in body and submitted.organisation.name not in body
    organisation = plan.organisation
    organisation.name = "Trust Renamed <Trust>"
    organisation.save()
    body = client.get(plans_page.url, {"q": "trust"}).content.decode()
    assert "Trust Renamed &lt;Trust&gt;" in body and "<Trust>" not in body
    lifecycle.withdraw(Membership.objects.get(pk=plan.membership_id), plan.created_by,
                       "leaving")
    response = client.get(plans_page.url, {"q": "trust"})
    assert listed(response) == []
    assert "Renamed" not in response.content.decode()


def test_cards_link_to_their_plans(client, plans_page):
    plan = factories.approved_plan()
    body = client.get(plans_page.url, {"q": plan.organisation.name}).content.decode()
    links = re.findall(r'<h2><a href="([^"]+)">', body)
    assert links == [f"{plans_page.url}{plan.organisation.slug}/"]


HOSTILE_SEARCHES = [
    '"><script>alert(1)</script>', "' onfocus='alert(1)", "a & b | !c :* (d) <-> 'e'",
    "&amp; &lt;b&gt;", "pledgessearchvalue7d1c", "x" * 100, "trust  4217 ", "élan — ✓",
]


@pytest.mark.parametrize("q", HOSTILE_SEARCHES)
def test_the_search_box_is_the_field_template_s_own_html_escaped(client, plans_page, q):
    """The box is put together from its template's HTML made once, with the value
    inserted: exactly what rendering the template gives, for any value an attacker
    sends, and nowhere in the page unescaped."""
    from django.template.loader import render_to_string

    from wagtail_pledges.directory import PlanDirectoryFilterSet

    factories.approved_plan()
    for _ in range(2):  # the second answer comes from the kept HTML
        response = client.get(plans_page.url, {"q": q})
        assert response.status_code == 200
    body = response.content.decode()
    form = PlanDirectoryFilterSet({"q": q}).form
    assert form.is_valid()
    rendered = render_to_string(plans_page.filter_field_template, {"field": form["q"]})
    assert rendered in body
    assert plans_page.search_box_html(form["q"]) == rendered
    if any(c in q for c in "<>\"'&"):
        assert q not in body


@pytest.mark.parametrize("q", ["x" * 101, "nul\x00byte"])
def test_a_search_the_form_refuses_is_a_400_that_shows_it_escaped(client, plans_page, q):
    response = client.get(plans_page.url, {"q": q + "<b>"})
    assert response.status_code == 400
    assert "<b>" not in response.content.decode().split("pledges-filters", 1)[1]


def test_a_search_renders_no_form_template(client, plans_page):
    """Only the first search of a process renders the search box's template."""
    factories.approved_plan()
    client.get(plans_page.url, {"q": "trust"})
    response = client.get(plans_page.url, {"q": "something else"})
    rendered = [t.name for t in response.templates]
    assert plans_page.filter_field_template not in rendered
    assert not [name for name in rendered if name.startswith("django/forms/")]
    assert 'value="something else"' in response.content.decode()


def test_a_warm_search_reads_the_directory_version_in_its_id_query(client, plans_page):
    """A search with matches costs no more queries than the cached unfiltered page: the
    version its cached cards and fields are keyed by comes with the page's ids."""
    for _ in range(3):
        factories.approved_plan()
    client.get(plans_page.url, {"q": "trust"})
    client.get(plans_page.url)
    unfiltered, _r = captured(client, plans_page.url)
    searched, response = captured(client, plans_page.url, {"q": "trust"})
    assert len(listed(response)) == 3
    assert len(searched) <= len(unfiltered)
    # With no match there are no rows to carry it: one query more, no more.
    nothing, response = captured(client, plans_page.url, {"q": "zzzz"})
    assert listed(response) == [] and len(nothing) <= len(unfiltered) + 1
    # A change is seen at once: the version read is the current one.
    bump_directory_version()
    plan = factories.approved_plan()
    _sql, response = captured(client, plans_page.url, {"q": plan.organisation.name})
    assert listed(response) == [plan.pk]


def test_a_search_reads_its_cards_and_filter_fields_in_one_round_trip(
        client, plans_page, monkeypatch):
    for _ in range(3):
        factories.approved_plan()
    reads, inside = [], []
    get, get_many = cache.get, cache.get_many

    def counted(method, keys):
        def read(arg, *args, **kwargs):
            if not inside:  # LocMemCache.get_many calls get: one round trip
                reads.append(keys(arg))
            inside.append(1)
            try:
                return method(arg, *args, **kwargs)
            finally:
                inside.pop()
        return read

    monkeypatch.setattr(cache, "get", counted(get, lambda key: [key]))
    monkeypatch.setattr(cache, "get_many", counted(get_many, list))
    # Cold (the fields' entry missing: read once, then made) and warm alike.
    client.get(plans_page.url, {"q": "trust", "sector": "health"})
    assert len([keys for keys in reads if any(":filters:" in key for key in keys)]) == 1
    reads.clear()
    response = client.get(plans_page.url, {"q": "trust", "sector": "health"})
    assert response.status_code == 200
    directory_reads = [keys for keys in reads
                       if any(":card:" in key or ":filters:" in key for key in keys)]
    assert len(directory_reads) == 1
    assert any(":filters:" in key for key in directory_reads[0])
    assert 'value="trust"' in response.content.decode()


def test_a_sites_own_results_page_is_still_asked(client, plans_page, monkeypatch):
    """A page class that overrides ``results_page`` gets its answer used for searches
    and the directory alike (the built-in one reads the version with the ids)."""
    factories.approved_plan()
    shown = factories.approved_plan()
    page_class = type(plans_page)
    asked = []

    def only_the_second(self, plans, number):
        asked.append(number)
        results = page_class.__mro__[1].results_page(self, plans, number)
        return type(results)(number=results.number, per_page=results.per_page,
                             ids=[pk for pk in results.ids if pk == shown.pk], total=1,
                             more_than=results.more_than)

    monkeypatch.setattr(page_class, "results_page", only_the_second)
    for query in ({"q": "trust"}, {}):
        bump_directory_version()
        response = client.get(plans_page.url, query)
        assert listed(response) == [shown.pk], query
    assert asked == [1, 1]
