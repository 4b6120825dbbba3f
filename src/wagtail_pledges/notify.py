"""Which email each lifecycle event sends, to whom, and with what context.

Every function only *queues* rows in the outbox (inside the caller's transaction);
delivery happens after commit. Idempotency keys tie each email to the event that
caused it, so a repeated call never queues a second copy.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from .conf import pledges_settings
from .models import ActionPlan, Membership, OrganisationRole, Tier
from .notifications.outbox import queue_email


def absolute_url(path: str) -> str:
    base = (getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}"


def url(name: str, *args) -> str:
    try:
        return absolute_url(reverse(f"wagtail_pledges:{name}", args=args))
    except NoReverseMatch:  # the site has not included wagtail_pledges.urls
        return absolute_url("/")


def base_context(**extra) -> dict:
    return {
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "") or "our network",
        "dashboard_url": url("dashboard"),
        **extra,
    }


def recipients_for(membership: Membership) -> list[str]:
    if membership.tier == Tier.INDIVIDUAL:
        return [membership.user.email] if membership.user and membership.user.email else []
    return list(
        OrganisationRole.objects.filter(
            organisation_id=membership.organisation_id, role=OrganisationRole.Role.ADMIN
        ).values_list("user__email", flat=True)
    )


def _kind(commitment) -> str:
    return "plan" if isinstance(commitment, ActionPlan) else "pledge"


def review_round(commitment) -> str:
    """Which submission of this commitment an email is about, from its state alone.

    The first submission is ``first``; a resubmission after "changes requested" is
    named by that decision's time. Never the request's own time: repeated or
    concurrent submits of one round share one key, so one email is queued.
    """
    return commitment.decided_at.isoformat() if commitment.decided_at else "first"


def _commitment_email(template: str, commitment, stamp) -> None:
    membership = commitment.membership
    queue_email(
        f"{template}:{_kind(commitment)}:{commitment.pk}:{stamp}",
        template,
        recipients_for(membership),
        base_context(
            commitment=commitment, membership=membership, kind=_kind(commitment),
            subject_name=str(membership.subject),
        ),
    )


def pledge_received(pledge) -> None:
    _commitment_email("pledge_received", pledge, review_round(pledge))


def plan_submitted(plan) -> None:
    _commitment_email("plan_submitted", plan, review_round(plan))


def approved(commitment) -> None:
    _commitment_email("approved", commitment, "once")


def changes_requested(commitment) -> None:
    _commitment_email("changes_requested", commitment, commitment.decided_at.isoformat())


def declined(commitment) -> None:
    _commitment_email("declined", commitment, commitment.decided_at.isoformat())


def review_needed(commitment) -> None:
    """Tell the reviewers something is waiting for them.

    Not when the commitment is in a Wagtail workflow: Wagtail's own notification to
    the task's reviewers already says so, and two emails per submission is one too many.
    """
    if commitment.workflow_in_progress:
        return
    users = get_user_model().objects.filter(is_active=True)
    group = Group.objects.filter(name=pledges_settings.REVIEWER_GROUP).first()
    reviewers = users.filter(groups=group) if group else users.none()
    emails = list(reviewers.exclude(email="").values_list("email", flat=True))
    try:
        review_url = absolute_url(reverse("wagtail_pledges_admin:review_queue"))
    except NoReverseMatch:
        review_url = absolute_url(reverse("wagtailadmin_home"))
    queue_email(
        f"review_needed:{_kind(commitment)}:{commitment.pk}:{review_round(commitment)}",
        "review_needed",
        emails,
        base_context(commitment=commitment, kind=_kind(commitment),
                     subject_name=str(commitment.membership.subject), review_url=review_url),
    )


def renewal_due(membership: Membership, days: int) -> None:
    queue_email(
        f"renewal_due:{membership.pk}:{membership.period_end}:{days}",
        "renewal_due",
        recipients_for(membership),
        base_context(membership=membership, days=days, subject_name=str(membership.subject)),
    )


def lapsed(membership: Membership) -> None:
    queue_email(
        f"lapsed:{membership.pk}:{membership.status_changed_at.isoformat()}",
        "lapsed",
        recipients_for(membership),
        base_context(membership=membership, subject_name=str(membership.subject)),
    )


def verification(user, raw_token: str) -> None:
    queue_email(
        f"confirm_email:{raw_token[:16]}",
        "confirm_email",
        [user.email],
        base_context(user=user, confirm_url=url("confirm_email", raw_token),
                     hours=pledges_settings.EMAIL_TOKEN_MAX_AGE_HOURS),
    )


def staff_invitation(organisation, email: str, inviter, raw_token: str) -> None:
    queue_email(
        f"staff_invitation:{raw_token[:16]}",
        "staff_invitation",
        [email],
        base_context(organisation=organisation, inviter=inviter,
                     accept_url=url("accept_invitation", raw_token),
                     days=pledges_settings.INVITATION_MAX_AGE_DAYS),
    )


def legacy_invitation(signatory, raw_token: str) -> None:
    queue_email(
        f"legacy_invitation:{signatory.pk}:{raw_token[:16]}",
        "legacy_invitation",
        [signatory.email],
        base_context(signatory=signatory, claim_url=url("claim_legacy", raw_token),
                     deadline=pledges_settings.legacy_deadline),
    )
