import pytest
from django.core import mail

from tests import factories
from wagtail_pledges.models import LifecycleEvent, Membership, OutboxMessage, Status


@pytest.mark.django_db
def test_individual_from_nothing_to_active(outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pledge = factories.active_individual()
    membership = Membership.objects.get(user=pledge.user)
    assert membership.status == Status.ACTIVE
    assert membership.period_end is not None
    assert [t for t, _ in outbox()] == ["approved"]
    assert OutboxMessage.objects.filter(state="sent").count() == 1
    assert len(mail.outbox) == 1
    assert set(pledge.user.groups.values_list("name", flat=True)) == {
        "Members", "Individual members"
    }
    assert list(LifecycleEvent.objects.filter(membership=membership).order_by("pk")
                .values_list("action", flat=True)) == ["start", "submit", "approve"]
