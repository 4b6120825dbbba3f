"""django-allauth's authentication backend, reading a signed-in user in one query
with their membership standing (see ``wagtail_pledges.auth``)."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from wagtail_pledges.auth import StandingUserMixin


class AuthenticationBackend(StandingUserMixin, AllauthBackend):
    pass
