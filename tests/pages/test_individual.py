import datetime

import pytest
from django.core import mail

from tests import factories
from tests.pages.conftest import watch
from wagtail_pledges import lifecycle
from wagtail_pledges.models import Membership, Pledge, ReviewStatus, Status, VideoProgress

pytestmark = pytest.mark.django_db


def url(page, sub=""):
    return page.url + sub


def ready_to_commit(client, page, watched=None):
    """A verified member signed in, their pledge started and ``watched`` of the
    page's videos watched (all by default); the commit form's data."""
    user = factories.UserFactory(verified=True)
    client.force_login(user)
    client.post(url(page, "start/"))
    watch(user, page, count=watched)
    return user, {"action": "Reduce seclusion", "strategy": factories.strategy().pk,
                  "target_date": (lifecycle.today()
                                  + datetime.timedelta(days=30)).isoformat()}


def test_anonymous_is_asked_to_sign_in_and_steps_redirect_to_login(client, individual_page):
    response = client.get(individual_page.url)
    assert response.status_code == 200
    assert b"data-pledges-sign-in" in response.content
    assert b"/login/?next=/pledge/" in response.content
    for sub in ("video/1/", "commit/", "done/", "check-email/"):
        response = client.get(url(individual_page, sub))
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=/pledge/" + sub)
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_start_needs_post(client, user, individual_page):
    client.force_login(user)
    assert client.get(url(individual_page, "start/")).status_code == 405
    assert not Membership.objects.filter(user=user).exists()


def test_full_journey_for_unverified_member(client, individual_page,
                                            django_capture_on_commit_callbacks):
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(url(individual_page, "start/"))
    assert response["Location"] == url(individual_page, "video/1/")
    pledge = Pledge.objects.get(user=user)
    assert pledge.review_status == ReviewStatus.DRAFT

    # Video 2 and the action wait for video 1.
    assert client.get(url(individual_page, "video/2/"))["Location"] == url(
        individual_page, "video/1/")
    assert client.get(url(individual_page, "commit/"))["Location"] == url(
        individual_page, "video/1/")
    page = client.get(url(individual_page, "video/1/"))
    key = individual_page.video_blocks[0].video_key
    assert f'data-key="{key}"'.encode() in page.content
    assert b'data-progress-url="/pledges/videos/progress/"' in page.content
    assert b"https://cdn.example.org/v1.mp4" in page.content

    watch(user, individual_page, 1)
    assert client.get(individual_page.url).context["continue_url"] == url(
        individual_page, "video/2/")
    watch(user, individual_page)
    response = client.get(url(individual_page, "commit/"))
    assert response.status_code == 200
    assert 'name="action"' in response.content.decode()

    target = lifecycle.today() + datetime.timedelta(days=60)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(individual_page, "commit/"), {
            "action": "Debrief after every incident", "strategy": factories.strategy().pk,
            "target_date": target.isoformat(),
        })
    assert response["Location"] == url(individual_page, "check-email/")
    pledge.refresh_from_db()
    assert pledge.review_status == ReviewStatus.SUBMITTED
    assert pledge.action == "Debrief after every incident"
    assert any("confirm" in m.subject.lower() for m in mail.outbox)
    page = client.get(url(individual_page, "check-email/"))
    assert user.email in page.content.decode()
    assert b"/pledges/confirm-again/" in page.content


def test_verified_member_goes_straight_to_done(client, individual_page):
    user = factories.UserFactory(verified=True)
    client.force_login(user)
    client.post(url(individual_page, "start/"))
    watch(user, individual_page)
    response = client.post(url(individual_page, "commit/"), {
        "action": "Reduce seclusion", "strategy": factories.strategy().pk,
        "target_date": (lifecycle.today() + datetime.timedelta(days=30)).isoformat(),
    })
    assert response["Location"] == url(individual_page, "done/")
    assert Membership.objects.get(user=user).status == Status.ACTIVE
    done = client.get(response["Location"])
    assert "you are a member" in done.content.decode()
    assert "Reduce seclusion" in done.content.decode()
    # Coming back later lands on done, not on the videos.
    assert client.get(url(individual_page, "video/1/"))["Location"] == url(
        individual_page, "done/")


