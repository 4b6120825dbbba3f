"""Services above the lifecycle join the daily run by registering, not by import."""

import pytest

from wagtail_pledges import campaign, lifecycle
from wagtail_pledges.lifecycle import scheduler

pytestmark = pytest.mark.django_db


def test_the_campaign_is_a_registered_daily_job():
    assert campaign.run_campaign in scheduler._DAILY_JOBS


def test_a_registered_job_runs_once_per_day_run_and_its_counts_join(monkeypatch):
    monkeypatch.setattr(scheduler, "_DAILY_JOBS", list(scheduler._DAILY_JOBS))
    seen = []

    def job(on):
        seen.append(on)
        return {"lapsed": 2, "site_job": 1}

    lifecycle.register_daily_job(job)
    lifecycle.register_daily_job(job)  # twice is harmless
    done = lifecycle.run_daily()
    assert seen == [lifecycle.today()]
    assert done["site_job"] == 1 and done["lapsed"] >= 2
