"""The only place a membership status (or a commitment's review status) changes.

Every public function here:

* checks the current state and raises :class:`TransitionError` for an illegal move;
* is idempotent — asking for the state something is already in does nothing;
* runs in one transaction with the membership row locked (``select_for_update``;
  on SQLite, ``transaction_mode="IMMEDIATE"`` serialises writers instead);
* writes a :class:`~wagtail_pledges.models.LifecycleEvent`, moves the counters,
  re-syncs Django Groups and queues emails in that same transaction.

Membership status follows the review of its first commitment (draft → submitted →
changes requested → active). Once a membership has been current, or is a legacy
one, a renewal is reviewed on the commitment row alone and the membership changes
only when the renewal is approved (→ active, new period).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.unpublish import UnpublishAction

from . import counts, notify
from .conf import pledges_settings
from .groups import sync_membership_groups
from .models import (
    ActionPlan,
    LifecycleEvent,
    MemberProfile,
    Membership,
    Organisation,
    OrganisationRole,
    Pledge,
    ReviewStatus,
    Status,
    Tier,
)
from .models.commitments import Commitment
from .policy import get_policy

# Membership statuses whose status tracks the first commitment's review.
JOINING = (Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED)
# Memberships that may start a new commitment.
MAY_START = (*JOINING, Status.LEGACY, Status.RENEWAL_DUE, Status.LAPSED,
             Status.DECLINED, Status.WITHDRAWN)


class TransitionError(Exception):
    """A status change that is not allowed from the current state."""

    def __init__(self, message: str, code: str = "illegal_transition"):
        super().__init__(message)
        self.code = code


# -- small helpers ---------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole months, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def period_for(start: datetime.date) -> tuple[datetime.date, datetime.date]:
    return start, add_months(start, pledges_settings.COMMITMENT_PERIOD_MONTHS)


def _lock(membership: Membership | int) -> Membership:
    """Lock and (re)load a membership by instance or pk."""
    pk = membership.pk if isinstance(membership, Membership) else membership
    # of=("self",): lock the membership row only, not the joined user row.
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "user__pledges_profile")
        .get(pk=pk)
    )


def _lock_commitment(commitment: Commitment, membership: Membership) -> Commitment:
    locked = type(commitment).objects.select_for_update().get(pk=commitment.pk)
    locked.membership = membership  # already locked and loaded: no second query
    if isinstance(locked, Pledge) and membership.user is not None:
        locked.user = membership.user
    return locked


def _log(membership, action, actor=None, reason="", from_status="", to_status="", **data):
    event = _event(membership, action, actor, reason, from_status, to_status, **data)
    event.save()
    return event


def _user(actor):
    """The acting user, or None for the system (a command, a confirmed email link)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(membership, action, actor=None, reason="", from_status="", to_status="", **data):
    return LifecycleEvent(
        membership=membership, action=action, actor=_user(actor),
        reason=reason or "", from_status=from_status, to_status=to_status, data=data,
    )


def _set_status(membership: Membership, to_status: str, action: str, actor=None,
                reason: str = "", also_save: tuple[str, ...] = (),
                before: LifecycleEvent | None = None, **data) -> LifecycleEvent | None:
    """Move a (locked) membership to ``to_status``. The only writer of ``status``.

    ``also_save`` names fields the caller changed on ``membership`` to write in the
    same UPDATE. ``before`` is an earlier step of the same transition (submitted, on
    the way to active) to record in the history: its event is written with this one,
    and the row and counters move once, from the first status to the last.
    """
    old = membership.status
    if old == to_status:
        if also_save:
            membership.save(update_fields=list(also_save))
        if before is not None:
            before.save()
        return None
    policy = get_policy()
    had_benefits = policy.membership_grants_benefits(membership)
    membership.status = to_status
    membership.status_changed_at = timezone.now()
    membership.save(update_fields=["status", "status_changed_at", *also_save])
    counts.move_membership(membership.tier, old, to_status)
    via = before.to_status if before is not None and before.to_status else old
    event = _event(membership, action, actor, reason, via, to_status, **data)
    LifecycleEvent.objects.bulk_create([e for e in (before, event) if e is not None])
    # Skip the group sync only between statuses without benefits (draft → submitted …).
    # A legacy membership's benefits depend on the date, so leaving it always syncs.
    if had_benefits or old == Status.LEGACY or policy.membership_grants_benefits(membership):
        sync_membership_groups(membership)
    return event


