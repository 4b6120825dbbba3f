"""API tokens: issued for a password, stored as a digest, listed and revoked by their owner."""

import datetime

import pytest
from django.test import Client, override_settings
from freezegun import freeze_time
from knox.models import AuthToken

from tests import factories

pytestmark = pytest.mark.django_db
API = "/api/pledges/v1/"


def issue(client, **credentials):
    return client.post(API + "auth/token/", credentials, content_type="application/json")


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def member():
    return factories.UserFactory(verified=True)


def test_a_token_for_a_password_works_as_bearer_and_is_stored_hashed(client, member):
    response = issue(client, username=member.email, password="password")
    assert response.status_code == 201
    body = response.json()
    token = body["token"]
    assert set(body) == {"token", "token_key", "created", "expiry"}
    # Only a digest is kept: the token itself is in no column.
    row = AuthToken.objects.get(user=member)
    assert token not in {row.digest, row.token_key} and row.digest != token
    assert token.startswith(row.token_key)
    me = Client().get(API + "me/", **bearer(token))
    assert me.status_code == 200 and me.json()["is_member"] is False


def test_email_works_as_well_as_the_username(client, member):
    response = issue(client, email=member.email.upper(), password="password")
    assert response.status_code == 201


@pytest.mark.parametrize("credentials", [
    {"email": "nobody@example.org", "password": "password"},
    {"username": "nobody@example.org", "password": "password"},
    {"username": "MEMBER", "password": "wrong"},
])
def test_unknown_account_and_wrong_password_get_the_same_answer(client, member, credentials):
    if credentials.get("username") == "MEMBER":
        credentials["username"] = member.email
    response = issue(client, **credentials)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"non_field_errors": ["Unable to sign in with those details."]}
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize("credentials", [{}, {"password": "x"},
                                         {"username": "a", "email": "a@example.org",
                                          "password": "x"},
                                         {"email": "not an email", "password": "x"}])
def test_malformed_sign_in_is_a_400_naming_the_problem(client, credentials):
    response = issue(client, **credentials)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]


def test_an_inactive_user_gets_no_token(client, member):
    member.is_active = False
    member.save()
    assert issue(client, username=member.email, password="password").status_code == 400


def test_bad_and_expired_tokens_are_401(client, member):
    token = issue(client, username=member.email, password="password").json()["token"]
    assert Client().get(API + "me/", **bearer("0" * 64)).status_code == 401
    with freeze_time(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=31)):
        response = Client().get(API + "me/", **bearer(token))
    assert response.status_code == 401
    assert response.json()["type"].endswith(":authentication_failed")
    assert not AuthToken.objects.exists()  # knox removes an expired token it meets


def test_list_shows_only_own_tokens_and_marks_the_current_one(member):
    other = factories.UserFactory(verified=True)
    mine = [issue(Client(), username=member.email, password="password").json()
            for _ in range(2)]
    issue(Client(), username=other.email, password="password")
    listed = Client().get(API + "auth/tokens/", **bearer(mine[0]["token"])).json()
    assert sorted(t["token_key"] for t in listed) == sorted(t["token_key"] for t in mine)
    assert [t["current"] for t in listed if t["token_key"] == mine[0]["token_key"]] == [True]
    assert "token" not in listed[0] and "digest" not in listed[0]


def test_revoke_one_and_not_someone_elses(member):
    other = factories.UserFactory(verified=True)
    mine = issue(Client(), username=member.email, password="password").json()
    spare = issue(Client(), username=member.email, password="password").json()
    theirs = issue(Client(), username=other.email, password="password").json()
    client = Client()
    url = API + "auth/tokens/{}/"
    assert client.delete(url.format(theirs["token_key"]),
                         **bearer(mine["token"])).status_code == 404
    assert client.delete(url.format(spare["token_key"]), **bearer(mine["token"])).status_code == 204
    assert client.get(API + "me/", **bearer(spare["token"])).status_code == 401
    assert client.get(API + "me/", **bearer(mine["token"])).status_code == 200
    assert client.get(API + "me/", **bearer(theirs["token"])).status_code == 200


def test_revoke_all_signs_out_everywhere(member):
    tokens = [issue(Client(), username=member.email, password="password").json()["token"]
              for _ in range(3)]
    client = Client()
    assert client.post(API + "auth/tokens/revoke-all/", **bearer(tokens[0])).status_code == 204
    assert all(client.get(API + "me/", **bearer(t)).status_code == 401 for t in tokens)


def test_session_writes_need_the_csrf_token(member):
    token = issue(Client(), username=member.email, password="password").json()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert browser.get(API + "auth/tokens/").status_code == 200
    response = browser.post(API + "auth/tokens/revoke-all/")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert AuthToken.objects.filter(token_key=token["token_key"]).exists()


@override_settings(WAGTAIL_PLEDGES={"API_TOKEN_LIMIT_PER_USER": 2})
def test_a_user_holds_at_most_the_limit(client, member):
    assert [issue(Client(), username=member.email, password="password").status_code
            for _ in range(3)] == [201, 201, 403]


@override_settings(WAGTAIL_PLEDGES={"API_THROTTLE_RATES": {"token": "3/minute"}})
def test_signing_in_is_throttled_per_address(member):
    codes = [issue(Client(), username=member.email, password="wrong").status_code
             for _ in range(3)]
    response = issue(Client(), username=member.email, password="password")
    assert codes == [400, 400, 400] and response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["type"].endswith(":throttled")


def test_a_token_is_checked_with_one_query_and_other_expired_tokens_wait_for_the_daily_run(
        member, django_assert_num_queries):
    """Every API request checks its token: one query (the token with its user, compiled
    once per connection), not knox's second one for the user's other tokens. Those
    that expired are deleted by the daily run; an expired token is still refused, and
    deleted, when it is used."""
    from wagtail_pledges import lifecycle
    from wagtail_pledges.api.auth import BearerTokenAuthentication

    old = issue(Client(), username=member.email, password="password").json()["token"]
    AuthToken.objects.update(expiry=datetime.datetime.now(datetime.UTC)
                             - datetime.timedelta(days=1))
    token = issue(Client(), username=member.email, password="password").json()["token"]
    auth = BearerTokenAuthentication()
    auth.authenticate_credentials(token.encode())  # compiled
    with django_assert_num_queries(1):
        user, auth_token = auth.authenticate_credentials(token.encode())
    assert user == member and auth_token.token_key == token[:15]
    assert AuthToken.objects.count() == 2  # the other, expired, left for the daily run
    assert Client().get(API + "me/", **bearer(old)).status_code == 401
    assert AuthToken.objects.count() == 1  # refused when used, and deleted
    AuthToken.objects.update(expiry=datetime.datetime.now(datetime.UTC)
                             - datetime.timedelta(seconds=1))
    assert lifecycle.run_daily()["expired_tokens"] == 1
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize("header", [b"Bearer abc\x00def0123456789", b"Bearer \xff\xfe\xfd",
                                    b"Bearer " + b"0" * 200, b"Bearer \x00"])
def test_hostile_bearer_headers_are_401_not_server_errors(header):
    from django.test import RequestFactory
    from rest_framework.exceptions import AuthenticationFailed

    from wagtail_pledges.api.auth import BearerTokenAuthentication

    request = RequestFactory().get(API + "me/", HTTP_AUTHORIZATION=header.decode("latin-1"))
    with pytest.raises(AuthenticationFailed):
        BearerTokenAuthentication().authenticate(request)
    response = Client().get(API + "me/", HTTP_AUTHORIZATION=header.decode("latin-1"))
    assert response.status_code == 401
