import pytest

from wagtail_pledges.checks import check_settings
from wagtail_pledges.conf import DEFAULTS, pledges_settings


def ids(settings_value, settings):
    settings.WAGTAIL_PLEDGES = settings_value
    return [e.id for e in check_settings()]


def test_defaults_pass(settings):
    assert ids({}, settings) == []


def test_settings_are_read_lazily(settings):
    settings.WAGTAIL_PLEDGES = {"COMMITMENT_PERIOD_MONTHS": 12}
    assert pledges_settings.COMMITMENT_PERIOD_MONTHS == 12
    settings.WAGTAIL_PLEDGES = {}
    assert pledges_settings.COMMITMENT_PERIOD_MONTHS == DEFAULTS["COMMITMENT_PERIOD_MONTHS"]
    with pytest.raises(AttributeError):
        pledges_settings.NOT_A_SETTING  # noqa: B018


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([], ["wagtail_pledges.E001"]),
        ({"TYPO": 1}, ["wagtail_pledges.E002"]),
        ({"POLICY": "no.such.Policy"}, ["wagtail_pledges.E003"]),
        ({"POLICY": "wagtail_pledges.conf.PledgesSettings"}, ["wagtail_pledges.E003"]),
        ({"COMMITMENT_PERIOD_MONTHS": 0}, ["wagtail_pledges.E004"]),
        ({"COMMITMENT_PERIOD_MONTHS": True}, ["wagtail_pledges.E004"]),
        ({"RENEWAL_REMINDER_DAYS": []}, ["wagtail_pledges.E005"]),
        ({"RENEWAL_REMINDER_DAYS": [14, 14]}, ["wagtail_pledges.E005"]),
        ({"VIDEO_COVERAGE_RATIO": 1.5}, ["wagtail_pledges.E006"]),
        ({"OUTBOX_GATHER_SECONDS": -1}, ["wagtail_pledges.E023"]),
        ({"OUTBOX_GATHER_SECONDS": 61}, ["wagtail_pledges.E023"]),
        ({"OUTBOX_GATHER_SECONDS": "1"}, ["wagtail_pledges.E023"]),
        ({"OUTBOX_GATHER_SECONDS": True}, ["wagtail_pledges.E023"]),
        ({"OUTBOX_GATHER_SECONDS": 0}, []),
        ({"OUTBOX_GATHER_SECONDS": 0.5}, []),
        ({"LEGACY_DEADLINE": "summer 2020"}, ["wagtail_pledges.E007"]),
        ({"GROUPS": {"members": "A", "individual": "A", "organisation": "B"}},
         ["wagtail_pledges.E008"]),
        ({"REVIEWER_GROUP": ""}, ["wagtail_pledges.E008"]),
        ({"EMAIL_VERIFIED_HOOK": "no.such.hook"}, ["wagtail_pledges.E009"]),
        ({"EMAIL_VERIFIED_HOOK": "wagtail_pledges.conf.DEFAULTS"}, ["wagtail_pledges.E009"]),
        ({"HISTORIC_BASELINE": {"individuals": -1}}, ["wagtail_pledges.E010"]),
        ({"INDIVIDUAL_REQUIRES_REVIEW": "yes"}, ["wagtail_pledges.E011"]),
        ({"FROM_EMAIL": "nobody"}, ["wagtail_pledges.E012"]),
    ],
)
def test_each_bad_value_has_its_own_id(value, expected, settings):
    assert ids(value, settings) == expected


def test_good_values_pass(settings):
    import datetime

    assert ids({
        "LEGACY_DEADLINE": datetime.date(2020, 9, 30),
        "RENEWAL_REMINDER_DAYS": [90, 30, 7],
        "EMAIL_VERIFIED_HOOK": "wagtail_pledges.accounts.allauth_email_verified",
        "FROM_EMAIL": "rrn@example.org",
    }, settings) == []


def test_legacy_deadline_parses(settings):
    import datetime

    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": "2020-09-30"}
    assert pledges_settings.legacy_deadline == datetime.date(2020, 9, 30)
    settings.WAGTAIL_PLEDGES = {}
    assert pledges_settings.legacy_deadline is None


def test_every_setting_is_documented():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "reference" / "settings.md").read_text()
    missing = [key for key in DEFAULTS if f"`{key}`" not in doc]
    assert missing == []


def test_every_check_id_is_documented():
    import re
    from pathlib import Path

    source = (Path(__file__).parents[2] / "src" / "wagtail_pledges" / "checks.py").read_text()
    doc = (Path(__file__).parents[2] / "docs" / "reference" / "checks.md").read_text()
    for number in set(re.findall(r'"(E\d{3})"', source)):
        assert f"wagtail_pledges.{number}" in doc


def test_per_process_cache_warns_on_deploy(settings):
    """W015: the page cache (privacy, menus, sites) needs a cache every process shares."""
    from wagtail_pledges.checks import check_shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in check_shared_cache()] == ["wagtail_pledges.W015"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/9"}}
    assert check_shared_cache() == []
