"""API authentication: the browser's session (with CSRF) or a bearer token.

Tokens are django-rest-knox's: only a SHA-512 digest is stored, the token itself is
shown once, when issued. Clients send ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework.authentication import SessionAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """knox's token check under the standard ``Bearer`` scheme (knox says ``Token``)."""

    def authenticate_header(self, request) -> str:
        return "Bearer"


# Session first: a signed-in browser's requests carry its cookie and CSRF token.
AUTHENTICATION_CLASSES = [SessionAuthentication, BearerTokenAuthentication]


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes the bearer token (``securitySchemes``)."""

    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization",
                                                   token_prefix="Bearer")  # noqa: S106
