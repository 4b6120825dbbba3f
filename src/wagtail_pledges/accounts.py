"""Email verification. The site owns sign-up and login; we only need to know the
address is really the member's.

``WAGTAIL_PLEDGES["EMAIL_VERIFIED_HOOK"]`` lets a site that already verifies
addresses (django-allauth, say) answer for us, so members are never asked twice.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import notify
from .conf import pledges_settings
from .models import ActionToken, MemberProfile, Pledge, ReviewStatus
from .tokens import consume_token, issue_token


def email_is_verified(user) -> bool:
    hook = pledges_settings.EMAIL_VERIFIED_HOOK
    if hook and import_string(hook)(user):
        return True
    try:
        # Often already loaded with the user (select_related): no query then.
        return user.pledges_profile.email_verified_at is not None
    except MemberProfile.DoesNotExist:
        return False


def allauth_email_verified(user) -> bool:
    """A ready hook for sites on django-allauth: its verified primary address counts."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


@transaction.atomic
def send_verification(user) -> None:
    """Email a confirmation link (single-use, expiring, stored hashed).

    Only one link is ever live: sending a new one expires the earlier ones. The
    member's profile row is locked so two requests at once cannot both leave a
    live link.
    """
    MemberProfile.objects.get_or_create(user=user)
    MemberProfile.objects.select_for_update().filter(user=user).first()
    ActionToken.objects.filter(
        purpose=ActionToken.Purpose.VERIFY_EMAIL, user=user, used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).update(expires_at=timezone.now())
    raw = issue_token(
        ActionToken.Purpose.VERIFY_EMAIL,
        user.email,
        datetime.timedelta(hours=pledges_settings.EMAIL_TOKEN_MAX_AGE_HOURS),
        user=user,
    )
    notify.verification(user, raw)


@transaction.atomic
def confirm_email(raw_token: str, user=None):
    """Use a confirmation link. Activates a submitted pledge waiting only for this.

    ``user``, when given, must be the user the link was sent to.
    Raises :class:`~wagtail_pledges.tokens.TokenError` for a bad link.
    """
    from . import lifecycle
    from .tokens import TokenError

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
            lifecycle.approve(waiting, actor=None, reason="Email address confirmed")
    return target
