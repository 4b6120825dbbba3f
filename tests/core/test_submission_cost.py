"""What one self-service pledge submission costs the database (issue 13)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import (
    LifecycleEvent,
    Membership,
    OutboxMessage,
    Pledge,
    RestrictivePractice,
    ReviewStatus,
    Status,
)

pytestmark = pytest.mark.django_db


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def test_joining_at_once_is_nine_statements_in_one_transaction():
    """Lock the membership (with user and profile) and the pledge, count the videos,
    update the pledge and the membership, move the counters, insert both events, the
    group links and the welcome email: nine statements, all in the transaction. On
    PostgreSQL three: the videos are read with the pledge's lock, and the six writes
    are sent as one (sql_writes.writes_together), the two row updates with them."""
    factories.active_individual()  # the counters and groups exist, as on a live site
    user = factories.UserFactory(verified=True)
    pledge = factories.complete_pledge(lifecycle.start_individual(user))
    with CaptureQueriesContext(connection) as queries:
        lifecycle.submit_pledge(pledge, user)
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == (3 if _on_postgresql() else 9), "\n".join(statements)
    if _on_postgresql():
        assert "ARRAY(" in statements[1] and "FOR UPDATE" in statements[1]
        together = statements[-1]
        assert together.startswith("WITH ") and all(f'"{table}"' in together for table in (
            "wagtail_pledges_pledge", "wagtail_pledges_membership", "wagtail_pledges_counter",
            "wagtail_pledges_lifecycleevent",
            user.groups.through._meta.db_table, "wagtail_pledges_outboxmessage"))
    assert Membership.objects.get(user=user).status == Status.ACTIVE
    assert list(LifecycleEvent.objects.filter(membership__user=user).values_list(
        "action", flat=True).order_by("pk")) == ["start", "submit", "approve"]
    assert OutboxMessage.objects.filter(template="approved", to=user.email).exists()
    assert set(user.groups.values_list("name", flat=True)) == {"Members",
                                                               "Individual members"}


def _typed(**changes) -> dict:
    """What a member typed on the commit step (a PledgeActionForm's cleaned data)."""
    return {"action": "Debrief after every incident.", "strategy": factories.strategy(),
            "target_date": lifecycle.today() + datetime.timedelta(days=60),
            "practices": [], **changes}


def test_what_was_typed_is_written_with_the_submission_in_the_same_statements():
    """The commit step's edits go into the submission's own pledge UPDATE (and the
    practices are read once to be set — on PostgreSQL with the pledge's lock): no
    lock, update or savepoint of a separate draft save before it."""
    factories.active_individual()
    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)
    factories.watch_videos(user)
    practice = RestrictivePractice.objects.create(name="Seclusion", slug="seclusion-x")
    typed = _typed(practices=[practice])
    with CaptureQueriesContext(connection) as queries:
        lifecycle.submit_pledge(pledge, user, edits=typed)
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    pledge_updates = [s for s in statements if 'UPDATE "wagtail_pledges_pledge"' in s]
    assert len(pledge_updates) == 1 and '"action"' in pledge_updates[0], pledge_updates
    assert sum(s.count('UPDATE "wagtail_pledges_pledge"') for s in statements) == 1
    # Nine, plus reading and then adding the practices the member ticked (on
    # PostgreSQL: read with the lock, added once the row is written).
    assert len(statements) == (4 if _on_postgresql() else 11), "\n".join(statements)
    pledge.refresh_from_db()
    assert (pledge.review_status, pledge.action, pledge.target_date) == (
        ReviewStatus.APPROVED, typed["action"], typed["target_date"])
    assert list(pledge.practices.all()) == [practice]


