import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.lifecycle import TransitionError
from wagtail_pledges.models import (
    ActionPlan,
    LifecycleEvent,
    Membership,
    Pledge,
    ReviewStatus,
    Status,
)

pytestmark = pytest.mark.django_db


def events(membership):
    return list(
        LifecycleEvent.objects.filter(membership=membership)
        .order_by("pk")
        .values_list("action", "from_status", "to_status")
    )


def groups(user):
    return set(user.groups.values_list("name", flat=True))


class TestAddMonths:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
            (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
            (datetime.date(2026, 11, 25), 24, datetime.date(2028, 11, 25)),
            (datetime.date(2028, 2, 29), 24, datetime.date(2030, 2, 28)),
            (datetime.date(2026, 12, 1), 1, datetime.date(2027, 1, 1)),
        ],
    )
    def test_add_months(self, day, months, expected):
        assert lifecycle.add_months(day, months) == expected


class TestIndividualJourney:
    def test_start_is_idempotent_and_creates_one_draft(self, user):
        first = lifecycle.start_individual(user)
        second = lifecycle.start_individual(user)
        assert first.pk == second.pk
        membership = Membership.objects.get(user=user)
        assert membership.status == Status.DRAFT
        assert events(membership) == [("start", "", "draft")]
        assert first.live is False

    def test_submit_requires_videos_action_strategy_and_date(self, user):
        pledge = lifecycle.start_individual(user)
        with pytest.raises(ValidationError) as exc:
            lifecycle.submit_pledge(pledge, user)
        assert set(exc.value.message_dict) == {"videos", "action", "strategy", "target_date"}
        pledge.refresh_from_db()
        assert pledge.review_status == ReviewStatus.DRAFT
        assert Membership.objects.get(user=user).status == Status.DRAFT

    def test_one_video_is_not_enough(self, user):
        pledge = factories.complete_pledge(lifecycle.start_individual(user), watched=False)
        factories.watch_videos(user, count=1)
        with pytest.raises(ValidationError) as exc:
            lifecycle.submit_pledge(pledge, user)
        assert list(exc.value.message_dict) == ["videos"]
        assert "1 of 2" in exc.value.message_dict["videos"][0]

    @freeze_time("2026-11-25")
    def test_target_date_must_be_inside_the_period(self, user):
        pledge = factories.complete_pledge(lifecycle.start_individual(user))
        pledge.target_date = datetime.date(2028, 11, 26)
        pledge.save()
        with pytest.raises(ValidationError) as exc:
            lifecycle.submit_pledge(pledge, user)
        assert "2028-11-25" in exc.value.message_dict["target_date"][0]
        pledge.target_date = datetime.date(2026, 11, 24)
        pledge.save()
        with pytest.raises(ValidationError):
            lifecycle.submit_pledge(pledge, user)

    @freeze_time("2026-11-25")
    def test_verified_member_becomes_active_on_submit(self, user, outbox):
        pledge = factories.complete_pledge(lifecycle.start_individual(user))
        pledge = lifecycle.submit_pledge(pledge, user)
        membership = Membership.objects.get(user=user)
        assert membership.status == Status.ACTIVE
        assert (membership.period_start, membership.period_end) == (
            datetime.date(2026, 11, 25), datetime.date(2028, 11, 25)
        )
        pledge.refresh_from_db()
        assert pledge.review_status == ReviewStatus.APPROVED and pledge.live
        assert events(membership) == [
            ("start", "", "draft"), ("submit", "draft", "submitted"),
            ("approve", "submitted", "active"),
        ]
        # active at once: one welcome email, not "received" and "welcome" together
        assert outbox() == [("approved", user.email)]
        assert groups(user) == {"Members", "Individual members"}

    def test_unverified_member_waits_for_email_confirmation(self, outbox):
        from wagtail_pledges import accounts
        from wagtail_pledges.models import OutboxMessage

        person = factories.UserFactory()
        pledge = factories.complete_pledge(lifecycle.start_individual(person))
        lifecycle.submit_pledge(pledge, person)
        assert Membership.objects.get(user=person).status == Status.SUBMITTED
        assert [t for t, _ in outbox()] == ["pledge_received", "confirm_email"]
        assert groups(person) == set()
        body = OutboxMessage.objects.get(template="confirm_email").render().text
        token = body.split("/pledges/confirm/")[1].split("/")[0]
        accounts.confirm_email(token)
        assert Membership.objects.get(user=person).status == Status.ACTIVE
        assert groups(person) == {"Members", "Individual members"}
        assert outbox()[-1] == ("approved", person.email)

    @pytest.mark.parametrize("twice", [1, 2])
    def test_submit_is_idempotent(self, user, outbox, twice):
        pledge = factories.complete_pledge(lifecycle.start_individual(user))
        for _ in range(twice):
            lifecycle.submit_pledge(pledge, user)
        assert len(outbox()) == 1
        assert LifecycleEvent.objects.filter(action="approve").count() == 1

    def test_review_setting_keeps_individuals_waiting(self, user, reviewer, outbox, settings):
        settings.WAGTAIL_PLEDGES = {"INDIVIDUAL_REQUIRES_REVIEW": True}
        pledge = factories.complete_pledge(lifecycle.start_individual(user))
        lifecycle.submit_pledge(pledge, user)
        assert Membership.objects.get(user=user).status == Status.SUBMITTED
        # No Wagtail workflow on pledges here, so our email is the reviewers' only one.
        assert not pledge.workflow_in_progress
        assert ("review_needed", reviewer.email) in outbox()
        lifecycle.approve(pledge, reviewer)
        assert Membership.objects.get(user=user).status == Status.ACTIVE


