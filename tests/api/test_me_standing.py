"""``me`` answers from the policy's standing: the same rows the benefits come from."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

pytestmark = pytest.mark.django_db


def test_me_reads_memberships_and_roles_once(client):
    plan = factories.approved_plan()
    client.force_login(plan.created_by)
    with CaptureQueriesContext(connection) as ctx:
        data = client.get("/api/pledges/v1/me/").json()
    # The standing (own membership, roles, their organisations) is one query.
    roles = [q for q in ctx.captured_queries
             if '"wagtail_pledges_organisationrole"' in q["sql"]]
    assert len(roles) == 1
    assert data["organisations"] == [{"name": plan.organisation.name,
                                      "slug": plan.organisation.slug, "role": "admin",
                                      "status": "active"}]
