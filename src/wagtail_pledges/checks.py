"""System checks for ``WAGTAIL_PLEDGES``. IDs are stable: see docs/reference/checks.md."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from numbers import Real
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.module_loading import import_string

from .conf import DEFAULTS

HINT = "See docs/reference/settings.md."


def _error(msg: str, id_: str) -> Error:
    return Error(msg, hint=HINT, id=f"wagtail_pledges.{id_}")


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _check_policy(value: Any) -> list[Error]:
    from .policy import MembershipPolicy

    try:
        cls = import_string(value)
    except (ImportError, TypeError, ValueError) as exc:
        return [_error(f"WAGTAIL_PLEDGES['POLICY'] cannot be imported: {exc}", "E003")]
    if not (isinstance(cls, type) and issubclass(cls, MembershipPolicy)):
        return [
            _error(
                "WAGTAIL_PLEDGES['POLICY'] must name a subclass of "
                "wagtail_pledges.policy.MembershipPolicy.",
                "E003",
            )
        ]
    return []


def _check_hook(value: Any) -> list[Error]:
    if value is None:
        return []
    try:
        hook = import_string(value)
    except (ImportError, TypeError, ValueError) as exc:
        return [
            _error(f"WAGTAIL_PLEDGES['EMAIL_VERIFIED_HOOK'] cannot be imported: {exc}", "E009")
        ]
    if not callable(hook):
        return [_error("WAGTAIL_PLEDGES['EMAIL_VERIFIED_HOOK'] is not callable.", "E009")]
    return []


def _check_deadline(value: Any) -> list[Error]:
    if value in (None, "") or isinstance(value, datetime.date):
        return []
    try:
        datetime.date.fromisoformat(str(value))
    except ValueError:
        return [
            _error(
                f"WAGTAIL_PLEDGES['LEGACY_DEADLINE'] must be a date or an ISO date "
                f"string (YYYY-MM-DD), not {value!r}.",
                "E007",
            )
        ]
    return []


def _check_ratio(name: str) -> Callable[[Any], list[Error]]:
    def check(value: Any) -> list[Error]:
        if isinstance(value, Real) and not isinstance(value, bool) and 0 < value <= 1:
            return []
        return [_error(f"WAGTAIL_PLEDGES['{name}'] must be a number in (0, 1].", "E006")]

    return check


def _check_positive(name: str, id_: str) -> Callable[[Any], list[Error]]:
    def check(value: Any) -> list[Error]:
        if _is_positive_int(value):
            return []
        return [_error(f"WAGTAIL_PLEDGES['{name}'] must be a positive integer.", id_)]

    return check


def _check_seconds(name: str, most: int) -> Callable[[Any], list[Error]]:
    def check(value: Any) -> list[Error]:
        if isinstance(value, Real) and not isinstance(value, bool) and 0 <= value <= most:
            return []
        return [_error(f"WAGTAIL_PLEDGES['{name}'] must be a number of seconds from 0 "
                       f"to {most}.", "E023")]

    return check


def _check_bool(name: str) -> Callable[[Any], list[Error]]:
    def check(value: Any) -> list[Error]:
        if isinstance(value, bool):
            return []
        return [_error(f"WAGTAIL_PLEDGES['{name}'] must be True or False.", "E011")]

    return check


def _check_days_list(name: str, id_: str) -> Callable[[Any], list[Error]]:
    def check(value: Any) -> list[Error]:
        if (
            isinstance(value, list | tuple)
            and value
            and all(_is_positive_int(v) for v in value)
            and len(set(value)) == len(value)
        ):
            return []
        return [
            _error(
                f"WAGTAIL_PLEDGES['{name}'] must be a non-empty list of distinct positive "
                "integers.",
                id_,
            )
        ]

    return check


def _check_groups(value: Any) -> list[Error]:
    if isinstance(value, dict) and all(
        isinstance(value.get(k), str) and value.get(k).strip()
        for k in ("members", "individual", "organisation")
    ):
        names = [value[k] for k in ("members", "individual", "organisation")]
        if len(set(names)) == len(names):
            return []
    return [
        _error(
            "WAGTAIL_PLEDGES['GROUPS'] must map 'members', 'individual' and "
            "'organisation' to three different group names.",
            "E008",
        )
    ]


def _check_group_name(name: str) -> Callable[[Any], list[Error]]:
    def check(value: Any) -> list[Error]:
        if isinstance(value, str) and value.strip():
            return []
        return [_error(f"WAGTAIL_PLEDGES['{name}'] must be a non-empty group name.", "E008")]

    return check


def _check_baseline(value: Any) -> list[Error]:
    if (
        isinstance(value, dict)
        and all(
            isinstance(value.get(k, 0), int) and value.get(k, 0) >= 0
            for k in ("individuals", "organisations")
        )
        and isinstance(value.get("label", ""), str)
    ):
        return []
    return [
        _error(
            "WAGTAIL_PLEDGES['HISTORIC_BASELINE'] must be a dict with non-negative "
            "integers 'individuals' and 'organisations' and a string 'label'.",
            "E010",
        )
    ]


def _check_from_email(value: Any) -> list[Error]:
    if value is None or (isinstance(value, str) and "@" in value):
        return []
    return [_error("WAGTAIL_PLEDGES['FROM_EMAIL'] must be None or an email address.", "E012")]


def _check_private_storage(value: Any) -> list[Error]:
    if value is None:
        return []
    if isinstance(value, str) and value in getattr(settings, "STORAGES", {}) and value != "default":
        return []
    return [
        _error(
            f"WAGTAIL_PLEDGES['PRIVATE_STORAGE'] must be None or an alias in STORAGES "
            f"other than 'default', not {value!r}.",
            "E013",
        )
    ]


def _check_serve_method(value: Any) -> list[Error]:
    if value in ("serve", "redirect"):
        return []
    return [
        _error("WAGTAIL_PLEDGES['PRIVATE_SERVE_METHOD'] must be 'serve' or 'redirect'.", "E014")
    ]
FORUM_STATUSES = ("coming_soon", "open")


def _check_forum(value: Any) -> list[Error]:
    if not isinstance(value, dict) or set(value) - {"STATUS", "NOTE", "URL"}:
        return [_error("WAGTAIL_PLEDGES['FORUM'] must be a dict with the keys 'STATUS', "
                       "'NOTE' and 'URL'.", "E015")]
    status = value.get("STATUS", "coming_soon")
    if status not in FORUM_STATUSES:
        return [_error(f"WAGTAIL_PLEDGES['FORUM']['STATUS'] must be one of "
                       f"{FORUM_STATUSES}, not {status!r}.", "E015")]
    if not all(isinstance(value.get(k, ""), str) for k in ("NOTE", "URL")):
        return [_error("WAGTAIL_PLEDGES['FORUM']['NOTE'] and ['URL'] must be strings.", "E015")]
    if status == "open":
        try:
            URLValidator(schemes=["http", "https"])(value.get("URL", ""))
        except ValidationError:
            return [_error("WAGTAIL_PLEDGES['FORUM']['URL'] must be an http(s) URL when "
                           "the forum is open.", "E015")]
    return []


def _check_base_url(value: Any) -> list[Error]:
    if value is None or (isinstance(value, str) and value.startswith(("http://", "https://"))
                         and "/" not in value.split("://", 1)[1].rstrip("/")):
        return []
    return [_error("WAGTAIL_PLEDGES['BASE_URL'] must be None or a scheme and host, "
                   "e.g. 'https://example.org'.", "E017")]


def _check_priority_bounds(value: Any) -> list[Error]:
    fewest = getattr(settings, "WAGTAIL_PLEDGES", {}).get(
        "PLAN_MIN_PRIORITIES", DEFAULTS["PLAN_MIN_PRIORITIES"])
    if not _is_positive_int(value) or (_is_positive_int(fewest) and value < fewest):
        return [_error("WAGTAIL_PLEDGES['PLAN_MAX_PRIORITIES'] must be a whole number no "
                       "smaller than PLAN_MIN_PRIORITIES.", "E018")]
    return []


def _check_playback_rate(value: Any) -> list[Error]:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 4:
        return [_error("WAGTAIL_PLEDGES['VIDEO_MAX_PLAYBACK_RATE'] must be a number from 1 "
                       "to 4.", "E019")]
    return []


RATE = re.compile(r"^\d+/\d*[smhd]$")


def _check_rate_limits(value: Any) -> list[Error]:
    if not isinstance(value, dict):
        return [_error("WAGTAIL_PLEDGES['RATE_LIMITS'] must be a dict.", "E020")]
    errors = []
    for key, rate in value.items():
        if key not in DEFAULTS["RATE_LIMITS"]:
            errors.append(_error(f"WAGTAIL_PLEDGES['RATE_LIMITS'] has an unknown key {key!r}.",
                                 "E020"))
        elif not isinstance(rate, str) or not RATE.match(rate):
            errors.append(_error(
                f"WAGTAIL_PLEDGES['RATE_LIMITS'][{key!r}] must be a rate like '5/h'.", "E020"))
    return errors


def _check_throttle_rates(value: Any) -> list[Error]:
    def valid(rate: Any) -> bool:
        if rate is None:
            return True
        num, _sep, period = str(rate).partition("/") if isinstance(rate, str) else ("", "", "")
        return num.isdigit() and int(num) > 0 and period[:1] in ("s", "m", "h", "d")

    if isinstance(value, dict) and all(
            isinstance(k, str) and valid(v) for k, v in value.items()):
        return []
    return [_error("WAGTAIL_PLEDGES['API_THROTTLE_RATES'] must map scope names ('read', "
                   "'write', 'token') to None or a rate such as '60/minute'.", "E022")]


VALIDATORS: dict[str, Callable[[Any], list[Error]]] = {
    "POLICY": _check_policy,
    "COMMITMENT_PERIOD_MONTHS": _check_positive("COMMITMENT_PERIOD_MONTHS", "E004"),
    "RENEWAL_REMINDER_DAYS": _check_days_list("RENEWAL_REMINDER_DAYS", "E005"),
    "INDIVIDUAL_REQUIRES_REVIEW": _check_bool("INDIVIDUAL_REQUIRES_REVIEW"),
    "SUBMITTED_HAS_BENEFITS": _check_bool("SUBMITTED_HAS_BENEFITS"),
    "LEGACY_DEADLINE": _check_deadline,
    "LEGACY_REMINDER_DAYS": _check_days_list("LEGACY_REMINDER_DAYS", "E016"),
    "REQUIRED_VIDEOS": _check_positive("REQUIRED_VIDEOS", "E004"),
    "VIDEO_COVERAGE_RATIO": _check_ratio("VIDEO_COVERAGE_RATIO"),
    "VIDEO_WALLCLOCK_RATIO": _check_ratio("VIDEO_WALLCLOCK_RATIO"),
    "PLAN_MIN_PRIORITIES": _check_positive("PLAN_MIN_PRIORITIES", "E004"),
    "PLAN_MAX_PRIORITIES": _check_priority_bounds,
    "VIDEO_MAX_PLAYBACK_RATE": _check_playback_rate,
    "RATE_LIMITS": _check_rate_limits,
    "EMAIL_VERIFIED_HOOK": _check_hook,
    "EMAIL_TOKEN_MAX_AGE_HOURS": _check_positive("EMAIL_TOKEN_MAX_AGE_HOURS", "E004"),
    "INVITATION_MAX_AGE_DAYS": _check_positive("INVITATION_MAX_AGE_DAYS", "E004"),
    "LEGACY_CLAIM_MAX_AGE_DAYS": _check_positive("LEGACY_CLAIM_MAX_AGE_DAYS", "E004"),
    "GROUPS": _check_groups,
    "STEERING_GROUP": _check_group_name("STEERING_GROUP"),
    "STEERING_REMINDER_DAYS": _check_positive("STEERING_REMINDER_DAYS", "E004"),
    "REVIEWER_GROUP": _check_group_name("REVIEWER_GROUP"),
    "HISTORIC_BASELINE": _check_baseline,
    "FROM_EMAIL": _check_from_email,
    "BASE_URL": _check_base_url,
    "OUTBOX_MAX_ATTEMPTS": _check_positive("OUTBOX_MAX_ATTEMPTS", "E004"),
    "OUTBOX_BACKOFF_SECONDS": _check_positive("OUTBOX_BACKOFF_SECONDS", "E004"),
    "OUTBOX_GATHER_SECONDS": _check_seconds("OUTBOX_GATHER_SECONDS", 60),
    "PRIVATE_STORAGE": _check_private_storage,
    "PRIVATE_SERVE_METHOD": _check_serve_method,
    "FORUM": _check_forum,
    "API_THROTTLE_RATES": _check_throttle_rates,
    "API_TOKEN_TTL_HOURS": _check_positive("API_TOKEN_TTL_HOURS", "E004"),
    "API_TOKEN_LIMIT_PER_USER": _check_positive("API_TOKEN_LIMIT_PER_USER", "E004"),
}
assert set(VALIDATORS) == set(DEFAULTS), "every setting needs a validator"  # noqa: S101


@register(Tags.compatibility)
def check_settings(app_configs=None, **kwargs) -> list[Error | Warning]:
    """Validate ``WAGTAIL_PLEDGES``: E001 not a dict, E002 unknown key, E003… per key."""
    user = getattr(settings, "WAGTAIL_PLEDGES", {})
    if not isinstance(user, dict):
        return [_error("WAGTAIL_PLEDGES must be a dict.", "E001")]
    errors: list[Error | Warning] = []
    for key in sorted(set(user) - set(DEFAULTS)):
        errors.append(_error(f"WAGTAIL_PLEDGES has an unknown key {key!r}.", "E002"))
    for key, validate in VALIDATORS.items():
        errors.extend(validate(user.get(key, DEFAULTS[key])))
    return errors


# The apps each of ours needs in INSTALLED_APPS (README.md lists them all). The
# journey pages' templates use Wagtail's routable-page tags; the admin's date-range
# filters render django-filter's widget templates; the API signs in with
# django-rest-knox tokens (its model stores their digests) and its docs page serves
# Swagger UI from drf-spectacular-sidecar's static files.
REQUIRED_APPS: dict[str, tuple[str, ...]] = {
    "wagtail_pledges": ("wagtail.contrib.routable_page", "django_filters"),
    "wagtail_pledges.api": ("rest_framework", "knox", "drf_spectacular_sidecar"),
}


def missing_apps() -> list[tuple[str, str]]:
    """``(our app, app it needs)`` for each needed app missing from INSTALLED_APPS."""
    return [(ours, needed) for ours, needs in REQUIRED_APPS.items()
            if apps.is_installed(ours) for needed in needs if not apps.is_installed(needed)]


@register(Tags.compatibility)
def check_installed_apps(app_configs=None, **kwargs) -> list[Error]:
    """E021: an app ours needs is missing from INSTALLED_APPS."""
    return [
        Error(f"{ours!r} needs {needed!r} in INSTALLED_APPS.",
              hint=f"Add {needed!r} to INSTALLED_APPS, as README.md's install snippet does.",
              id="wagtail_pledges.E021")
        for ours, needed in missing_apps()
    ]


@register(Tags.compatibility)
def check_task_framework(app_configs=None, **kwargs) -> list[Warning]:
    """W014: ``TASKS`` names the built-in backends of the other Django line's framework."""
    from .task_framework import TASKS_PACKAGE, foreign_backends

    return [
        Warning(
            f"TASKS[{alias!r}] names {backend!r}, a backend of the other task framework "
            f"than this Django's ({TASKS_PACKAGE}): tasks are then built for one framework "
            "and queued or run by the other, and a worker such as django-tasks-db's "
            "db_worker cannot run them.",
            hint="Name the backend with wagtail_pledges.task_framework.task_backend("
                 "'immediate') (or 'dummy'), or a backend of "
                 f"{TASKS_PACKAGE} (docs/how-to/deploy.md).",
            id="wagtail_pledges.W014",
        )
        for alias, backend in foreign_backends(getattr(settings, "TASKS", None))
    ]


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[Warning]:
    """W015: the default cache is per process, so privacy and menu changes made in one
    process reach the others only when their cached copies expire (five minutes)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if not backend.endswith("locmem.LocMemCache"):
        return []
    return [Warning(
        "The default cache is per process (LocMemCache): page privacy, menus and sites "
        "are cached, so a change made in one process reaches the others only after "
        "up to five minutes (counts too).",
        hint="Use a cache every process shares, e.g. Redis (the example project's "
             "production settings use REDIS_URL). See docs/how-to/deploy.md.",
        id="wagtail_pledges.W015")]
