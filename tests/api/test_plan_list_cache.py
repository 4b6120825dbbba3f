"""The plan list serialises a page once per directory version: a repeated request costs
one query (the version), and any change to what the page shows is seen at once."""

import pytest
from django.core.cache import cache

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import Location, Membership

pytestmark = pytest.mark.django_db
API = "/api/pledges/v1/plans/"


def api_pages():
    return [k for k in cache._cache if "wagtail_pledges:api-plans" in k]


@pytest.mark.parametrize("query", ["", "?page_size=1", "?page_size=100"])
def test_a_repeated_page_is_served_from_the_cache(client, django_assert_num_queries, query):
    for _ in range(3):
        factories.approved_plan()
    first = client.get(API + query)
    with django_assert_num_queries(1):  # the directory version
        again = client.get(API + query)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and first.json()["results"]


def test_next_pages_are_cached_too(client, django_assert_num_queries):
    for _ in range(3):
        factories.approved_plan()
    page = client.get(API + "?page_size=1").json()
    second = client.get(page["next"]).json()
    with django_assert_num_queries(1):
        assert client.get(page["next"]).json() == second
    assert second["results"][0]["id"] != page["results"][0]["id"]


def test_changes_are_seen_at_once(client):
    plan = factories.approved_plan()
    client.get(API)
    organisation = plan.organisation
    organisation.name = "Renamed Trust"
    organisation.save()
    assert client.get(API).json()["results"][0]["organisation"]["name"] == "Renamed Trust"
    location = organisation.location
    location.name = "Renamed Region"
    location.save()
    body = client.get(API).json()
    assert body["results"][0]["organisation"]["location"]["name"] == "Renamed Region"
    second = factories.approved_plan()
    assert {p["id"] for p in client.get(API).json()["results"]} == {plan.pk, second.pk}
    lifecycle.withdraw(Membership.objects.get(pk=second.membership_id), second.created_by,
                       "leaving")
    assert [p["id"] for p in client.get(API).json()["results"]] == [plan.pk]


def test_searches_filters_unknown_parameters_and_errors_are_not_cached(client):
    factories.approved_plan()
    client.get(API, {"q": "trust"})
    client.get(API, {"sector": "health"})
    client.get(API, {"anything": "else"})
    assert client.get(API, {"cursor": "nope"}).status_code == 404
    assert api_pages() == []
    client.get(API, {"page_size": "5"})
    assert len(api_pages()) == 1


@pytest.mark.parametrize("page_size", [1, 100])
@pytest.mark.parametrize("query", ["sector=health", "region=united-kingdom",
                                   "strategy=leadership", "practice=physical", "q=trust",
                                   "q=trust&sector=health", "cursor={next}"])
def test_filtered_searched_and_next_pages_stay_within_four_queries(
        client, django_assert_max_num_queries, page_size, query):
    for _ in range(3):
        factories.approved_plan()
    body = client.get(API, {"page_size": 1}).json()
    cache.clear()  # every page below is built afresh
    url = f"{API}?page_size={page_size}&" + query.format(next=body["next"].split("cursor=")[1])
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200


def test_the_address_asked_for_is_part_of_the_key(client):
    for _ in range(2):
        factories.approved_plan()
    here = client.get(API + "?page_size=1").json()["next"]
    there = client.get(API + "?page_size=1", HTTP_HOST="other.example").json()["next"]
    assert here.startswith("http://testserver/") and there.startswith("http://other.example/")


def test_location_names_bump_the_directory_version():
    from wagtail_pledges.counts import directory_version

    before = directory_version()
    location = Location.objects.get(slug="england")
    location.name = "England (renamed)"
    location.save()
    assert directory_version() > before


def test_a_searched_page_reads_each_plan_from_the_cache_and_stores_one_entry_per_plan(
        client, django_assert_num_queries):
    plans = [factories.approved_plan() for _ in range(3)]
    for word in ["trust", "tru", "trust of", "person", "zzz", "<b>"]:
        client.get(API, {"q": word})
        client.get(API, {"q": word, "page_size": 1})
    assert api_pages() == []  # no whole page per query string
    assert len([k for k in cache._cache if "wagtail_pledges:api-plan:" in k]) <= len(plans)
    first = client.get(API, {"q": "trust"}).json()
    with django_assert_num_queries(1):  # the page, with the directory version
        again = client.get(API, {"q": "trust"}).json()
    assert again == first and len(first["results"]) == 3
    assert first["results"] == client.get(API).json()["results"]  # the same JSON per plan


def test_a_searched_page_shows_changes_at_once(client):
    plan = factories.approved_plan()
    client.get(API, {"q": "trust"})
    organisation = plan.organisation
    organisation.name = "Trust Renamed"
    organisation.save()
    results = client.get(API, {"q": "trust"}).json()["results"]
    assert [r["organisation"]["name"] for r in results] == ["Trust Renamed"]
    lifecycle.withdraw(Membership.objects.get(pk=plan.membership_id), plan.created_by,
                       "leaving")
    assert client.get(API, {"q": "trust"}).json()["results"] == []