class TestReview:
    def test_organisation_plan_is_always_reviewed(self, outbox):
        plan = factories.submitted_plan()
        membership = plan.membership
        membership.refresh_from_db()
        assert membership.status == Status.SUBMITTED
        assert plan.live is False
        assert ("plan_submitted", plan.created_by.email) in outbox()

    def test_plan_needs_priorities_summary_and_signoff(self):
        plan = factories.draft_plan()
        with pytest.raises(ValidationError) as exc:
            lifecycle.submit_plan(plan, plan.created_by)
        assert set(exc.value.message_dict) == {
            "priorities", "public_summary", "signoff_name", "signoff_role", "signoff_confirmed"
        }

    def test_priority_timescale_cannot_exceed_period(self):
        plan = factories.complete_plan(factories.draft_plan(), priorities=2)
        plan.priorities.update(timescale_months=25)
        with pytest.raises(ValidationError) as exc:
            lifecycle.submit_plan(plan, plan.created_by)
        assert "24 months" in exc.value.message_dict["priorities"][0]

    def test_request_changes_then_resubmit_then_approve(self, reviewer, outbox):
        plan = factories.submitted_plan()
        admin = plan.created_by
        with pytest.raises(ValidationError):
            lifecycle.request_changes(plan, reviewer, "  ")
        lifecycle.request_changes(plan, reviewer, "Please add a data priority.")
        plan.refresh_from_db()
        assert plan.review_status == ReviewStatus.CHANGES_REQUESTED
        assert plan.reviewer_comment == "Please add a data priority."
        assert Membership.objects.get(pk=plan.membership_id).status == Status.CHANGES_REQUESTED
        assert ("changes_requested", admin.email) in outbox()
        lifecycle.submit_plan(plan, admin)
        lifecycle.approve(plan, reviewer)
        plan.refresh_from_db()
        membership = Membership.objects.get(pk=plan.membership_id)
        assert plan.live and plan.review_status == ReviewStatus.APPROVED
        assert membership.status == Status.ACTIVE
        assert [a for a, *_ in events(membership)] == [
            "start", "submit", "request_changes", "submit", "approve"
        ]
        assert groups(admin) == {"Members", "Organisation members"}
        assert plan.revisions.count() >= 3

    def test_decline_needs_reason_and_ends_joining(self, reviewer, outbox):
        plan = factories.submitted_plan()
        with pytest.raises(ValidationError):
            lifecycle.decline(plan, reviewer, "")
        lifecycle.decline(plan, reviewer, "Not an organisation in our sectors.")
        assert Membership.objects.get(pk=plan.membership_id).status == Status.DECLINED
        assert ("declined", plan.created_by.email) in outbox()
        # declined is final for this plan: approving it is illegal
        with pytest.raises(TransitionError):
            lifecycle.approve(plan, reviewer)

    def test_illegal_transitions_raise_and_change_nothing(self, reviewer):
        plan = factories.draft_plan()
        for call in (
            lambda: lifecycle.approve(plan, reviewer),
            lambda: lifecycle.request_changes(plan, reviewer, "x"),
            lambda: lifecycle.decline(plan, reviewer, "x"),
        ):
            with pytest.raises(TransitionError):
                call()
        plan.refresh_from_db()
        assert plan.review_status == ReviewStatus.DRAFT
        assert [a for a, *_ in events(plan.membership)] == ["start"]
        membership = plan.membership
        with pytest.raises(TransitionError):
            lifecycle.mark_renewal_due(membership)
        with pytest.raises(TransitionError):
            lifecycle.lapse(membership)

    def test_restart_after_decline(self, reviewer):
        plan = factories.submitted_plan()
        lifecycle.decline(plan, reviewer, "No")
        again = lifecycle.start_organisation(plan.created_by, organisation=plan.organisation)
        assert again.pk != plan.pk and again.sequence == 2
        assert Membership.objects.get(pk=plan.membership_id).status == Status.DRAFT

    def test_only_admins_start_a_plan_for_an_organisation(self):
        plan = factories.draft_plan()
        stranger = factories.UserFactory()
        with pytest.raises(PermissionDenied):
            lifecycle.start_organisation(stranger, organisation=plan.organisation)


