"""API throttles on a shared Redis cache, as in production: one atomic step per check.

DRF's throttle reads a client's recent requests and writes them back: two round trips,
and two checks at the same moment both read the same list, so simultaneous requests
could pass beyond the rate. On Redis each check is one script, run atomically.
"""

import threading
import time
from types import SimpleNamespace

import pytest
import redis
from django.contrib.auth.models import AnonymousUser
from django.core.cache.backends.redis import RedisCache
from django.test import Client, override_settings
from freezegun import freeze_time

from wagtail_pledges.api.throttling import PledgesRateThrottle

pytestmark = [pytest.mark.redis, pytest.mark.django_db]
API = "/api/pledges/v1/"


def a_request(address="10.1.2.3"):
    return SimpleNamespace(user=AnonymousUser(), META={"REMOTE_ADDR": address},
                           headers={}, method="POST")


VIEW = SimpleNamespace(throttle_scope="write")


@override_settings(WAGTAIL_PLEDGES={"API_THROTTLE_RATES": {"read": "2/minute"}})
def test_the_rate_holds_per_address_and_frees_as_the_window_moves(redis_cache):
    with freeze_time("2026-12-01 08:00:00") as clock:
        client = Client()
        assert client.get(API + "strategies/").status_code == 200
        clock.tick(5)
        assert client.get(API + "strategies/").status_code == 200
        clock.tick(5)
        refused = client.get(API + "plans/")
        assert refused.status_code == 429
        # DRF's wait: until the oldest request leaves the window.
        assert refused["Retry-After"] == "50"
        assert Client(REMOTE_ADDR="10.0.0.9").get(API + "plans/").status_code == 200
        clock.tick(50)  # the first request has left the window, the second not yet
        assert client.get(API + "plans/").status_code == 200
        assert client.get(API + "plans/").status_code == 429


@override_settings(WAGTAIL_PLEDGES={"API_THROTTLE_RATES": {"write": "1/minute"}})
def test_two_checks_at_the_same_moment_pass_only_the_rate(redis_cache, monkeypatch):
    """Both threads are held until both have read the cache, if they read it (DRF's
    way): each then sees no request yet and both would pass."""
    barrier = threading.Barrier(2, timeout=2)
    original = RedisCache.get

    def held_get(self, *args, **kwargs):
        value = original(self, *args, **kwargs)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return value

    monkeypatch.setattr(RedisCache, "get", held_get)
    allowed = []

    def check():
        allowed.append(PledgesRateThrottle().allow_request(a_request(), VIEW))

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(allowed) == [False, True]


@override_settings(WAGTAIL_PLEDGES={"API_THROTTLE_RATES": {"write": "5/minute"}})
def test_a_burst_of_simultaneous_requests_passes_exactly_the_rate(redis_cache):
    start = threading.Event()
    allowed = []

    def check():
        start.wait()
        allowed.append(PledgesRateThrottle().allow_request(a_request(), VIEW))

    threads = [threading.Thread(target=check) for _ in range(24)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 5 and len(allowed) == 24


@override_settings(WAGTAIL_PLEDGES={"API_THROTTLE_RATES": {"write": "100/minute"}})
def test_a_check_is_one_redis_round_trip(redis_cache, monkeypatch):
    PledgesRateThrottle().allow_request(a_request(), VIEW)  # Redis has the script now
    sent = []
    original = redis.Redis.execute_command
    monkeypatch.setattr(redis.Redis, "execute_command",
                        lambda self, *args, **kw: (sent.append(args[0]),
                                                   original(self, *args, **kw))[1])
    for _ in range(3):
        assert PledgesRateThrottle().allow_request(a_request(), VIEW)
    assert sent == ["EVALSHA"] * 3


@override_settings(WAGTAIL_PLEDGES={"API_THROTTLE_RATES": {"write": "2/second"}})
def test_a_script_flushed_from_redis_is_sent_again(redis_cache):
    throttle = PledgesRateThrottle()
    assert throttle.allow_request(a_request("10.9.9.9"), VIEW)
    redis_cache._cache.get_client(write=True).script_flush()  # the fixture's server
    assert PledgesRateThrottle().allow_request(a_request("10.9.9.9"), VIEW)
    refused = PledgesRateThrottle()
    assert not refused.allow_request(a_request("10.9.9.9"), VIEW)
    assert 0 < refused.wait() <= 1
    time.sleep(1.05)
    assert PledgesRateThrottle().allow_request(a_request("10.9.9.9"), VIEW)
