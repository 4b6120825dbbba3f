"""Single-use, expiring tokens for emailed links. Only a SHA-256 hash is stored."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ActionToken


class TokenError(Exception):
    """The link cannot be used; ``str(exc)`` says why in words for the member."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(purpose: str, email: str, lifetime: datetime.timedelta, **refs) -> str:
    """Create a token and return the raw secret (to put in a link, never stored)."""
    raw = secrets.token_urlsafe(32)
    ActionToken.objects.create(
        purpose=purpose,
        token_hash=hash_token(raw),
        email=email,
        expires_at=timezone.now() + lifetime,
        **refs,
    )
    return raw


def _lookup(raw: str, purpose: str, *, lock: bool) -> ActionToken:
    if not raw or len(raw) > 200:
        raise TokenError(_("This link is not valid. Check it was copied in full."))
    qs = ActionToken.objects.filter(token_hash=hash_token(raw), purpose=purpose)
    if lock:
        qs = qs.select_for_update()
    token = qs.first()
    if token is None:
        raise TokenError(_("This link is not valid. Check it was copied in full."))
    if token.used_at is not None:
        raise TokenError(_("This link has already been used."))
    if token.expires_at <= timezone.now():
        raise TokenError(_("This link has expired. Ask for a new one."))
    return token


def peek_token(raw: str, purpose: str) -> ActionToken:
    """Check a token without using it up (for the page a link opens)."""
    return _lookup(raw, purpose, lock=False)


def consume_token(raw: str, purpose: str) -> ActionToken:
    """Use a token up. Call inside a transaction: the row is locked until commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("consume_token() must run inside transaction.atomic()")
    token = _lookup(raw, purpose, lock=True)
    token.used_at = timezone.now()
    # The conditional update makes "single use" hold even where the database
    # ignores row locks: only one caller can flip used_at from NULL.
    if not ActionToken.objects.filter(pk=token.pk, used_at__isnull=True).update(
        used_at=token.used_at
    ):
        raise TokenError(_("This link has already been used."))
    return token
