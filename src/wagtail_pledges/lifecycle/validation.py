"""What stops a pledge or plan being submitted, by field (for forms to show)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..conf import pledges_settings
from ..models import ActionPlan, Pledge
from ..videos import COMPLETED_VIDEOS, videos_watched
from .dates import period_for, today


def pledge_errors(pledge: Pledge, video_keys=None) -> dict[str, list[str]]:
    """What stops this pledge being submitted, by field. Empty when it may go.

    ``video_keys``: the awareness videos that count (a pledge page passes its own);
    ``None`` counts any tracked video.
    """
    errors: dict[str, list[str]] = {}
    required = pledges_settings.REQUIRED_VIDEOS
    watched = videos_watched(pledge.user, video_keys,
                             completed=getattr(pledge, COMPLETED_VIDEOS, None))
    if watched < required:
        errors["videos"] = [
            _("Watch both awareness videos first (%(done)s of %(required)s watched).")
            % {"done": watched, "required": required}
        ]
    if not pledge.action.strip():
        errors["action"] = [_("Say what action you will take.")]
    if not pledge.strategy_id:
        errors["strategy"] = [_("Choose the strategy your action belongs to.")]
    start, end = period_for(today())
    if pledge.target_date is None:
        errors["target_date"] = [_("Give a target date.")]
    elif not start <= pledge.target_date <= end:
        errors["target_date"] = [
            _("The target date must fall between %(start)s and %(end)s.")
            % {"start": start.isoformat(), "end": end.isoformat()}
        ]
    return errors


def plan_errors(plan: ActionPlan) -> dict[str, list[str]]:
    """What stops this action plan being submitted, by field. Empty when it may go."""
    errors: dict[str, list[str]] = {}
    priorities = list(plan.priorities.all())
    fewest, most = pledges_settings.PLAN_MIN_PRIORITIES, pledges_settings.PLAN_MAX_PRIORITIES
    if not fewest <= len(priorities) <= most:
        errors["priorities"] = [
            _("A plan has %(min)s to %(max)s priorities (this one has %(n)s).")
            % {"min": fewest, "max": most, "n": len(priorities)}
        ]
    months = pledges_settings.COMMITMENT_PERIOD_MONTHS
    for number, priority in enumerate(priorities, start=1):
        if priority.timescale_months > months:
            errors.setdefault("priorities", []).append(
                _("Priority %(n)s: the timescale must be %(months)s months or less.")
                % {"n": number, "months": months}
            )
    if not plan.public_summary.strip():
        errors["public_summary"] = [_("Write a public summary of the plan.")]
    if not plan.signoff_name.strip():
        errors["signoff_name"] = [_("Name the senior leader who signed the plan off.")]
    if not plan.signoff_role.strip():
        errors["signoff_role"] = [_("Give the senior leader's role.")]
    if not plan.signoff_confirmed:
        errors["signoff_confirmed"] = [_("Confirm the senior leader has approved the plan.")]
    return errors


def raise_if(errors: dict[str, list[str]]) -> None:
    """Raise the errors as one ``ValidationError`` keyed by field, if there are any."""
    if errors:
        raise ValidationError(errors)
