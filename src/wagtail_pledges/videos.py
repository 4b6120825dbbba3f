"""Server-side record of the awareness videos a member has watched.

The player reports which stretch it just played (``start``–``end`` seconds). A video
counts as watched when both hold:

* the reported stretches, merged, cover at least ``VIDEO_COVERAGE_RATIO`` of it, and
* at least ``VIDEO_WALLCLOCK_RATIO`` of its duration has passed on *our* clock since
  the first report — so skipping ahead and replaying fake reports in a burst fails.

Limits (said plainly in docs/explanation/videos.md): a determined member can script
reports at real-time pace; the rule proves time spent, not attention.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .conf import pledges_settings
from .models import VideoProgress

MAX_DURATION = 4 * 3600.0
HEARTBEAT_SECONDS = 15


class ProgressError(ValueError):
    """A progress report that cannot be right; the message names the problem."""


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
        raise ProgressError("duration, start and end must be numbers of seconds.") from exc
    if not 0 < duration <= MAX_DURATION:
        raise ProgressError("duration must be between 0 and 4 hours.")
    if not 0 <= start <= end <= duration + 1:
        raise ProgressError("start and end must satisfy 0 ≤ start ≤ end ≤ duration.")
    if end - start > 120:
        raise ProgressError("report progress at least every two minutes of playback.")
    return duration, start, min(end, duration)


@transaction.atomic
def record_video_progress(user, video_key: str, duration, start, end) -> VideoProgress:
    """Add one played stretch to the member's record of a video."""
    if not video_key or len(video_key) > 100:
        raise ProgressError("Unknown video.")
    duration, start, end = _validate(duration, start, end)
    now = timezone.now()
    progress = (
        VideoProgress.objects.select_for_update().filter(user=user, video_key=video_key).first()
    )
    if progress is None:
        try:
            with transaction.atomic():
                # The first stretch was played before it was reported: count it,
                # but never more than one heartbeat's worth.
                played = datetime.timedelta(seconds=min(end - start, HEARTBEAT_SECONDS))
                progress = VideoProgress.objects.create(
                    user=user, video_key=video_key, duration=duration, watched=[],
                    first_report_at=now - played, last_report_at=now,
                )
        except IntegrityError:
            progress = VideoProgress.objects.select_for_update().get(
                user=user, video_key=video_key
            )
    # The first report fixes the duration: a later one cannot shrink the video.
    if abs(progress.duration - duration) > max(2.0, progress.duration * 0.02):
        raise ProgressError("duration does not match this video.")
    progress.watched = merge_ranges([*progress.watched, [start, end]])
    progress.position = end
    progress.last_report_at = now
    if progress.completed_at is None and is_complete(progress, now):
        progress.completed_at = now
    progress.save()
    return progress


def videos_watched(user, keys=None) -> int:
    qs = VideoProgress.objects.filter(user=user, completed_at__isnull=False)
    if keys is not None:
        qs = qs.filter(video_key__in=list(keys))
    return qs.count()
