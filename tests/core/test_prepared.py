"""Queries compiled once per connection (wagtail_pledges.prepared) give the ORM's answers."""

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import Membership, Pledge
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


@pytest.mark.django_db(transaction=True)  # autocommit outside the blocks below
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


# -- save_fields: the UPDATE written once --------------------------------------------


def test_a_submission_still_sends_pre_and_post_save_for_its_row_updates():
    """The pledge and membership rows are written by row_writes.save_fields: every
    pre_save and post_save receiver still runs, with the fields written, and sees the
    rows as saved."""
    from django.db.models.signals import post_save, pre_save

    factories.active_individual()
    user = factories.UserFactory(verified=True)
    pledge = factories.complete_pledge(lifecycle.start_individual(user))
    heard = []

    def listen(sender, instance, update_fields=None, **kwargs):
        stored = type(instance)._base_manager.filter(pk=instance.pk).values_list(
            "status" if sender is Membership else "review_status", flat=True).get()
        heard.append((kwargs.get("signal"), sender.__name__, update_fields, stored))

    for signal in (pre_save, post_save):
        for model in (Membership, Pledge):
            signal.connect(listen, sender=model, dispatch_uid=f"test-{signal}-{model}")
    try:
        lifecycle.submit_pledge(pledge, user)
    finally:
        for signal in (pre_save, post_save):
            for model in (Membership, Pledge):
                signal.disconnect(sender=model, dispatch_uid=f"test-{signal}-{model}")
    pledge_fields = frozenset({"review_status", "decided_at", "period_start", "period_end",
                               "submitted_at", "live", "has_unpublished_changes",
                               "last_published_at", "first_published_at"})
    membership_fields = frozenset({"status", "status_changed_at", "period_start",
                                   "period_end", "reminders_sent"})
    pledge_pre = (pre_save, "Pledge", pledge_fields, "draft")
    pledge_post = (post_save, "Pledge", pledge_fields, "approved")
    membership_pre = (pre_save, "Membership", membership_fields, "draft")
    membership_post = (post_save, "Membership", membership_fields, "active")
    if connection.vendor == "postgresql":
        # Both UPDATEs go with the submission's other writes (writes_together): each
        # post_save is sent once they have run, and still sees its row as saved.
        assert heard == [pledge_pre, membership_pre, pledge_post, membership_post]
    else:
        assert heard == [pledge_pre, pledge_post, membership_pre, membership_post]


def test_save_fields_writes_what_save_writes():
    from wagtail_pledges.row_writes import save_fields

    user = factories.UserFactory(verified=True)
    membership = lifecycle.start_individual(user).membership
    membership.reminders_sent = [60, 14]
    membership.period_end = lifecycle.today()
    membership.status = "legacy"  # written below only if named
    save_fields(membership, ["reminders_sent", "period_end"])
    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.reminders_sent, stored.period_end, stored.status) == (
        [60, 14], lifecycle.today(), "draft")


def test_save_fields_on_a_row_that_is_gone_raises_as_save_does():
    from django.db import DatabaseError

    from wagtail_pledges.row_writes import save_fields

    user = factories.UserFactory()
    membership = lifecycle.start_individual(user).membership
    Membership.objects.filter(pk=membership.pk).update(status="withdrawn")
    gone = Membership(pk=10**9, tier=membership.tier, status="draft")
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        save_fields(gone, ["status"])


def test_save_fields_in_writes_together_raises_for_a_gone_row_when_the_block_ends():
    """Sent with a block's other writes, a row update that touched nothing still
    raises as save() does — when the block ends, rolling the whole transaction back —
    and its post_save is sent only after a write that did."""
    from django.db import DatabaseError
    from django.db.models.signals import post_save

    from wagtail_pledges.models import Counter
    from wagtail_pledges.row_writes import save_fields
    from wagtail_pledges.sql_writes import writes_together

    membership = lifecycle.start_individual(factories.UserFactory()).membership
    Counter.objects.create(key="test:a", value=0)
    heard = []

    def listen(sender, instance, **kwargs):
        heard.append(Membership.objects.filter(pk=instance.pk).values_list(
            "reminders_sent", flat=True).first())

    post_save.connect(listen, sender=Membership, dispatch_uid="test-gone-row")
    try:
        with transaction.atomic(), writes_together():
            membership.reminders_sent = [30]
            save_fields(membership, ["reminders_sent"])
            if connection.vendor == "postgresql":
                assert heard == []  # not written yet: no post_save yet
        assert heard == [[30]]
        gone = Membership(pk=10**9, tier=membership.tier, status="draft")
        with pytest.raises(DatabaseError, match="did not affect any rows"):
            with transaction.atomic(), writes_together():
                _bump("test:a", [])
                save_fields(gone, ["status"])
    finally:
        post_save.disconnect(sender=Membership, dispatch_uid="test-gone-row")
    assert heard == [[30]] and _counter("test:a") == 0  # rolled back with it


