"""The policy, not notify, chooses who is emailed."""

import pytest
from django.conf import settings
from django.test import override_settings

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import OutboxMessage
from wagtail_pledges.policy import MembershipPolicy

pytestmark = pytest.mark.django_db


class CopyToOfficePolicy(MembershipPolicy):
    def email_recipients(self, membership, event):
        extra = ["office@example.org"] if event == "approved" else []
        return [*super().email_recipients(membership, event), *extra]

    def reviewer_recipients(self, commitment):
        return ["triage@example.org"]


@pytest.fixture
def copy_to_office():
    with override_settings(WAGTAIL_PLEDGES={
        **getattr(settings, "WAGTAIL_PLEDGES", {}),
        "POLICY": "tests.core.test_policy_recipients.CopyToOfficePolicy",
    }):
        yield


def sent(template):
    return sorted(OutboxMessage.objects.filter(template=template).values_list("to", flat=True))


def reviewed_pledge():
    """A pledge sent for review outside any Wagtail workflow (plans have one, and
    Wagtail itself then tells the task's reviewers): our own "to review" email goes."""
    with override_settings(WAGTAIL_PLEDGES={
        **getattr(settings, "WAGTAIL_PLEDGES", {}), "INDIVIDUAL_REQUIRES_REVIEW": True,
    }):
        pledge = factories.complete_pledge(factories.draft_pledge())
        lifecycle.submit_pledge(pledge, pledge.user)
    return pledge


def test_default_recipients_are_the_admins_and_the_reviewer_group(reviewer):
    plan = factories.submitted_plan()
    assert sent("plan_submitted") == [plan.created_by.email.lower()]
    assert sent("review_needed") == []  # in Wagtail's workflow: Wagtail notifies
    reviewed_pledge()
    assert sent("review_needed") == [reviewer.email.lower()]


def test_a_custom_policy_changes_who_is_emailed(copy_to_office, reviewer):
    plan = factories.submitted_plan()
    with override_settings(WAGTAIL_PLEDGES={
        **settings.WAGTAIL_PLEDGES, "INDIVIDUAL_REQUIRES_REVIEW": True,
    }):
        pledge = factories.complete_pledge(factories.draft_pledge())
        lifecycle.submit_pledge(pledge, pledge.user)
    assert sent("review_needed") == ["triage@example.org"]  # not the reviewer group
    lifecycle.approve(plan, reviewer)
    assert sent("approved") == sorted([plan.created_by.email.lower(), "office@example.org"])
    assert sent("plan_submitted") == [plan.created_by.email.lower()]
