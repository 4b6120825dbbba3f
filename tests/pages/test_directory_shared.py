"""The directory page and the REST API filter with one FilterSet: same meaning in both."""

import pytest

from tests import factories
from wagtail_pledges.directory import PlanDirectoryFilterSet
from wagtail_pledges.models import ActionPlan, Location

pytestmark = pytest.mark.django_db
API = "/api/pledges/v1/plans/"


def test_region_means_the_same_on_the_page_and_in_the_api(client, plans_page):
    factories.approved_plan()
    other = factories.approved_plan()
    other.organisation.location = Location.objects.get(slug="wales")
    other.organisation.save()
    page = client.get(plans_page.url, {"region": "wales"})
    assert page.status_code == 200
    assert [p.pk for p in page.context["cards"]] == [other.pk]
    assert [p["id"] for p in client.get(API, {"region": "wales"}).json()["results"]] == [
        other.pk]
    # A country matches the places within it, in both.
    assert other.pk in [p.pk for p in client.get(
        plans_page.url, {"region": "united-kingdom"}).context["cards"]]
    assert other.pk in [p["id"] for p in client.get(
        API, {"region": "united-kingdom"}).json()["results"]]
    # An unknown region is an error in both, not an empty list in one of them.
    assert client.get(plans_page.url, {"region": "atlantis"}).status_code == 400
    assert client.get(API, {"region": "atlantis"}).status_code == 400


def test_strategy_filter_lists_a_plan_once_however_many_priorities_match(client):
    plan = factories.approved_plan()
    assert plan.priorities.filter(strategy__slug="leadership").count() >= 2
    body = client.get(API, {"strategy": "leadership"}).json()
    assert len(body["results"]) == 1
    filterset = PlanDirectoryFilterSet({"strategy": "leadership"},
                                       queryset=ActionPlan.objects.published_for_directory())
    assert filterset.is_valid() and list(filterset.qs) == [plan]
