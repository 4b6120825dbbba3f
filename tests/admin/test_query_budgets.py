"""Admin reports, listings and the review queue cost the same number of queries with
5 rows as with 50 (issue 13: query budgets constant in size)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from wagtail_pledges.conf import pledges_settings
from wagtail_pledges.models import (
    ActionPlan,
    LegacySignatory,
    Membership,
    Organisation,
    OrganisationRole,
    OutboxMessage,
    Pledge,
    ReviewStatus,
    Status,
    Tier,
)

pytestmark = pytest.mark.django_db

REPORTS = ["ending_soon", "lapsed", "steering_group", "awaiting_review",
           "legacy_campaign"]
LISTED = [Membership, Organisation, ActionPlan, Pledge, LegacySignatory, OutboxMessage]


def add_rows(n: int, prefix: str) -> None:
    """``n`` rows in every report, listing and queue, written in bulk."""
    User = get_user_model()
    today = timezone.localdate()
    people = User.objects.bulk_create(
        [User(email=f"{prefix}{i}@example.org", first_name=f"P{i}") for i in range(2 * n)])
    steering, _ = Group.objects.get_or_create(name=pledges_settings.STEERING_GROUP)
    steering.user_set.add(*people[n:])  # without a membership: all reported
    soon = [Membership(tier=Tier.INDIVIDUAL, status=Status.ACTIVE, user=u,
                       period_end=today + datetime.timedelta(days=10)) for u in people[:n // 2]]
    lapsed = [Membership(tier=Tier.INDIVIDUAL, status=Status.LAPSED, user=u,
                         period_end=today - datetime.timedelta(days=1))
              for u in people[n // 2:n]]
    Membership.objects.bulk_create(soon + lapsed)
    Pledge.objects.bulk_create(
        [Pledge(user=m.user, membership=m, review_status=ReviewStatus.SUBMITTED,
                submitted_at=timezone.now(), action="Debrief") for m in soon])
    template = factories.OrganisationFactory.build()
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"{prefix} trust {i}", slug=f"{prefix}-trust-{i}",
                      sector=template.sector, location=template.location) for i in range(n)])
    org_memberships = Membership.objects.bulk_create(
        [Membership(tier=Tier.ORGANISATION, status=Status.SUBMITTED, organisation=o)
         for o in orgs])
    OrganisationRole.objects.bulk_create(
        [OrganisationRole(organisation=o, user=u, role=OrganisationRole.Role.ADMIN)
         for o, u in zip(orgs, people[n:], strict=True)])
    ActionPlan.objects.bulk_create(
        [ActionPlan(organisation=o, membership=m, review_status=ReviewStatus.SUBMITTED,
                    submitted_at=timezone.now(), public_summary="A plan", signoff_name="CEO")
         for o, m in zip(orgs, org_memberships, strict=True)])
    LegacySignatory.objects.bulk_create(
        [LegacySignatory(kind="individual", name=f"Old {i}", email=f"{prefix}old{i}@example.org",
                         membership=m) for i, m in enumerate(soon + lapsed)])
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(idempotency_key=f"{prefix}{i}", template="t", to=f"{prefix}{i}@ex.org",
                       subject="Hello", body_text="Hi") for i in range(n)])


def urls():
    yield from (reverse(f"wagtail_pledges_admin:report_{name}") for name in REPORTS)
    yield reverse("wagtail_pledges_admin:review_queue")
    yield from (reverse(model.snippet_viewset.get_url_name("list")) for model in LISTED)


def queries_per_page(client) -> dict[str, int]:
    counted = {}
    for url in urls():
        client.get(url)  # warm per-process caches (content types, settings)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counted[url] = len(queries)
    return counted


def test_admin_pages_cost_the_same_with_5_and_50_rows(client, reviewer):
    client.force_login(reviewer)
    add_rows(5, "a")
    with_5 = queries_per_page(client)
    add_rows(45, "b")
    with_50 = queries_per_page(client)
    grew = {url: (with_5[url], n) for url, n in with_50.items() if n > with_5[url]}
    assert grew == {}
    # The rows are really there: each page lists more than a page-worth of them.
    html = client.get(reverse("wagtail_pledges_admin:report_steering_group")).content.decode()
    assert "a5@example.org" in html and "b45@example.org" in html