def test_save_fields_commits_a_pledges_practices_and_leaves_a_plan_to_its_own_save():
    """Many-to-many fields are committed after the row (as modelcluster does); a model
    with a save() of its own (ActionPlan copies its organisation's name) is saved
    through it."""
    from wagtail_pledges.models import ActionPlan, Organisation, RestrictivePractice
    from wagtail_pledges.row_writes import save_fields

    user = factories.UserFactory()
    pledge = lifecycle.start_individual(user)
    practice = RestrictivePractice.objects.create(name="Restraint", slug="restraint-x")
    pledge.practices = [practice]
    pledge.action = "Fewer restraints."
    save_fields(pledge, ["action", "practices"])
    pledge = Pledge.objects.get(pk=pledge.pk)
    assert pledge.action == "Fewer restraints." and list(pledge.practices.all()) == [practice]
    # Replaced: the stored link removed, the new one added, through Django's own
    # remove and add (m2m_changed is sent for each); nothing written when unchanged.
    from django.db.models.signals import m2m_changed

    other = RestrictivePractice.objects.create(name="Seclusion", slug="seclusion-x")
    heard = []

    def listen(sender, action, pk_set=None, **kwargs):
        heard.append((action, frozenset(pk_set or ())))

    m2m_changed.connect(listen, sender=Pledge.practices.through, dispatch_uid="test-m2m")
    try:
        pledge.practices = [other]
        save_fields(pledge, ["practices"])
        pledge.practices = [other]
        with CaptureQueriesContext(connection) as unchanged:
            save_fields(pledge, ["practices"])
    finally:
        m2m_changed.disconnect(sender=Pledge.practices.through, dispatch_uid="test-m2m")
    assert list(Pledge.objects.get(pk=pledge.pk).practices.all()) == [other]
    assert [action for action, _pks in heard] == ["pre_remove", "post_remove", "pre_add",
                                                  "post_add"]
    assert heard[0][1] == {practice.pk} and heard[2][1] == {other.pk}
    assert len(unchanged) == 1  # the live links read; nothing to write

    plan = factories.draft_plan()
    other = Organisation.objects.create(name="Another Trust", slug="another-trust")
    plan.organisation = other
    save_fields(plan, ["organisation"])
    assert ActionPlan.objects.get(pk=plan.pk).organisation_name == "Another Trust"


def test_set_parental_m2m_keeps_what_modelclusters_setattr_keeps():
    """The practices a member ticked, set without building modelcluster's manager:
    the same list in memory (in the practices' own order), written the same way."""
    from wagtail_pledges.models import RestrictivePractice
    from wagtail_pledges.row_writes import save_fields, set_parental_m2m

    user = factories.UserFactory()
    pledge = lifecycle.start_individual(user)
    b = RestrictivePractice.objects.create(name="Zz seclusion", slug="zz-x")
    a = RestrictivePractice.objects.create(name="Aa restraint", slug="aa-x")
    by_setattr = Pledge.objects.get(pk=pledge.pk)
    by_setattr.practices = [b, a]
    set_parental_m2m(pledge, "practices", RestrictivePractice.objects.filter(pk__in=[a.pk, b.pk]))
    assert list(pledge.practices.all()) == list(by_setattr.practices.all())
    save_fields(pledge, ["practices"])
    assert set(Pledge.objects.get(pk=pledge.pk).practices.all()) == {a, b}
    set_parental_m2m(pledge, "practices", RestrictivePractice.objects.none())
    save_fields(pledge, ["practices"])
    assert list(Pledge.objects.get(pk=pledge.pk).practices.all()) == []
    set_parental_m2m(pledge, "practices", [a.pk])  # primary keys: modelcluster's own way
    assert list(Pledge.objects.get(pk=pledge.pk).practices.all()) == [a]


# -- insert_rows: the INSERT written once ----------------------------------------------


