"""Directory search from the stored words (migration 0012): kept true by the database on
every write, the same plans in the same order as the substring search where the two
agree, the same on either side of the walked window, and a common word's page read
without building the set of every match."""

import pytest
from django.db import connection, transaction
from django.db.models import Q

from tests import factories
from wagtail_pledges.directory import PlanDirectoryFilterSet
from wagtail_pledges.models import ActionPlan, Organisation
from wagtail_pledges.models.commitments import DIRECTORY_ORDER
from wagtail_pledges.prepared import PreparedFamily, PreparedQuery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def published():
    return ActionPlan.objects.published().order_by(*DIRECTORY_ORDER)


def search(q, **filters):
    return list(PlanDirectoryFilterSet({"q": q, **filters}, queryset=published()).qs
                .values_list("pk", flat=True))


def substring_search(q):
    """What SQLite's path finds: every word a substring of the name or of the summary."""
    words = q.split()
    name, summary = Q(), Q()
    for word in words:
        name &= Q(organisation__name__icontains=word)
        summary &= Q(public_summary__icontains=word)
    return list(published().filter(name | summary).values_list("pk", flat=True))


def stored(plan):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_name::text, search_summary::text FROM "
                       "wagtail_pledges_actionplan WHERE id = %s", [plan.pk])
        return cursor.fetchone()


@pytest.fixture
def plans():
    names = ["Oakfield Care Trust", "Riverside Health", "Northgate Learning Trust",
             "St Anne's Hospice", "Eastbrook Care Homes"]
    summaries = ["We will end prone restraint with trauma-informed debriefing.",
                 "Less seclusion, more care.", "Calm rooms in every school.",
                 "Debriefing after every incident.", "Reduce restraint in homes."]
    made = []
    for name, summary in zip(names, summaries, strict=True):
        plan = factories.approved_plan()
        plan.organisation.name = name
        plan.organisation.save()
        ActionPlan.objects.filter(pk=plan.pk).update(public_summary=summary)
        made.append(plan)
    return made


def test_the_stored_words_follow_every_write(plans):
    plan = plans[0]
    name, summary = stored(plan)
    assert name == "'care':2 'oakfield':1 'trust':3"
    assert "'debriefing':10" in summary and "'trauma-informed':7" in summary
    # A rename (the plan's copy of the name is rewritten in the same transaction).
    organisation = Organisation.objects.get(pk=plan.organisation_id)
    organisation.name = "Ashdown Partnership"
    organisation.save()
    assert stored(plan)[0] == "'ashdown':1 'partnership':2"
    assert search("oakfield") == []
    assert search("ashdown") == [plan.pk]
    # The summary, however it is written.
    ActionPlan.objects.filter(pk=plan.pk).update(public_summary="Quiet spaces.")
    assert search("debriefing") == [plans[3].pk]
    assert search("quiet") == [plan.pk]
    plan.refresh_from_db()
    plan.public_summary = "Sensory gardens."
    plan.save()
    assert search("sensory") == [plan.pk] and search("quiet") == []
    # A new plan is found as soon as it is published.
    fresh = factories.approved_plan()
    assert fresh.pk in search(fresh.organisation.name.split()[0])


@pytest.mark.parametrize("q", ["trust", "care", "Debrief", "restraint", "oakfield trust",
                               "trauma", "informed", "health", "zzzz", "st anne",
                               "CARE homes", "northgate learning"])
def test_results_match_the_substring_search_where_they_agree(plans, q):
    # Whole words and word beginnings: what both searches find alike (a substring in
    # the middle of a word, "ealth", is the substring search's alone).
    assert search(q) == substring_search(q)


@pytest.mark.parametrize("walked", [0, 1, 2, 3, 1000])
def test_the_same_plans_on_either_side_of_the_walked_window(plans, monkeypatch, walked):
    monkeypatch.setattr(PlanDirectoryFilterSet, "search_walk_rows", walked)
    for q in ("trust", "care", "debriefing", "restraint homes", "zzzz"):
        assert search(q) == substring_search(q), (q, walked)
    health = plans[1].organisation.sector.slug
    assert search("care", sector=health) == [
        pk for pk in substring_search("care")
        if ActionPlan.objects.get(pk=pk).organisation.sector.slug == health]


