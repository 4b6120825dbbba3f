"""Reviewing plans in the admin: who may, what happens, what the member sees."""

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import (
    ActionPlan,
    LifecycleEvent,
    Membership,
    OutboxMessage,
    ReviewStatus,
    Status,
)

pytestmark = pytest.mark.django_db


def url(name, plan, kind="plan"):
    return reverse(f"wagtail_pledges_admin:{name}", args=[kind, plan.pk])


def test_review_workflow_is_assigned_to_plans():
    plan = factories.submitted_plan()
    assert plan.get_workflow().name == "Membership review"
    state = plan.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert list(state.current_task_state.task.specific.groups.values_list("name", flat=True)) \
        == ["Membership reviewers"]


def test_reviewer_sees_queue_and_plan(client, reviewer):
    plan = factories.submitted_plan()
    client.force_login(reviewer)
    response = client.get(reverse("wagtail_pledges_admin:review_queue"))
    assert response.status_code == 200
    assert plan.organisation.name in response.content.decode()
    response = client.get(url("review", plan))
    assert response.status_code == 200
    assert "Priority 1" in response.content.decode()


@pytest.mark.parametrize("who", ["editor", "outsider"])
def test_non_reviewers_cannot_decide(client, request, who):
    person = request.getfixturevalue(who)
    plan = factories.submitted_plan()
    client.force_login(person)
    for response in (
        client.get(reverse("wagtail_pledges_admin:review_queue")),
        client.get(url("review", plan)),
        client.post(url("approve", plan)),
        client.post(url("request_changes", plan), {"comment": "No"}),
        client.post(url("decline", plan), {"reason": "No"}),
    ):
        assert response.status_code == 302
        assert response["Location"] != reverse("wagtail_pledges_admin:review_queue")
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.SUBMITTED
    assert not plan.live
    assert Membership.objects.get(pk=plan.membership_id).status == Status.SUBMITTED


def test_anonymous_is_sent_to_login(client):
    plan = factories.submitted_plan()
    response = client.post(url("approve", plan))
    assert response.status_code == 302
    assert "login" in response["Location"]
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.SUBMITTED


def test_full_review_round_trip(client, reviewer, django_capture_on_commit_callbacks):
    """Request a change, see the resubmission's difference, approve, plan goes public."""
    plan = factories.submitted_plan()
    client.force_login(reviewer)

    # A comment is required to request changes.
    response = client.post(url("request_changes", plan), {"comment": "  "})
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("request_changes", plan),
                               {"comment": "Please add a measure for debriefing."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.CHANGES_REQUESTED
    assert plan.reviewer_comment == "Please add a measure for debriefing."
    assert plan.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    membership = Membership.objects.get(pk=plan.membership_id)
    assert membership.status == Status.CHANGES_REQUESTED
    event = LifecycleEvent.objects.filter(membership=membership).first()
    assert (event.action, event.actor, event.reason) == (
        "request_changes", reviewer, "Please add a measure for debriefing.")
    email = OutboxMessage.objects.get(template="changes_requested")
    assert email.to == plan.created_by.email
    assert "Please add a measure for debriefing." in email.render().text

    # The organisation edits and resubmits: Wagtail's workflow resumes.
    plan.public_summary = "We will debrief after every incident and publish the numbers."
    plan.save()
    lifecycle.submit_plan(plan, plan.created_by)
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.SUBMITTED
    assert plan.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS

    # The reviewer sees the difference between the two submissions.
    response = client.get(url("review", plan))
    compare = response.context["compare_url"]
    assert compare
    diff = client.get(compare)
    assert diff.status_code == 200
    text = diff.content.decode()
    assert "publish the numbers" in text
    assert "reduce restraint across our services" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("approve", plan))
    assert response.status_code == 302
    plan = ActionPlan.objects.get(pk=plan.pk)
    assert plan.live is True
    assert plan.review_status == ReviewStatus.APPROVED
    assert plan.period_end is not None
    assert WorkflowState.objects.for_instance(plan).get(status="approved")
    membership.refresh_from_db()
    assert membership.status == Status.ACTIVE
    approvals = LifecycleEvent.objects.filter(membership=membership, action="approve")
    assert [(e.actor, e.to_status) for e in approvals] == [(reviewer, Status.ACTIVE)]
    assert OutboxMessage.objects.filter(template="approved").count() == 1

    # Approving twice is harmless and reported.
    response = client.post(url("approve", plan), follow=True)
    assert response.status_code == 200
    assert approvals.count() == 1


