"""membership_status_changed: once per real change, after commit, with who acted."""

import pytest
from django.db import transaction

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import Membership, Status
from wagtail_pledges.signals import membership_status_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append({"sender": sender, **kwargs})

    membership_status_changed.connect(receiver)
    yield calls
    membership_status_changed.disconnect(receiver)


def moves(calls):
    return [(c["old_status"], c["new_status"], c["action"]) for c in calls]


def test_one_call_per_real_change_none_for_a_repeat(received, reviewer,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan = factories.draft_plan()
    assert moves(received) == [(None, Status.DRAFT, "start")]
    admin = plan.created_by
    assert received[0]["user"] == admin
    factories.complete_plan(plan)
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.submit_plan(plan, admin)
        lifecycle.submit_plan(plan, admin)  # idempotent: no second call
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.approve(plan, reviewer)
        lifecycle.approve(plan, reviewer)
    assert moves(received) == [
        (Status.DRAFT, Status.SUBMITTED, "submit"),
        (Status.SUBMITTED, Status.ACTIVE, "approve"),
    ]
    assert [c["user"] for c in received] == [admin, reviewer]
    call = received[-1]
    assert call["sender"] is Membership
    assert call["membership"].pk == plan.membership_id
    assert call["membership"].status == Status.ACTIVE


def test_the_system_acting_is_none(received, django_capture_on_commit_callbacks):
    pledge = factories.active_individual()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.lapse(Membership.objects.get(user=pledge.user))
    assert moves(received) == [(Status.ACTIVE, Status.LAPSED, "lapse")]
    assert received[0]["user"] is None


def test_nothing_sent_before_commit_or_after_a_rollback(received,
                                                        django_capture_on_commit_callbacks):
    pledge = factories.active_individual()
    membership = Membership.objects.get(user=pledge.user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                lifecycle.mark_renewal_due(membership)
                raise RuntimeError("the caller's transaction fails")
    assert received == [] and callbacks == []
    assert Membership.objects.get(pk=membership.pk).status == Status.ACTIVE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lifecycle.mark_renewal_due(membership)
    assert received == []  # not before commit
    for callback in callbacks:
        callback()
    assert moves(received) == [(Status.ACTIVE, Status.RENEWAL_DUE, "renewal_due")]


def test_a_failing_receiver_breaks_neither_the_change_nor_other_receivers(
        received, django_capture_on_commit_callbacks):
    def broken(sender, **kwargs):
        raise ValueError("a site's bug")

    membership_status_changed.connect(broken)
    try:
        pledge = factories.active_individual()
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.lapse(Membership.objects.get(user=pledge.user))
    finally:
        membership_status_changed.disconnect(broken)
    assert moves(received) == [(Status.ACTIVE, Status.LAPSED, "lapse")]
