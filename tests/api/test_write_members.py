"""The member dashboard through the write API: updates, renewal, people, invitations,
leaving, claiming an original pledge, and the member's own data."""

import pytest
from freezegun import freeze_time

from tests import factories
from tests.api.conftest import API, token_from
from wagtail_pledges import legacy, lifecycle
from wagtail_pledges.models import (
    LegacySignatory,
    Membership,
    OrganisationRole,
    Pledge,
    ProgressUpdate,
    Status,
)

pytestmark = pytest.mark.django_db


def test_progress_update_on_own_approved_pledge(api, signed_in):
    pledge = factories.active_individual()
    signed_in(pledge.user)
    response = api.post(API + "pledge/updates/", {"body": "Three debriefs so far."},
                        format="json")
    assert response.status_code == 201
    assert response.json()["body"] == "Three debriefs so far."
    assert ProgressUpdate.objects.get().pledge == pledge
    assert api.post(API + "pledge/updates/", {"body": ""}, format="json").status_code == 400
    assert api.post(API + "pledge/updates/", {"body": "x" * 5001},
                    format="json").status_code == 400


def test_a_repeated_update_with_the_same_idempotency_key_is_stored_once(api, signed_in):
    pledge = factories.active_individual()
    signed_in(pledge.user)
    body = {"body": "Three debriefs so far."}
    first = api.post(API + "pledge/updates/", body, format="json",
                     HTTP_IDEMPOTENCY_KEY="5b7c1e0e-1d2f-4c55-9f0e-6a1d2b3c4d5e")
    again = api.post(API + "pledge/updates/", body, format="json",
                     HTTP_IDEMPOTENCY_KEY="5b7c1e0e-1d2f-4c55-9f0e-6a1d2b3c4d5e")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert ProgressUpdate.objects.count() == 1
    # The same key with another body is refused and stores nothing.
    reused = api.post(API + "pledge/updates/", {"body": "Something else"}, format="json",
                      HTTP_IDEMPOTENCY_KEY="5b7c1e0e-1d2f-4c55-9f0e-6a1d2b3c4d5e")
    assert reused.status_code == 422
    assert reused["Content-Type"] == "application/problem+json"
    assert "Idempotency-Key" in reused.json()["detail"]
    # A fresh key (or none) is a new update.
    assert api.post(API + "pledge/updates/", body, format="json",
                    HTTP_IDEMPOTENCY_KEY="another-key-1").status_code == 201
    assert api.post(API + "pledge/updates/", body, format="json").status_code == 201
    assert ProgressUpdate.objects.count() == 3


