"""Reviewer decisions made from our own admin views and bulk actions.

A decision first moves Wagtail's workflow (when one is running on the commitment)
so its history, comments and notifications stay truthful; the signal receivers in
:mod:`wagtail_pledges.signal_handlers` then call the lifecycle. Each function ends
by calling the lifecycle itself, which is idempotent: with no workflow running it
does the work, with one it confirms what the signal already did. Everything runs
in one transaction, so a refused transition leaves nothing half-done.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import lifecycle
from ..models.commitments import Commitment
from .permissions import can_review

# A workflow has a handful of tasks; this only guards against a misconfigured loop.
MAX_TASKS = 20


def _running_task_state(commitment: Commitment):
    state = commitment.current_workflow_state
    if state is None or state.status != state.STATUS_IN_PROGRESS:
        return None
    task_state = state.current_task_state
    if task_state is None or task_state.status != task_state.STATUS_IN_PROGRESS:
        return None
    return task_state.specific


def _require_reviewer(user) -> None:
    if not can_review(user):
        raise PermissionDenied


@transaction.atomic
def approve_commitment(commitment: Commitment, user) -> Commitment:
    """Approve (and publish) a submitted pledge or plan as ``user``."""
    _require_reviewer(user)
    if commitment.review_status == commitment.ReviewStatus.SUBMITTED:
        # An explicit approval settles every remaining task of the workflow.
        for _step in range(MAX_TASKS):
            task_state = _running_task_state(commitment)
            if task_state is None:
                break
            task_state.approve(user=user)
    return lifecycle.approve(commitment, user)


@transaction.atomic
def request_changes_to_commitment(commitment: Commitment, user, comment: str) -> Commitment:
    """Send a submitted pledge or plan back with a comment the member sees."""
    _require_reviewer(user)
    if (comment or "").strip() and commitment.review_status == commitment.ReviewStatus.SUBMITTED:
        task_state = _running_task_state(commitment)
        if task_state is not None:
            task_state.reject(user=user, comment=comment.strip())
    return lifecycle.request_changes(commitment, user, comment)


@transaction.atomic
def decline_commitment(commitment: Commitment, user, reason: str) -> Commitment:
    """Refuse a pledge or plan; Wagtail has no equivalent, the lifecycle cancels its workflow."""
    _require_reviewer(user)
    commitment = lifecycle.decline(commitment, user, reason)
    state = commitment.current_workflow_state
    if state is not None and state.status == state.STATUS_NEEDS_CHANGES:
        # Declined after changes were requested: close Wagtail's paused workflow too.
        state.cancel(user=user)
    return commitment
