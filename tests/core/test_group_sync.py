"""Group sync in the status writer: as few statements as the change needs, still exact."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.groups import managed_groups, remove_from_groups, sync_user_groups
from wagtail_pledges.models import Membership

pytestmark = pytest.mark.django_db


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def group_statements(queries) -> list[str]:
    return [q["sql"] for q in queries
            if "auth_group" in q["sql"] or "_groups" in q["sql"]]


def joining(user=None):
    user = user or factories.UserFactory(verified=True)
    return user, factories.complete_pledge(lifecycle.start_individual(user))


def test_joining_puts_the_member_in_their_groups_in_one_statement():
    managed_groups()
    user, pledge = joining()
    with CaptureQueriesContext(connection) as queries:
        lifecycle.submit_pledge(pledge, user)
    assert len(group_statements(queries)) == 1, group_statements(queries)
    assert group_names(user) == {"Members", "Individual members"}


def test_on_a_new_site_the_groups_are_created_on_first_use():
    Group.objects.filter(name__in=["Members", "Individual members",
                                   "Organisation members"]).delete()
    user, pledge = joining()
    lifecycle.submit_pledge(pledge, user)
    assert group_names(user) == {"Members", "Individual members"}
    assert Group.objects.filter(name="Organisation members").exists()


def test_joining_keeps_the_groups_an_organisation_gives():
    plan = factories.approved_plan()
    admin = plan.created_by
    assert group_names(admin) == {"Members", "Organisation members"}
    user, pledge = joining(admin)
    lifecycle.submit_pledge(pledge, user)
    assert group_names(admin) == {"Members", "Organisation members", "Individual members"}
    # Lapsing the individual membership keeps what the organisation gives.
    lifecycle.lapse(Membership.objects.get(user=admin))
    assert group_names(admin) == {"Members", "Organisation members"}


def test_a_move_that_keeps_benefits_leaves_the_groups_alone():
    pledge = factories.active_individual()
    membership = Membership.objects.get(user=pledge.user)
    Membership.objects.filter(pk=membership.pk).update(
        period_end=timezone.localdate() + datetime.timedelta(days=10))
    with CaptureQueriesContext(connection) as queries:
        assert lifecycle.mark_renewal_due(membership)
    assert group_statements(queries) == []
    assert group_names(pledge.user) == {"Members", "Individual members"}


def test_lapsing_takes_the_member_out():
    pledge = factories.active_individual()
    lifecycle.lapse(Membership.objects.get(user=pledge.user))
    assert group_names(pledge.user) == set()


def test_sync_user_groups_repairs_in_both_directions():
    pledge = factories.active_individual()
    user = pledge.user
    remove_from_groups(user.pk, {"members"})
    user.groups.add(managed_groups()["organisation"])
    assert sync_user_groups(user) is True
    assert group_names(user) == {"Members", "Individual members"}
    assert sync_user_groups(user) is False  # nothing left to change
