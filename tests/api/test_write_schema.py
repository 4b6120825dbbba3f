"""The OpenAPI document describes the write endpoints as they behave."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

WRITES = {
    "/api/pledges/v1/pledge/start/": "post", "/api/pledges/v1/pledge/commit/": "post",
    "/api/pledges/v1/pledge/videos/progress/": "post", "/api/pledges/v1/email/confirm/": "post",
    "/api/pledges/v1/email/resend/": "post", "/api/pledges/v1/organisations/": "post",
    "/api/pledges/v1/action-plans/{plan_id}/": "put",
    "/api/pledges/v1/action-plans/{plan_id}/sign-off/": "post",
    "/api/pledges/v1/action-plans/{plan_id}/submit/": "post",
    "/api/pledges/v1/organisations/{organisation_id}/people/{user_id}/": "patch",
    "/api/pledges/v1/legacy/claim/": "post", "/api/pledges/v1/me/erase/": "post",
}


@pytest.fixture
def schema(client):
    return client.get(reverse("wagtail_pledges_api:schema") + "?format=json").json()


def component(schema, operation):
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_every_write_is_documented_with_its_body(schema):
    for path, method in WRITES.items():
        assert method in schema["paths"][path], path
    commit = schema["paths"]["/api/pledges/v1/pledge/commit/"]["post"]
    assert set(commit["responses"]) >= {"200", "400", "409"}
    body = component(schema, commit)
    assert set(body["required"]) == {"page", "action", "strategy", "target_date"}
    draft = component(schema, schema["paths"]["/api/pledges/v1/action-plans/{plan_id}/"]["put"])
    assert set(draft["properties"]) == {"public_summary", "practices", "priorities"}


def test_status_and_period_are_read_only_in_the_schema(schema):
    plan = schema["components"]["schemas"]["MemberPlan"]["properties"]
    for name in ("review_status", "live", "period_start", "period_end", "sequence",
                 "reviewer_comment"):
        assert plan[name].get("readOnly") is True, name
    organisation = schema["components"]["schemas"]["OrganisationWrite"]["properties"]
    assert organisation["status"]["readOnly"] and organisation["slug"]["readOnly"]