def test_commit_errors_name_fields_and_keep_draft(client, individual_page):
    user = factories.UserFactory(verified=True)
    client.force_login(user)
    client.post(url(individual_page, "start/"))
    watch(user, individual_page)
    far = lifecycle.today() + datetime.timedelta(days=365 * 5)
    response = client.post(url(individual_page, "commit/"), {
        "action": "Something good", "strategy": factories.strategy().pk,
        "target_date": far.isoformat(),
    })
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "target_date" in errors and "must fall between" in errors["target_date"][0]
    body = response.content.decode()
    assert 'href="#id_target_date"' in body  # error summary links to the field
    assert 'aria-describedby="id_target_date_helptext id_target_date_error"' in body or \
        "id_target_date_error" in body
    pledge = Pledge.objects.get(user=user)
    assert pledge.review_status == ReviewStatus.DRAFT
    assert pledge.action == "Something good"  # typed text kept

    response = client.post(url(individual_page, "commit/"), {"strategy": "nonsense"})
    assert response.status_code == 400
    assert {"action", "strategy", "target_date"} <= set(response.context["form"].errors)


def test_video_number_out_of_range_is_404(client, user, individual_page):
    client.force_login(user)
    client.post(url(individual_page, "start/"))
    assert client.get(url(individual_page, "video/3/")).status_code == 404
    assert client.get(url(individual_page, "video/0/")).status_code == 404


def test_video_position_is_restored(client, individual_page):
    user = factories.UserFactory()
    client.force_login(user)
    client.post(url(individual_page, "start/"))
    key = individual_page.video_blocks[0].video_key
    response = client.post("/pledges/videos/progress/", {"page": individual_page.pk,
                                                          "video": key, "start": 0,
                                                          "end": 42.5},
                           content_type="application/json")
    assert response.status_code == 200
    assert VideoProgress.objects.get(user=user, video_key=key).position == 42.5
    page = client.get(url(individual_page, "video/1/"))
    assert b'data-start="42.500000"' in page.content


def test_active_member_not_due_cannot_start_again(client, individual_page):
    pledge = factories.active_individual()
    client.force_login(pledge.user)
    response = client.get(individual_page.url)
    assert response.context["journey"]["step"] == "done"
    response = client.post(url(individual_page, "start/"), follow=True)
    assert Pledge.objects.filter(user=pledge.user).count() == 1


def test_renewal_due_member_can_start_next_pledge(client, individual_page):
    pledge = factories.active_individual()
    lifecycle.mark_renewal_due(Membership.objects.get(user=pledge.user))
    client.force_login(pledge.user)
    response = client.get(individual_page.url)
    assert response.context["journey"]["step"] == "start"
    assert b"Renew my pledge" in response.content
    client.post(url(individual_page, "start/"))
    assert Pledge.objects.filter(user=pledge.user).count() == 2


def test_changes_requested_comment_shown(client, individual_page, reviewer):
    pledge = factories.complete_pledge(factories.draft_pledge())
    # A reviewer-led flow: submitted for review, then sent back.
    pledge.user.pledges_profile.delete()
    lifecycle.submit_pledge(pledge)
    lifecycle.request_changes(pledge, reviewer, "Please make the action more specific.")
    client.force_login(pledge.user)
    watch(pledge.user, individual_page)
    response = client.get(url(individual_page, "commit/"))
    assert b"Please make the action more specific." in response.content


def test_block_counts_page_video_keys_are_stable(individual_page):
    keys = [v.video_key for v in individual_page.video_blocks]
    assert len(set(keys)) == 2 and all(k.startswith("url:") and len(k) <= 100 for k in keys)
    individual_page.save_revision().publish()
    individual_page.refresh_from_db()
    assert [v.video_key for v in individual_page.video_blocks] == keys


def test_step_bar_marks_action_done_once_committed():
    from django.template.loader import render_to_string

    html = render_to_string("wagtail_pledges/pages/_journey_steps.html",
                            {"current": "check_email", "journey": {"watched": []}})
    assert '<li class="pledges-steps__done">Your action</li>' in html
    assert '<li aria-current="step">Confirm your email</li>' in html