@pytest.mark.parametrize("key", ["short", "x" * 65, "has space in it", "ключ-ключ-ключ"])
def test_a_malformed_idempotency_key_is_a_400_naming_the_header(api, signed_in, key):
    pledge = factories.active_individual()
    signed_in(pledge.user)
    response = api.post(API + "pledge/updates/", {"body": "Hi"}, format="json",
                        HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not ProgressUpdate.objects.exists()


def test_an_idempotency_key_is_one_persons_own(api, signed_in):
    """Another member sending the same key stores their own update and learns nothing."""
    mine, theirs = factories.active_individual(), factories.active_individual()
    signed_in(mine.user)
    api.post(API + "pledge/updates/", {"body": "Mine, private until read"}, format="json",
             HTTP_IDEMPOTENCY_KEY="shared-key-0001")
    signed_in(theirs.user)
    response = api.post(API + "pledge/updates/", {"body": "Theirs"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="shared-key-0001")
    assert response.status_code == 201 and response.json()["body"] == "Theirs"
    assert ProgressUpdate.objects.get(pledge=theirs).author == theirs.user
    assert ProgressUpdate.objects.count() == 2


def test_plan_updates_take_an_idempotency_key_too(api, signed_in):
    plan = factories.approved_plan()
    signed_in(plan.created_by)
    for _ in range(2):
        response = api.post(f"{API}action-plans/{plan.pk}/updates/", {"body": "Halfway."},
                            format="json", HTTP_IDEMPOTENCY_KEY="plan-update-0001")
        assert response.status_code == 201
    assert ProgressUpdate.objects.filter(plan=plan).count() == 1


def test_no_update_before_approval_or_without_a_pledge(api, signed_in):
    user = signed_in()
    assert api.post(API + "pledge/updates/", {"body": "Hi"}, format="json").status_code == 404
    lifecycle.start_individual(user)
    response = api.post(API + "pledge/updates/", {"body": "Hi"}, format="json")
    assert response.status_code == 400
    assert "once it has been approved" in response.json()["detail"]
    assert not ProgressUpdate.objects.exists()


def test_plan_update_is_published_with_the_plan(api, signed_in):
    plan = factories.approved_plan()
    signed_in(plan.created_by)
    response = api.post(f"{API}action-plans/{plan.pk}/updates/", {"body": "Halfway."},
                        format="json")
    assert response.status_code == 201
    public = api.get(f"{API}plans/{plan.pk}/").json()
    assert public["updates"][0]["body"] == "Halfway."


def test_renewal_is_starting_again_once_due(api, signed_in):
    with freeze_time("2026-01-10"):
        pledge = factories.active_individual()
        plan = factories.approved_plan()
    with freeze_time("2026-06-01"):
        signed_in(pledge.user)
        early = api.post(API + "pledge/start/")
        assert early.status_code == 409
        assert early.json()["detail"]
        assert Pledge.objects.filter(user=pledge.user).count() == 1
    with freeze_time("2027-12-01"):
        lifecycle.run_daily()
        signed_in(pledge.user)  # a new session: the last one expired long ago
        renewal = api.post(API + "pledge/start/").json()
        assert renewal["pledge"]["sequence"] == 2 and renewal["pledge"]["is_editable"]
        assert renewal["membership"]["status"] == Status.RENEWAL_DUE
        # Updates still go on the approved pledge being carried out, not the new draft.
        update = api.post(API + "pledge/updates/", {"body": "Still going."}, format="json")
        assert update.status_code == 201
        assert ProgressUpdate.objects.get().pledge_id == pledge.pk
        signed_in(plan.created_by)
        next_plan = api.post(f"{API}organisations/{plan.organisation_id}/plans/")
        assert next_plan.status_code == 201
        assert next_plan.json()["sequence"] == 2 and next_plan.json()["review_status"] == "draft"
        history = api.get(f"{API}organisations/{plan.organisation_id}/plans/").json()
        assert [p["sequence"] for p in history] == [2, 1]


def test_invite_accept_roles_and_leave(api, signed_in):
    plan = factories.approved_plan()
    admin, organisation = plan.created_by, plan.organisation
    people_url = f"{API}organisations/{organisation.pk}/people/"
    signed_in(admin)
    response = api.post(f"{API}organisations/{organisation.pk}/invitations/",
                        {"email": "New.Person@example.org"}, format="json")
    assert response.status_code == 202
    assert response.json() == {"email": "New.Person@example.org", "role": "staff"}
    bad = api.post(f"{API}organisations/{organisation.pk}/invitations/",
                   {"email": "nope", "role": "owner"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"email", "role"}
    token = token_from("staff_invitation")
    # Only the invited address may accept.
    signed_in()
    assert api.post(API + "invitations/accept/", {"token": token},
                    format="json").status_code == 400
    person = signed_in(factories.UserFactory(email="new.person@example.org", verified=True))
    joined = api.post(API + "invitations/accept/", {"token": token}, format="json").json()
    assert joined == {"organisation": {"id": organisation.pk, "name": organisation.name,
                                       "slug": organisation.slug}, "role": "staff"}
    assert api.get(people_url).status_code == 403  # staff do not manage people
    signed_in(admin)
    people = api.get(people_url).json()
    assert [(p["email"], p["role"]) for p in people] == [
        (admin.email, "admin"), ("new.person@example.org", "staff")]
    promoted = api.patch(f"{people_url}{person.pk}/", {"role": "admin"}, format="json")
    assert promoted.json()["role"] == "admin"
    assert api.patch(f"{people_url}{person.pk}/", {"role": "owner"},
                     format="json").status_code == 400
    # The other admin demotes them again; then the last admin may not step down or leave.
    api.patch(f"{people_url}{person.pk}/", {"role": "staff"}, format="json")
    last = api.patch(f"{people_url}{admin.pk}/", {"role": "staff"}, format="json")
    assert last.status_code == 400 and "at least one admin" in str(last.json())
    leave = api.post(f"{API}organisations/{organisation.pk}/leave/")
    assert leave.status_code == 400 and "last admin" in str(leave.json())
    # Staff leave on their own; an admin removes someone with DELETE.
    signed_in(person)
    assert api.post(f"{API}organisations/{organisation.pk}/leave/").status_code == 204
    assert not OrganisationRole.objects.filter(user=person).exists()
    assert api.get(f"{API}organisations/{organisation.pk}/").status_code == 404
    signed_in(admin)
    assert api.delete(f"{people_url}{person.pk}/").status_code == 404  # already gone


def test_admin_removes_someone(api, signed_in):
    plan = factories.approved_plan()
    staff = factories.UserFactory(verified=True)
    OrganisationRole.objects.create(organisation=plan.organisation, user=staff,
                                    role=OrganisationRole.Role.STAFF)
    signed_in(plan.created_by)
    response = api.delete(f"{API}organisations/{plan.organisation_id}/people/{staff.pk}/")
    assert response.status_code == 204
    assert not OrganisationRole.objects.filter(user=staff).exists()


def test_claim_an_original_signature(api, signed_in):
    signatory = LegacySignatory.objects.create(kind="individual", name="Ann",
                                               email="ann@example.org")
    token = legacy.issue_claim_token(signatory)
    user = signed_in()
    assert api.post(API + "legacy/claim/", {"token": "forged"},
                    format="json").status_code == 400
    response = api.post(API + "legacy/claim/", {"token": token}, format="json")
    assert response.json()["status"] == Status.LEGACY
    assert Membership.objects.get(user=user).status == Status.LEGACY
    assert api.post(API + "legacy/claim/", {"token": token}, format="json").status_code == 400


def test_export_own_data_only(api, signed_in):
    pledge = factories.active_individual()
    factories.active_individual()  # someone else
    signed_in(pledge.user)
    response = api.get(API + "me/data/")
    data = response.json()
    assert "no-store" in response["Cache-Control"]
    assert data["account"]["email"] == pledge.user.email
    assert [p["action"] for p in data["pledges"]] == [pledge.action]
    assert data["membership"]["status"] == Status.ACTIVE


def test_erase_needs_the_word_and_signs_out(api, signed_in):
    pledge = factories.active_individual()
    user = signed_in(pledge.user)
    refused = api.post(API + "me/erase/", {"confirm": "yes"}, format="json")
    assert refused.status_code == 400 and "confirm" in refused.json()["errors"]
    assert api.post(API + "me/erase/", {"confirm": "erase"}, format="json").status_code == 204
    user.refresh_from_db()
    assert not user.is_active and user.email.startswith("erased-")
    assert Membership.objects.get(user=user).status == Status.WITHDRAWN
    assert api.get(API + "me/").status_code == 401  # signed out
