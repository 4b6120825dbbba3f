"""API tokens: sign in for one, list your own, revoke one or all.

Tokens are django-rest-knox's (stored as a digest, shown once). Signing in is
throttled by IP (scope ``"token"``) and answers the same for an unknown account and a
wrong password.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import authenticate, get_user_model, user_logged_in
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import get_token_model
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ..conf import pledges_settings
from .base import PledgesAPIView, PledgesGenericViewSet, extend_schema


class TokenRequestSerializer(serializers.Serializer):
    """Who is signing in: a username or an email address, and the password."""

    username = serializers.CharField(required=False, max_length=254)
    email = serializers.EmailField(required=False, max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})

    def validate(self, attrs):
        if bool(attrs.get("username")) == bool(attrs.get("email")):
            raise serializers.ValidationError(_("Give a username or an email address."))
        user = authenticate(self.context["request"]._request,
                            username=_username_for(attrs), password=attrs["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Unable to sign in with those details."), code="authorization")
        attrs["user"] = user
        return attrs


def _username_for(attrs) -> str:
    """The username to authenticate: given, or the one account with that email.

    An unknown or shared email address is passed on unchanged, so the backend still
    spends a password hash on it and the answer takes as long as a wrong password.
    """
    if attrs.get("username"):
        return attrs["username"]
    model = get_user_model()
    email_field = model.get_email_field_name()
    matches = list(model._default_manager.filter(
        **{f"{email_field}__iexact": attrs["email"]})[:2])
    if len(matches) == 1:
        return matches[0].get_username()
    return attrs["email"]


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`. "
                                            "Shown only now.")
    token_key = serializers.CharField(help_text="Its public prefix, to list or revoke it.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField(
        help_text="Whether this request was made with this token.")

    def get_current(self, token) -> bool:
        auth = self.context["request"].auth
        return getattr(auth, "digest", None) == token.digest


def _live_tokens(user):
    now = timezone.now()
    return get_token_model().objects.filter(user=user).filter(
        Q(expiry__gt=now) | Q(expiry__isnull=True))


class TokenCreateView(PledgesAPIView):
    """Sign in with a username or email address and a password; get a bearer token."""

    # No session or token here: credentials are the body, and a stale session
    # cookie must not make DRF demand a CSRF token from a non-browser client.
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={201: IssuedTokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if _live_tokens(user).count() >= pledges_settings.API_TOKEN_LIMIT_PER_USER:
            raise exceptions.PermissionDenied(
                _("You hold the most tokens allowed; revoke one first."))
        ttl = datetime.timedelta(hours=pledges_settings.API_TOKEN_TTL_HOURS)
        instance, token = get_token_model().objects.create(user=user, expiry=ttl)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        data = {"token": token, "token_key": instance.token_key,
                "created": instance.created, "expiry": instance.expiry}
        return Response(IssuedTokenSerializer(data).data, status=status.HTTP_201_CREATED)


class TokenViewSet(PledgesGenericViewSet):
    """The signed-in user's own tokens: list, revoke one, revoke all."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TokenSerializer
    pagination_class = None  # at most API_TOKEN_LIMIT_PER_USER live tokens
    lookup_field = "token_key"
    lookup_value_regex = "[0-9a-f]{8,25}"

    def get_queryset(self):
        return _live_tokens(self.request.user).order_by("-created")

    def list(self, request):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, token_key):
        deleted, _rows = self.get_queryset().filter(token_key=token_key).delete()
        if not deleted:
            raise exceptions.NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="revoke-all")
    def revoke_all(self, request):
        """Revoke every token of yours, this one included (sign out everywhere)."""
        get_token_model().objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
