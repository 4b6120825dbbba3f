"""Hypothesis drives random sequences of lifecycle calls; invariants must always hold."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests import factories
from wagtail_pledges import counts, lifecycle
from wagtail_pledges.lifecycle import TransitionError
from wagtail_pledges.models import (
    ActionPlan,
    Counter,
    LifecycleEvent,
    Membership,
    OrganisationRole,
    ReviewStatus,
    Status,
)

JOINING = {Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED}


class OrganisationLifecycle(RuleBasedStateMachine):
    """One organisation and one reviewer, any order of actions, any dates."""

    def __init__(self):
        super().__init__()
        self.clock = datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC)
        self.freezer = freeze_time(self.clock)
        self.freezer.start()
        self.reviewer = factories.UserFactory(is_superuser=True, is_staff=True)
        self.plan = factories.draft_plan()
        self.admin = self.plan.created_by
        self.membership = self.plan.membership

    def teardown(self):
        self.freezer.stop()

    def current_plan(self):
        return ActionPlan.objects.filter(organisation=self.plan.organisation).order_by(
            "-sequence").first()

    def attempt(self, fn, *args):
        try:
            fn(*args)
        except (TransitionError, ValidationError):
            pass

    @rule(days=st.integers(1, 400))
    def time_passes(self, days):
        self.freezer.stop()
        self.clock += datetime.timedelta(days=days)
        self.freezer = freeze_time(self.clock)
        self.freezer.start()
        lifecycle.run_daily()

    @rule()
    def start(self):
        self.attempt(lambda: lifecycle.start_organisation(
            self.admin, organisation=self.plan.organisation))

    @rule()
    def fill_and_submit(self):
        plan = self.current_plan()
        if plan.is_editable_by_member and not plan.priorities.exists():
            factories.complete_plan(plan, priorities=1)
        self.attempt(lifecycle.submit_plan, plan, self.admin)

    @rule()
    def approve(self):
        self.attempt(lifecycle.approve, self.current_plan(), self.reviewer)

    @rule()
    def request_changes(self):
        self.attempt(lifecycle.request_changes, self.current_plan(), self.reviewer, "More.")

    @rule()
    def decline(self):
        self.attempt(lifecycle.decline, self.current_plan(), self.reviewer, "No.")

    @rule()
    def withdraw(self):
        self.attempt(lifecycle.withdraw, Membership.objects.get(pk=self.membership.pk),
                     self.admin, "bye")

    @invariant()
    def at_most_one_open_and_one_live_plan(self):
        plans = ActionPlan.objects.filter(organisation=self.plan.organisation)
        assert plans.open().count() <= 1
        assert plans.filter(live=True).count() <= 1

    @invariant()
    def status_is_consistent_with_plans(self):
        membership = Membership.objects.get(pk=self.membership.pk)
        plans = ActionPlan.objects.filter(organisation=self.plan.organisation)
        live = plans.filter(live=True).first()
        if membership.is_current:
            assert live is not None and live.review_status == ReviewStatus.APPROVED
            assert membership.period_end >= self.clock.date()
        if membership.status in JOINING:
            # earlier approved plans may exist (left and rejoined) but none is live
            assert live is None
        if membership.status in (Status.LAPSED, Status.WITHDRAWN, Status.DECLINED):
            assert live is None

    @invariant()
    def benefits_follow_status(self):
        groups = set(self.admin.groups.values_list("name", flat=True))
        membership = Membership.objects.get(pk=self.membership.pk)
        assert bool(groups) == membership.is_current
        assert OrganisationRole.objects.filter(user=self.admin).exists()

    @invariant()
    def history_matches_status(self):
        membership = Membership.objects.get(pk=self.membership.pk)
        last = LifecycleEvent.objects.filter(membership=membership).exclude(
            to_status="").order_by("-pk").first()
        assert last.to_status == membership.status

    @invariant()
    def counters_match_a_recount(self):
        live = {k: v for k, v in Counter.objects.values_list("key", "value") if v}
        rebuilt = {k: v for k, v in counts.recount().items() if v}
        assert live == rebuilt


@pytest.mark.django_db
def test_organisation_lifecycle_invariants():
    # Each example builds its own organisation, so examples can share the test
    # transaction; the global counter invariant holds across all of them.
    run_state_machine_as_test(
        OrganisationLifecycle,
        settings=settings(max_examples=25, stateful_step_count=12, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
