"""Server-side record of the awareness videos a member has watched.

The server stands behind "watched" with its own evidence only:

* **which videos** — a report names the page it was played on; only that page's
  own awareness videos are accepted (any other key: refused, nothing stored);
* **how long they are** — the real duration, read from the file with mutagen when
  an editor saves the block (or typed by the editor); the client's figure is ignored;
* **how fast they played** — each heartbeat reports a played stretch
  (``start``–``end`` seconds); it counts only if it is no longer than
  ``VIDEO_MAX_PLAYBACK_RATE`` × the wall-clock time since the member's previous
  heartbeat (on any video, so playing two at once does not count double).

A video is complete when the counted stretches, merged, cover
``VIDEO_COVERAGE_RATIO`` of its real duration **and** ``VIDEO_WALLCLOCK_RATIO`` of
that duration has passed on our clock since the first report.

Limits (said plainly in docs/explanation/videos.md): a scripted client that sends
heartbeats at real-time pace still gets the video counted — it proves time spent,
not attention — but it costs that client the video's length in real time.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import IntegrityError, router, transaction
from django.db.models import Max
from django.utils import timezone

from .conf import pledges_settings
from .models import VideoProgress
from .prepared import PreparedQuery

logger = logging.getLogger(__name__)
MAX_DURATION = 4 * 3600.0
MAX_STRETCH = 120.0


class ProgressError(ValueError):
    """A progress report that cannot be right; the message names the problem."""


# -- the real duration ----------------------------------------------------------------


def read_duration(document) -> float | None:
    """Seconds of an uploaded video file (MP4/M4V; mutagen reads its header), or None.

    WebM is not read (mutagen has no Matroska reader): editors type its length.
    Cached per file, so a page view never opens the file twice.
    """
    if document is None or not getattr(document, "file", None):
        return None
    key = f"wagtail_pledges:video-duration:{document.pk}:{document.file.name}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    import mutagen

    length = 0.0
    try:
        with document.file.open("rb") as handle:
            parsed = mutagen.File(handle)
        length = float(parsed.info.length) if parsed is not None else 0.0
    except (OSError, mutagen.MutagenError, AttributeError, ValueError):
        logger.warning("Could not read the length of video document %s", document.pk)
    length = length if 0 < length <= MAX_DURATION else 0.0
    cache.set(key, length, 24 * 3600)
    return length or None


# -- recording heartbeats ---------------------------------------------------------------


def merge_ranges(ranges: list[list[float]]) -> list[list[float]]:
    merged: list[list[float]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1.0:  # allow a 1s gap between heartbeats
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def coverage(progress: VideoProgress) -> float:
    if progress.duration <= 0:
        return 0.0
    return min(1.0, sum(end - start for start, end in progress.watched) / progress.duration)


def is_complete(progress: VideoProgress, now=None) -> bool:
    now = now or timezone.now()
    elapsed = (now - progress.first_report_at).total_seconds()
    return (
        coverage(progress) >= pledges_settings.VIDEO_COVERAGE_RATIO
        and elapsed >= pledges_settings.VIDEO_WALLCLOCK_RATIO * progress.duration
    )


def _validate(duration, start, end) -> tuple[float, float, float]:
    try:
        duration, start, end = float(duration), float(start), float(end)
    except (TypeError, ValueError) as exc:
        raise ProgressError("start and end must be numbers of seconds.") from exc
    if not 0 < duration <= MAX_DURATION:  # the server's own figure: a setup error
        raise ProgressError("This video's length is not known. Ask an editor to set it.")
    if not 0 <= start <= end <= duration + 1:
        raise ProgressError("start and end must satisfy 0 ≤ start ≤ end ≤ the video's length.")
    if end - start > MAX_STRETCH:
        raise ProgressError("report progress at least every two minutes of playback.")
    return duration, start, min(end, duration)


def _previous_heartbeat(user):
    return VideoProgress.objects.filter(user=user).aggregate(at=Max("last_report_at"))["at"]


@transaction.atomic
def record_video_progress(user, video_key: str, duration, start, end) -> VideoProgress:
    """Add one played stretch to the member's record of a video.

    ``duration`` is the server's figure for the video (see :func:`page_videos`), never
    the client's. A stretch played faster than the wall clock allows is not counted,
    but still moves the clock on (it is a heartbeat).
    """
    if not video_key or len(video_key) > 100:
        raise ProgressError("Unknown video.")
    duration, start, end = _validate(duration, start, end)
    now = timezone.now()
    previous = _previous_heartbeat(user)
    progress = (
        VideoProgress.objects.select_for_update().filter(user=user, video_key=video_key).first()
    )
    if progress is None:
        try:
            with transaction.atomic():
                progress = VideoProgress.objects.create(
                    user=user, video_key=video_key, duration=duration, watched=[],
                    first_report_at=now, last_report_at=now,
                )
        except IntegrityError:
            progress = VideoProgress.objects.select_for_update().get(
                user=user, video_key=video_key
            )
    allowed = 0.0 if previous is None else (
        max(0.0, (now - previous).total_seconds()) * pledges_settings.VIDEO_MAX_PLAYBACK_RATE
    )
    if end > start and end - start <= allowed:
        progress.watched = merge_ranges([*progress.watched, [start, end]])
    progress.duration = duration  # an editor's correction applies from now on
    progress.position = end
    progress.last_report_at = now
    if progress.completed_at is None and is_complete(progress, now):
        progress.completed_at = now
    progress.save()
    return progress


# Asked under the membership lock on every submission: compiled once per connection.
_completed_videos = PreparedQuery(
    lambda user_pk: VideoProgress.objects.filter(user_id=user_pk, completed_at__isnull=False)
    .values_list("video_key")
)


#: The attribute a pledge locked for its submission carries on PostgreSQL: the keys of
#: its member's completed videos, read with the row lock (lifecycle.writer).
COMPLETED_VIDEOS = "pledges_completed_videos"


def videos_watched(user, keys=None, completed=None) -> int:
    """How many of the videos ``keys`` (``None``: any tracked video) ``user`` has
    completed. One query: the user's completed videos (a member has one row per video)
    — none when ``completed``, those keys, was read already (with a row lock)."""
    done = set(completed) if completed is not None else {
        key for (key,) in _completed_videos.rows(user.pk, router.db_for_read(VideoProgress))}
    return len(done if keys is None else done.intersection(keys))