def get_or_create_membership(tier: str, **subject) -> tuple[Membership, bool]:
    membership = Membership.objects.filter(**subject).first()
    if membership:
        return membership, False
    try:
        with transaction.atomic():
            membership = Membership.objects.create(tier=tier, status=Status.DRAFT, **subject)
    except IntegrityError:  # a concurrent request created it first
        return Membership.objects.get(**subject), False
    counts.move_membership(tier, None, Status.DRAFT)
    _log(membership, "start", subject.get("user"), to_status=Status.DRAFT)
    return membership, True


def _open_or_new_commitment(model, membership: Membership, **fields) -> Commitment:
    existing = model.objects.filter(membership=membership).open().first()
    if existing:
        return existing
    last = model.objects.filter(membership=membership).aggregate(n=Max("sequence"))["n"] or 0
    try:
        with transaction.atomic():
            return model.objects.create(
                membership=membership, sequence=last + 1, live=False, **fields
            )
    except IntegrityError:  # a concurrent request opened one first
        return model.objects.filter(membership=membership).open().get()


def _ensure_may_start(membership: Membership) -> None:
    if membership.status not in MAY_START:
        raise TransitionError(
            _("Your membership is active until %(end)s; renewal opens %(days)s days before.")
            % {"end": membership.period_end, "days": pledges_settings.renewal_due_days},
            code="not_renewable_yet",
        )


def _restart_if_closed(membership: Membership, actor) -> None:
    if membership.status in (Status.DECLINED, Status.WITHDRAWN):
        _set_status(membership, Status.DRAFT, "restart", actor)


# -- starting ------------------------------------------------------------------------


@transaction.atomic
def start_individual(user, actor=None) -> Pledge:
    """Start (or resume) an individual's pledge. Returns the open pledge."""
    membership, _created = get_or_create_membership(Tier.INDIVIDUAL, user=user)
    membership = _lock(membership)
    MemberProfile.objects.get_or_create(user=user)
    open_pledge = Pledge.objects.filter(membership=membership).open().first()
    if open_pledge:
        return open_pledge
    _ensure_may_start(membership)
    _restart_if_closed(membership, actor or user)
    return _open_or_new_commitment(Pledge, membership, user=user)


@transaction.atomic
def start_organisation(user, *, organisation: Organisation | None = None, actor=None,
                       **organisation_fields) -> ActionPlan:
    """Create an organisation with ``user`` as its first admin (or resume its plan).

    Pass ``organisation`` to start a plan for an existing one the user administers.
    """
    if organisation is None:
        organisation = Organisation.objects.create(**organisation_fields)
        OrganisationRole.objects.create(
            organisation=organisation, user=user, role=OrganisationRole.Role.ADMIN
        )
    elif not OrganisationRole.objects.filter(
        organisation=organisation, user=user, role=OrganisationRole.Role.ADMIN
    ).exists():
        raise TransitionError(_("Only an admin of %s can do this.") % organisation,
                              code="not_admin")
    membership, _created = get_or_create_membership(
        Tier.ORGANISATION, organisation=organisation
    )
    membership = _lock(membership)
    MemberProfile.objects.get_or_create(user=user)
    open_plan = ActionPlan.objects.filter(membership=membership).open().first()
    if open_plan:
        return open_plan
    _ensure_may_start(membership)
    _restart_if_closed(membership, actor or user)
    return _open_or_new_commitment(
        ActionPlan, membership, organisation=organisation, created_by=user
    )


# -- validation of what is submitted ---------------------------------------------------


def pledge_errors(pledge: Pledge, video_keys=None) -> dict[str, list[str]]:
    """What stops this pledge being submitted, by field. Empty when it may go.

    ``video_keys``: the awareness videos that count (a pledge page passes its own);
    ``None`` counts any tracked video.
    """
    from .videos import videos_watched

    errors: dict[str, list[str]] = {}
    required = pledges_settings.REQUIRED_VIDEOS
    watched = videos_watched(pledge.user, video_keys)
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


def is_reviewed(commitment: Commitment) -> bool:
    """Plans always are; pledges only with ``INDIVIDUAL_REQUIRES_REVIEW``.

    Reviewed commitments get Wagtail revisions (history, comparison) and workflows;
    an individual's self-service pledge skips that machinery, which would otherwise
    be most of the cost of joining.
    """
    return isinstance(commitment, ActionPlan) or bool(pledges_settings.INDIVIDUAL_REQUIRES_REVIEW)


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# -- review ----------------------------------------------------------------------------


