"""The individual journey through the write API: start, videos, commit, confirm."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests import factories
from tests.api.conftest import API, errors_of, token_from, watch_by_heartbeats
from tests.pages.conftest import watch
from wagtail_pledges import lifecycle
from wagtail_pledges.accounts import send_verification
from wagtail_pledges.forms import PledgeActionForm
from wagtail_pledges.models import (
    Membership,
    OutboxMessage,
    Pledge,
    ReviewStatus,
    Status,
    Strategy,
    VideoProgress,
)

pytestmark = pytest.mark.django_db


def commit_body(page, **overrides):
    return {"page": page.pk, "action": "Debrief after every incident.",
            "strategy": "debriefing", "practices": ["physical"],
            "target_date": (lifecycle.today() + datetime.timedelta(days=60)).isoformat(),
            **overrides}


def test_every_write_needs_a_session(api, individual_page):
    for path in ["pledge/start/", "pledge/commit/", "pledge/videos/progress/",
                 "email/resend/", "pledge/updates/", "organisations/", "legacy/claim/",
                 "invitations/accept/", "me/erase/"]:
        response = api.post(API + path, {}, format="json")
        # 401 with a Bearer challenge: sign in (a session or a token) first.
        assert response.status_code == 401, path
        assert "credentials" in response.json()["detail"]


def test_session_writes_need_the_csrf_token(individual_page):
    csrf_client = APIClient(enforce_csrf_checks=True)
    csrf_client.force_login(factories.UserFactory(verified=True))
    response = csrf_client.post(API + "pledge/start/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Pledge.objects.exists()


def test_start_is_idempotent_and_returns_the_draft(api, signed_in):
    user = signed_in()
    first = api.post(API + "pledge/start/").json()
    again = api.post(API + "pledge/start/").json()
    assert first["pledge"]["review_status"] == "draft"
    assert again["pledge"]["id"] == first["pledge"]["id"]
    assert first["membership"]["status"] == Status.DRAFT
    assert Pledge.objects.filter(user=user).count() == 1
    assert api.get(API + "pledge/").json() == again


def test_videos_list_the_pages_own_and_progress_counts(api, signed_in, individual_page):
    user = signed_in()
    api.post(API + "pledge/start/")
    videos = api.get(API + "pledge/videos/", {"page": individual_page.pk}).json()
    assert [v["title"] for v in videos] == ["Video 1", "Video 2"]
    assert not any(v["completed"] for v in videos)
    response = watch_by_heartbeats(api, individual_page, videos[0]["key"])
    assert response.json() == {"video": videos[0]["key"], "position": 60.0, "completed": True}
    again = api.get(API + "pledge/videos/", {"page": individual_page.pk}).json()
    assert [v["completed"] for v in again] == [True, False]
    assert VideoProgress.objects.get(user=user, video_key=videos[0]["key"]).completed_at


def test_a_burst_of_heartbeats_does_not_count(api, signed_in, individual_page):
    signed_in()
    key = individual_page.video_blocks[0].video_key
    for second in range(0, 60, 10):
        response = api.post(API + "pledge/videos/progress/", {
            "page": individual_page.pk, "video": key, "start": second, "end": second + 10,
            "duration": 60}, format="json")
    assert response.json()["completed"] is False


@pytest.mark.parametrize(("body", "field"), [
    ({"video": "url:not-on-this-page"}, "video"),
    ({"page": 999999}, None),
    ({"start": "soon"}, "start"),
    ({"start": 30, "end": 10}, "non_field_errors"),
])
def test_bad_heartbeats_are_4xx_and_store_nothing(api, signed_in, individual_page, body,
                                                   field):
    signed_in()
    payload = {"page": individual_page.pk, "video": individual_page.video_blocks[0].video_key,
               "start": 0, "end": 10, "duration": 60, **body}
    payload = {k: v for k, v in payload.items() if v is not None}
    response = api.post(API + "pledge/videos/progress/", payload, format="json")
    assert response.status_code == (404 if field is None else 400)
    if field:
        assert field in errors_of(response)
    assert not VideoProgress.objects.exists()


def test_a_plain_page_is_not_a_journey_page(api, signed_in, home):
    signed_in()
    response = api.get(API + "pledge/videos/", {"page": home.pk})
    assert response.status_code == 404


def test_commit_before_start_is_a_conflict(api, signed_in, individual_page):
    signed_in()
    response = api.post(API + "pledge/commit/", commit_body(individual_page), format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "Start a pledge first."


def test_commit_without_the_videos_keeps_the_draft_and_says_why(api, signed_in,
                                                                individual_page):
    user = signed_in()
    api.post(API + "pledge/start/")
    response = api.post(API + "pledge/commit/", commit_body(individual_page), format="json")
    assert response.status_code == 400
    assert "Watch both awareness videos" in errors_of(response)["videos"][0]
    pledge = Pledge.objects.get(user=user)
    assert pledge.review_status == ReviewStatus.DRAFT
    assert pledge.action == "Debrief after every incident."


def test_videos_of_another_page_do_not_count(api, signed_in, individual_page):
    user = signed_in()
    api.post(API + "pledge/start/")
    factories.watch_videos(user)  # keys that are not this page's
    response = api.post(API + "pledge/commit/", commit_body(individual_page), format="json")
    assert response.status_code == 400 and "videos" in errors_of(response)


def test_commit_field_errors_name_the_field(api, signed_in, individual_page):
    signed_in()
    api.post(API + "pledge/start/")
    response = api.post(API + "pledge/commit/", commit_body(
        individual_page, strategy="nonsense", target_date="tomorrow", action=""),
        format="json")
    assert response.status_code == 400
    assert set(errors_of(response)) == {"strategy", "target_date", "action"}


def test_target_date_outside_the_period_is_refused_by_the_lifecycle(api, signed_in,
                                                                    individual_page):
    user = signed_in()
    api.post(API + "pledge/start/")
    watch(user, individual_page)
    far = (lifecycle.today() + datetime.timedelta(days=3 * 365)).isoformat()
    response = api.post(API + "pledge/commit/", commit_body(individual_page, target_date=far),
                        format="json")
    assert response.status_code == 400
    assert "target_date" in errors_of(response)


def test_the_commit_answer_lists_the_practices_as_the_pledge_state_does(
        api, signed_in, individual_page, monkeypatch):
    """The answer's practices are the ones ticked, in the order ``GET pledge/`` gives
    them: those the submission has just written, not read back."""
    from wagtail_pledges.api import individual_views

    read_back = []
    original = individual_views.related_objects
    monkeypatch.setattr(individual_views, "related_objects", lambda *args: (
        read_back.append(args), original(*args))[1])
    user = signed_in()
    api.post(API + "pledge/start/")
    watch(user, individual_page)
    ticked = ["other", "chemical", "physical"]
    answer = api.post(API + "pledge/commit/", commit_body(individual_page, practices=ticked),
                      format="json").json()
    assert read_back == []
    state = api.get(API + "pledge/").json()
    assert sorted(answer["pledge"]["practices"]) == sorted(ticked)
    assert answer["pledge"]["practices"] == state["pledge"]["practices"]


def test_commit_activates_a_verified_member_and_ignores_status_fields(
        api, signed_in, individual_page):
    user = signed_in()
    api.post(API + "pledge/start/")
    watch(user, individual_page)
    body = commit_body(individual_page, review_status="draft", live=False, sequence=7,
                       period_end="2099-01-01", status="lapsed", id=12345)
    response = api.post(API + "pledge/commit/", body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["pledge"]["review_status"] == "approved"
    assert data["pledge"]["sequence"] == 1
    assert data["pledge"]["practices"] == ["physical"]
    assert data["membership"]["status"] == Status.ACTIVE
    assert data["membership"]["period_end"] != "2099-01-01"
    # A repeated request changes nothing and sends nothing more.
    emails = OutboxMessage.objects.count()
    again = api.post(API + "pledge/commit/", body, format="json")
    assert again.status_code == 409
    assert again.json()["detail"] == "Your pledge is approved. Start a new one to commit again."
    assert OutboxMessage.objects.count() == emails


def test_unverified_member_confirms_with_the_token_by_post(api, individual_page, outbox):
    user = factories.UserFactory(verified=False)
    api.force_login(user)
    api.post(API + "pledge/start/")
    watch(user, individual_page)
    state = api.post(API + "pledge/commit/", commit_body(individual_page),
                     format="json").json()
    assert state["pledge"]["review_status"] == "submitted"
    assert state["email_verified"] is False
    assert api.post(API + "email/resend/").json() == {"email_verified": False, "sent": True}
    token = confirmation_token()
    anonymous = APIClient()
    assert anonymous.get(API + "email/confirm/").status_code == 405
    response = anonymous.post(API + "email/confirm/", {"token": token}, format="json")
    assert response.json() == {"email_verified": True, "sent": False}
    assert Membership.objects.get(user=user).status == Status.ACTIVE
    # Single use: the same token again is a 400 naming the token.
    again = anonymous.post(API + "email/confirm/", {"token": token}, format="json")
    assert again.status_code == 400 and "already been used" in again.json()["detail"]
    assert api.post(API + "email/resend/").json() == {"email_verified": True, "sent": False}


def test_someone_elses_token_is_refused_for_a_signed_in_user(api, signed_in, individual_page):
    send_verification(factories.UserFactory(verified=False))
    signed_in()
    response = api.post(API + "email/confirm/", {"token": confirmation_token()},
                        format="json")
    assert response.status_code == 400
    assert "different account" in response.json()["detail"]


def confirmation_token() -> str:
    return token_from("confirm_email")


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)


def test_writes_cost_the_services_own_queries_and_a_handful_more(api, individual_page):
    """Starting and committing cost what the lifecycle costs (membership row, event,
    counters, groups, outbox) plus a few of the API's own; reads and heartbeats are
    small and fixed."""
    user, twin = factories.UserFactory(verified=True), factories.UserFactory(verified=True)
    api.force_login(user)
    direct_start = count_queries(lambda: lifecycle.start_individual(twin))
    assert count_queries(lambda: api.post(API + "pledge/start/")) <= direct_start + 8
    key = individual_page.video_blocks[0].video_key
    assert count_queries(lambda: api.post(API + "pledge/videos/progress/", {
        "page": individual_page.pk, "video": key, "start": 0, "end": 5},
        format="json")) <= 12  # fixed: page, session, user, rate limit-free, one upsert
    watch(user, individual_page)
    watch(twin, individual_page)
    pledge = Pledge.objects.get(user=twin)
    form = PledgeActionForm(data={"action": "Debrief.", "strategy": Strategy.objects.get(
        slug="debriefing").pk, "target_date": commit_body(individual_page)["target_date"],
        "practices": []}, instance=pledge)
    assert form.is_valid()
    keys = [v.video_key for v in individual_page.video_blocks]
    direct_commit = count_queries(lambda: lifecycle.submit_pledge(
        pledge, twin, video_keys=keys, edits=form.edits()))
    commit = count_queries(lambda: api.post(API + "pledge/commit/", commit_body(
        individual_page, practices=[]), format="json"))
    assert commit <= direct_commit + 12
    # Absolute, too (was 32, then 24): session and user, the page, the form, the
    # submission's transaction (what was typed written with it, no separate draft save
    # nor savepoint), and the answer built from the pledge it returned (its practices).
    assert commit <= 20
    assert Pledge.objects.get(user=user).review_status == ReviewStatus.APPROVED
    for path, params, budget in [("pledge/", {}, 6),
                                 ("pledge/videos/", {"page": individual_page.pk}, 5)]:
        assert count_queries(lambda p=path, q=params: api.get(API + p, q)) <= budget, path


def test_a_client_cannot_shorten_a_video(api, signed_in, individual_page):
    """The issue-10 forgery, through the API: a tiny ``duration`` and a range covering
    it. The server's length (60 s) is used, so nothing is completed."""
    signed_in()
    for key in [video.video_key for video in individual_page.video_blocks]:
        api.post(API + "pledge/videos/progress/", {
            "page": individual_page.pk, "video": key, "start": 0, "end": 0, "duration": 1},
            format="json")
        response = api.post(API + "pledge/videos/progress/", {
            "page": individual_page.pk, "video": key, "start": 0, "end": 1, "duration": 1},
            format="json")
        assert response.status_code == 200 and response.json()["completed"] is False
    assert not VideoProgress.objects.filter(completed_at__isnull=False).exists()


