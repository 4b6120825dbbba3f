"""Dates the lifecycle counts in: today (in the site's time zone) and periods."""

from __future__ import annotations

import calendar
import datetime

from django.utils import timezone

from ..conf import pledges_settings


def today() -> datetime.date:
    return timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole months, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def period_for(start: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The commitment period that starts on ``start`` (``COMMITMENT_PERIOD_MONTHS`` long)."""
    return start, add_months(start, pledges_settings.COMMITMENT_PERIOD_MONTHS)
