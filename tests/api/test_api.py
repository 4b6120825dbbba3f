import pytest
from django.urls import reverse

from tests import factories
from wagtail_pledges.models import Location, ProgressUpdate

pytestmark = pytest.mark.django_db
API = "/api/pledges/v1/"


def make_plans(n):
    return [factories.approved_plan() for _ in range(n)]


def listed(client, url, params=None):
    """Every result of a cursor-paginated list, following ``next`` links."""
    body = client.get(url, {**(params or {}), "page_size": 100}).json()
    results = body["results"]
    while body["next"]:
        body = client.get(body["next"]).json()
        results += body["results"]
    return results


def test_plans_list_only_published_and_constant_queries(client, django_assert_max_num_queries):
    make_plans(2)
    factories.submitted_plan()  # not published
    with django_assert_max_num_queries(4):
        small = client.get(API + "plans/").json()
    make_plans(8)
    with django_assert_max_num_queries(4):
        large = client.get(API + "plans/").json()
    assert len(small["results"]) == 2 and len(large["results"]) == 10
    assert "count" not in large  # cursor pagination: no COUNT(*) per request
    first = large["results"][0]
    assert set(first) == {"id", "organisation", "public_summary", "period_start", "period_end",
                          "practices", "strategies"}
    assert first["strategies"] == ["leadership"]
    assert "email" not in str(large)


def test_plan_detail_and_filters(client):
    plan, other = make_plans(2)
    ProgressUpdate.objects.create(plan=plan, author=plan.created_by, body="Halfway there")
    other.organisation.location = Location.objects.get(slug="scotland")
    other.organisation.save()
    detail = client.get(f"{API}plans/{plan.pk}/").json()
    assert detail["updates"][0]["body"] == "Halfway there"
    assert len(detail["priorities"]) == 2
    assert len(listed(client, API + "plans/", {"region": "scotland"})) == 1
    assert len(listed(client, API + "plans/", {"strategy": "leadership"})) == 2
    assert len(listed(client, API + "plans/", {"strategy": "debriefing"})) == 0
    assert len(listed(client, API + "plans/", {"q": plan.organisation.name})) == 1


def test_unpublished_plan_is_404(client):
    plan = factories.submitted_plan()
    assert client.get(f"{API}plans/{plan.pk}/").status_code == 404


@pytest.mark.parametrize("query", ["sector=nope", "strategy=%00", "cursor=abc", "cursor=bz14",
                                   "q=" + "x" * 500])
def test_bad_query_strings_are_4xx_not_500(client, query):
    response = client.get(API + "plans/?" + query)
    assert 400 <= response.status_code < 500
    assert response.json()


def test_counts(client):
    make_plans(1)
    factories.active_individual()
    data = client.get(API + "counts/").json()
    assert data == {
        "individual_members": 1, "organisation_members": 1, "total_members": 2,
        "plans_published": 1, "baseline_individuals": 1613, "baseline_organisations": 375,
        "baseline_label": "2014–2019",
    }


def test_me_needs_login_and_shows_only_own(client):
    response = client.get(API + "me/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    plan = make_plans(1)[0]
    client.force_login(plan.created_by)
    data = client.get(API + "me/").json()
    assert data["is_member"] is True
    assert data["organisations"][0]["role"] == "admin"
    assert data["benefits"] == ["directory", "forum", "logo", "resources"]


def test_taxonomies(client):
    slugs = [s["slug"] for s in client.get(API + "strategies/").json()]
    assert slugs == ["leadership", "data", "workforce", "prevention", "involvement",
                     "debriefing"]
    assert client.get(API + "sectors/health/").json()["name"] == "Health"


def test_schema_covers_only_this_api(client):
    response = client.get(reverse("wagtail_pledges_api:schema") + "?format=json")
    assert response.status_code == 200
    schema = response.json()
    paths = set(schema["paths"])
    assert "/api/pledges/v1/plans/" in paths and "/api/pledges/v1/counts/" in paths
    assert all(p.startswith("/api/pledges/v1/") for p in paths)


def test_plans_expose_location_and_filter_by_country(client):
    wales = Location.objects.get(slug="wales")
    plan = factories.approved_plan()
    plan.organisation.location = wales
    plan.organisation.save()
    factories.approved_plan()  # in the North West
    body = client.get("/api/pledges/v1/plans/").json()
    located = {p["organisation"]["slug"]: p["organisation"]["location"] for p in body["results"]}
    assert located[plan.organisation.slug] == {
        "slug": "wales", "name": "Wales",
        "country": {"slug": "united-kingdom", "name": "United Kingdom"}}
    assert len(listed(client, "/api/pledges/v1/plans/", {"region": "wales"})) == 1
    assert len(listed(client, "/api/pledges/v1/plans/", {"region": "united-kingdom"})) == 2
    assert client.get("/api/pledges/v1/plans/", {"region": "atlantis"}).status_code == 400
    assert {"slug": "ireland", "name": "Ireland", "country": {"slug": "ireland",
            "name": "Ireland"}} in client.get("/api/pledges/v1/locations/").json()