def test_insert_rows_writes_what_bulk_create_writes_with_the_keys_set():
    from wagtail_pledges.models import LifecycleEvent
    from wagtail_pledges.row_writes import insert_rows

    user = factories.UserFactory()
    membership = lifecycle.start_individual(user).membership
    events = [LifecycleEvent(membership=membership, action=action, from_status="a",
                             to_status="b", data={"n": n, "when": "today"})
              for n, action in enumerate(("submit", "approve"))]
    insert_rows(events)
    stored = list(LifecycleEvent.objects.filter(membership=membership, action__in=(
        "submit", "approve")).order_by("pk"))
    assert [(e.action, e.data, e.created_at is not None) for e in stored] == [
        ("submit", {"n": 0, "when": "today"}, True), ("approve", {"n": 1, "when": "today"}, True)]
    if connection.features.can_return_rows_from_bulk_insert:
        assert [e.pk for e in events] == [e.pk for e in stored]
    assert all(not e._state.adding for e in events)


def test_insert_rows_writes_empty_and_missing_values_into_the_statement():
    """None and '' are SQL literals (NULL, ''), not parameters: the rows are the same,
    each pattern of them its own statement."""
    from django.test.utils import CaptureQueriesContext

    from wagtail_pledges.models import LifecycleEvent
    from wagtail_pledges.row_writes import insert_rows

    membership = lifecycle.start_individual(factories.UserFactory()).membership
    actor = factories.UserFactory()
    rows = [LifecycleEvent(membership=membership, action="note", from_status="",
                           to_status="draft", actor=None, reason=""),
            LifecycleEvent(membership=membership, action="note", from_status="draft",
                           to_status="draft", actor=actor, reason="it's 100% \"quoted\"")]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(rows)
    assert "NULL" in queries[-1]["sql"] and "''" in queries[-1]["sql"]
    stored = list(LifecycleEvent.objects.filter(action="note").order_by("pk").values_list(
        "from_status", "actor_id", "reason"))
    assert stored == [("", None, ""), ("draft", actor.pk, "it's 100% \"quoted\"")]
    assert all(row.pk for row in rows)


def test_insert_rows_ignoring_conflicts_keeps_the_first_row():
    """The outbox's idempotency: a second row with the same key is not written."""
    from django.utils import timezone

    from wagtail_pledges.models import OutboxMessage
    from wagtail_pledges.row_writes import insert_rows

    def message(template):
        return OutboxMessage(idempotency_key="same-key", template=template, to="a@example.org",
                             context={}, next_attempt_at=timezone.now())

    insert_rows([message("first")], ignore_conflicts=True)
    insert_rows([message("second")], ignore_conflicts=True)
    assert list(OutboxMessage.objects.filter(idempotency_key="same-key").values_list(
        "template", flat=True)) == ["first"]


def test_written_sql_quotes_the_models_own_table_and_columns_once_per_vendor():
    from wagtail_pledges.notifications.models import OutboxWakeup
    from wagtail_pledges.sql_writes import written_sql

    calls = []

    def write(table, column):
        calls.append(table)
        return (f"UPDATE {table} SET {column('requested_at')} = NULL "  # noqa: S608
                f"WHERE {column('id')} = %s")

    sql = written_sql("test-written", OutboxWakeup, connection, write)
    quote = connection.ops.quote_name
    assert sql == (f"UPDATE {quote(OutboxWakeup._meta.db_table)} "  # noqa: S608
                   f"SET {quote('requested_at')}"
                   f" = NULL WHERE {quote('id')} = %s")
    assert written_sql("test-written", OutboxWakeup, connection, write) == sql
    assert len(calls) == 1


def _counter(key):
    from wagtail_pledges.models import Counter

    return Counter.objects.filter(key=key).values_list("value", flat=True).first()


def _bump(key, ran):
    from wagtail_pledges.models import Counter
    from wagtail_pledges.sql_writes import write

    quote = connection.ops.quote_name
    write(f"UPDATE {quote(Counter._meta.db_table)} SET {quote('value')} = "  # noqa: S608
          f"{quote('value')} + 1 WHERE {quote('key')} = %s", [key],
          then=lambda count: ran.append((key, count)))


def test_writes_together_are_sent_as_one_statement_at_the_end_with_their_counts():
    """On PostgreSQL the block's writes go as one statement when it ends, each
    ``then`` told how many rows its own part touched; elsewhere each runs at once.
    The outcome is the same."""
    from wagtail_pledges.models import Counter
    from wagtail_pledges.sql_writes import writes_together

    Counter.objects.create(key="test:a", value=0)
    ran = []
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with writes_together():
            _bump("test:a", ran)
            _bump("test:missing", ran)
            if connection.vendor == "postgresql":
                assert ran == [] and _counter("test:a") == 0  # not sent yet
        assert ran == [("test:a", 1), ("test:missing", 0)]
    sent = [q["sql"] for q in queries if not q["sql"].startswith("SELECT")]  # our checks
    if connection.vendor == "postgresql":
        assert len(sent) == 1 and sent[0].startswith("WITH w0 AS (UPDATE")
    else:
        assert len(sent) == 2
    assert _counter("test:a") == 1


