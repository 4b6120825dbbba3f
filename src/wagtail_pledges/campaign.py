"""The migration campaign's daily work: reminder waves, the deadline, the steering group.

Run once a day by :func:`wagtail_pledges.lifecycle.run_daily` (the
``pledges_lifecycle`` command); every step is idempotent, so a repeated run sends
nothing twice and a missed run catches up with the nearest wave only. Status changes
go through :mod:`wagtail_pledges.lifecycle`; emails through :mod:`wagtail_pledges.notify`.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from . import legacy, lifecycle, notify
from .conf import pledges_settings
from .models import LegacyReminder, LegacySignatory, Membership, Status
from .policy import get_policy, preload_standings

Audience = LegacyReminder.Audience


def wave_due(on: datetime.date, deadline: datetime.date | None = None) -> int | None:
    """The nearest wave (days before the deadline) that ``on`` has reached, if any."""
    deadline = deadline or pledges_settings.legacy_deadline
    if deadline is None or on > deadline:
        return None
    left = (deadline - on).days
    reached = [days for days in pledges_settings.LEGACY_REMINDER_DAYS if left <= days]
    return min(reached, default=None)


def _not_reminded(deadline: datetime.date, wave: int):
    # This wave or a nearer one already sent for this deadline: a missed run never
    # sends an earlier (larger) wave after a later one.
    return ~Exists(LegacyReminder.objects.filter(
        signatory=OuterRef("pk"), deadline=deadline, wave__lte=wave))


def _remind(signatory: LegacySignatory, deadline: datetime.date, wave: int,
            audience: str) -> bool:
    try:
        with transaction.atomic():
            # The unique constraint is the guard: a concurrent run loses here.
            LegacyReminder.objects.create(signatory=signatory, deadline=deadline, wave=wave,
                                          audience=audience)
            if audience == Audience.UNCLAIMED:
                notify.legacy_reminder_unclaimed(signatory, wave, deadline,
                                                 legacy.issue_claim_token(signatory))
            else:
                notify.legacy_reminder_unmoved(signatory, wave, deadline)
    except IntegrityError:
        return False
    return True


def send_reminder_waves(on: datetime.date) -> dict[str, int]:
    """Send today's wave to the invited-but-unclaimed and the claimed-but-not-moved."""
    deadline = pledges_settings.legacy_deadline
    wave = wave_due(on, deadline)
    sent = {Audience.UNCLAIMED: 0, Audience.UNMOVED: 0}
    if wave is None:
        return {f"reminded_{k}": v for k, v in sent.items()}
    pending = LegacySignatory.objects.filter(_not_reminded(deadline, wave)).order_by("pk")
    groups = {
        Audience.UNCLAIMED: pending.filter(invited_at__isnull=False, claimed_at__isnull=True),
        # Moving means committing: a membership still in "legacy" has not submitted
        # anything yet (one under review is left alone).
        Audience.UNMOVED: pending.filter(claimed_at__isnull=False,
                                         membership__status=Status.LEGACY)
        .select_related("membership__user", "membership__organisation"),
    }
    for audience, signatories in groups.items():
        # A list, not a cursor: each reminder is written in its own transaction.
        for signatory in list(signatories):
            sent[audience] += _remind(signatory, deadline, wave, audience)
    return {f"reminded_{k}": v for k, v in sent.items()}


def lapse_unmoved_at_deadline(on: datetime.date) -> int:
    """After the deadline, lapse every membership still in ``legacy`` (a final notice)."""
    if not legacy.deadline_passed(on):
        return 0
    done = 0
    reason = _("The deadline to move from the original pledge passed.")
    for membership in list(Membership.objects.filter(status=Status.LEGACY).order_by("pk")):
        try:
            done += int(lifecycle.lapse(membership, None, reason))
        except lifecycle.TransitionError:  # moved on since it was listed
            pass
    return done


def steering_without_membership():
    """Active steering-group users the policy does not count as members.

    The policy is asked once per person, so a swapped policy is answered on its own
    terms; their standings are loaded together first, so the queries do not grow
    with the group.
    """
    group = Group.objects.filter(name=pledges_settings.STEERING_GROUP).first()
    if group is None:
        return []
    policy = get_policy()
    users = list(get_user_model().objects.filter(groups=group, is_active=True).order_by("pk"))
    preload_standings(users)
    return [user for user in users if not policy.is_member(user)]


def remind_steering_group(on: datetime.date) -> int:
    """One reminder per person in every ``STEERING_REMINDER_DAYS`` days."""
    sent = 0
    for user in steering_without_membership():
        with transaction.atomic():
            sent += notify.steering_reminder(user, on, pledges_settings.STEERING_REMINDER_DAYS)
    return sent


def run_campaign(on: datetime.date) -> dict[str, int]:
    """Everything the campaign does on day ``on``; registered as a daily job of
    :func:`wagtail_pledges.lifecycle.run_daily` by the app."""
    return {
        **send_reminder_waves(on),
        "lapsed": lapse_unmoved_at_deadline(on),
        "steering_reminded": remind_steering_group(on),
    }