def test_the_action_form_checks_the_strategy_with_one_query(django_assert_num_queries):
    from wagtail_pledges.forms import PledgeActionForm

    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)
    data = {"action": "Debrief.", "strategy": factories.strategy().pk,
            "target_date": (lifecycle.today() + datetime.timedelta(days=60)).isoformat()}
    with django_assert_num_queries(1):  # the strategy, not again for the model's check
        assert PledgeActionForm(data, instance=pledge).is_valid()
    form = PledgeActionForm({**data, "strategy": 999999}, instance=pledge)
    assert not form.is_valid() and "strategy" in form.errors


def test_a_strategy_read_already_is_not_read_again(django_assert_num_queries):
    """The API's serializer has read the strategy by slug; handed to the form as the
    instance, it is taken as it is. An unsaved or filtered-out one is not."""
    from wagtail_pledges.forms import PledgeActionForm
    from wagtail_pledges.models import Strategy

    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)
    strategy = factories.strategy()
    data = {"action": "Debrief.", "strategy": strategy,
            "target_date": (lifecycle.today() + datetime.timedelta(days=60)).isoformat()}
    with django_assert_num_queries(0):
        form = PledgeActionForm(data, instance=pledge)
        assert form.is_valid() and form.cleaned_data["strategy"] == strategy
    unsaved = Strategy(name="Not saved", slug="not-saved")
    assert not PledgeActionForm({**data, "strategy": unsaved}, instance=pledge).is_valid()
    form = PledgeActionForm(data, instance=pledge)
    form.fields["strategy"].queryset = Strategy.objects.exclude(pk=strategy.pk)
    assert not form.is_valid() and "strategy" in form.errors


def test_the_action_forms_strategy_refuses_hostile_ids_by_field():
    """The strategy is looked up by a prepared query; whatever is sent instead of an
    id is a field error (never a server error), as Django's own field answers."""
    from wagtail_pledges.forms import PledgeActionForm

    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)
    strategy = factories.strategy()
    data = {"action": "Debrief.",
            "target_date": (lifecycle.today() + datetime.timedelta(days=60)).isoformat()}
    for hostile in ("abc", "999999", str(2**40), str(10**30), "-1", "1.5", "6\x00", " "):
        form = PledgeActionForm({**data, "strategy": hostile}, instance=pledge)
        assert not form.is_valid() and "strategy" in form.errors, hostile
    from unittest import mock

    from django.forms import ModelChoiceField

    with mock.patch.object(ModelChoiceField, "to_python", autospec=True) as django_lookup:
        form = PledgeActionForm({**data, "strategy": f" {strategy.pk}"}, instance=pledge)
        assert form.is_valid() and form.cleaned_data["strategy"] == strategy
    assert not django_lookup.called  # the prepared lookup, not the ORM's own