def test_writes_together_send_nothing_when_the_block_fails():
    from wagtail_pledges.models import Counter
    from wagtail_pledges.sql_writes import writes_together

    Counter.objects.create(key="test:a", value=0)
    ran = []
    with transaction.atomic():
        with pytest.raises(RuntimeError), writes_together():
            _bump("test:a", ran)
            raise RuntimeError
        if connection.vendor == "postgresql":
            assert ran == [] and _counter("test:a") == 0


def test_a_write_in_a_savepoint_inside_the_block_runs_at_once():
    """A savepoint rolled back alone must take its writes with it: they are not held
    for the end of the block."""
    from wagtail_pledges.models import Counter
    from wagtail_pledges.sql_writes import writes_together

    Counter.objects.create(key="test:a", value=0)
    ran = []
    with transaction.atomic(), writes_together():
        try:
            with transaction.atomic():
                _bump("test:a", ran)
                assert ran == [("test:a", 1)]
                raise RuntimeError
        except RuntimeError:
            pass
    assert _counter("test:a") == 0


@pytest.mark.django_db(transaction=True)
def test_writes_outside_a_transaction_run_at_once():
    from wagtail_pledges.models import Counter
    from wagtail_pledges.sql_writes import writes_together

    Counter.objects.create(key="test:a", value=0)
    ran = []
    with writes_together():
        _bump("test:a", ran)
        assert ran == [("test:a", 1)]


def test_a_submission_on_a_new_site_creates_its_counters_and_groups_after_the_writes():
    """The fallbacks that depend on how many rows a write touched (a counter's first
    use, a managed group not made yet) still run when the writes go together."""
    from django.contrib.auth.models import Group

    from wagtail_pledges.models import Counter

    Group.objects.filter(name__in=["Members", "Individual members"]).delete()
    Counter.objects.filter(key__startswith="members:").delete()
    user = factories.UserFactory(verified=True)
    pledge = factories.complete_pledge(lifecycle.start_individual(user))
    Counter.objects.filter(key__startswith="members:").delete()
    lifecycle.submit_pledge(pledge, user)
    assert _counter("members:individual:active") == 1
    assert _counter("members:individual:draft") == -1
    assert set(user.groups.values_list("name", flat=True)) == {"Members",
                                                               "Individual members"}


def test_a_writes_together_block_inside_another_joins_it():
    from wagtail_pledges.models import Counter
    from wagtail_pledges.sql_writes import writes_together

    Counter.objects.create(key="test:a", value=0)
    ran = []
    with transaction.atomic(), writes_together():
        with writes_together():
            _bump("test:a", ran)
        if connection.vendor == "postgresql":
            assert ran == []  # sent with the outer block, not at the inner one's end
    assert ran == [("test:a", 1)] and _counter("test:a") == 1


def test_two_writes_to_the_same_row_in_a_block_both_take_effect():
    """PostgreSQL applies only one of two changes to one row made in one statement: a
    block holding a write to a row sends it before the next write to that row (a row
    saved twice, a counter moved twice), so neither is lost."""
    from wagtail_pledges import counts
    from wagtail_pledges.models import Counter
    from wagtail_pledges.row_writes import save_fields
    from wagtail_pledges.sql_writes import writes_together

    membership = lifecycle.start_individual(factories.UserFactory()).membership
    Counter.objects.create(key="test:a", value=0)
    Counter.objects.create(key="test:b", value=0)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with writes_together():
            membership.reminders_sent = [30]
            save_fields(membership, ["reminders_sent"])
            counts._move_counters({"test:a": 1})
            membership.period_end = lifecycle.today()
            save_fields(membership, ["period_end", "reminders_sent"])  # the same row
            counts._move_counters({"test:b": 1, "test:a": 1})  # the same counter
    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.reminders_sent, stored.period_end) == ([30], lifecycle.today())
    assert (_counter("test:a"), _counter("test:b")) == (2, 1)
    if connection.vendor == "postgresql":
        sent = [q["sql"] for q in queries if not q["sql"].startswith("SELECT")]
        # What was held is sent before the second write to the membership's row.
        assert len(sent) == 2, sent