def test_wagtail_workflow_approve_goes_through_lifecycle(reviewer):
    plan = factories.submitted_plan()
    task_state = plan.current_workflow_state.current_task_state
    task_state.specific.approve(user=reviewer)
    plan = ActionPlan.objects.get(pk=plan.pk)
    assert plan.live and plan.review_status == ReviewStatus.APPROVED
    membership = Membership.objects.get(pk=plan.membership_id)
    assert membership.status == Status.ACTIVE
    assert membership.events.filter(action="approve", actor=reviewer).count() == 1


def test_wagtail_workflow_reject_requests_changes(reviewer):
    plan = factories.submitted_plan()
    plan.current_workflow_state.current_task_state.specific.reject(
        user=reviewer, comment="Name the senior lead.")
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.CHANGES_REQUESTED
    assert plan.reviewer_comment == "Name the senior lead."
    assert Membership.objects.get(pk=plan.membership_id).status == Status.CHANGES_REQUESTED


def test_decline_requires_reason_and_cancels_workflow(client, reviewer):
    plan = factories.submitted_plan()
    client.force_login(reviewer)
    response = client.post(url("decline", plan), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    response = client.post(url("decline", plan), {"reason": "Not a care provider."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.DECLINED
    assert plan.current_workflow_state is None
    assert Membership.objects.get(pk=plan.membership_id).status == Status.DECLINED


def test_refused_transition_is_a_message_not_a_500(client, reviewer):
    plan = factories.complete_plan(factories.draft_plan())  # a draft: nothing to approve
    client.force_login(reviewer)
    response = client.post(url("approve", plan), follow=True)
    assert response.status_code == 200
    assert any("Only a submitted" in str(m) for m in response.context["messages"])
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.DRAFT
    response = client.post(url("request_changes", plan), {"comment": "x"}, follow=True)
    assert any("awaiting review" in str(m) for m in response.context["messages"])


def test_unknown_kind_is_404(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/admin/membership/review/widget/1/").status_code == 404
    assert client.get("/admin/membership/review/plan/999999/").status_code == 404


def test_publish_button_is_not_offered(client, reviewer):
    plan = factories.submitted_plan()
    client.force_login(reviewer)
    edit = reverse(ActionPlan.snippet_viewset.get_url_name("edit"), args=[plan.pk])
    response = client.get(edit)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="action-publish"' not in html
    assert "Approve" in html  # Wagtail's workflow action is there


def test_review_page_header_names_the_plan(client, reviewer):
    from tests import factories as f

    plan = f.submitted_plan()
    client.force_login(reviewer)
    response = client.get(f"/admin/membership/review/plan/{plan.pk}/")
    labels = [item["label"] for item in response.context["breadcrumbs_items"]]
    assert labels[-2:] == ["Review queue", "Review"]
    assert str(plan) in response.content.decode()


def test_review_page_shows_organisation_details_and_keeps_approve_apart(client, reviewer):
    from wagtail_pledges.models import Location, RestrictivePractice

    plan = factories.submitted_plan()
    organisation = plan.organisation
    organisation.location = Location.objects.get(slug="wales")
    organisation.website = "https://trust.example"
    organisation.save()
    plan.practices.set([RestrictivePractice.objects.get(slug="chemical")])
    plan.save()  # ClusterableModel commits parental m2m on save
    client.force_login(reviewer)
    html = client.get(url("review", plan)).content.decode()
    for text in ("Health", "Wales, United Kingdom", "https://trust.example",
                 "Chemical restraint"):
        assert text in html, text
    # "Approve and publish" comes after the request-changes box, in its own section.
    assert html.index('name="comment"') < html.index("data-review-approve") \
        < html.index("Approve and publish")
    approve_section = html[html.index("data-review-approve"):]
    assert 'name="comment"' not in approve_section.split("</section>")[0]
