"""Is a member's email address verified? If not, send a confirmation link.

The site owns sign-up and login; we only need to know the address is really the
member's. ``WAGTAIL_PLEDGES["EMAIL_VERIFIED_HOOK"]`` lets a site that already
verifies addresses (django-allauth, say) answer for us, so members are never asked
twice. Using the link is :func:`wagtail_pledges.accounts.confirm_email`.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from . import notify
from .conf import pledges_settings
from .models import ActionToken, MemberProfile
from .tokens import issue_token


def email_is_verified(user) -> bool:
    """Verified by us (the member's profile) or by the site's hook.

    A profile already loaded with the user (``select_related``, as every lifecycle
    lock does) answers first, for free; the hook, which usually asks the database,
    only when that answer is no.
    """
    state = getattr(user, "_state", None)
    loaded = state.fields_cache.get("pledges_profile", _UNKNOWN) if state else _UNKNOWN
    if loaded is not _UNKNOWN and loaded is not None and loaded.email_verified_at is not None:
        return True
    hook = pledges_settings.EMAIL_VERIFIED_HOOK
    if hook and import_string(hook)(user):
        return True
    if loaded is not _UNKNOWN:
        return False  # loaded above: no profile, or not verified by us
    try:
        return user.pledges_profile.email_verified_at is not None
    except MemberProfile.DoesNotExist:
        return False


_UNKNOWN = object()


def allauth_email_verified(user) -> bool:
    """A ready hook for sites on django-allauth: its verified primary address counts."""
    # Imported here because django-allauth is optional: only sites that name this
    # hook in their settings have it installed.
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
