"""Issue 10: videos cannot be skipped by forging progress reports."""

import datetime
import io
import json
import pathlib

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from freezegun import freeze_time
from wagtail.documents import get_document_model

from tests import factories
from wagtail_pledges.blocks import AwarenessVideoBlock
from wagtail_pledges.models import VideoProgress

pytestmark = pytest.mark.django_db
URL = "/pledges/videos/progress/"
DEMO_MP4 = (pathlib.Path(__file__).parents[2]
            / "example_project/rrn/site/demo_media/awareness-video-1.mp4")


def report(client, **body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_tiny_duration_and_burst_of_reports_do_not_open_the_commit_step(client, individual_page):
    """The trial's attack: a 1-second duration and a range covering it, for both videos."""
    user = factories.UserFactory(verified=True)
    client.force_login(user)
    client.post(individual_page.url + "start/")
    for video in individual_page.video_blocks:
        for _ in range(3):
            response = report(client, page=individual_page.pk, video=video.video_key,
                              duration=1, start=0, end=1)
            assert response.status_code == 200 and response.json()["completed"] is False
    assert VideoProgress.objects.filter(user=user, duration=60).count() == 2  # server's length
    assert not VideoProgress.objects.filter(completed_at__isnull=False).exists()
    commit = client.get(individual_page.url + "commit/")
    assert commit.status_code == 302 and commit["Location"].endswith("video/1/")


def test_reports_faster_than_the_clock_are_not_counted(client, individual_page):
    user = factories.UserFactory(verified=True)
    client.force_login(user)
    key = individual_page.video_blocks[0].video_key
    start = timezone.now()
    with freeze_time(start):
        report(client, page=individual_page.pk, video=key, start=0, end=0)
    with freeze_time(start + datetime.timedelta(seconds=10)):  # 60s of video in 10s
        for n in range(6):
            report(client, page=individual_page.pk, video=key, start=n * 10, end=n * 10 + 10)
    # 10 s of wall clock pays for one stretch of ≤ 12.5 s; the rest are not counted.
    progress = VideoProgress.objects.get(user=user)
    assert progress.watched == [[0.0, 10.0]] and progress.completed_at is None


def test_real_time_playback_through_the_endpoint_completes(client, individual_page):
    user = factories.UserFactory(verified=True)
    client.force_login(user)
    key = individual_page.video_blocks[0].video_key
    start = timezone.now()
    with freeze_time(start):
        report(client, page=individual_page.pk, video=key, start=0, end=0)
    for n in range(6):
        with freeze_time(start + datetime.timedelta(seconds=10 * n + 10)):
            response = report(client, page=individual_page.pk, video=key,
                              start=n * 10, end=n * 10 + 10)
    assert response.json()["completed"] is True


@pytest.mark.parametrize("body", [
    {"video": "video-1"},  # no page
    {"page": "abc", "video": "x"},
    {"page": True, "video": "x"},
    {"page": 10**30, "video": "x"},
    {"video": ["x"]},
])
def test_malformed_page_or_key_is_400_and_stores_nothing(client, user, individual_page, body):
    client.force_login(user)
    response = report(client, **body, start=0, end=1)
    assert response.status_code == 400
    assert not VideoProgress.objects.exists()


def test_a_key_that_is_not_the_pages_is_400_and_not_exported(client, user, individual_page,
                                                               plain_page):
    client.force_login(user)
    for page, key in [(individual_page.pk, "made-up"), (plain_page.pk,
                                                       individual_page.video_blocks[0].video_key)]:
        response = report(client, page=page, video=key, start=0, end=1)
        assert response.status_code == 400 and response.json()["error"] == "Unknown video."
    assert not VideoProgress.objects.exists()
    export = client.get("/pledges/my-data/export/").json()
    assert "made-up" not in json.dumps(export)


def test_the_real_duration_is_read_from_the_uploaded_file():
    document = get_document_model().objects.create(
        title="Video", file=ContentFile(DEMO_MP4.read_bytes(), name="awareness.mp4"))
    block = AwarenessVideoBlock()
    value = block.clean(block.to_python({"title": "One", "document": document.pk,
                                         "video_url": "", "duration": None}))
    assert value["duration"] == pytest.approx(24.05, abs=0.1)
    # The editor's figure wins over the file's.
    value = block.clean(block.to_python({"title": "One", "document": document.pk,
                                         "video_url": "", "duration": 30}))
    assert value["duration"] == 30


def test_a_video_whose_length_cannot_be_read_needs_one_typed():
    from wagtail.blocks.struct_block import StructBlockValidationError

    document = get_document_model().objects.create(
        title="Not a video", file=ContentFile(io.BytesIO(b"hello").read(), name="x.webm"))
    block = AwarenessVideoBlock()
    with pytest.raises(StructBlockValidationError) as raised:
        block.clean(block.to_python({"title": "One", "document": document.pk,
                                     "video_url": "", "duration": None}))
    assert "duration" in raised.value.block_errors
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"title": "One", "video_url": "https://cdn.example/v.mp4",
                                     "duration": None}))


def test_a_page_the_viewer_may_not_see_takes_no_reports_in_either_door(client, individual_page):
    """Issue 10: progress on a private page is refused to those the policy refuses it
    (the page view and the API ask the same function)."""
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    restriction = PageViewRestriction.objects.create(
        page=individual_page, restriction_type=PageViewRestriction.GROUPS)
    insiders = Group.objects.create(name="Insiders")
    restriction.groups.add(insiders)
    user = factories.UserFactory(verified=True)
    client.force_login(user)
    key = individual_page.video_blocks[0].video_key
    body = {"page": individual_page.pk, "video": key, "start": 0, "end": 0}
    response = report(client, **body)
    assert response.status_code == 400 and response.json() == {"error": "Unknown video."}
    api = client.post("/api/pledges/v1/pledge/videos/progress/", json.dumps(body),
                      content_type="application/json")
    assert api.status_code == 404
    assert not VideoProgress.objects.exists()
    # Let in by the restriction's group, the same reports count.
    user.groups.add(insiders)
    assert report(client, **body).status_code == 200
    assert client.post("/api/pledges/v1/pledge/videos/progress/", json.dumps(body),
                       content_type="application/json").status_code == 200
    assert VideoProgress.objects.filter(user=user).count() == 1
