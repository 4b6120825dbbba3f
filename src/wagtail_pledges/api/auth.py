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
