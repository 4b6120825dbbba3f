"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from wagtail_pledges import lifecycle
from wagtail_pledges.models import (
    ActionPlan,
    Location,
    MemberProfile,
    Organisation,
    OrganisationRole,
    Pledge,
    Priority,
    Sector,
    Strategy,
    VideoProgress,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted:
            MemberProfile.objects.update_or_create(
                user=self, defaults={"email_verified_at": timezone.now()}
            )
        if create:
            self.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    sector = factory.LazyFunction(lambda: Sector.objects.get(slug="health"))
    location = factory.LazyFunction(lambda: Location.objects.get(slug="west-midlands"))


def strategy(slug: str = "debriefing") -> Strategy:
    return Strategy.objects.get(slug=slug)


def watch_videos(user, count: int = 2) -> None:
    """Record ``count`` awareness videos as watched (as the server would after playback)."""
    now = timezone.now()
    for n in range(count):
        VideoProgress.objects.update_or_create(
            user=user, video_key=f"video-{n + 1}",
            defaults={"duration": 60, "watched": [[0, 60]], "position": 60,
                      "first_report_at": now - datetime.timedelta(minutes=2),
                      "last_report_at": now, "completed_at": now},
        )


def complete_pledge(pledge: Pledge, *, watched: bool = True) -> Pledge:
    """Fill in a draft pledge so it may be submitted."""
    if watched:
        watch_videos(pledge.user)
    pledge.action = "Hold a debrief after every incident."
    pledge.strategy = strategy()
    pledge.target_date = lifecycle.today() + datetime.timedelta(days=90)
    pledge.save()
    return pledge


def draft_pledge(user=None, **user_kwargs) -> Pledge:
    user = user or UserFactory(**user_kwargs)
    return lifecycle.start_individual(user)


def active_individual(user=None) -> Pledge:
    """An individual member, active now (email verified, pledge approved)."""
    user = user or UserFactory(verified=True)
    pledge = complete_pledge(lifecycle.start_individual(user))
    return lifecycle.submit_pledge(pledge, user)


def complete_plan(plan: ActionPlan, priorities: int = 2) -> ActionPlan:
    plan.public_summary = "We will reduce restraint across our services."
    plan.signoff_name = "Dr Jane Doe"
    plan.signoff_role = "Chief Executive"
    plan.signoff_confirmed = True
    plan.save()
    for n in range(priorities):
        Priority.objects.create(
            plan=plan, sort_order=n, what=f"Priority {n + 1}", strategy=strategy("leadership"),
            lead_role="Director of Nursing", timescale_months=12,
            success_measure="Fewer incidents each quarter",
        )
    return plan


def draft_plan(admin=None, organisation=None) -> ActionPlan:
    admin = admin or UserFactory(verified=True)
    if organisation is None:
        return lifecycle.start_organisation(
            admin, name=f"Trust of {admin.email}", slug=f"trust-{admin.pk}",
            sector=Sector.objects.get(slug="health"),
            location=Location.objects.get(slug="north-west"),
        )
    OrganisationRole.objects.get_or_create(
        organisation=organisation, user=admin, defaults={"role": OrganisationRole.Role.ADMIN}
    )
    return lifecycle.start_organisation(admin, organisation=organisation)


def submitted_plan(admin=None) -> ActionPlan:
    plan = complete_plan(draft_plan(admin))
    return lifecycle.submit_plan(plan, plan.created_by)


def approved_plan(admin=None, reviewer=None) -> ActionPlan:
    plan = submitted_plan(admin)
    reviewer = reviewer or UserFactory(is_superuser=True, is_staff=True)
    return lifecycle.approve(plan, reviewer)


def renewal_in_review(first_approved="2026-01-10", renewing="2027-12-01"):
    """``(first, renewal)``: an organisation whose first plan was approved on
    ``first_approved`` and whose renewal, started and submitted on ``renewing`` (in
    the renewal window, after the daily job), awaits review."""
    from freezegun import freeze_time

    with freeze_time(first_approved):
        first = approved_plan()
    with freeze_time(renewing):
        lifecycle.run_daily()
        renewal = lifecycle.start_organisation(first.created_by, organisation=first.organisation)
        complete_plan(renewal)
        lifecycle.submit_plan(renewal, first.created_by)
    return first, renewal
