"""A front end that speaks only HTTP+JSON: both join journeys through the API alone.

``force_login`` stands in for the site's own sign-up (the package does not own
accounts); everything after it is an API call, as a JavaScript front end would make.
Only the reviewer's decision happens outside, in the Wagtail admin's service.
"""

import datetime

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.api.conftest import API, token_from, watch_by_heartbeats
from wagtail_pledges import lifecycle
from wagtail_pledges.models import ActionPlan

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json() if response.content else None


def test_an_individual_from_sign_up_to_active(individual_page):
    front_end = APIClient()
    front_end.force_login(factories.UserFactory(verified=False))  # the site's sign-up

    state = ok(front_end.post(API + "pledge/start/"))
    assert state["pledge"]["review_status"] == "draft"
    videos = ok(front_end.get(API + "pledge/videos/", {"page": individual_page.pk}))
    assert len(videos) == 2
    for video in videos:
        assert ok(watch_by_heartbeats(front_end, individual_page, video["key"]))["completed"]
    strategies = [s["slug"] for s in ok(front_end.get(API + "strategies/"))]
    state = ok(front_end.post(API + "pledge/commit/", {
        "page": individual_page.pk, "action": "Debrief after every incident.",
        "strategy": strategies[-1], "practices": [],
        "target_date": (lifecycle.today() + datetime.timedelta(days=120)).isoformat(),
    }, format="json"))
    assert state["pledge"]["review_status"] == "submitted"
    assert state["email_verified"] is False

    # The member pastes the token from the confirmation email into the front end.
    ok(front_end.post(API + "email/confirm/", {"token": token_from("confirm_email")},
                      format="json"))
    state = ok(front_end.get(API + "pledge/"))
    assert state["pledge"]["review_status"] == "approved"
    assert state["membership"]["status"] == "active"
    assert ok(front_end.get(API + "me/"))["is_member"] is True
    assert ok(front_end.get(API + "counts/"))["individual_members"] == 1


def test_an_organisation_from_registration_to_a_published_plan(reviewer):
    front_end = APIClient()
    front_end.force_login(factories.UserFactory(verified=True))  # the site's sign-up

    created = ok(front_end.post(API + "organisations/", {
        "name": "Hillside Academy Trust", "sector": ok(front_end.get(API + "sectors/"))[1][
            "slug"], "location": "scotland", "website": "https://hillside.example.org",
        "size_band": "medium",
    }, format="json"), 201)
    plan_url = f"{API}action-plans/{created['plan']['id']}/"
    ok(front_end.put(plan_url, {
        "public_summary": "Fewer restraints in every school by 2028.",
        "practices": ["physical", "environmental"],
        "priorities": [
            {"what": "Train every member of staff in de-escalation.", "strategy": "workforce",
             "lead_role": "Head of HR", "timescale_months": 12,
             "success_measure": "All staff trained"},
            {"what": "Debrief after every incident.", "strategy": "debriefing",
             "lead_role": "Deputy head", "timescale_months": 6,
             "success_measure": "Debrief records"},
        ],
    }, format="json"))
    preview = ok(front_end.get(plan_url))
    assert [p["strategy"] for p in preview["priorities"]] == ["workforce", "debriefing"]
    ok(front_end.post(plan_url + "sign-off/", {
        "signoff_name": "Ms Rowan Hale", "signoff_role": "CEO", "signoff_confirmed": True,
    }, format="json"))
    submitted = ok(front_end.post(plan_url + "submit/"))
    assert submitted["review_status"] == "submitted"
    assert ok(front_end.get(API + "plans/"))["results"] == []  # not published yet

    # An editor approves it in the Wagtail admin.
    lifecycle.approve(ActionPlan.objects.get(pk=created["plan"]["id"]), reviewer)

    directory = ok(front_end.get(API + "plans/", {"location": "scotland"}))
    assert [p["organisation"]["slug"] for p in directory["results"]] == [
        "hillside-academy-trust"]
    published = ok(front_end.get(f"{API}plans/{created['plan']['id']}/"))
    assert published["public_summary"] == "Fewer restraints in every school by 2028."
    assert ok(front_end.get(plan_url))["live"] is True
    assert ok(front_end.get(f"{API}verify/hillside-academy-trust/"))["is_member"] is True