def _prepare_submission(commitment: Commitment, errors_for
                        ) -> tuple[Commitment, Membership, bool]:
    """Lock, check and mark (in memory) a commitment as submitted.

    Returns ``changed=False`` when it was already submitted or approved.
    """
    membership = _lock(commitment.membership_id)
    commitment = _lock_commitment(commitment, membership)
    if commitment.review_status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED):
        return commitment, membership, False
    if not commitment.is_editable_by_member:
        raise TransitionError(
            _("This can no longer be submitted (it is %s).")
            % commitment.get_review_status_display()
        )
    _raise_if(errors_for(commitment))
    commitment.review_status = ReviewStatus.SUBMITTED
    commitment.submitted_at = timezone.now()
    return commitment, membership, True


def _record_submission(commitment: Commitment, membership: Membership, actor) -> None:
    commitment.save(update_fields=["review_status", "submitted_at"])
    _follow_review(membership, Status.SUBMITTED, "submit", actor,
                   commitment=commitment.pk, sequence=commitment.sequence)
    if is_reviewed(commitment):
        _enter_review(commitment, actor)


def _submit(commitment: Commitment, actor, errors_for) -> tuple[Commitment, Membership, bool]:
    commitment, membership, changed = _prepare_submission(commitment, errors_for)
    if changed:
        _record_submission(commitment, membership, actor)
    return commitment, membership, changed


def _enter_review(commitment: Commitment, actor) -> None:
    """Record a revision (for history and comparison) and start or resume the workflow."""
    user = _user(actor)
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


@transaction.atomic
def submit_pledge(pledge: Pledge, actor=None, video_keys=None) -> Pledge:
    """Submit an individual's action. Activates at once when nothing else is needed.

    ``video_keys`` names the awareness videos that must have been watched (the pledge
    page's own); ``None`` accepts any tracked videos. Raises ``ValidationError`` (by
    field) when the pledge is incomplete.
    """
    from .accounts import email_is_verified, send_verification

    actor = actor or pledge.user
    pledge, membership, changed = _prepare_submission(
        pledge, lambda p: pledge_errors(p, video_keys)
    )
    if not changed:
        return pledge
    if not pledges_settings.INDIVIDUAL_REQUIRES_REVIEW and email_is_verified(pledge.user):
        # Active at once. Submitted and approved are written together (one row update,
        # one counter move, both events), and the welcome ("approved") email says it
        # all: the member gets one email, not "received" and "welcome" together.
        submitted = _event(membership, "submit", actor, "", membership.status,
                           Status.SUBMITTED, commitment=pledge.pk, sequence=pledge.sequence)
        if membership.status not in JOINING:  # a renewal: the status stays as it is
            submitted.action, submitted.to_status = "submit_renewal", membership.status
        return _approve_locked(pledge, membership, None, _("Email address verified"),
                               submitted=submitted)
    _record_submission(pledge, membership, actor)
    notify.pledge_received(pledge)
    if pledges_settings.INDIVIDUAL_REQUIRES_REVIEW:
        notify.review_needed(pledge)
    else:
        send_verification(pledge.user)
    return pledge


@transaction.atomic
def submit_plan(plan: ActionPlan, actor) -> ActionPlan:
    """Submit an organisation's action plan for review (plans are always reviewed)."""
    plan, membership, changed = _submit(plan, actor, plan_errors)
    if changed:
        notify.plan_submitted(plan)
        notify.review_needed(plan)
    return plan


@transaction.atomic
def approve(commitment: Commitment, actor=None, reason: str = "") -> Commitment:
    """Approve and publish a submitted pledge or plan; the membership becomes active."""
    membership = _lock(commitment.membership_id)
    commitment = _lock_commitment(commitment, membership)
    return _approve_locked(commitment, membership, actor, reason)


def _approve_locked(commitment: Commitment, membership: Membership, actor, reason: str,
                    submitted: LifecycleEvent | None = None):
    """``submitted``: the commitment was submitted in this same transaction and not
    yet saved as such; its event is written with the approval's."""
    if commitment.review_status == ReviewStatus.APPROVED:
        return commitment
    if commitment.review_status != ReviewStatus.SUBMITTED:
        raise TransitionError(
            _("Only a submitted pledge or plan can be approved (this one is %s).")
            % commitment.get_review_status_display()
        )
    start, end = period_for(today())
    model = type(commitment)
    # The previous period's commitment stays in history but leaves the site.
    previous_live = model.objects.none() if commitment.sequence == 1 else (
        model.objects.filter(membership=membership, live=True).exclude(pk=commitment.pk)
    )
    for previous in previous_live:
        _unpublish(previous, actor)
        if model is ActionPlan:
            counts.add(counts.PLANS_PUBLISHED, -1)
    commitment.review_status = ReviewStatus.APPROVED
    commitment.decided_at = timezone.now()
    commitment.period_start, commitment.period_end = start, end
    _publish(commitment, actor, ["review_status", "decided_at", "period_start", "period_end",
                                 *(["submitted_at"] if submitted is not None else [])])
    if model is ActionPlan:
        counts.add(counts.PLANS_PUBLISHED, 1)
    old_status = membership.status
    membership.period_start, membership.period_end = start, end
    membership.reminders_sent = []
    action = "approve" if old_status in JOINING else "renew"
    event = _set_status(membership, Status.ACTIVE, action, actor, reason,
                        also_save=("period_start", "period_end", "reminders_sent"),
                        before=submitted,
                        commitment=commitment.pk, sequence=commitment.sequence,
                        period_end=end.isoformat())
    if event is None:  # an active member renewed early: still one event for the history
        _log(membership, "renew", actor, reason, old_status, old_status,
             commitment=commitment.pk, period_end=end.isoformat())
    notify.approved(commitment)
    return commitment


