"""The migration campaign run by ``pledges_lifecycle``: waves, the deadline, the steering group."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from freezegun import freeze_time

from tests import factories
from wagtail_pledges import legacy, lifecycle
from wagtail_pledges.models import (
    LegacyReminder,
    LegacySignatory,
    Membership,
    OutboxMessage,
    Status,
)

pytestmark = pytest.mark.django_db

DEADLINE = "2026-09-30"
FILE = (
    "kind,name,email,organisation,signed_on\n"
    "individual,Ann Unclaimed,ann@example.org,,2015-03-01\n"
    "individual,Bo Claimed,bo@example.org,,2015-03-01\n"
    "organisation,Cy Mover,cy@trust.example,Hill Trust,2014-06-20\n"
    "individual,Di Uninvited,di@example.org,,2016-01-01\n"
)


@pytest.fixture
def campaign(settings):
    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": DEADLINE, "LEGACY_REMINDER_DAYS": [60, 30, 7]}
    with freeze_time("2026-06-01"):
        legacy.import_signatories(FILE)
        for email in ("ann@example.org", "bo@example.org", "cy@trust.example"):
            legacy.invite(LegacySignatory.objects.get(email=email))
    return settings


def claim(email):
    signatory = LegacySignatory.objects.get(email=email)
    body = OutboxMessage.objects.filter(template="legacy_invitation", to=email).get().render().text
    token = re.search(r"/pledges/claim/([^/\s]+)/", body).group(1)
    user = factories.UserFactory(email=email, verified=True)
    with transaction.atomic():
        legacy.claim(token, user)
    signatory.refresh_from_db()
    return user


def reminders(template):
    return sorted(OutboxMessage.objects.filter(template=template).values_list("to", "subject"))


def run_days(start, end):
    day = datetime.date.fromisoformat(start)
    while day <= datetime.date.fromisoformat(end):
        with freeze_time(day):
            lifecycle.run_daily(day)
        day += datetime.timedelta(days=1)


def test_campaign_runs_itself_to_the_deadline(campaign):
    with freeze_time("2026-06-02"):
        claim("bo@example.org")
        cy = claim("cy@trust.example")
    run_days("2026-07-30", "2026-08-15")  # the 60-day wave (1 August) and after
    assert [s for _to, s in reminders("legacy_reminder_unclaimed")] == [
        "Test network: 60 days left to move to the new membership"]
    assert [to for to, _s in reminders("legacy_reminder_unmoved")] == [
        "bo@example.org", "cy@trust.example"]

    # Hill Trust moves: a plan submitted and approved before the deadline.
    with freeze_time("2026-08-20"):
        organisation = Membership.objects.get(organisation__isnull=False).organisation
        plan = factories.complete_plan(factories.draft_plan(cy, organisation=organisation))
        lifecycle.approve(lifecycle.submit_plan(plan, cy),
                          factories.UserFactory(is_superuser=True, is_staff=True))
    run_days("2026-08-16", "2026-10-02")

    # Each wave once per person, with the wording for where they are.
    assert LegacyReminder.objects.filter(signatory__email="ann@example.org").count() == 3
    assert [s.split(": ")[1] for _to, s in reminders("legacy_reminder_unclaimed")] == [
        "30 days left to move to the new membership",
        "60 days left to move to the new membership",
        "7 days left to move to the new membership",
    ]
    assert [to for to, _s in reminders("legacy_reminder_unmoved")] == [
        "bo@example.org", "bo@example.org", "bo@example.org", "cy@trust.example"]
    assert not OutboxMessage.objects.filter(to="di@example.org").exclude(
        template="legacy_invitation").exists()  # never invited: no reminders

    # At the deadline the rest lapse, with a final notice; the mover stays active.
    statuses = dict(Membership.objects.values_list("user__email", "status"))
    assert statuses["bo@example.org"] == Status.LAPSED
    assert Membership.objects.get(organisation__isnull=False).status == Status.ACTIVE
    notice = OutboxMessage.objects.get(template="lapsed", to="bo@example.org").render().text
    assert "The deadline to move from the original pledge to the new membership was " \
           "30 September 2026" in notice
    assert not OutboxMessage.objects.filter(template="lapsed", to="cy@trust.example").exists()


def test_a_missed_run_sends_only_the_nearest_wave(campaign):
    with freeze_time("2026-09-10"):  # 20 days left: the 60- and 30-day waves were missed
        assert lifecycle.run_daily()["reminded_unclaimed"] == 3
        assert lifecycle.run_daily()["reminded_unclaimed"] == 0
    assert set(LegacyReminder.objects.values_list("wave", flat=True)) == {30}
    with freeze_time("2026-09-11"):
        assert lifecycle.run_daily()["reminded_unclaimed"] == 0
    with freeze_time("2026-09-25"):
        assert lifecycle.run_daily()["reminded_unclaimed"] == 3
    assert sorted(LegacyReminder.objects.values_list("wave", flat=True)) == [7, 7, 7, 30, 30, 30]


def test_a_new_deadline_starts_new_waves(campaign):
    with freeze_time("2026-09-25"):
        lifecycle.run_daily()
    campaign.WAGTAIL_PLEDGES = {**campaign.WAGTAIL_PLEDGES, "LEGACY_DEADLINE": "2026-12-31"}
    with freeze_time("2026-11-05"):
        assert lifecycle.run_daily()["reminded_unclaimed"] == 3
    assert "31 December 2026" in OutboxMessage.objects.filter(
        template="legacy_reminder_unclaimed").latest("pk").render().text


class TestAfterTheDeadline:
    def test_invitations_are_refused_with_a_clear_message(self, campaign):
        signatory = LegacySignatory.objects.get(email="di@example.org")
        with freeze_time("2026-10-01"), pytest.raises(legacy.DeadlinePassed,
                                                      match="30 September 2026.*has passed"):
            legacy.invite(signatory)
        signatory.refresh_from_db()
        assert signatory.invited_at is None
        assert not OutboxMessage.objects.filter(to="di@example.org").exists()

    def test_command_refuses_to_invite(self, campaign, tmp_path):
        path = tmp_path / "more.csv"
        path.write_text("kind,name,email,organisation,signed_on\n"
                        "individual,Ed,ed@example.org,,2015-01-01\n")
        with freeze_time("2026-10-01"), pytest.raises(CommandError, match="has passed"):
            call_command("pledges_import_legacy", str(path), "--invite")
        assert LegacySignatory.objects.filter(email="ed@example.org").exists()
        assert not OutboxMessage.objects.filter(to="ed@example.org").exists()

    def test_invitation_before_the_deadline_names_it(self, campaign):
        body = OutboxMessage.objects.filter(template="legacy_invitation").first().render().text
        assert "by 30 September 2026" in body


def test_steering_group_members_without_membership_are_reminded(settings):
    settings.WAGTAIL_PLEDGES = {"STEERING_REMINDER_DAYS": 30}
    group = Group.objects.create(name="Steering group")
    outside = factories.UserFactory(verified=True)
    member = factories.active_individual().user
    group.user_set.add(outside, member)
    with freeze_time("2026-06-01"):
        assert lifecycle.run_daily()["steering_reminded"] == 1
        assert lifecycle.run_daily()["steering_reminded"] == 0
    with freeze_time("2026-06-30"):
        assert lifecycle.run_daily()["steering_reminded"] == 0
    with freeze_time("2026-07-02"):
        assert lifecycle.run_daily()["steering_reminded"] == 1
    assert list(OutboxMessage.objects.filter(template="steering_reminder")
                .values_list("to", flat=True)) == [outside.email] * 2


@pytest.mark.parametrize(("key", "value", "check_id"), [
    ("LEGACY_REMINDER_DAYS", [], "wagtail_pledges.E016"),
    ("LEGACY_REMINDER_DAYS", [30, 30], "wagtail_pledges.E016"),
    ("LEGACY_REMINDER_DAYS", ["60"], "wagtail_pledges.E016"),
    ("STEERING_REMINDER_DAYS", 0, "wagtail_pledges.E004"),
])
def test_campaign_settings_are_checked(settings, key, value, check_id):
    from wagtail_pledges.checks import check_settings

    settings.WAGTAIL_PLEDGES = {key: value}
    assert [e.id for e in check_settings()] == [check_id]
