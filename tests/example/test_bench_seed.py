"""``pledges_seed_bench`` writes what the lifecycle would, so nothing needs repairing.

Small volumes here (the benchmark seeds 100,000 members and 10,000 organisations);
the same test runs on PostgreSQL, where rows go in through ``COPY``.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from wagtail.models import Revision

from rrn.site.bench_seed import PASSWORD, joiners, seed
from tests import factories
from wagtail_pledges import counts
from wagtail_pledges.groups import repair_groups
from wagtail_pledges.models import (
    ActionPlan,
    Counter,
    LifecycleEvent,
    Membership,
    Organisation,
    Pledge,
    Priority,
)
from wagtail_pledges.policy import get_policy

pytestmark = pytest.mark.django_db(transaction=False)

MEMBERS, ORGANISATIONS = 200, 20


def history(membership) -> list[tuple]:
    events = LifecycleEvent.objects.filter(membership=membership).order_by("pk")
    return [(e.action, e.from_status, e.to_status, sorted(e.data)) for e in events]


def counter_values() -> dict[str, int]:
    return {k: v for k, v in Counter.objects.values_list("key", "value") if v}


@pytest.fixture
def seeded():
    return seed(MEMBERS, ORGANISATIONS, prefix="t")


def test_seeds_the_volumes_asked_for(seeded):
    assert Membership.objects.filter(tier="individual", status="active").count() == MEMBERS
    assert Membership.objects.filter(tier="organisation", status="active").count() \
        == ORGANISATIONS
    assert ActionPlan.objects.published().count() == ORGANISATIONS
    assert Pledge.objects.published().count() == MEMBERS
    assert Priority.objects.count() == 3 * ORGANISATIONS
    assert LifecycleEvent.objects.count() == 3 * (MEMBERS + ORGANISATIONS)
    assert seeded.rows["wagtail_pledges.LifecycleEvent"] == 3 * (MEMBERS + ORGANISATIONS)


def test_recount_finds_nothing_to_repair(seeded):
    before = counter_values()
    assert before[counts.membership_key("individual", "active")] == MEMBERS
    assert before[counts.PLANS_PUBLISHED] == ORGANISATIONS
    counts.recount()
    assert counter_values() == before
    assert repair_groups() == 0


def test_a_second_run_adds_beside_the_first(seeded):
    seed(5, 2, prefix="u")
    counts_before = counter_values()
    counts.recount()
    assert counter_values() == counts_before
    assert counts_before[counts.membership_key("organisation", "active")] == ORGANISATIONS + 2


def test_seeded_rows_match_what_the_lifecycle_writes(seeded):
    lived = factories.active_individual().membership
    plan = factories.approved_plan()
    member = Membership.objects.get(user__email=seeded.individual_emails[0])
    organisation = Membership.objects.get(organisation__slug=seeded.organisation_slugs[0])

    assert history(member) == history(lived)
    assert history(organisation) == history(plan.membership)
    for seeded_one, real in ((member, lived), (organisation, plan.membership)):
        assert (seeded_one.status, seeded_one.period_start, seeded_one.period_end) == (
            real.status, real.period_start, real.period_end)

    pledge = Pledge.objects.get(membership=member)
    assert get_policy().member_tiers(pledge.user) == frozenset({"individual"})
    assert set(pledge.user.groups.values_list("name", flat=True)) == set(
        lived.user.groups.values_list("name", flat=True))

    seeded_plan = ActionPlan.objects.get(membership=organisation)
    admin = seeded_plan.created_by
    assert get_policy().member_tiers(admin) == frozenset({"organisation"})
    assert set(admin.groups.values_list("name", flat=True)) == set(
        plan.created_by.groups.values_list("name", flat=True))
    # The organisation reads as save() leaves it (region and country from its location).
    org = Organisation.objects.get(pk=seeded_plan.organisation_id)
    assert org.country and org.country == org.location.country.name

    # The published revision holds the plan as Wagtail serialises it.
    revision = Revision.objects.get(pk=seeded_plan.live_revision_id)
    assert seeded_plan.latest_revision_id == revision.pk
    assert set(revision.content) == set(plan.live_revision.content)
    restored = revision.as_object()
    assert restored.public_summary == seeded_plan.public_summary
    assert [p.what for p in restored.priorities.all()] == [
        p.what for p in seeded_plan.priorities.order_by("sort_order")]


def test_seeded_members_can_sign_in(seeded, client):
    user = get_user_model().objects.get(email=seeded.admin_emails[0])
    assert user.check_password(PASSWORD)


def test_seeded_plans_are_in_the_directory(seeded):
    slugs = set(ActionPlan.objects.published_for_directory()
                .values_list("organisation__slug", flat=True))
    assert set(seeded.organisation_slugs) <= slugs
    # In the directory's order: each plan carries its organisation's name, as save() does.
    assert not ActionPlan.objects.exclude(organisation_name=F("organisation__name")).exists()


@pytest.mark.postgres  # the PostgreSQL leg runs it; the SQLite suite deselects it
def test_postgresql_gets_statistics_for_what_was_seeded(seeded):
    from django.db import connection

    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://…"
    assert "analyze" in seeded.timings
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s",
                       [ActionPlan._meta.db_table])
        assert cursor.fetchone()[0] >= ORGANISATIONS  # the planner knows how many rows


JOINERS = 30


def test_joiners_are_what_start_individual_leaves():
    from wagtail_pledges import lifecycle

    result = joiners(JOINERS, prefix="j", video_keys=("video-1", "video-2"))
    assert len(result.individual_emails) == JOINERS
    started = lifecycle.start_individual(factories.UserFactory(verified=True))
    joiner = Membership.objects.get(user__email=result.individual_emails[0])
    assert history(joiner) == history(started.membership)
    fields = ("tier", "status", "period_start", "period_end", "reminders_sent")
    assert [getattr(joiner, f) for f in fields] == [
        getattr(started.membership, f) for f in fields]
    pledge = Pledge.objects.get(membership=joiner)
    compared = ("sequence", "live", "review_status", "action", "strategy_id",
                "target_date", "submitted_at", "user_id")
    assert [getattr(pledge, f) for f in compared[:-1]] == [
        getattr(started, f) for f in compared[:-1]]
    assert pledge.user_id == joiner.user_id
    assert pledge.user.pledges_profile.email_verified_at is not None
    assert not pledge.user.groups.exists()  # a draft member is in no managed group
    # The draft counter moved with them, so a recount finds nothing to repair.
    before = counter_values()
    assert before[counts.membership_key("individual", "draft")] == JOINERS + 1
    counts.recount()
    assert counter_values() == before


def test_each_joiner_can_submit_once():
    from wagtail_pledges import lifecycle

    keys = ("video-1", "video-2")
    result = joiners(3, prefix="k", video_keys=keys)
    pledge = Pledge.objects.get(user__email=result.individual_emails[1])
    submitted = lifecycle.submit_pledge(pledge, video_keys=list(keys), edits={
        "action": "Debrief after every incident", "strategy": factories.strategy("leadership"),
        "target_date": lifecycle.today() + datetime.timedelta(days=90)})
    assert submitted.review_status == "approved" and submitted.live
    assert Membership.objects.get(pk=pledge.membership_id).status == "active"
    before = counter_values()
    counts.recount()
    assert counter_values() == before
    assert repair_groups() == 0
