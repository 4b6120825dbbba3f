"""The organisation journey through the write API, and who may touch which plan."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.api.conftest import API, errors_of
from wagtail_pledges import lifecycle, organisations
from wagtail_pledges.models import (
    ActionPlan,
    Organisation,
    OrganisationRole,
    Priority,
    RestrictivePractice,
    ReviewStatus,
    Status,
)

pytestmark = pytest.mark.django_db

PROFILE = {"name": "Riverside Care", "sector": "social-care", "location": "wales",
           "website": "https://riverside.example.org", "size_band": "small"}


def priority(n, **extra):
    return {"what": f"Priority {n}", "strategy": "leadership", "lead_role": "Director",
            "timescale_months": 12, "success_measure": "Fewer restraints", **extra}


def draft_body(*priorities, **extra):
    return {"public_summary": "We will reduce restraint.", "practices": ["physical"],
            "priorities": list(priorities) or [priority(1), priority(2)], **extra}


SIGNOFF = {"signoff_name": "Dr Jane Doe", "signoff_role": "Chief Executive",
           "signoff_confirmed": True}


@pytest.fixture
def registered(api, signed_in):
    """A signed-in admin and the body of their registration answer."""
    admin = signed_in()
    response = api.post(API + "organisations/", PROFILE, format="json")
    assert response.status_code == 201
    return admin, response.json()


def test_register_creates_the_organisation_and_a_draft_plan(registered, api):
    admin, data = registered
    organisation = data["organisation"]
    assert organisation["slug"] == "riverside-care"
    assert organisation["role"] == "admin" and organisation["status"] == Status.DRAFT
    assert organisation["region"] == "Wales" and organisation["country"] == "United Kingdom"
    assert data["plan"]["review_status"] == "draft" and data["plan"]["is_editable"]
    assert OrganisationRole.objects.get(user=admin).role == OrganisationRole.Role.ADMIN
    listed = api.get(API + "organisations/").json()
    assert [o["id"] for o in listed] == [organisation["id"]]


@pytest.mark.parametrize(("body", "field"), [
    ({"sector": "space"}, "sector"), ({"location": "atlantis"}, "location"),
    ({"name": ""}, "name"), ({"website": "not a url"}, "website"),
    ({"size_band": "enormous"}, "size_band"), ({"sector": ["health"]}, "sector"),
])
def test_bad_registrations_name_the_field_and_write_nothing(api, signed_in, body, field):
    signed_in()
    response = api.post(API + "organisations/", {**PROFILE, **body}, format="json")
    assert response.status_code == 400
    assert field in errors_of(response)
    assert not Organisation.objects.exists() and not ActionPlan.objects.exists()


def test_draft_preview_signoff_submit(registered, api):
    _admin, data = registered
    plan_url = f"{API}action-plans/{data['plan']['id']}/"
    saved = api.put(plan_url, draft_body(), format="json").json()
    assert [p["what"] for p in saved["priorities"]] == ["Priority 1", "Priority 2"]
    assert saved["practices"] == ["physical"]
    # Edit the first, drop the second, add a third: saved rows keep their ids.
    first = saved["priorities"][0]
    edited = api.put(plan_url, draft_body(priority(1, id=first["id"], what="Changed"),
                                          priority(3)), format="json").json()
    assert [p["what"] for p in edited["priorities"]] == ["Changed", "Priority 3"]
    assert edited["priorities"][0]["id"] == first["id"]
    assert Priority.objects.filter(plan_id=data["plan"]["id"]).count() == 2
    # Submitting without a sign-off says what is missing, by field.
    refused = api.post(plan_url + "submit/")
    assert refused.status_code == 400
    assert {"signoff_name", "signoff_role", "signoff_confirmed"} <= set(errors_of(refused))
    assert api.post(plan_url + "sign-off/", SIGNOFF, format="json").json()[
        "signoff_name"] == "Dr Jane Doe"
    submitted = api.post(plan_url + "submit/").json()
    assert submitted["review_status"] == "submitted" and not submitted["is_editable"]
    assert api.get(plan_url).json() == submitted
    # Once submitted, the draft is closed: a conflict, not a silent change.
    for response in (api.put(plan_url, draft_body(), format="json"),
                     api.post(plan_url + "sign-off/", SIGNOFF, format="json")):
        assert response.status_code == 409
        assert "can no longer be edited" in response.json()["detail"]
    assert api.post(plan_url + "submit/").json()["review_status"] == "submitted"


def test_reviewer_comments_then_resubmit(registered, api, reviewer):
    _admin, data = registered
    plan_url = f"{API}action-plans/{data['plan']['id']}/"
    api.put(plan_url, draft_body(), format="json")
    api.post(plan_url + "sign-off/", SIGNOFF, format="json")
    api.post(plan_url + "submit/")
    plan = ActionPlan.objects.get(pk=data["plan"]["id"])
    lifecycle.request_changes(plan, reviewer, "Say how you will measure success.")
    seen = api.get(plan_url).json()
    assert seen["review_status"] == "changes_requested" and seen["is_editable"]
    assert seen["reviewer_comment"] == "Say how you will measure success."
    api.put(plan_url, draft_body(priority(1, success_measure="Monthly audit"), priority(2)),
            format="json")
    again = api.post(plan_url + "submit/").json()
    assert again["review_status"] == "submitted"
    assert again["priorities"][0]["success_measure"] == "Monthly audit"


def test_status_approval_period_and_counts_are_never_writable(registered, api):
    _admin, data = registered
    plan_id, organisation_id = data["plan"]["id"], data["organisation"]["id"]
    forged = {"review_status": "approved", "live": True, "period_start": "2020-01-01",
              "period_end": "2099-01-01", "sequence": 9, "decided_at": "2020-01-01T00:00Z",
              "reviewer_comment": "Looks great", "organisation": 999, "id": 999,
              "signoff_name": "Forged"}
    response = api.put(f"{API}action-plans/{plan_id}/", draft_body(**forged), format="json")
    assert response.status_code == 200
    plan = ActionPlan.objects.get(pk=plan_id)
    assert (plan.review_status, plan.live, plan.period_end, plan.sequence) == (
        ReviewStatus.DRAFT, False, None, 1)
    assert plan.reviewer_comment == "" and plan.signoff_name == ""
    api.post(f"{API}action-plans/{plan_id}/sign-off/", {**SIGNOFF, **forged}, format="json")
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.DRAFT and not plan.live
    response = api.patch(f"{API}organisations/{organisation_id}/", {
        "name": "Riverside Care Trust", "status": "active", "slug": "forged", "role": "x",
        "region": "Forged", "id": 999}, format="json")
    assert response.status_code == 200
    organisation = Organisation.objects.get(pk=organisation_id)
    assert organisation.slug == "riverside-care-trust" and organisation.region == "Wales"
    assert organisation.membership.status == Status.DRAFT
    counts = api.get(API + "counts/").json()
    assert counts["organisation_members"] == 0 and counts["plans_published"] == 0


def test_a_priority_id_of_another_plan_is_not_followed(registered, api):
    _admin, data = registered
    other = factories.submitted_plan()
    theirs = other.priorities.first()
    api.put(f"{API}action-plans/{data['plan']['id']}/",
            draft_body(priority(1, id=theirs.pk, what="Hijack")), format="json")
    theirs.refresh_from_db()
    assert theirs.what == "Priority 1" and theirs.plan_id == other.pk
    assert Priority.objects.get(plan_id=data["plan"]["id"]).what == "Hijack"


@pytest.mark.parametrize("body", [
    {"priorities": "lots"}, {"priorities": [priority(1, strategy="nope")]},
    {"priorities": [priority(1, timescale_months=0)]}, {"practices": ["nope"]},
    {"priorities": [priority(n) for n in range(31)]}, {"public_summary": None},
    {"priorities": [priority(1, id=1), priority(2, id=1)]}, {"priorities": [priority(1, id="x")]},
])
def test_bad_drafts_are_400_and_change_nothing(registered, api, body):
    _admin, data = registered
    response = api.put(f"{API}action-plans/{data['plan']['id']}/", {**draft_body(), **body},
                       format="json")
    assert response.status_code == 400
    assert {key.split(".")[0] for key in errors_of(response)} & {"priorities", "practices",
                                                             "public_summary"}
    assert not Priority.objects.exists()


def test_a_draft_holds_no_more_priorities_than_the_plan_form(registered, api, settings):
    _admin, data = registered
    url = f"{API}action-plans/{data['plan']['id']}/"
    response = api.put(url, draft_body(*[priority(n) for n in range(1, 6)]), format="json")
    assert response.status_code == 400
    assert "at most 4 priorities" in " ".join(errors_of(response)["priorities"])
    assert not Priority.objects.exists()
    assert api.put(url, draft_body(*[priority(n) for n in range(1, 5)]),
                   format="json").status_code == 200
    assert Priority.objects.count() == 4
    settings.WAGTAIL_PLEDGES = {"PLAN_MAX_PRIORITIES": 5}
    assert api.put(url, draft_body(*[priority(n) for n in range(1, 6)]),
                   format="json").status_code == 200


def test_no_access_to_another_organisations_plan_or_people(registered, api, signed_in):
    _admin, data = registered
    plan_id, organisation_id = data["plan"]["id"], data["organisation"]["id"]
    api.put(f"{API}action-plans/{plan_id}/", draft_body(), format="json")
    signed_in(factories.draft_plan().created_by)  # an admin of another organisation
    for method, path, body in [
        ("get", f"action-plans/{plan_id}/", None),
        ("put", f"action-plans/{plan_id}/", draft_body(priority(9))),
        ("post", f"action-plans/{plan_id}/sign-off/", SIGNOFF),
        ("post", f"action-plans/{plan_id}/submit/", None),
        ("post", f"action-plans/{plan_id}/updates/", {"body": "Hi"}),
        ("get", f"organisations/{organisation_id}/", None),
        ("patch", f"organisations/{organisation_id}/", {"name": "Mine now"}),
        ("get", f"organisations/{organisation_id}/plans/", None),
        ("post", f"organisations/{organisation_id}/plans/", None),
        ("get", f"organisations/{organisation_id}/people/", None),
        ("post", f"organisations/{organisation_id}/invitations/", {"email": "x@example.org"}),
        ("delete", f"organisations/{organisation_id}/people/{_admin.pk}/", None),
        ("post", f"organisations/{organisation_id}/leave/", None),
    ]:
        response = getattr(api, method)(API + path, body, format="json")
        assert response.status_code == 404, (method, path)
        assert "Riverside" not in response.content.decode()
    plan = ActionPlan.objects.get(pk=plan_id)
    assert plan.review_status == ReviewStatus.DRAFT and plan.signoff_name == ""
    assert [p.what for p in plan.priorities.all()] == ["Priority 1", "Priority 2"]
    assert Organisation.objects.get(pk=organisation_id).name == "Riverside Care"
    assert OrganisationRole.objects.filter(organisation_id=organisation_id).count() == 1


def test_staff_may_read_but_not_change(registered, api, signed_in):
    _admin, data = registered
    plan_id, organisation_id = data["plan"]["id"], data["organisation"]["id"]
    staff = factories.UserFactory(verified=True)
    OrganisationRole.objects.create(organisation_id=organisation_id, user=staff,
                                    role=OrganisationRole.Role.STAFF)
    signed_in(staff)
    assert api.get(f"{API}action-plans/{plan_id}/").json()["id"] == plan_id
    assert api.get(f"{API}organisations/{organisation_id}/").json()["role"] == "staff"
    for method, path, body in [
        ("put", f"action-plans/{plan_id}/", draft_body()),
        ("post", f"action-plans/{plan_id}/sign-off/", SIGNOFF),
        ("post", f"action-plans/{plan_id}/submit/", None),
        ("patch", f"organisations/{organisation_id}/", {"name": "Staff room"}),
        ("get", f"organisations/{organisation_id}/people/", None),
        ("post", f"organisations/{organisation_id}/invitations/", {"email": "x@example.org"}),
    ]:
        response = getattr(api, method)(API + path, body, format="json")
        assert response.status_code == 403, (method, path)
        assert "admin" in response.json()["detail"]
    assert not Priority.objects.exists()


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)


def test_writes_cost_the_services_own_queries_and_a_handful_more(registered, api):
    """Saving and submitting cost what the services cost (Wagtail revisions, workflow,
    search and reference indexes, outbox) plus a few of the API's own: session, user,
    the plan and the policy's standing, taxonomy terms, the answer."""
    admin, data = registered
    plan_url = f"{API}action-plans/{data['plan']['id']}/"
    # The same steps, called directly on a second draft of the same admin's.
    twin = factories.draft_plan(factories.UserFactory(verified=True))
    draft = draft_body()
    terms = {"practices": list(RestrictivePractice.objects.filter(slug="physical")),
             "priorities": [{**p, "strategy": factories.strategy("leadership")}
                            for p in draft["priorities"]]}
    direct_save = count_queries(lambda: organisations.save_plan_draft(
        twin, user=twin.created_by, public_summary=draft["public_summary"], **terms))
    via_api = count_queries(lambda: api.put(plan_url, draft, format="json"))
    assert via_api <= direct_save + 10
    api.post(plan_url + "sign-off/", SIGNOFF, format="json")
    factories.complete_plan(twin, priorities=0)
    direct_submit = count_queries(lambda: lifecycle.submit_plan(twin, twin.created_by))
    via_api = count_queries(lambda: api.post(plan_url + "submit/"))
    assert via_api <= direct_submit + 8
    for path, budget in [(plan_url, 5), (API + "organisations/", 3),
                         (f"{API}organisations/{data['organisation']['id']}/plans/", 6)]:
        assert count_queries(lambda path=path: api.get(path)) <= budget, path