def test_committing_reads_the_journey_once(client, individual_page,
                                           django_assert_max_num_queries):
    """The commit POST reads the pledge and the video progress only under the lock;
    where to go next comes from the pledge just submitted, not from reading them
    again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.active_individual()  # the counters and groups exist, as on a live site
    user, data = ready_to_commit(client, individual_page)
    # Wagtail's serving (site, pages, view restrictions: 7), the session (2) and the
    # form (1); then the transaction — the pledge found under its lock, what was typed
    # written with the submission (no separate draft save, no savepoint): 11.
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(22):
        response = client.post(url(individual_page, "commit/"), data)
    assert response["Location"] == url(individual_page, "done/")
    sql = [q["sql"] for q in queries]
    progress = [s for s in sql if 'FROM "wagtail_pledges_videoprogress"' in s]
    # Only the check under the lock (the completed videos' keys): the journey's own
    # read of every progress row is for the pages that show it.
    assert len(progress) == 1 and '"wagtail_pledges_videoprogress"."id"' not in progress[0]
    # The member's standing is not asked apart: the signed-in user is read with it
    # (wagtail_pledges.auth), and nothing else reads their roles.
    user_reads = [s for s in sql if s.startswith('SELECT "testapp_user"."id"')]
    assert len(user_reads) == 1, user_reads
    assert not [s for s in sql if "wagtail_pledges_organisationrole" in s
                and s not in user_reads]


def test_reading_videos_given_by_url_asks_the_database_nothing(individual_page,
                                                               django_assert_num_queries):
    """A video given by URL, without captions, has no document to look up: reading the
    page's videos (every journey step, every submission) builds no query (Wagtail's
    chooser would build one for ``in_bulk([None, None])``, which matches nothing)."""
    from unittest import mock

    from django.db.models import QuerySet
    from wagtail.documents import get_document_model

    from wagtail_pledges.pages.models import IndividualPledgePage

    page = IndividualPledgePage.objects.get(pk=individual_page.pk)
    with django_assert_num_queries(0), \
            mock.patch.object(QuerySet, "in_bulk", autospec=True) as in_bulk:
        videos = page.video_blocks
    assert not in_bulk.called
    assert [v["document"] for v in videos] == [None, None]
    assert [v["captions"] for v in videos] == [None, None]
    # A video given as a document is still read (one query for the page's documents).
    document = get_document_model().objects.create(title="Video", file="videos/v.mp4")
    page.videos = [("video", {**videos[0], "document": document, "video_url": ""}),
                   ("video", dict(videos[1]))]
    page.save()
    page = IndividualPledgePage.objects.get(pk=individual_page.pk)
    with django_assert_num_queries(1):
        videos = page.video_blocks
    assert videos[0]["document"] == document and videos[1]["document"] is None


def test_a_commit_before_the_videos_sends_the_member_back_and_keeps_what_they_typed(
        client, individual_page):
    """Whether the videos were watched is decided under the row lock, once: a POST
    that skipped them (a forged or replayed form) submits nothing, emails nothing,
    and leads back to the first video unwatched, with what was typed kept."""
    user, data = ready_to_commit(client, individual_page, watched=1)
    mail.outbox.clear()
    response = client.post(url(individual_page, "commit/"), data, follow=True)
    assert response.redirect_chain[0][0] == url(individual_page, "video/2/")
    assert "Watch both awareness videos" in response.content.decode()
    pledge = Pledge.objects.get(user=user)
    assert pledge.review_status == ReviewStatus.DRAFT and pledge.action == "Reduce seclusion"
    assert Membership.objects.get(user=user).status == Status.DRAFT
    assert mail.outbox == []
    # An invalid form without the videos goes the same way (nothing to show there).
    response = client.post(url(individual_page, "commit/"), {"action": ""})
    assert response["Location"] == url(individual_page, "video/2/")


def test_a_commit_after_the_pledge_was_submitted_changes_nothing(client, individual_page):
    """A replayed commit POST, once the pledge is submitted, goes to where the member
    is; what was submitted stays as it was."""
    user, data = ready_to_commit(client, individual_page)
    assert client.post(url(individual_page, "commit/"), data)["Location"] == \
        url(individual_page, "done/")
    replayed = client.post(url(individual_page, "commit/"), {**data, "action": "Changed"})
    assert replayed["Location"] == url(individual_page, "done/")
    assert Pledge.objects.get(user=user).action == "Reduce seclusion"


def test_video_keys_come_from_the_stored_stream_without_document_lookups(
        individual_page, django_assert_num_queries):
    """The keys every step and submission checks are the videos' own keys, read
    without looking a document up; a deleted file's video keeps its key."""
    from wagtail.documents import get_document_model

    from wagtail_pledges.pages.models import IndividualPledgePage

    videos = individual_page.video_blocks
    document = get_document_model().objects.create(title="Video", file="videos/v.mp4")
    individual_page.videos = [
        ("video", {**videos[0], "document": document, "video_url": ""}),
        ("video", dict(videos[1]))]
    individual_page.save()
    page = IndividualPledgePage.objects.get(pk=individual_page.pk)
    with django_assert_num_queries(0):
        keys = page.video_keys
    assert keys == [v.video_key for v in page.video_blocks] == \
        [f"doc:{document.pk}", videos[1].video_key]
    document.delete()
    page = IndividualPledgePage.objects.get(pk=individual_page.pk)
    assert page.video_keys == keys