def test_a_term_named_by_slug_is_found_in_the_page_cache_and_follows_changes(
        django_assert_num_queries):
    """Every write naming a strategy finds it in the page cache (term_cache): no query
    once warm. A new, renamed or deleted strategy is followed at once; a slug that
    names none is an error on the field, and a serializer that narrows the terms is
    answered from its own query set."""
    from rest_framework import serializers

    from wagtail_pledges.api.write_serializers import TermField
    from wagtail_pledges.models import Strategy

    strategy = factories.strategy()

    class Named(serializers.Serializer):
        strategy = TermField(Strategy)

    assert Named(data={"strategy": strategy.slug}).is_valid()  # warm
    with django_assert_num_queries(0):
        named = Named(data={"strategy": strategy.slug})
        assert named.is_valid() and named.validated_data["strategy"] == strategy
    again = Named(data={"strategy": strategy.slug})
    assert again.is_valid()  # each request its own object, never one shared
    assert again.validated_data["strategy"] is not named.validated_data["strategy"]
    unknown = Named(data={"strategy": "no-such-strategy"})
    assert not unknown.is_valid() and "strategy" in unknown.errors

    added = Strategy.objects.create(name="Added later", slug="added-later")
    assert Named(data={"strategy": "added-later"}).is_valid()
    added.slug = "renamed"
    added.save()
    assert not Named(data={"strategy": "added-later"}).is_valid()
    assert Named(data={"strategy": "renamed"}).is_valid()
    added.delete()
    gone = Named(data={"strategy": "renamed"})
    assert not gone.is_valid() and "strategy" in gone.errors

    hidden = strategy

    class Narrowed(serializers.Serializer):
        strategy = TermField(Strategy, queryset=Strategy.objects.exclude(pk=hidden.pk))

    assert not Narrowed(data={"strategy": hidden.slug}).is_valid()


def test_the_journey_page_comes_from_the_page_cache_and_follows_changes(
        api, signed_in, individual_page, home):
    """A heartbeat or a commit names its journey page: read from the page cache (as
    page views are routed), not from the database, once warm; unpublishing the page or
    naming another kind of page is a 404 at once."""
    signed_in()
    key = individual_page.video_blocks[0].video_key
    body = {"page": individual_page.pk, "video": key, "start": 0, "end": 5}

    def heartbeat(**changes):
        with CaptureQueriesContext(connection) as context:
            response = api.post(API + "pledge/videos/progress/", {**body, **changes},
                                format="json")
        return response, [q["sql"] for q in context.captured_queries]

    heartbeat()  # warm
    response, queries = heartbeat(start=5, end=10)
    assert response.status_code == 200
    assert not [sql for sql in queries if "wagtailcore_page" in sql], queries
    for _ in range(2):  # cold, then warm: still not a journey page
        assert heartbeat(page=home.pk)[0].status_code == 404
    individual_page.unpublish()
    response, _queries = heartbeat(start=10, end=15)
    assert response.status_code == 404
    assert "No live individual pledge page" in response.json()["detail"]
    assert api.get(API + "pledge/videos/", {"page": individual_page.pk}).status_code == 404
