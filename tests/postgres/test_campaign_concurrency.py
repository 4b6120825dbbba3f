"""Campaign waves under concurrency: many daily runs at once send each wave once."""

import datetime

import pytest
from django.contrib.auth.models import Group
from freezegun import freeze_time

from tests import factories
from tests.postgres.test_concurrency import WORKERS, hammer
from wagtail_pledges import legacy, lifecycle
from wagtail_pledges.models import LegacyReminder, LegacySignatory, OutboxMessage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_daily_runs_send_each_wave_and_steering_reminder_once(settings):
    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": "2026-09-30"}
    rows = "".join(f"individual,P{n},p{n}@example.org,,2015-01-01\n" for n in range(6))
    with freeze_time("2026-06-01"):
        legacy.import_signatories("kind,name,email,organisation,signed_on\n" + rows)
        for signatory in LegacySignatory.objects.all():
            legacy.invite(signatory)
    Group.objects.create(name="Steering group").user_set.add(factories.UserFactory())
    with freeze_time(datetime.date(2026, 9, 1)):  # the 30-day wave
        results = hammer(lifecycle.run_daily, attempts=2 * WORKERS)
    assert sum(r["reminded_unclaimed"] for r in results) == 6
    assert LegacyReminder.objects.filter(wave=30).count() == 6
    assert OutboxMessage.objects.filter(template="legacy_reminder_unclaimed").count() == 6
    assert OutboxMessage.objects.filter(template="steering_reminder").count() == 1
