import datetime
import re

import pytest
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from tests import factories
from tests.pages.conftest import home, individual_page, organisation_page  # noqa: F401
from wagtail_pledges.models import OutboxMessage

API = "/api/pledges/v1/"


@pytest.fixture
def api():
    """A client that speaks JSON, signed in with ``api.force_login(user)``."""
    return APIClient()


@pytest.fixture
def signed_in(api):
    """``signed_in(user)``: the API client signed in as ``user`` (a new verified one
    when not given)."""

    def sign_in(user=None):
        user = user or factories.UserFactory(verified=True)
        api.force_login(user)
        return user

    return sign_in


def watch_by_heartbeats(api, page, video_key, duration=60, step=10):
    """Play one video to the end through the API, at wall-clock pace (frozen time).

    The member has one clock across videos, so the next video starts after this one
    ends (the client remembers where its frozen clock got to)."""
    start = max(timezone.now(), getattr(api, "frozen_clock", timezone.now()))
    api.frozen_clock = start + datetime.timedelta(seconds=duration + step + 1)
    with freeze_time(start):
        api.post(API + "pledge/videos/progress/", {
            "page": page.pk, "video": video_key, "start": 0, "end": 0}, format="json")
    response = None
    for second in range(0, duration, step):
        with freeze_time(start + datetime.timedelta(seconds=second + step)):
            response = api.post(API + "pledge/videos/progress/", {
                "page": page.pk, "video": video_key, "start": second,
                "end": second + step}, format="json")
    return response


def token_from(template: str) -> str:
    """The token in the latest email queued from ``template`` (as its reader would copy it)."""
    body = OutboxMessage.objects.filter(template=template).latest("pk").render().text
    return re.search(r"/pledges/(?:confirm|invitation|claim)/([^/\s]+)/", body).group(1)


def errors_of(response) -> dict:
    """The messages by field of a problem (RFC 9457) answer."""
    body = response.json()
    assert response["Content-Type"].startswith("application/problem+json"), body
    return body["errors"]
