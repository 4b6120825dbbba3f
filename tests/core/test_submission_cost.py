"""What one self-service pledge submission costs the database (issue 13)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import LifecycleEvent, Membership, OutboxMessage, Status

pytestmark = pytest.mark.django_db


def test_joining_at_once_is_nine_statements_in_one_transaction():
    """Lock the membership (with user and profile) and the pledge, count the videos,
    update the pledge and the membership, move the counters, insert both events, the
    group links and the welcome email: nine statements, all in the transaction."""
    factories.active_individual()  # the counters and groups exist, as on a live site
    user = factories.UserFactory(verified=True)
    pledge = factories.complete_pledge(lifecycle.start_individual(user))
    with CaptureQueriesContext(connection) as queries:
        lifecycle.submit_pledge(pledge, user)
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 9, "\n".join(statements)
    assert Membership.objects.get(user=user).status == Status.ACTIVE
    assert list(LifecycleEvent.objects.filter(membership__user=user).values_list(
        "action", flat=True).order_by("pk")) == ["start", "submit", "approve"]
    assert OutboxMessage.objects.filter(template="approved", to=user.email).exists()
    assert set(user.groups.values_list("name", flat=True)) == {"Members",
                                                               "Individual members"}
