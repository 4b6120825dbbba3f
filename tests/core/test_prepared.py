"""Queries compiled once per connection (wagtail_pledges.prepared) give the ORM's answers."""

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import Membership
from wagtail_pledges.prepared import PreparedObjects

pytestmark = pytest.mark.django_db


def _members(pk):
    return (Membership.objects.select_for_update(of=("self",))
            .select_related("user", "user__pledges_profile").filter(pk=pk))


def test_prepared_objects_are_the_orms_with_their_related_objects():
    user = factories.UserFactory(verified=True)
    membership = lifecycle.start_individual(user).membership
    built = []
    prepared = PreparedObjects(lambda pk: built.append(pk) or _members(pk))
    with transaction.atomic():
        expected = _members(membership.pk).get()
        first = prepared.objects(membership.pk)
        other = factories.UserFactory()
        other_membership = lifecycle.start_individual(other).membership_id
        profile = other.pledges_profile.pk
        with CaptureQueriesContext(connection) as queries:
            second = prepared.objects(other_membership)
            assert second[0].user == other  # read with the membership: no query
            assert second[0].user.pledges_profile.pk == profile
        missing = prepared.objects(10**9)
    assert len(queries) == 1
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in queries[0]["sql"]
    assert len(built) == 1  # compiled once for the connection, then reused
    [membership_read] = first
    assert membership_read.pk == expected.pk
    assert {f.attname: getattr(membership_read, f.attname) for f in Membership._meta.fields} \
        == {f.attname: getattr(expected, f.attname) for f in Membership._meta.fields}
    assert membership_read.user.email == user.email
    assert membership_read._state.adding is False
    assert missing == []


def test_prepared_row_locks_are_refused_outside_a_transaction_as_the_orm_refuses_them():
    if not connection.features.has_select_for_update:
        pytest.skip("the database has no row locks (SQLite serialises writers instead)")
    user = factories.UserFactory()
    membership = lifecycle.start_individual(user).membership
    prepared = PreparedObjects(_members)
    for _attempt in range(2):  # before it was prepared, and after
        with pytest.raises(TransactionManagementError):
            prepared.objects(membership.pk)
        with transaction.atomic():
            assert prepared.objects(membership.pk)[0].pk == membership.pk


def test_a_key_that_is_not_an_integer_goes_through_the_orm():
    user = factories.UserFactory()
    membership = lifecycle.start_individual(user).membership
    prepared = PreparedObjects(lambda pk: Membership.objects.filter(pk=pk))
    assert [m.pk for m in prepared.objects(str(membership.pk))] == [membership.pk]