def test_a_refused_submission_keeps_what_was_typed_as_the_draft():
    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)  # no videos watched
    typed = _typed()
    with pytest.raises(ValidationError) as refused:
        lifecycle.submit_pledge(pledge, user, video_keys=["a", "b"], edits=typed)
    assert "videos" in refused.value.message_dict
    pledge.refresh_from_db()
    assert (pledge.review_status, pledge.action, pledge.strategy) == (
        ReviewStatus.DRAFT, typed["action"], typed["strategy"])
    assert Membership.objects.get(user=user).status == Status.DRAFT
    assert not OutboxMessage.objects.filter(to=user.email).exists()
    assert list(LifecycleEvent.objects.filter(membership__user=user).values_list(
        "action", flat=True)) == ["start"]


def test_a_replayed_submission_changes_nothing_that_was_submitted():
    """A second POST (a double click, another tab, a replay) with other text: the
    pledge was submitted by the first, so the second's edits are not written."""
    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)
    factories.watch_videos(user)
    first = lifecycle.submit_pledge(pledge, user, edits=_typed(action="First."))
    again = lifecycle.submit_pledge(Pledge.objects.get(pk=pledge.pk), user,
                                    edits=_typed(action="Second."))
    assert first.pk == again.pk
    pledge.refresh_from_db()
    assert (pledge.review_status, pledge.action) == (ReviewStatus.APPROVED, "First.")
    assert OutboxMessage.objects.filter(to=user.email).count() == 1
    assert LifecycleEvent.objects.filter(membership__user=user, action="approve").count() == 1


def test_the_practices_ticked_replace_those_stored_whether_submitted_or_refused():
    """The stored practices (read with the pledge's lock on PostgreSQL) are diffed
    against what was ticked: the others removed, the new ones added, through Django's
    own remove and add (m2m_changed sent), when the submission is refused (kept as the
    draft) and when it goes."""
    from django.db.models.signals import m2m_changed

    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)
    a, b, c = (RestrictivePractice.objects.create(name=n, slug=f"{n.lower()}-x")
               for n in ("Restraint", "Seclusion", "Sedation"))
    pledge.practices = [a, b]
    pledge.save()
    heard = []

    def listen(sender, action, pk_set=None, **kwargs):
        if action.startswith("post_"):
            heard.append((action, frozenset(pk_set or ())))

    m2m_changed.connect(listen, sender=Pledge.practices.through, dispatch_uid="test-sub")
    try:
        with pytest.raises(ValidationError):  # no videos watched: kept as the draft
            lifecycle.submit_pledge(Pledge.objects.get(pk=pledge.pk), user,
                                    edits=_typed(practices=[b, c]))
        assert set(Pledge.objects.get(pk=pledge.pk).practices.all()) == {b, c}
        assert heard == [("post_remove", {a.pk}), ("post_add", {c.pk})]
        factories.watch_videos(user)
        heard.clear()
        lifecycle.submit_pledge(Pledge.objects.get(pk=pledge.pk), user,
                                edits=_typed(practices=[a]))
    finally:
        m2m_changed.disconnect(sender=Pledge.practices.through, dispatch_uid="test-sub")
    pledge.refresh_from_db()
    assert pledge.review_status == ReviewStatus.APPROVED
    assert list(pledge.practices.all()) == [a]
    assert heard == [("post_remove", {b.pk, c.pk}), ("post_add", {a.pk})]


def test_the_batch_statement_stays_within_psycopgs_cache_of_converted_queries():
    """psycopg keeps its conversion of a query (placeholders, parameter order) only for
    queries of at most 50 parameters and 4,096 bytes; a longer one is parsed again on
    every call. The submission's one write statement, the member's edits included,
    stays within both (the empty and missing values are written into it)."""
    if not _on_postgresql():
        pytest.skip("the writes go together on PostgreSQL only")
    factories.active_individual()
    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)
    factories.watch_videos(user)
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        lifecycle.submit_pledge(pledge, user, edits=_typed())
    together = [(sql, params) for sql, params in sent if sql.startswith("WITH ")]
    assert len(together) == 1
    sql, params = together[0]
    assert len(params) <= 50 and len(sql.encode()) <= 4096, (len(params), len(sql))
    outbox = OutboxMessage.objects.get(to=user.email)
    assert (outbox.subject, outbox.claimed_at, outbox.sent_at, outbox.state) == (
        "", None, None, "pending")
