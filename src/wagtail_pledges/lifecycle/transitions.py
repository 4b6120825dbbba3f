"""Membership transitions not driven by a review: legacy, renewal due, reminders,
lapse and withdrawal."""

from __future__ import annotations

from django.db import transaction

from .. import notify
from ..conf import pledges_settings
from ..models import ActionPlan, Membership, Pledge, Tier
from .publishing import _unpublish_current
from .rules import MEMBERSHIP_MOVES, REVIEW_MOVES, TransitionError
from .writer import _acting, _lock, _log, _set_status


def _move(membership: Membership, move: str, user, reason: str = "", **data) -> bool:
    """Check and apply ``move`` to a locked membership. ``False`` if already there."""
    rule = MEMBERSHIP_MOVES[move]
    if rule.is_done(membership.status):
        return False
    rule.check(membership.status)
    _set_status(membership, rule.target, move, user, reason, **data)
    return True


@transaction.atomic
def mark_legacy(membership: Membership, user=None, reason: str = "") -> bool:
    """Record that this member signed the original pledge and has not moved yet."""
    membership = _lock(membership)
    rule = MEMBERSHIP_MOVES["legacy"]
    if rule.is_done(membership.status):
        return False
    if Pledge.objects.filter(membership=membership).exists() \
            or ActionPlan.objects.filter(membership=membership).exists():
        raise TransitionError(str(rule.refused), code=rule.code)
    return _move(membership, "legacy", user, reason)


@transaction.atomic
def mark_renewal_due(membership: Membership, user=None) -> bool:
    membership = _lock(membership)
    period_end = membership.period_end.isoformat() if membership.period_end else None
    return _move(membership, "renewal_due", user, period_end=period_end)


@transaction.atomic
def send_renewal_reminder(membership: Membership, days: int) -> bool:
    """Send the ``days``-before reminder once per period."""
    membership = _lock(membership)
    if not membership.is_current or days in membership.reminders_sent:
        return False
    # Larger thresholds are covered too: after a 14-day reminder, a late 60-day one
    # would only confuse.
    covered = {d for d in pledges_settings.RENEWAL_REMINDER_DAYS if d >= days}
    membership.reminders_sent = sorted({*membership.reminders_sent, days, *covered}, reverse=True)
    membership.save(update_fields=["reminders_sent"])
    _log(membership, "renewal_reminder", None, from_status=membership.status,
         to_status=membership.status, days=days)
    notify.renewal_due(membership, days)
    return True


@transaction.atomic
def lapse(membership: Membership, user=None, reason: str = "") -> bool:
    """End a membership whose period (or the legacy deadline) has passed."""
    membership = _lock(membership)
    rule = MEMBERSHIP_MOVES["lapse"]
    if rule.is_done(membership.status):
        return False
    rule.check(membership.status)
    from_status = membership.status
    if membership.tier == Tier.ORGANISATION:  # only organisations have plans to take down
        _unpublish_current(membership, user)
    _move(membership, "lapse", user, reason)
    notify.lapsed(membership, from_status=from_status)
    return True


@transaction.atomic
def withdraw(membership: Membership, user=None, reason: str = "") -> bool:
    """The member leaves (or is erased). Open commitments are withdrawn too."""
    membership = _lock(membership)
    if MEMBERSHIP_MOVES["withdraw"].is_done(membership.status):
        return False
    closing = REVIEW_MOVES["withdraw"]
    for model in (Pledge, ActionPlan):
        for commitment in model.objects.filter(membership=membership,
                                               review_status__in=closing.sources):
            commitment.review_status = closing.target
            commitment.save(update_fields=["review_status"])
            if commitment.workflow_in_progress:
                commitment.current_workflow_state.cancel(user=_acting(user))
    _unpublish_current(membership, user)
    return _move(membership, "withdraw", user, reason)
