"""Which email each lifecycle event sends, to whom, and with what context.

Every function only *queues* rows in the outbox (inside the caller's transaction);
delivery happens after commit. Idempotency keys tie each email to the event that
caused it, so a repeated call never queues a second copy.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.models import Site

from .conf import pledges_settings
from .middleware import request_base_url
from .models import ActionPlan, Membership, OutboxMessage, Status
from .notifications.outbox import queue_email
from .policy import get_policy


def email_base_url() -> str:
    """Where emailed links point: ``BASE_URL``, ``WAGTAILADMIN_BASE_URL``, the address of
    the current request (with :class:`~wagtail_pledges.middleware.RequestBaseURLMiddleware`),
    or the default Site's root URL — never a hard-coded host."""
    base = (pledges_settings.BASE_URL or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
            or request_base_url.get())
    if not base:
        site = Site.objects.filter(is_default_site=True).first()
        base = site.root_url if site is not None else ""
    return base.rstrip("/")


def absolute_url(path: str) -> str:
    return f"{email_base_url()}{path}"


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


def recipients_for(membership: Membership, event: str) -> list[str]:
    """Who gets the email ``event`` about a membership: the policy decides."""
    return get_policy().email_recipients(membership, event)


def _kind(commitment) -> str:
    return "plan" if isinstance(commitment, ActionPlan) else "pledge"


def review_round(commitment) -> str:
    """Which submission of this commitment an email is about, from its state alone.

    The first submission is ``first``; a resubmission after "changes requested" is
    named by that decision's time. Never the request's own time: repeated or
    concurrent submits of one round share one key, so one email is queued.
    """
    return commitment.decided_at.isoformat() if commitment.decided_at else "first"


def _commitment_email(template: str, commitment, stamp, **extra) -> None:
    membership = commitment.membership
    queue_email(
        f"{template}:{_kind(commitment)}:{commitment.pk}:{stamp}",
        template,
        recipients_for(membership, template),
        base_context(
            commitment=commitment, membership=membership, kind=_kind(commitment),
            subject_name=str(membership.subject), **extra,
        ),
    )


def pledge_received(pledge) -> None:
    _commitment_email("pledge_received", pledge, review_round(pledge))


def plan_submitted(plan) -> None:
    _commitment_email("plan_submitted", plan, review_round(plan))


def approved(commitment) -> None:
    extra = {}
    if isinstance(commitment, ActionPlan):  # organisations may now show the logo
        extra = {
            "logo_kit_url": f"{url('dashboard')}#logo-kit-{commitment.organisation_id}",
            "verify_url": url("verify_organisation", commitment.organisation.slug),
        }
    _commitment_email("approved", commitment, "once", **extra)


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
    emails = get_policy().reviewer_recipients(commitment)
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
        recipients_for(membership, "renewal_due"),
        base_context(membership=membership, days=days, subject_name=str(membership.subject)),
    )


def lapsed(membership: Membership, from_status: str | None = None) -> None:
    """The lapse notice; for a legacy membership, the campaign's final notice.

    ``from_status``: the status it lapsed from (else read from its lapse event)."""
    if from_status is None:
        # The lapse event was written just before this, in the same transaction.
        last = membership.events.filter(action="lapse").order_by("-pk").first()
        from_status = last.from_status if last else None
    queue_email(
        f"lapsed:{membership.pk}:{membership.status_changed_at.isoformat()}",
        "lapsed",
        recipients_for(membership, "lapsed"),
        base_context(membership=membership, subject_name=str(membership.subject),
                     legacy_deadline=pledges_settings.legacy_deadline
                     if from_status == Status.LEGACY else None),
    )


def verification(user, raw_token: str) -> None:
    queue_email(
        f"confirm_email:{raw_token[:16]}",
        "confirm_email",
        [user.email],
        base_context(user=user, confirm_url=url("confirm_email", raw_token),
                     hours=pledges_settings.EMAIL_TOKEN_MAX_AGE_HOURS),
    )


def staff_invitation(organisation, email: str, user, raw_token: str) -> None:
    """``user`` is the admin who invites (``inviter`` in the email's context)."""
    queue_email(
        f"staff_invitation:{raw_token[:16]}",
        "staff_invitation",
        [email],
        base_context(organisation=organisation, inviter=user,
                     accept_url=url("accept_invitation", raw_token),
                     days=pledges_settings.INVITATION_MAX_AGE_DAYS),
    )


def already_queued(key: str, to: str) -> bool:
    """Whether ``queue_email(key, …)`` already holds a row for ``to``."""
    return OutboxMessage.objects.filter(idempotency_key=f"{key}:{to.strip().lower()}"[:200]
                                        ).exists()


def _future_deadline():
    """The deadline if it is still ahead: no email says "move by <a past date>"."""
    deadline = pledges_settings.legacy_deadline
    return deadline if deadline and deadline >= timezone.localdate() else None


def legacy_invitation(signatory, raw_token: str) -> None:
    queue_email(
        f"legacy_invitation:{signatory.pk}:{raw_token[:16]}",
        "legacy_invitation",
        [signatory.email],
        base_context(signatory=signatory, claim_url=url("claim_legacy", raw_token),
                     deadline=_future_deadline()),
    )


def legacy_claim_link(email: str, links: list, key: str) -> None:
    """Fresh claim links asked for on the site: ``links`` is [(signatory, raw_token)]."""
    queue_email(
        key, "legacy_claim_link", [email],
        base_context(deadline=_future_deadline(), links=[
            {"signatory": signatory, "claim_url": url("claim_legacy", raw)}
            for signatory, raw in links
        ]),
    )


def legacy_reminder_unclaimed(signatory, wave: int, deadline, raw_token: str) -> None:
    """A reminder wave to a signatory invited but not yet claimed."""
    queue_email(
        f"legacy_reminder:{signatory.pk}:{deadline}:{wave}",
        "legacy_reminder_unclaimed",
        [signatory.email],
        base_context(signatory=signatory, claim_url=url("claim_legacy", raw_token),
                     deadline=deadline, days=wave),
    )


def legacy_reminder_unmoved(signatory, wave: int, deadline) -> None:
    """A reminder wave to a claimed signatory whose membership has not moved yet."""
    membership = signatory.membership
    queue_email(
        f"legacy_reminder:{signatory.pk}:{deadline}:{wave}",
        "legacy_reminder_unmoved",
        recipients_for(membership, "legacy_reminder_unmoved"),
        base_context(signatory=signatory, membership=membership,
                     subject_name=str(membership.subject), deadline=deadline, days=wave),
    )


def steering_reminder(user, on, every_days: int) -> bool:
    """Ask a steering-group member without a membership to join, once in ``every_days``."""
    if not user.email:
        return False
    recent = OutboxMessage.objects.filter(
        template="steering_reminder", to=user.email.strip().lower(),
        created_at__gt=timezone.now() - datetime.timedelta(days=every_days),
    )
    if recent.exists():
        return False
    # Keyed by day, so two runs on the same day queue one email between them.
    queue_email(f"steering_reminder:{user.pk}:{on.isoformat()}", "steering_reminder",
                [user.email], base_context(user=user, deadline=_future_deadline()))
    return True
