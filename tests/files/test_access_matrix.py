"""Who gets the bytes of a restricted document, image original and rendition.

Every way to a file is tried for every kind of visitor, with and without conditional
headers: the file's old /media/ URL, Wagtail's document URL, the private-file URL that
``{% image %}`` and ``document.file.url`` give, and Wagtail's signed image URL.
"""

from __future__ import annotations

import pytest
from wagtail.images.views.serve import generate_image_url

from tests.factories import UserFactory, active_individual, approved_plan
from wagtail_pledges import lifecycle
from wagtail_pledges.groups import sync_user_groups
from wagtail_pledges.models import OrganisationRole, Tier

from .conftest import RENDITION_SPEC

pytestmark = pytest.mark.urls("tests.files.urls")

FUTURE, PAST = "2999-12-31", "2000-01-01"


def _legacy(settings, deadline_after_joining: str):
    settings.WAGTAIL_PLEDGES = {**settings.WAGTAIL_PLEDGES, "LEGACY_DEADLINE": FUTURE}
    user = UserFactory(verified=True)
    membership, _ = lifecycle.get_or_create_membership(Tier.INDIVIDUAL, member=user)
    lifecycle.mark_legacy(membership)
    # The deadline may pass before the daily job takes them out of the Members group:
    # the policy, not the stale group, decides.
    settings.WAGTAIL_PLEDGES = {**settings.WAGTAIL_PLEDGES,
                                "LEGACY_DEADLINE": deadline_after_joining}
    return user


def _staff(settings):
    organisation = approved_plan().organisation
    user = UserFactory(verified=True)
    OrganisationRole.objects.create(organisation=organisation, user=user,
                                    role=OrganisationRole.Role.STAFF)
    sync_user_groups(user)
    return user


def _lapsed(settings):
    pledge = active_individual()
    lifecycle.lapse(pledge.membership)
    return pledge.user


VISITORS = {
    "anonymous": (lambda settings: None, False),
    "non-member": (lambda settings: UserFactory(verified=True), False),
    "lapsed": (_lapsed, False),
    "legacy-before-deadline": (lambda settings: _legacy(settings, FUTURE), True),
    "legacy-after-deadline": (lambda settings: _legacy(settings, PAST), False),
    "individual-member": (lambda settings: active_individual().user, True),
    "organisation-staff": (_staff, True),
    "organisation-admin": (lambda settings: approved_plan().created_by, True),
}


def _urls(files) -> dict[str, tuple[str, str]]:
    """(url, which bytes it serves) for every gated way to the three files."""
    document, image, rendition = files["document"], files["image"], files["rendition"]
    return {
        "document serve URL": (document.url, "document"),
        "document file URL": (document.file.url, "document"),
        "image original URL": (image.file.url, "image"),
        "rendition URL": (rendition.url, "rendition"),
        "signed image URL": (generate_image_url(image, RENDITION_SPEC), "rendition"),
    }


def _fetch(client, url, **headers):
    """GET ``url``; the document URL hands an accepted visitor on to the file's
    private URL (both responses are checked and private), so follow that one step."""
    response = client.get(url, **headers)
    if response.status_code == 302 and response["Location"].startswith("/pledges/files/"):
        _assert_gated(response)
        response = client.get(response["Location"], **headers)
    return response


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _assert_gated(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "Cookie" in response["Vary"]


@pytest.fixture(params=list(VISITORS))
def visitor(request, files, client, settings):
    make, allowed = VISITORS[request.param]
    user = make(settings)
    if user is not None:
        client.force_login(user)
    return request.param, allowed


def test_old_media_urls_are_gone_for_everyone(files, client, visitor):
    for kind, url in files["old_urls"].items():
        response = client.get(url)
        assert response.status_code == 404, kind
        assert files["bytes"][kind] not in _body(response)


def test_gated_urls_serve_exact_bytes_only_to_those_the_policy_allows(files, client, visitor):
    name, allowed = visitor
    for label, (url, kind) in _urls(files).items():
        response = _fetch(client, url)
        _assert_gated(response)
        body = _body(response)
        if allowed:
            assert response.status_code == 200, (name, label)
            assert body == files["bytes"][kind], (name, label)
        else:
            assert response.status_code == (302 if name == "anonymous" else 403), (name, label)
            assert files["bytes"][kind] not in body
            if name == "anonymous":
                assert "next=" in response["Location"]


def test_conditional_requests_never_turn_a_refusal_into_304(files, client, visitor, settings):
    name, allowed = visitor
    for label, (url, kind) in _urls(files).items():
        plain = _fetch(client, url)
        conditional = {"HTTP_IF_MODIFIED_SINCE": "Fri, 31 Dec 2999 23:59:59 GMT"}
        if plain.get("ETag"):
            conditional["HTTP_IF_NONE_MATCH"] = plain["ETag"]
        for headers in (conditional, {"HTTP_IF_NONE_MATCH": "*"}):
            response = _fetch(client, url, **headers)
            _assert_gated(response)
            if allowed:
                assert response.status_code in (200, 304), (name, label)
                if response.status_code == 200:
                    assert _body(response) == files["bytes"][kind]
            else:
                assert response.status_code == plain.status_code, (name, label, headers)
                assert files["bytes"][kind] not in _body(response)


def test_a_members_file_request_costs_a_fixed_handful_of_queries(files, client):
    """Session, user, file lookup, restriction, managed groups, policy standing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(active_individual().user)
    counts = {}
    for label, (url, _kind) in _urls(files).items():
        with CaptureQueriesContext(connection) as queries:
            assert _fetch(client, url).status_code == 200
        counts[label] = len(queries)
    # Measured: 9–12 per request; the document URL is two requests (hook, then file).
    assert counts.pop("document serve URL") <= 24
    assert max(counts.values()) <= 12
