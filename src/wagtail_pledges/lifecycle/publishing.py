"""Putting an approved pledge or plan on the site, and taking it off again."""

from __future__ import annotations

from django.utils import timezone
from wagtail.actions.unpublish import UnpublishAction

from .. import counts
from ..conf import pledges_settings
from ..models import ActionPlan, Membership
from ..models.commitments import Commitment
from ..row_writes import save_fields
from .writer import _acting


def is_reviewed(commitment: Commitment) -> bool:
    """Plans always are; pledges only with ``INDIVIDUAL_REQUIRES_REVIEW``.

    Reviewed commitments get Wagtail revisions (history, comparison) and workflows;
    an individual's self-service pledge skips that machinery, which would otherwise
    be most of the cost of joining.
    """
    return isinstance(commitment, ActionPlan) or bool(pledges_settings.INDIVIDUAL_REQUIRES_REVIEW)


def _publish(commitment: Commitment, user, changed_fields: list[str]) -> None:
    """Save ``changed_fields`` and make the commitment live."""
    user = _acting(user)
    if commitment.latest_revision_id is not None or is_reviewed(commitment):
        # Reviewed: publish through Wagtail, so history and comparison stay whole.
        commitment.save(update_fields=changed_fields)
        revision = commitment.save_revision(user=user, clean=False)
        revision.publish(user=user, skip_permission_checks=True)
        commitment.refresh_from_db()
        return
    now = timezone.now()
    commitment.live, commitment.has_unpublished_changes = True, False
    commitment.last_published_at = now
    commitment.first_published_at = commitment.first_published_at or now
    # Every self-service pledge is published here: its UPDATE is written once
    # (row_writes.save_fields), not compiled by the ORM on every submission.
    save_fields(commitment, [
        *changed_fields, "live", "has_unpublished_changes", "last_published_at",
        "first_published_at",
    ])


def _unpublish(commitment: Commitment, user) -> None:
    # Who may do this was decided by the caller (the policy); Wagtail's own
    # snippet permissions are for its editing UI, not for lifecycle rules.
    UnpublishAction(
        commitment, user=_acting(user), log_action=False
    ).execute(skip_permission_checks=True)


def _unpublish_current(membership: Membership, user) -> None:
    """An organisation that stops being a member leaves the public directory."""
    for plan in ActionPlan.objects.filter(membership=membership, live=True):
        _unpublish(plan, user)
        counts.add(counts.PLANS_PUBLISHED, -1)
