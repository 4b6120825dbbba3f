"""``pledges_recount`` repairs drift in a number of statements that does not grow with
the number of members (issue 13: it took 664 s at 110,000 memberships)."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F

from tests import factories
from wagtail_pledges import counts
from wagtail_pledges.groups import managed_groups, repair_groups
from wagtail_pledges.models import (
    Counter,
    Membership,
    Organisation,
    OrganisationRole,
    Status,
    Tier,
)
from wagtail_pledges.policy import MembershipPolicy, get_policy

pytestmark = pytest.mark.django_db


def bulk_members(n: int, prefix: str) -> list:
    """``n`` active individuals and ``n // 2`` organisation admins of active
    organisations, written in bulk, with no groups: every one of them is drift."""
    User = get_user_model()
    end = datetime.date.today() + datetime.timedelta(days=200)
    users = User.objects.bulk_create(
        [User(email=f"{prefix}{i}@example.org") for i in range(n + n // 2)]
    )
    Membership.objects.bulk_create(
        [Membership(tier=Tier.INDIVIDUAL, status=Status.ACTIVE, user=u, period_end=end)
         for u in users[:n]]
    )
    template = factories.OrganisationFactory.build()
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"{prefix} org {i}", slug=f"{prefix}-org-{i}",
                      sector=template.sector, location=template.location)
         for i in range(n // 2)]
    )
    Membership.objects.bulk_create(
        [Membership(tier=Tier.ORGANISATION, status=Status.ACTIVE, organisation=o,
                    period_end=end) for o in orgs]
    )
    OrganisationRole.objects.bulk_create(
        [OrganisationRole(organisation=o, user=u, role=OrganisationRole.Role.ADMIN)
         for o, u in zip(orgs, users[n:], strict=True)]
    )
    return users


def group_links(users) -> set:
    Link = get_user_model().groups.through
    return set(Link.objects.filter(user__in=users).values_list("user_id", "group__name"))


@pytest.mark.parametrize("size", [10, 200])
def test_recount_repairs_counters_and_groups_in_constant_queries(
    size, django_assert_max_num_queries
):
    users = bulk_members(size, f"s{size}-")
    managed_groups()  # created once, as the first transition would
    Counter.objects.update(value=F("value") + 7)
    Counter.objects.create(key="members:individual:stale", value=3)
    # 21 queries at either size: the number does not grow with the members.
    with django_assert_max_num_queries(21):
        values = counts.recount()
        changed = repair_groups()
    assert changed == size + size // 2
    assert values[counts.membership_key(Tier.INDIVIDUAL, Status.ACTIVE)] == size
    assert values[counts.membership_key(Tier.ORGANISATION, Status.ACTIVE)] == size // 2
    assert not Counter.objects.filter(key="members:individual:stale").exists()
    links = group_links(users)
    assert len(links) == 2 * (size + size // 2)  # "members" plus their tier's group
    assert all(name for _u, name in links)
    # Nothing left to repair: a second run changes nothing.
    assert repair_groups() == 0


def test_repair_groups_removes_groups_the_policy_no_longer_grants():
    users = bulk_members(4, "x-")
    repair_groups()
    Membership.objects.filter(user=users[0]).update(status=Status.LAPSED)
    Membership.objects.filter(organisation__roles__user=users[4]).update(status=Status.LAPSED)
    # Small batches: the answer must not depend on where a batch ends.
    assert repair_groups(batch_size=3) == 2
    links = group_links(users)
    assert not {u for u, _n in links} & {users[0].pk, users[4].pk}
    assert len(links) == 2 * 4


def test_repair_groups_reports_progress():
    bulk_members(5, "p-")
    seen = []
    repair_groups(batch_size=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 7), (4, 7), (6, 7), (7, 7)]


class StaffOnlyOrganisationsPolicy(MembershipPolicy):
    """A site rule with no bulk form: only renewal-due members keep their groups."""

    def membership_grants_benefits(self, membership):
        return membership is not None and membership.status == Status.RENEWAL_DUE


@pytest.mark.parametrize("legacy_deadline_passed", [False, True])
def test_bulk_answer_agrees_with_the_policy_for_every_status(settings, legacy_deadline_passed):
    users = bulk_members(len(Status.values), "st-")
    for user, status in zip(users, Status.values, strict=False):
        Membership.objects.filter(user=user).update(status=status)
    deadline = "2000-01-01" if legacy_deadline_passed else "2999-01-01"
    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": deadline, "SUBMITTED_HAS_BENEFITS": True}
    policy = get_policy()
    assert policy.answers_in_bulk()
    repair_groups()
    in_bulk = group_links(users)
    get_user_model().groups.through.objects.all().delete()
    with mock.patch.object(MembershipPolicy, "answers_in_bulk", return_value=False):
        repair_groups()
    assert group_links(users) == in_bulk


def test_a_policy_without_a_bulk_answer_is_asked_user_by_user(settings):
    users = bulk_members(4, "c-")
    Membership.objects.filter(user=users[1]).update(status=Status.RENEWAL_DUE)
    settings.WAGTAIL_PLEDGES = {
        "POLICY": "tests.core.test_recount_scale.StaffOnlyOrganisationsPolicy"}
    assert not get_policy().answers_in_bulk()
    assert repair_groups() == 1
    assert {u for u, _n in group_links(users)} == {users[1].pk}
