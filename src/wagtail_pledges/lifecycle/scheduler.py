"""The daily run: renewal due, reminders, lapses, registered daily jobs, the outbox.

Services above the lifecycle (the legacy migration campaign, or a site's own) add
their daily work with :func:`register_daily_job` instead of being imported here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..conf import pledges_settings
from ..models import Membership, Status
from ..notifications.delivery import deliver_due
from .dates import today
from .rules import TransitionError
from .transitions import lapse, mark_renewal_due, send_renewal_reminder

# Callables ``job(on) -> dict[str, int]``, run in order by every daily run; their
# counts are added to the run's (the same key adds up).
_DAILY_JOBS: list[Callable[[datetime.date], dict[str, int]]] = []


def register_daily_job(job: Callable[[datetime.date], dict[str, int]]) -> None:
    """Run ``job(on)`` in every :func:`run_daily`, before the outbox is sent.

    The job must be idempotent, as ``run_daily`` is. Registering twice is harmless.
    """
    if job not in _DAILY_JOBS:
        _DAILY_JOBS.append(job)


def run_daily(on: datetime.date | None = None,
              progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Renewal due, reminders, lapses, outbox. Idempotent: run it as often as you like.

    Candidates are chosen by indexed queries, so a day with nothing due costs a few
    statements whatever the number of members. Each membership still changes through
    its lifecycle function, in its own savepoint; :data:`BATCH` of them share one
    commit. ``progress(step, done, total)`` is called after each batch.
    """
    on = on or today()
    started = timezone.now()
    done = {"renewal_due": 0, "reminders": 0, "lapsed": 0}
    reminder_days = sorted(pledges_settings.RENEWAL_REMINDER_DAYS, reverse=True)
    horizon = on + datetime.timedelta(days=pledges_settings.renewal_due_days)

    done["renewal_due"] += _in_batches(
        "renewal_due", _candidates(status=Status.ACTIVE, period_end__lte=horizon,
                                   period_end__gte=on),
        lambda membership: _safely(mark_renewal_due, membership), progress)
    done["lapsed"] += _in_batches(
        "lapsed", _candidates(status__in=[Status.ACTIVE, Status.RENEWAL_DUE], period_end__lt=on),
        lambda membership: _safely(lapse, membership, None, _("The commitment period ended.")),
        progress)
    # The migration campaign (registered by the app) lapses legacy memberships at the
    # deadline, with its final notice; its counts join these.
    for job in _DAILY_JOBS:
        for key, value in job(on).items():
            done[key] = done.get(key, 0) + value

    def due(membership) -> int | None:
        left = (membership.period_end - on).days
        # Only the nearest threshold not yet sent: a member never gets 60- and
        # 14-day reminders on the same day after a missed run.
        days = [d for d in reminder_days if left <= d and d not in membership.reminders_sent]
        return min(days) if days else None

    # Most of the window was reminded on earlier days: only those due today are
    # changed (in batches), not every candidate in a transaction of its own.
    reminders = [(membership, days) for membership in _candidates(
        status__in=[Status.ACTIVE, Status.RENEWAL_DUE], period_end__gte=on,
        period_end__lte=horizon) if (days := due(membership)) is not None]
    done["reminders"] += _in_batches(
        "reminders", reminders, lambda item: _safely(send_renewal_reminder, *item), progress)
    # Emails this run queued are the task worker's; the run retries only what was
    # already due when it started (the worker was down, or mail was).
    done.update({f"outbox_{k}": v for k, v in deliver_due(due_before=started).items()})
    return done


#: Memberships changed per commit by the daily run. Each has its own savepoint, so a
#: refused transition undoes only itself; a batch holds its rows' locks (and the
#: counter rows') for well under a second.
BATCH = 50


def _in_batches(step: str, candidates: list, change, progress) -> int:
    changed = 0
    for start in range(0, len(candidates), BATCH):
        with transaction.atomic():
            for membership in candidates[start:start + BATCH]:
                changed += change(membership)
        if progress:
            progress(step, min(start + BATCH, len(candidates)), len(candidates))
    return changed


def _candidates(**filters) -> list[Membership]:
    # A list, not a streaming cursor: each candidate is then changed in its own
    # savepoint, and SQLite gives no isolation between a connection's open cursor
    # and its own writes. Every transition re-reads its row under lock anyway.
    return list(
        Membership.objects.filter(**filters)
        .only("pk", "status", "period_end", "reminders_sent")
        .order_by("pk")
    )


def _safely(fn, *args) -> int:
    try:
        return int(bool(fn(*args)))
    except TransitionError:  # changed by someone else since it was listed
        return 0
