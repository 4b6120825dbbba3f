"""Email verification: confirming the link we sent.

Whether an address is verified, and sending the link, live in
:mod:`wagtail_pledges.email_verification` (the lifecycle asks them, so they sit
below it); they are importable from here too, and
``"wagtail_pledges.accounts.allauth_email_verified"`` stays a valid
``EMAIL_VERIFIED_HOOK``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import lifecycle
from .conf import pledges_settings
from .email_verification import allauth_email_verified, email_is_verified, send_verification
from .models import ActionToken, MemberProfile, Pledge, ReviewStatus
from .tokens import TokenError, consume_token

__all__ = ["allauth_email_verified", "confirm_email", "email_is_verified", "send_verification"]


@transaction.atomic
def confirm_email(raw_token: str, user=None):
    """Use a confirmation link. Activates a submitted pledge waiting only for this.

    ``user``, when given, is the person signed in and must be the one the link was
    sent to. Raises :class:`~wagtail_pledges.tokens.TokenError` for a bad link.
    """
    token = consume_token(raw_token, ActionToken.Purpose.VERIFY_EMAIL)
    if user is not None and user.is_authenticated and token.user_id != user.pk:
        raise TokenError(_("This link was sent to a different account. Sign in as that account."))
    target = token.user
    if target.email.lower() != token.email.lower():
        raise TokenError(_("The account's email address has changed since this link was sent."))
    profile, _created = MemberProfile.objects.get_or_create(user=target)
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at"])
    if not pledges_settings.INDIVIDUAL_REQUIRES_REVIEW:
        waiting = Pledge.objects.filter(user=target, review_status=ReviewStatus.SUBMITTED).first()
        if waiting:
            lifecycle.approve(waiting, user=None, reason="Email address confirmed")
    return target
