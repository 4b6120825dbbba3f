"""The daily run: renewal due, reminders, lapses, registered daily jobs, the outbox.

Services above the lifecycle (the legacy migration campaign, or a site's own) add
their daily work with :func:`register_daily_job` instead of being imported here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

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


def run_daily(on: datetime.date | None = None) -> dict[str, int]:
    """Renewal due, reminders, lapses, outbox. Idempotent: run it as often as you like."""
    on = on or today()
    done = {"renewal_due": 0, "reminders": 0, "lapsed": 0}
    reminder_days = sorted(pledges_settings.RENEWAL_REMINDER_DAYS, reverse=True)
    horizon = on + datetime.timedelta(days=pledges_settings.renewal_due_days)

    for membership in _candidates(status=Status.ACTIVE, period_end__lte=horizon,
                                  period_end__gte=on):
        done["renewal_due"] += _safely(mark_renewal_due, membership)
    for membership in _candidates(status__in=[Status.ACTIVE, Status.RENEWAL_DUE],
                                  period_end__lt=on):
        done["lapsed"] += _safely(lapse, membership, None, _("The commitment period ended."))
    # The migration campaign (registered by the app) lapses legacy memberships at the
    # deadline, with its final notice; its counts join these.
    for job in _DAILY_JOBS:
        for key, value in job(on).items():
            done[key] = done.get(key, 0) + value
    for membership in _candidates(status__in=[Status.ACTIVE, Status.RENEWAL_DUE],
                                  period_end__gte=on, period_end__lte=horizon):
        left = (membership.period_end - on).days
        # Only the nearest threshold not yet sent: a member never gets 60- and
        # 14-day reminders on the same day after a missed run.
        due = [d for d in reminder_days if left <= d and d not in membership.reminders_sent]
        if due:
            done["reminders"] += _safely(send_renewal_reminder, membership, min(due))
    done.update({f"outbox_{k}": v for k, v in deliver_due().items()})
    return done


def _candidates(**filters) -> Iterable[Membership]:
    # A list, not a streaming cursor: each candidate is then changed in its own
    # transaction, and SQLite gives no isolation between a connection's open cursor
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
