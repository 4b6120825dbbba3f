"""Which transition may start from which state, in one table.

Every lifecycle function asks :data:`MEMBERSHIP_MOVES` (a membership's ``status``)
or :data:`REVIEW_MOVES` (a pledge's or plan's ``review_status``) before it writes
anything; nothing else in the package lists allowed starting states.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..models import OPEN_REVIEW_STATUSES, ReviewStatus, Status


class TransitionError(Exception):
    """A status change that is not allowed from the current state.

    Only for illegal state moves; "you may not do this" (not an admin of the
    organisation, not a reviewer) is Django's ``PermissionDenied``.
    """

    def __init__(self, message: str, code: str = "illegal_transition"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Move:
    """One transition: the states it may start from and the state it leads to.

    ``target`` is ``None`` for a move that starts something without changing the
    status (starting a commitment). Asking for a move from a state in ``already``
    (by default, the target) does nothing: that is what makes every call idempotent.
    """

    sources: frozenset[str]
    target: str | None
    refused: str | Promise
    code: str = "illegal_transition"
    already: frozenset[str] = frozenset()

    def is_done(self, state: str) -> bool:
        return state in (self.already or {self.target})

    def allows(self, state: str) -> bool:
        return state in self.sources

    def check(self, state: str, **params) -> None:
        """Raise :class:`TransitionError` unless the move may start from ``state``.

        ``params`` fill the ``refused`` message (``current`` names the state).
        """
        if state not in self.sources:
            raise TransitionError(str(self.refused) % params if params else str(self.refused),
                                  code=self.code)


def _states(*states: str) -> frozenset[str]:
    return frozenset(states)


# A membership that has never been current: its status follows its first
# commitment's review (draft → submitted → changes requested → active).
_JOINING = _states(Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED)

MEMBERSHIP_MOVES: dict[str, Move] = {
    # Start (or resume) a pledge or plan: from anything but a current period that
    # is not yet due for renewal.
    "start": Move(
        frozenset(Status.values) - {Status.ACTIVE}, None,
        _("Your membership is active until %(end)s; renewal opens %(days)s days before."),
        code="not_renewable_yet",
    ),
    "restart": Move(_states(Status.DECLINED, Status.WITHDRAWN), Status.DRAFT,
                    _("Only a declined or withdrawn membership starts again.")),
    # While joining, the membership follows the review of its commitment: these
    # list the statuses that follow it (the review table says what may start).
    "submit": Move(_JOINING, Status.SUBMITTED, _("Only a joining membership is submitted.")),
    "approve": Move(_JOINING, Status.ACTIVE, _("Only a joining membership is approved.")),
    "request_changes": Move(_JOINING, Status.CHANGES_REQUESTED,
                            _("Only a joining membership has changes requested.")),
    "decline": Move(_JOINING, Status.DECLINED, _("Only a joining membership is declined.")),
    # A current, lapsed or legacy membership is renewed when its next commitment is
    # approved; the other review decisions on a renewal leave its status alone.
    "renew": Move(_states(Status.LEGACY, Status.ACTIVE, Status.RENEWAL_DUE, Status.LAPSED),
                  Status.ACTIVE, _("Only a current, lapsed or legacy membership is renewed.")),
    "renewal_due": Move(_states(Status.ACTIVE), Status.RENEWAL_DUE,
                        _("Only an active membership can become due for renewal.")),
    "lapse": Move(_states(Status.ACTIVE, Status.RENEWAL_DUE, Status.LEGACY), Status.LAPSED,
                  _("Only a current or legacy membership can lapse.")),
    "withdraw": Move(frozenset(Status.values) - {Status.WITHDRAWN}, Status.WITHDRAWN,
                     _("This membership is already withdrawn.")),
    "legacy": Move(_states(Status.DRAFT), Status.LEGACY,
                   _("Only a new, empty membership can be marked as legacy.")),
}

REVIEW_MOVES: dict[str, Move] = {
    "submit": Move(
        _states(ReviewStatus.DRAFT, ReviewStatus.CHANGES_REQUESTED), ReviewStatus.SUBMITTED,
        _("This can no longer be submitted (it is %(current)s)."),
        already=_states(ReviewStatus.SUBMITTED, ReviewStatus.APPROVED),
    ),
    "approve": Move(
        _states(ReviewStatus.SUBMITTED), ReviewStatus.APPROVED,
        _("Only a submitted pledge or plan can be approved (this one is %(current)s)."),
    ),
    "request_changes": Move(
        _states(ReviewStatus.SUBMITTED), ReviewStatus.CHANGES_REQUESTED,
        _("Changes can only be requested on something awaiting review (this is %(current)s)."),
    ),
    "decline": Move(
        _states(ReviewStatus.SUBMITTED, ReviewStatus.CHANGES_REQUESTED), ReviewStatus.DECLINED,
        _("Only something under review can be declined (this is %(current)s)."),
    ),
    "withdraw": Move(frozenset(OPEN_REVIEW_STATUSES), ReviewStatus.WITHDRAWN,
                     _("Only an open pledge or plan can be withdrawn.")),
}

#: Membership statuses whose status tracks the first commitment's review.
JOINING = tuple(s for s in Status.values if MEMBERSHIP_MOVES["approve"].allows(s))
#: Memberships that may start a new commitment.
MAY_START = tuple(s for s in Status.values if MEMBERSHIP_MOVES["start"].allows(s))


def approval_move(membership_status: str) -> str:
    """``approve`` for a joining membership, ``renew`` for one that was current or legacy."""
    return "approve" if membership_status in JOINING else "renew"
