"""API authentication: the browser's session (with CSRF) or a bearer token.

Tokens are django-rest-knox's: only a SHA-512 digest is stored, the token itself is
shown once, when issued. Clients send ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import binascii
import datetime
from hmac import compare_digest

from django.db import router
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from ..prepared import PreparedObjects

# Every request from an API client reads its token (with the user): compiled once per
# connection. The key is the token's first characters, as knox stores them.
_tokens = PreparedObjects(
    lambda key: get_token_model().objects.filter(token_key=key).select_related("user"),
    key_type=str)


class BearerTokenAuthentication(TokenAuthentication):
    """knox's token check under the standard ``Bearer`` scheme (knox says ``Token``).

    The same check, cheaper on every request: the token row and its user are read by a
    query compiled once per connection, and the user's *other* expired tokens are not
    looked for on each request (knox's housekeeping, a second query every time) but
    deleted by the daily run (:func:`delete_expired_tokens`). An expired token is
    refused, and deleted, when it is used, as knox does. A header that is not text, or
    that carries a NUL, is refused (401), not a server error.
    """

    def authenticate_header(self, request) -> str:
        return "Bearer"

    def authenticate_credentials(self, token: bytes):
        invalid = exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            token = token.decode("utf-8")
        except UnicodeDecodeError:
            raise invalid from None
        key = token[:CONSTANTS.TOKEN_KEY_LENGTH]
        if "\x00" in token or not key:
            raise invalid
        model = get_token_model()
        for auth_token in _tokens.objects(key, router.db_for_read(model)):
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=type(self), username=username, source="auth_token")
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise invalid from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise invalid


def delete_expired_tokens(on: datetime.date | None = None) -> dict[str, int]:
    """The daily run's share of knox's housekeeping: every expired token deleted
    (``token_expired`` sent for each, as knox sends it)."""
    model = get_token_model()
    expired = list(model.objects.filter(expiry__lt=timezone.now()).select_related("user"))
    for auth_token in expired:
        token_expired.send(sender=BearerTokenAuthentication,
                           username=auth_token.user.get_username(), source="other_token")
    model.objects.filter(pk__in=[t.pk for t in expired]).delete()
    return {"expired_tokens": len(expired)}


# Both are tried on every request. The token comes first so that a request with
# neither is answered 401 with ``WWW-Authenticate: Bearer`` (DRF asks the first class),
# not a bare 403. A signed-in browser's session needs its CSRF token on writes.
AUTHENTICATION_CLASSES = [BearerTokenAuthentication, SessionAuthentication]


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes the bearer token (``securitySchemes``)."""

    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization",
                                                   token_prefix="Bearer")  # noqa: S106