def _follow_review(membership: Membership, to_status: str, action: str, actor,
                   reason: str = "", **data) -> None:
    """A joining membership's status follows its commitment's review; a current or
    legacy one keeps its status, and the decision is only logged (as a renewal's)."""
    if membership.status in JOINING:
        _set_status(membership, to_status, action, actor, reason, **data)
    else:
        _log(membership, f"{action}_renewal", actor, reason, membership.status,
             membership.status, **data)


def _decide(commitment: Commitment, actor, text: str, *, to: str, allowed_from: tuple,
            membership_status: str, action: str, field: str, required: str, refused: str,
            cancel_workflow: bool) -> Commitment:
    """Request changes or decline: the reviewer's text is required and shown to the member."""
    if not (text or "").strip():
        raise ValidationError({field: [required]})
    membership = _lock(commitment.membership_id)
    commitment = _lock_commitment(commitment, membership)
    if commitment.review_status == to:
        return commitment
    if commitment.review_status not in allowed_from:
        raise TransitionError(refused % commitment.get_review_status_display())
    commitment.review_status = to
    commitment.reviewer_comment = text.strip()
    commitment.decided_at = timezone.now()
    commitment.save(update_fields=["review_status", "reviewer_comment", "decided_at"])
    if cancel_workflow and commitment.workflow_in_progress:
        commitment.current_workflow_state.cancel(user=_user(actor))
    _follow_review(membership, membership_status, action, actor, text,
                   commitment=commitment.pk)
    return commitment


@transaction.atomic
def request_changes(commitment: Commitment, actor, comment: str) -> Commitment:
    """Send a submitted pledge or plan back to the member with a comment."""
    commitment = _decide(
        commitment, actor, comment, to=ReviewStatus.CHANGES_REQUESTED,
        allowed_from=(ReviewStatus.SUBMITTED,), membership_status=Status.CHANGES_REQUESTED,
        action="request_changes", field="comment", required=_("Say what needs to change."),
        refused=_("Changes can only be requested on something awaiting review (this is %s)."),
        cancel_workflow=False,
    )
    notify.changes_requested(commitment)
    return commitment


@transaction.atomic
def decline(commitment: Commitment, actor, reason: str) -> Commitment:
    """Refuse a pledge or plan. A joining membership becomes declined."""
    commitment = _decide(
        commitment, actor, reason, to=ReviewStatus.DECLINED,
        allowed_from=(ReviewStatus.SUBMITTED, ReviewStatus.CHANGES_REQUESTED),
        membership_status=Status.DECLINED, action="decline", field="reason",
        required=_("Give a reason; the member will see it."),
        refused=_("Only something under review can be declined (this is %s)."),
        cancel_workflow=True,
    )
    notify.declined(commitment)
    return commitment


# -- time-driven -------------------------------------------------------------------------


@transaction.atomic
def mark_renewal_due(membership: Membership, actor=None) -> bool:
    membership = _lock(membership)
    if membership.status == Status.RENEWAL_DUE:
        return False
    if membership.status != Status.ACTIVE:
        raise TransitionError(_("Only an active membership can become due for renewal."))
    _set_status(membership, Status.RENEWAL_DUE, "renewal_due", actor,
                period_end=membership.period_end.isoformat() if membership.period_end else None)
    return True


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
def lapse(membership: Membership, actor=None, reason: str = "") -> bool:
    """End a membership whose period (or the legacy deadline) has passed."""
    membership = _lock(membership)
    if membership.status == Status.LAPSED:
        return False
    if membership.status not in (Status.ACTIVE, Status.RENEWAL_DUE, Status.LEGACY):
        raise TransitionError(_("Only a current or legacy membership can lapse."))
    _unpublish_current(membership, actor)
    _set_status(membership, Status.LAPSED, "lapse", actor, reason)
    notify.lapsed(membership)
    return True