class TestTimeDriven:
    def test_full_two_year_cycle_without_renewal(self, outbox):
        with freeze_time("2026-01-10"):
            pledge = factories.active_individual()
        user = pledge.user
        membership = Membership.objects.get(user=user)
        assert membership.period_end == datetime.date(2028, 1, 10)
        with freeze_time("2027-11-10"):  # 61 days before: nothing yet
            assert lifecycle.run_daily()["renewal_due"] == 0
        with freeze_time("2027-11-11"):  # 60 days before
            done = lifecycle.run_daily()
            assert done["renewal_due"] == 1 and done["reminders"] == 1
            assert lifecycle.run_daily()["reminders"] == 0  # idempotent
        membership.refresh_from_db()
        assert membership.status == Status.RENEWAL_DUE
        assert groups(user) == {"Members", "Individual members"}
        with freeze_time("2027-12-27"):  # 14 days before
            assert lifecycle.run_daily()["reminders"] == 1
        with freeze_time("2028-01-10"):  # last day still a member
            assert lifecycle.run_daily()["lapsed"] == 0
        with freeze_time("2028-01-11"):
            assert lifecycle.run_daily()["lapsed"] == 1
            assert lifecycle.run_daily()["lapsed"] == 0
        membership.refresh_from_db()
        assert membership.status == Status.LAPSED
        assert groups(user) == set()
        sent = [t for t, _ in outbox()]
        assert sent.count("renewal_due") == 2 and sent.count("lapsed") == 1

    def test_a_missed_run_sends_only_the_nearest_reminder(self, outbox):
        with freeze_time("2026-01-10"):
            factories.active_individual()
        with freeze_time("2027-12-30"):  # 11 days left, nothing run before
            lifecycle.run_daily()
        with freeze_time("2027-12-31"):
            lifecycle.run_daily()
        assert [t for t, _ in outbox()].count("renewal_due") == 1

    def test_renewal_resets_the_period(self, reviewer):
        with freeze_time("2026-01-10"):
            plan = factories.approved_plan()
        with freeze_time("2027-12-01"):
            lifecycle.run_daily()
            membership = Membership.objects.get(pk=plan.membership_id)
            assert membership.status == Status.RENEWAL_DUE
            renewal = lifecycle.start_organisation(plan.created_by, organisation=plan.organisation)
            assert renewal.sequence == 2
            factories.complete_plan(renewal)
            lifecycle.submit_plan(renewal, plan.created_by)
            membership.refresh_from_db()
            assert membership.status == Status.RENEWAL_DUE  # still a member during review
            lifecycle.approve(renewal, reviewer)
        membership.refresh_from_db()
        assert membership.status == Status.ACTIVE
        assert membership.period_end == datetime.date(2029, 12, 1)
        plan.refresh_from_db()
        assert plan.live is False and plan.review_status == ReviewStatus.APPROVED
        assert ActionPlan.objects.filter(organisation=plan.organisation, live=True).count() == 1
        with freeze_time("2028-01-11"):
            assert lifecycle.run_daily()["lapsed"] == 0

    def test_active_member_cannot_renew_before_the_window(self):
        pledge = factories.active_individual()
        with pytest.raises(TransitionError) as exc:
            lifecycle.start_individual(pledge.user)
        assert exc.value.code == "not_renewable_yet"

    def test_organisation_lapse_unpublishes_plan_and_drops_staff_benefits(self):
        from wagtail_pledges.models import OrganisationRole

        with freeze_time("2026-01-10"):
            plan = factories.approved_plan()
            staff = factories.UserFactory()
            OrganisationRole.objects.create(
                organisation=plan.organisation, user=staff, role=OrganisationRole.Role.STAFF
            )
            from wagtail_pledges.groups import sync_user_groups

            sync_user_groups(staff)
            assert groups(staff) == {"Members", "Organisation members"}
        with freeze_time("2028-01-11"):
            lifecycle.run_daily()
        plan.refresh_from_db()
        assert plan.live is False
        assert groups(staff) == set()
        assert groups(plan.created_by) == set()

    def test_legacy_lapses_after_deadline(self, settings):
        settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": "2026-09-30"}
        person = factories.UserFactory()
        with freeze_time("2026-06-01"):
            membership, _ = lifecycle.get_or_create_membership("individual", member=person)
            lifecycle.mark_legacy(membership, None, "imported")
        assert groups(person) == {"Members", "Individual members"}
        with freeze_time("2026-09-30"):
            assert lifecycle.run_daily()["lapsed"] == 0
        with freeze_time("2026-10-01"):
            assert lifecycle.run_daily()["lapsed"] == 1
        membership.refresh_from_db()
        assert membership.status == Status.LAPSED
        assert groups(person) == set()  # benefits ended with the deadline


class TestWithdraw:
    def test_withdraw_closes_open_commitments(self):
        pledge = factories.draft_pledge()
        membership = pledge.membership
        assert lifecycle.withdraw(membership, pledge.user, "leaving") is True
        assert lifecycle.withdraw(membership, pledge.user, "leaving") is False
        pledge.refresh_from_db()
        assert pledge.review_status == ReviewStatus.WITHDRAWN
        membership.refresh_from_db()
        assert membership.status == Status.WITHDRAWN
        # can join again
        again = lifecycle.start_individual(pledge.user)
        assert again.sequence == 2
        assert Pledge.objects.filter(user=pledge.user).count() == 2


def test_only_the_pages_own_videos_count(user):
    pledge = factories.complete_pledge(lifecycle.start_individual(user))  # video-1, video-2
    with pytest.raises(ValidationError) as exc:
        lifecycle.submit_pledge(pledge, user, video_keys=["doc:7", "doc:8"])
    assert "0 of 2" in exc.value.message_dict["videos"][0]
    lifecycle.submit_pledge(pledge, user, video_keys=["video-1", "video-2"])
    assert Membership.objects.get(user=user).status == Status.ACTIVE
