"""One lazy object over the ``WAGTAIL_PLEDGES`` setting.

Nothing here reads Django settings at import time: every attribute access looks the
value up again, so ``override_settings`` in tests and settings changed after import
both just work. Defaults live in :data:`DEFAULTS` and nowhere else; each key is
documented in ``docs/reference/settings.md`` and validated by :mod:`wagtail_pledges.checks`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings as django_settings
from django.utils.module_loading import import_string

DEFAULTS: dict[str, Any] = {
    # Dotted path to the MembershipPolicy class that decides every benefit.
    "POLICY": "wagtail_pledges.policy.MembershipPolicy",
    # Length of one commitment period, from approval.
    "COMMITMENT_PERIOD_MONTHS": 24,
    # Days before the period ends when reminders go out; the largest also marks
    # the membership "renewal_due".
    "RENEWAL_REMINDER_DAYS": [60, 14],
    # Individuals become active on email confirmation unless this is True.
    "INDIVIDUAL_REQUIRES_REVIEW": False,
    # Whether a submitted (not yet reviewed) membership already has benefits.
    "SUBMITTED_HAS_BENEFITS": False,
    # Old-pledge signatories keep benefits until this date (ISO string or date);
    # None means legacy status never grants benefits by date.
    "LEGACY_DEADLINE": None,
    # Reminder waves of the migration campaign, in days before LEGACY_DEADLINE: each
    # signatory invited but not claimed, or claimed but not moved, gets each wave once.
    "LEGACY_REMINDER_DAYS": [60, 30, 7],
    # Awareness videos an individual must watch before committing to an action.
    "REQUIRED_VIDEOS": 2,
    # A video counts as watched when this share of its duration was reported ...
    "VIDEO_COVERAGE_RATIO": 0.9,
    # ... and this share of its duration has passed on the server's clock since the
    # first report.
    "VIDEO_WALLCLOCK_RATIO": 0.9,
    # An action plan has this many priorities, at least and at most (checked on the
    # plan form and again at submission).
    "PLAN_MIN_PRIORITIES": 2,
    "PLAN_MAX_PRIORITIES": 4,
    # A heartbeat's position may advance at most this many times the wall-clock time
    # since the previous heartbeat (room for a 1.25x playback speed); faster stretches
    # are not counted as watched.
    "VIDEO_MAX_PLAYBACK_RATE": 1.25,
    # Requests per user and per IP, as django-ratelimit rates ("count/period", period
    # s, m, h or d). Going over answers 429 with when to try again.
    "RATE_LIMITS": {
        "resend_confirmation": "3/h",
        "join": "10/h",
        "claim": "10/h",
        "invite": "20/h",
        "progress_update": "20/h",
        "video_progress": "600/h",
    },
    # Dotted path to callable(user) -> bool: "is this user's email already verified?"
    # None: the package verifies addresses itself.
    "EMAIL_VERIFIED_HOOK": None,
    # Lifetime of emailed links.
    "EMAIL_TOKEN_MAX_AGE_HOURS": 72,
    "INVITATION_MAX_AGE_DAYS": 14,
    "LEGACY_CLAIM_MAX_AGE_DAYS": 120,
    # Django Groups kept in step with benefits, so Wagtail page/collection privacy works.
    "GROUPS": {
        "members": "Members",
        "individual": "Individual members",
        "organisation": "Organisation members",
    },
    # Group whose users must all hold a membership (reported in the admin) ...
    "STEERING_GROUP": "Steering group",
    # ... and those without one are reminded by email once in every this many days.
    "STEERING_REMINDER_DAYS": 30,
    # Group allowed to approve, decline and request changes.
    "REVIEWER_GROUP": "Membership reviewers",
    # Signatories of an earlier pledge, shown beside live counts.
    "HISTORIC_BASELINE": {"individuals": 0, "organisations": 0, "label": ""},
    # Outbox: sender address (None: DEFAULT_FROM_EMAIL), attempts and backoff.
    "FROM_EMAIL": None,
    # Base of absolute links in emails ("https://example.org"). None: the site's
    # WAGTAILADMIN_BASE_URL, then the root URL of Wagtail's default Site.
    "BASE_URL": None,
    "OUTBOX_MAX_ATTEMPTS": 8,
    "OUTBOX_BACKOFF_SECONDS": 60,
    # A delivery task asked for by a commit waits this many seconds before it runs, so
    # the emails of the commits meanwhile go with it (0: at once). Only with a task
    # backend that can defer (django-tasks-db's can; the immediate backend sends in
    # the request).
    "OUTBOX_GATHER_SECONDS": 1,
    # Files of restricted collections: a STORAGES alias for where they are kept
    # (None: a "private-media" folder beside MEDIA_ROOT) ...
    "PRIVATE_STORAGE": None,
    # ... and how the policy-checked views hand them out: "serve" (stream, or
    # X-Sendfile / X-Accel-Redirect through SENDFILE_BACKEND) or "redirect" (to the
    # private storage's own short-lived URL, e.g. a signed S3 URL).
    "PRIVATE_SERVE_METHOD": "serve",
    # The members' forum: "coming_soon" (members see NOTE) or "open" (members get URL).
    "FORUM": {"STATUS": "coming_soon", "NOTE": "", "URL": ""},
    # REST API throttles, per signed-in user or per IP address: "N/second|minute|hour|day"
    # or None (off). "read": public lists and other reads; "write": anything that
    # changes data; "token": signing in for an API token (guessing passwords).
    "API_THROTTLE_RATES": {"read": "600/minute", "write": "60/minute", "token": "10/minute"},
    # Lifetime of an API token from when it is issued, and how many a user may hold.
    "API_TOKEN_TTL_HOURS": 24 * 30,
    "API_TOKEN_LIMIT_PER_USER": 10,
}


class PledgesSettings:
    """Attribute access to ``WAGTAIL_PLEDGES`` merged over :data:`DEFAULTS`."""

    @property
    def user_settings(self) -> Any:
        return getattr(django_settings, "WAGTAIL_PLEDGES", {})

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown wagtail-pledges setting: {name}")
        user = self.user_settings
        if isinstance(user, dict) and name in user:
            return user[name]
        return DEFAULTS[name]

    # Typed conveniences over raw values --------------------------------------

    @property
    def policy_class(self) -> type:
        return import_string(self.POLICY)

    @property
    def legacy_deadline(self) -> datetime.date | None:
        value = self.LEGACY_DEADLINE
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return datetime.date.fromisoformat(str(value))

    @property
    def renewal_due_days(self) -> int:
        return max(self.RENEWAL_REMINDER_DAYS, default=0)

    @property
    def forum(self) -> dict[str, str]:
        """``FORUM`` with its missing keys filled from the default."""
        return {**DEFAULTS["FORUM"], **(self.FORUM or {})}

    def rate_limit(self, key: str) -> str:
        """The rate for one limited flow (a site may set only the ones it changes)."""
        return {**DEFAULTS["RATE_LIMITS"], **(self.RATE_LIMITS or {})}[key]

    @property
    def api_throttle_rates(self) -> dict[str, str | None]:
        """``API_THROTTLE_RATES`` with its missing scopes filled from the default."""
        return {**DEFAULTS["API_THROTTLE_RATES"], **(self.API_THROTTLE_RATES or {})}

    def group_name(self, key: str) -> str:
        groups = {**DEFAULTS["GROUPS"], **(self.GROUPS or {})}
        return groups[key]


pledges_settings = PledgesSettings()
