"""``wagtail_pledges.redis_cache.RedisCache`` builds one Redis client per pool.

No Redis server is needed: building a client or a pool opens no connection.
"""

from unittest import mock

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from wagtail_pledges.redis_cache import RedisCache


def _clients_built(backend_class, servers, operations=10):
    cache = backend_class(servers, {"OPTIONS": {"db": 3}})
    built = []
    real_init = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(kwargs.get("connection_pool"))
        real_init(self, *args, **kwargs)

    with mock.patch.object(redis.Redis, "__init__", counting_init):
        clients = [cache._cache.get_client(write=i % 2 == 0) for i in range(operations)]
    return cache, built, clients


def test_djangos_backend_builds_a_client_per_operation():
    _cache, built, _clients = _clients_built(DjangoRedisCache, "redis://127.0.0.1:6379/3")
    assert len(built) == 10  # what this backend exists to avoid


def test_one_client_per_pool_reused_for_every_operation():
    cache, built, clients = _clients_built(RedisCache, "redis://127.0.0.1:6379/3")
    assert len(built) == 1
    assert all(client is clients[0] for client in clients)
    # Django's own pool, with its options: the same server and database.
    pool = clients[0].connection_pool
    assert pool is cache._cache._pools[0]
    assert pool.connection_kwargs["db"] == 3 and pool.connection_kwargs["port"] == 6379


def test_with_replicas_writes_go_to_the_first_server_and_reads_to_the_others():
    cache, built, _clients = _clients_built(
        RedisCache, "redis://127.0.0.1:6379/3,redis://127.0.0.1:6380/3", operations=20)
    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client(write=False)
    assert writer.connection_pool.connection_kwargs["port"] == 6379
    assert reader.connection_pool.connection_kwargs["port"] == 6380
    assert len(built) == 2  # one per server, whatever the number of operations
