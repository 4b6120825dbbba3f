import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from wagtail_pledges import videos
from wagtail_pledges.models import ActionToken, VideoProgress
from wagtail_pledges.tokens import TokenError, consume_token, hash_token, issue_token, peek_token

pytestmark = pytest.mark.django_db
PURPOSE = ActionToken.Purpose.VERIFY_EMAIL


class TestTokens:
    def test_stored_hashed_single_use(self, user):
        raw = issue_token(PURPOSE, user.email, datetime.timedelta(hours=1), user=user)
        row = ActionToken.objects.get()
        assert row.token_hash == hash_token(raw) and raw not in row.token_hash
        assert peek_token(raw, PURPOSE).pk == row.pk
        with transaction.atomic():
            consume_token(raw, PURPOSE)
        with pytest.raises(TokenError, match="already been used"), transaction.atomic():
            consume_token(raw, PURPOSE)

    def test_expired_and_wrong_purpose_and_garbage(self, user):
        raw = issue_token(PURPOSE, user.email, datetime.timedelta(hours=1), user=user)
        with pytest.raises(TokenError, match="not valid"):
            peek_token(raw, ActionToken.Purpose.STAFF_INVITE)
        with pytest.raises(TokenError, match="not valid"):
            peek_token("x" * 500, PURPOSE)
        with pytest.raises(TokenError, match="not valid"):
            peek_token("", PURPOSE)
        with freeze_time(timezone.now() + datetime.timedelta(hours=2)):
            with pytest.raises(TokenError, match="expired"):
                peek_token(raw, PURPOSE)

    @pytest.mark.django_db(transaction=True)
    def test_consume_requires_a_transaction(self, user):
        raw = issue_token(PURPOSE, user.email, datetime.timedelta(hours=1), user=user)
        with pytest.raises(RuntimeError):
            consume_token(raw, PURPOSE)


class TestVideos:
    def test_watching_in_real_time_completes(self, user):
        start = timezone.now()
        with freeze_time(start):
            videos.record_video_progress(user, "v1", 60, 0, 0)  # the player's "play" report
        for second in range(0, 60, 10):
            with freeze_time(start + datetime.timedelta(seconds=second + 10)):
                progress = videos.record_video_progress(user, "v1", 60, second, second + 10)
        assert progress.completed_at is not None
        assert videos.videos_watched(user) == 1
        assert progress.watched == [[0.0, 60.0]]

    def test_fast_forwarded_reports_do_not_count(self, user):
        for second in range(0, 60, 10):
            progress = videos.record_video_progress(user, "v1", 60, second, second + 10)
        assert videos.coverage(progress) == 0  # no wall-clock time passed between them
        assert progress.completed_at is None

    def test_a_stretch_longer_than_the_time_since_the_last_heartbeat_is_not_counted(self, user):
        start = timezone.now()
        with freeze_time(start):
            videos.record_video_progress(user, "v1", 100, 0, 0)
        with freeze_time(start + datetime.timedelta(seconds=10)):
            progress = videos.record_video_progress(user, "v1", 100, 0, 13)  # > 10 × 1.25
        assert progress.watched == []
        with freeze_time(start + datetime.timedelta(seconds=20)):
            progress = videos.record_video_progress(user, "v1", 100, 13, 25)  # ≤ 12.5
        assert progress.watched == [[13.0, 25.0]]

    def test_two_videos_at_once_share_one_clock(self, user):
        start = timezone.now()
        with freeze_time(start):
            videos.record_video_progress(user, "v1", 100, 0, 0)
        with freeze_time(start + datetime.timedelta(seconds=10)):
            first = videos.record_video_progress(user, "v1", 100, 0, 10)
            second = videos.record_video_progress(user, "v2", 100, 0, 10)
        assert first.watched == [[0.0, 10.0]] and second.watched == []

    def test_skipping_the_middle_does_not_complete(self, user):
        start = timezone.now()
        with freeze_time(start):
            videos.record_video_progress(user, "v1", 100, 0, 10)
        with freeze_time(start + datetime.timedelta(minutes=5)):
            progress = videos.record_video_progress(user, "v1", 100, 90, 100)
        assert progress.completed_at is None
        assert videos.coverage(progress) == pytest.approx(0.1)

    def test_resumable_position(self, user):
        videos.record_video_progress(user, "v1", 100, 0, 30)
        assert VideoProgress.objects.get().position == 30

    @pytest.mark.parametrize(
        ("duration", "start", "end", "message"),
        [
            (60, "abc", 1, "numbers"),
            (60, None, 1, "numbers"),
            (0, 0, 0, "length is not known"),
            (10**9, 0, 1, "length is not known"),
            (60, 30, 10, "start ≤ end"),
            (60, -5, 10, "start ≤ end"),
            (600, 0, 300, "two minutes"),
        ],
    )
    def test_bad_reports_are_refused(self, user, duration, start, end, message):
        with pytest.raises(videos.ProgressError, match=message):
            videos.record_video_progress(user, "v1", duration, start, end)
        assert not VideoProgress.objects.exists()

    def test_the_servers_duration_wins(self, user):
        videos.record_video_progress(user, "v1", 100, 0, 10)
        progress = videos.record_video_progress(user, "v1", 90, 0, 10)  # an editor corrected it
        assert progress.duration == 90


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), max_size=20))
def test_merge_ranges_is_sorted_disjoint_and_covers_input(pairs):
    ranges = [[min(a, b), max(a, b)] for a, b in pairs]
    merged = videos.merge_ranges([list(r) for r in ranges])
    for (s1, e1), (s2, _e2) in zip(merged, merged[1:], strict=False):
        assert e1 + 1.0 < s2
        assert s1 <= e1
    for start, end in ranges:
        assert any(ms <= start and end <= me for ms, me in merged)