def executed_subplans(queryset) -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    found = []

    def walk(node):
        if node.get("Subplan Name", "").startswith("SubPlan") and node.get("Actual Loops"):
            found.append(node["Subplan Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def test_a_common_word_fills_its_page_without_reading_every_match():
    for _ in range(30):
        factories.approved_plan()  # every one a "Trust of …"
    queryset = PlanDirectoryFilterSet({"q": "trust"}, queryset=published()).qs
    # The page's rows come from the walk: no subquery collects every match.
    assert executed_subplans(queryset.values_list("pk", flat=True)[:11]) == []
    # Past the walked window, the matches are looked up from the GIN indexes.
    PlanDirectoryFilterSet.search_walk_rows, kept = 5, PlanDirectoryFilterSet.search_walk_rows
    try:
        queryset = PlanDirectoryFilterSet({"q": "trust"}, queryset=published()).qs
        assert executed_subplans(queryset.values_list("pk", flat=True)[:11]) != []
        assert list(queryset.values_list("pk", flat=True)) == substring_search("trust")
    finally:
        PlanDirectoryFilterSet.search_walk_rows = kept


def test_a_search_page_can_walk_the_directory_order_without_the_table():
    """pledges_plan_directory_words carries the stored words beside the directory's order:
    a rare word's page (every published plan checked or probed) never reads the table."""
    for _ in range(3):
        factories.approved_plan()
    ids = (PlanDirectoryFilterSet({"q": "zzzz"}, queryset=published()).qs
           .values_list("pk", flat=True)[:21])
    sql, params = ids.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Only an index-only walk (or a sort) is left to choose from.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using pledges_plan_directory_words" in plan, plan
    assert "Sort" not in plan, plan


@pytest.fixture
def plans_page(db, monkeypatch):
    from wagtail.models import Page, Site

    from tests.testsite.models import PlainPage
    from wagtail_pledges.pages.models import PlansIndexPage

    home = Page.objects.get(depth=1).add_child(instance=PlainPage(title="Home", slug="home-s"))
    Site.objects.update_or_create(is_default_site=True, defaults={
        "hostname": "localhost", "root_page": home, "port": 80, "site_name": "Test"})
    monkeypatch.setattr(PlansIndexPage, "plans_per_page", 2)
    return home.add_child(instance=PlansIndexPage(title="Action plans", slug="plans"))


def listed(client, url, data):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
    assert response.status_code == 200
    return [card.pk for card in response.context["cards"]], ctx.captured_queries


@pytest.mark.parametrize("walked", [0, 2, 1000])
def test_a_searched_page_runs_its_compiled_query_and_lists_what_the_filter_set_finds(
        plans, plans_page, client, monkeypatch, walked):
    """A search alone runs an id query compiled once per connection and page: the same
    plans, page by page, as the filter set's query set — on either side of the walked
    window — in one query."""
    from wagtail_pledges.journeys import directory as directory_pages

    monkeypatch.setattr(PlanDirectoryFilterSet, "search_walk_rows", walked)
    monkeypatch.setattr(directory_pages, "_search_ids", PreparedFamily(  # none compiled yet
        directory_pages._search_query, prepared=PreparedQuery, key_type=str))
    compiled = []
    build = directory_pages.PreparedQuery._prepare

    def counting(prepared, using, conn):
        compiled.append(prepared)
        return build(prepared, using, conn)

    monkeypatch.setattr(directory_pages.PreparedQuery, "_prepare", counting)
    for q in ("trust", "care", "debriefing", "restraint homes", "zzzz", "CARE"):
        for page in (1, 2, 3):
            expected = search(q)[(page - 1) * 2:page * 2]
            found, queries = listed(client, plans_page.url, {"q": q, "page": page})
            assert found == expected, (q, page, walked)
            searched = [x["sql"] for x in queries if '"search_name"' in x["sql"]]
            assert len(searched) == 1, searched  # the version read with the ids
    # Each page's query compiled once on this connection, whatever was searched.
    assert len(compiled) == 3


def test_a_search_with_other_filters_or_a_site_s_own_search_goes_through_the_filter_set(
        plans, plans_page, client, monkeypatch):
    health = plans[1].organisation.sector.slug
    found, _queries = listed(client, plans_page.url, {"q": "care", "sector": health})
    assert found == search("care", sector=health)[:2]

    class OwnSearch(PlanDirectoryFilterSet):
        def search(self, queryset, name, value):  # a site's own meaning of "q"
            return queryset.filter(organisation__name__istartswith=value)

    monkeypatch.setattr(type(plans_page), "filterset_class", OwnSearch)
    found, _queries = listed(client, plans_page.url, {"q": "riverside"})
    assert found == [plans[1].pk]
    found, _queries = listed(client, plans_page.url, {"q": "care"})
    assert found == []  # "care" starts no name: the site's search, not the stored words
