"""The only place a membership status (or a commitment's review status) changes.

Every public function here:

* asks the transition table (:mod:`.rules`) whether the move may start from the
  current state, and raises :class:`TransitionError` for an illegal one;
* is idempotent — asking for the state something is already in does nothing;
* runs in one transaction with the membership row locked (``select_for_update``;
  on SQLite, ``transaction_mode="IMMEDIATE"`` serialises writers instead);
* writes a :class:`~wagtail_pledges.models.LifecycleEvent`, moves the counters,
  re-syncs Django Groups and queues emails in that same transaction, through the
  one status writer (:mod:`.writer`), which sends
  :data:`~wagtail_pledges.signals.membership_status_changed` after commit.

``user=`` is always the person acting (``None`` for the system). "You may not"
is Django's ``PermissionDenied``; ``TransitionError`` is only for illegal moves.

Modules: :mod:`.rules` (the table), :mod:`.dates`, :mod:`.writer` (locks and the
status writer), :mod:`.validation`, :mod:`.publishing`, :mod:`.joining` (start),
:mod:`.review` (submit and decisions), :mod:`.transitions` (legacy, renewal due,
lapse, withdraw) and :mod:`.scheduler` (the daily run).
"""

from .dates import add_months, period_for, today
from .joining import start_individual, start_organisation
from .publishing import is_reviewed
from .review import (
    approve,
    decline,
    request_changes,
    submit_latest_pledge,
    submit_plan,
    submit_pledge,
)
from .rules import JOINING, MAY_START, MEMBERSHIP_MOVES, REVIEW_MOVES, Move, TransitionError
from .scheduler import register_daily_job, run_daily
from .transitions import lapse, mark_legacy, mark_renewal_due, send_renewal_reminder, withdraw
from .validation import plan_errors, pledge_errors
from .writer import get_or_create_membership

__all__ = [
    "JOINING",
    "MAY_START",
    "MEMBERSHIP_MOVES",
    "REVIEW_MOVES",
    "Move",
    "TransitionError",
    "add_months",
    "approve",
    "decline",
    "get_or_create_membership",
    "is_reviewed",
    "lapse",
    "mark_legacy",
    "mark_renewal_due",
    "period_for",
    "plan_errors",
    "pledge_errors",
    "request_changes",
    "register_daily_job",
    "run_daily",
    "send_renewal_reminder",
    "start_individual",
    "start_organisation",
    "submit_plan",
    "submit_latest_pledge",
    "submit_pledge",
    "today",
    "withdraw",
]