@transaction.atomic
def withdraw(membership: Membership, actor=None, reason: str = "") -> bool:
    """The member leaves (or is erased). Open commitments are withdrawn too."""
    membership = _lock(membership)
    if membership.status == Status.WITHDRAWN:
        return False
    for model in (Pledge, ActionPlan):
        for commitment in model.objects.filter(membership=membership).open():
            commitment.review_status = ReviewStatus.WITHDRAWN
            commitment.save(update_fields=["review_status"])
            if commitment.workflow_in_progress:
                commitment.current_workflow_state.cancel(user=_user(actor))
    _unpublish_current(membership, actor)
    _set_status(membership, Status.WITHDRAWN, "withdraw", actor, reason)
    return True


def _publish(commitment: Commitment, actor, changed_fields: list[str]) -> None:
    """Save ``changed_fields`` and make the commitment live."""
    user = _user(actor)
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
    commitment.save(update_fields=[
        *changed_fields, "live", "has_unpublished_changes", "last_published_at",
        "first_published_at",
    ])


def _unpublish(commitment: Commitment, actor) -> None:
    # Who may do this was decided by the caller (the policy); Wagtail's own
    # snippet permissions are for its editing UI, not for lifecycle rules.
    UnpublishAction(
        commitment, user=_user(actor), log_action=False
    ).execute(skip_permission_checks=True)


def _unpublish_current(membership: Membership, actor) -> None:
    """An organisation that stops being a member leaves the public directory."""
    for plan in ActionPlan.objects.filter(membership=membership, live=True):
        _unpublish(plan, actor)
        counts.add(counts.PLANS_PUBLISHED, -1)


@transaction.atomic
def mark_legacy(membership: Membership, actor=None, reason: str = "") -> bool:
    """Record that this member signed the original pledge and has not moved yet."""
    membership = _lock(membership)
    if membership.status == Status.LEGACY:
        return False
    if membership.status != Status.DRAFT or Pledge.objects.filter(membership=membership).exists() \
            or ActionPlan.objects.filter(membership=membership).exists():
        raise TransitionError(_("Only a new, empty membership can be marked as legacy."))
    _set_status(membership, Status.LEGACY, "legacy", actor, reason)
    return True


def run_daily(on: datetime.date | None = None) -> dict[str, int]:
    """Renewal due, reminders, lapses, outbox. Idempotent: run it as often as you like."""
    from .notifications.outbox import deliver_due

    on = on or today()
    done = {"renewal_due": 0, "reminders": 0, "lapsed": 0}
    reminder_days = sorted(pledges_settings.RENEWAL_REMINDER_DAYS, reverse=True)
    horizon = on + datetime.timedelta(days=pledges_settings.renewal_due_days)

    for membership in _candidates(status=Status.ACTIVE, period_end__lte=horizon,
                                  period_end__gte=on):
        done["renewal_due"] += _safely(mark_renewal_due, membership)
    for membership in _candidates(status__in=[Status.ACTIVE, Status.RENEWAL_DUE],
                                  period_end__lt=on):
        done["lapsed"] += _safely(lapse, membership, None, _("The commitment period ended."))
    deadline = pledges_settings.legacy_deadline
    if deadline and on > deadline:
        for membership in _candidates(status=Status.LEGACY):
            done["lapsed"] += _safely(lapse, membership, None,
                                      _("The deadline to move from the original pledge passed."))
    for membership in _candidates(status__in=[Status.ACTIVE, Status.RENEWAL_DUE],
                                  period_end__gte=on, period_end__lte=horizon):
        left = (membership.period_end - on).days
        # Only the nearest threshold not yet sent: a member never gets 60- and
        # 14-day reminders on the same day after a missed run.
        due = [d for d in reminder_days if left <= d and d not in membership.reminders_sent]
        if due:
            done["reminders"] += _safely(send_renewal_reminder, membership, min(due))
    done.update({f"outbox_{k}": v for k, v in deliver_due().items()})
    return done


def _candidates(**filters) -> Iterable[Membership]:
    # A list, not a streaming cursor: each candidate is then changed in its own
    # transaction, and SQLite gives no isolation between a connection's open cursor
    # and its own writes. Every transition re-reads its row under lock anyway.
    return list(
        Membership.objects.filter(**filters)
        .only("pk", "status", "period_end", "reminders_sent")
        .order_by("pk")
    )


def _safely(fn, *args) -> int:
    try:
        return int(bool(fn(*args)))
    except TransitionError:  # changed by someone else since it was listed
        return 0
