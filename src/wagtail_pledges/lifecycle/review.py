"""Submitting a pledge or plan, and the reviewer's decisions on it.

A joining membership's status follows its commitment's review (draft → submitted
→ changes requested → active). Once a membership has been current, or is a legacy
one, a renewal is reviewed on the commitment row alone and the membership changes
only when the renewal is approved (→ active, new period).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modelcluster.fields import ParentalManyToManyField

from .. import counts, notify
from ..conf import pledges_settings
from ..email_verification import email_is_verified, send_verification
from ..models import ActionPlan, LifecycleEvent, Membership, Pledge, Status
from ..models.commitments import Commitment
from ..row_writes import save_fields, set_parental_m2m
from ..sql_writes import writes_together
from .dates import period_for, today
from .publishing import _publish, _unpublish, is_reviewed
from .rules import JOINING, MEMBERSHIP_MOVES, REVIEW_MOVES, approval_move
from .validation import plan_errors, pledge_errors, raise_if
from .writer import (
    _acting,
    _event,
    _lock,
    _lock_commitment,
    _lock_latest_pledge,
    _log,
    _set_status,
)


def _check_review(commitment: Commitment, move: str) -> bool:
    """``False`` when the commitment is already where ``move`` leads (nothing to do);
    raises ``TransitionError`` when ``move`` may not start from its review status."""
    rule = REVIEW_MOVES[move]
    if rule.is_done(commitment.review_status):
        return False
    if not rule.allows(commitment.review_status):  # the label is translated only then
        rule.check(commitment.review_status, current=commitment.get_review_status_display())
    return True


def _follow_review(membership: Membership, move: str, user, reason: str = "", **data) -> None:
    """A joining membership's status follows its commitment's review; a current or
    legacy one keeps its status, and the decision is only logged (as a renewal's)."""
    rule = MEMBERSHIP_MOVES[move]
    if rule.allows(membership.status):
        _set_status(membership, rule.target, move, user, reason, **data)
    else:
        _log(membership, f"{move}_renewal", user, reason, membership.status,
             membership.status, **data)


# -- submitting ----------------------------------------------------------------------


def _prepare_submission(commitment: Commitment | None, errors_for, edits: dict | None = None,
                        member=None) -> tuple[Commitment, Membership, bool, dict]:
    """Lock, check and mark (in memory) a commitment as submitted, with the member's
    ``edits`` (field name → value) applied to it first. With ``member`` (and no
    ``commitment``), their latest pledge, found under the locks; one that is no longer
    theirs to edit (submitted or decided) is left as it is, without an error.

    Returns ``changed=False`` when it was already submitted or approved (``edits``
    are then ignored: what was submitted stays as it was), and what stops it being
    submitted, by field (the caller keeps the edits as the draft, then raises).
    """
    if member is not None:
        membership, commitment = _lock_latest_pledge(member)
        if not commitment.is_editable_by_member:
            return commitment, membership, False, {}
    else:
        membership = _lock(commitment.membership_id)
        commitment = _lock_commitment(commitment, membership)
    if not _check_review(commitment, "submit"):
        return commitment, membership, False, {}
    for name, value in (edits or {}).items():
        # Plain, foreign-key and parental many-to-many fields alike (modelcluster
        # writes the last with the row, on save).
        if isinstance(commitment._meta.get_field(name), ParentalManyToManyField):
            set_parental_m2m(commitment, name, value)
        else:
            setattr(commitment, name, value)
    errors = errors_for(commitment)
    if errors:
        return commitment, membership, False, errors
    commitment.review_status = REVIEW_MOVES["submit"].target
    commitment.submitted_at = timezone.now()
    return commitment, membership, True, {}


def _record_submission(commitment: Commitment, membership: Membership, user,
                       also_save: tuple[str, ...] = ()) -> None:
    commitment.save(update_fields=["review_status", "submitted_at", *also_save])
    _follow_review(membership, "submit", user,
                   commitment=commitment.pk, sequence=commitment.sequence)
    if is_reviewed(commitment):
        _enter_review(commitment, user)


def _enter_review(commitment: Commitment, user) -> None:
    """Record a revision (for history and comparison) and start or resume the workflow."""
    user = _acting(user)
    commitment.save_revision(user=user, clean=False)
    workflow_state = commitment.current_workflow_state
    if workflow_state and workflow_state.status == workflow_state.STATUS_NEEDS_CHANGES:
        # A reviewer asked for changes through Wagtail's workflow: resubmitting
        # resumes that workflow (as Wagtail's own editor does) instead of starting
        # a second one, which Wagtail forbids.
        workflow_state.resume(user)
        return
    workflow = commitment.get_workflow()
    if workflow and user and not commitment.workflow_in_progress:
        workflow.start(commitment, user)


def submit_pledge(pledge: Pledge, user=None, video_keys=None, edits: dict | None = None
                  ) -> Pledge:
    """Submit an individual's action. Activates at once when nothing else is needed.

    ``user`` is the person acting (default: the pledge's member). ``video_keys``
    names the awareness videos that must have been watched (the pledge page's own);
    ``None`` accepts any tracked videos. ``edits`` are what the member has just
    typed (field name → value, as a ``PledgeActionForm``'s cleaned data): written in
    the same row update as the submission, only while the pledge is still theirs to
    edit, so a replayed or concurrent request can change nothing that was submitted.
    Raises ``ValidationError`` (by field) when the pledge is incomplete; the edits
    are then kept as the draft.
    """
    with transaction.atomic():
        outcome, _changed = _submit_pledge(pledge, user or pledge.user, video_keys,
                                           edits or {})
    # Raised once the transaction has committed the draft (raising inside it would
    # roll the draft back, or need a savepoint around every submission).
    if isinstance(outcome, dict):
        raise ValidationError(outcome)
    return outcome


def submit_latest_pledge(member, user=None, video_keys=None, edits: dict | None = None
                         ) -> tuple[Pledge, bool]:
    """:func:`submit_pledge` for ``member``'s latest pledge, found under the row locks
    (nothing is read before the transaction): the commit step's, page and API.

    Returns the pledge and whether this call submitted it. A pledge that is no longer
    the member's to edit (submitted, approved, declined, withdrawn) is returned as it
    is, with ``False`` and the edits ignored. Raises ``Pledge.DoesNotExist`` when the
    member has no pledge, ``ValidationError`` (by field) as :func:`submit_pledge`.
    """
    with transaction.atomic():
        outcome, changed = _submit_pledge(None, user or member, video_keys, edits or {},
                                          member=member)
    if isinstance(outcome, dict):
        raise ValidationError(outcome)
    return outcome, changed


def _submit_pledge(pledge: Pledge | None, user, video_keys, edits: dict, member=None
                   ) -> tuple[Pledge | dict, bool]:
    """:func:`submit_pledge`'s transaction: the submitted pledge, or the errors; and
    whether it was submitted now."""
    pledge, membership, changed, errors = _prepare_submission(
        pledge, lambda p: pledge_errors(p, video_keys), edits, member=member
    )
    if errors:
        if edits:  # kept as the draft (its practices diffed against those read with the lock)
            save_fields(pledge, list(edits))
        return errors, False
    if not changed:
        return pledge, False
    if not pledges_settings.INDIVIDUAL_REQUIRES_REVIEW and email_is_verified(pledge.user):
        # Active at once. Submitted and approved are written together (one row update,
        # one counter move, both events), and the welcome ("approved") email says it
        # all: the member gets one email, not "received" and "welcome" together.
        submitted = _event(membership, "submit", user, "", membership.status,
                           Status.SUBMITTED, commitment=pledge.pk, sequence=pledge.sequence)
        if membership.status not in JOINING:  # a renewal: the status stays as it is
            submitted.action, submitted.to_status = "submit_renewal", membership.status
        # The counters, events, groups and welcome email are sent together, in one
        # round trip at the end (PostgreSQL; nothing after them reads them back).
        with writes_together(router.db_for_write(Membership)):
            return _approve_locked(pledge, membership, None, _("Email address verified"),
                                   submitted=submitted, also_save=tuple(edits)), True
    _record_submission(pledge, membership, user, also_save=tuple(edits))
    notify.pledge_received(pledge)
    if pledges_settings.INDIVIDUAL_REQUIRES_REVIEW:
        notify.review_needed(pledge)
    else:
        send_verification(pledge.user)
    return pledge, True


@transaction.atomic
def submit_plan(plan: ActionPlan, user) -> ActionPlan:
    """Submit an organisation's action plan for review (plans are always reviewed)."""
    plan, membership, changed, errors = _prepare_submission(plan, plan_errors)
    raise_if(errors)
    if changed:
        _record_submission(plan, membership, user)
        notify.plan_submitted(plan)
        notify.review_needed(plan)
    return plan


# -- decisions -------------------------------------------------------------------------


@transaction.atomic
def approve(commitment: Commitment, user=None, reason: str = "") -> Commitment:
    """Approve and publish a submitted pledge or plan; the membership becomes active."""
    membership = _lock(commitment.membership_id)
    commitment = _lock_commitment(commitment, membership)
    return _approve_locked(commitment, membership, user, reason)


def _approve_locked(commitment: Commitment, membership: Membership, user, reason: str,
                    submitted: LifecycleEvent | None = None, also_save: tuple[str, ...] = ()):
    """``submitted``: the commitment was submitted in this same transaction and not
    yet saved as such; its event is written with the approval's. ``also_save``: the
    commitment's fields the caller changed, written in the same update."""
    if not _check_review(commitment, "approve"):
        return commitment
    old_status = membership.status
    action = approval_move(old_status)
    MEMBERSHIP_MOVES[action].check(old_status)
    start, end = period_for(today())
    model = type(commitment)
    # The previous period's commitment stays in history but leaves the site. (A first
    # commitment has none: not even an empty queryset is built, which costs as much
    # CPU as a query.)
    previous_live = [] if commitment.sequence == 1 else (
        model.objects.filter(membership=membership, live=True).exclude(pk=commitment.pk)
    )
    for previous in previous_live:
        _unpublish(previous, user)
        if model is ActionPlan:
            counts.add(counts.PLANS_PUBLISHED, -1)
    commitment.review_status = REVIEW_MOVES["approve"].target
    commitment.decided_at = timezone.now()
    commitment.period_start, commitment.period_end = start, end
    _publish(commitment, user, ["review_status", "decided_at", "period_start", "period_end",
                                *(["submitted_at"] if submitted is not None else []),
                                *also_save])
    if model is ActionPlan:
        counts.add(counts.PLANS_PUBLISHED, 1)
    membership.period_start, membership.period_end = start, end
    membership.reminders_sent = []
    event = _set_status(membership, MEMBERSHIP_MOVES[action].target, action, user, reason,
                        also_save=("period_start", "period_end", "reminders_sent"),
                        before=submitted,
                        commitment=commitment.pk, sequence=commitment.sequence,
                        period_end=end.isoformat())
    if event is None:  # an active member renewed early: still one event for the history
        _log(membership, "renew", user, reason, old_status, old_status,
             commitment=commitment.pk, period_end=end.isoformat())
    notify.approved(commitment)
    return commitment


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision that sends text to the member (changes or a refusal).

    ``move`` names the entry in the review and membership tables; ``field`` is the
    form field the text belongs to, ``required`` the error when it is empty.
    """

    move: str
    field: str
    required: str | Promise
    cancel_workflow: bool


REQUEST_CHANGES = Decision("request_changes", "comment",
                           gettext_lazy("Say what needs to change."), cancel_workflow=False)
DECLINE = Decision("decline", "reason", gettext_lazy("Give a reason; the member will see it."),
                   cancel_workflow=True)


def _decide(commitment: Commitment, user, text: str, decision: Decision) -> Commitment:
    """Request changes or decline: the reviewer's text is required and shown to the member."""
    if not (text or "").strip():
        raise ValidationError({decision.field: [str(decision.required)]})
    membership = _lock(commitment.membership_id)
    commitment = _lock_commitment(commitment, membership)
    if not _check_review(commitment, decision.move):
        return commitment
    commitment.review_status = REVIEW_MOVES[decision.move].target
    commitment.reviewer_comment = text.strip()
    commitment.decided_at = timezone.now()
    commitment.save(update_fields=["review_status", "reviewer_comment", "decided_at"])
    if decision.cancel_workflow and commitment.workflow_in_progress:
        commitment.current_workflow_state.cancel(user=_acting(user))
    _follow_review(membership, decision.move, user, text, commitment=commitment.pk)
    return commitment


@transaction.atomic
def request_changes(commitment: Commitment, user, comment: str) -> Commitment:
    """Send a submitted pledge or plan back to the member with a comment."""
    commitment = _decide(commitment, user, comment, REQUEST_CHANGES)
    notify.changes_requested(commitment)
    return commitment


@transaction.atomic
def decline(commitment: Commitment, user, reason: str) -> Commitment:
    """Refuse a pledge or plan. A joining membership becomes declined."""
    commitment = _decide(commitment, user, reason, DECLINE)
    notify.declined(commitment)
    return commitment
