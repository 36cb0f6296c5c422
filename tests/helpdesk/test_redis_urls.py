"""Each Redis role takes a plain or a Sentinel URL, translated for its client."""

import pytest
from redis.sentinel import SentinelConnectionPool

from helpdesk.core import redis_urls

SENTINEL = "redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2/desk/2?sentinel_password=sp"


def test_a_plain_url_is_left_to_each_client():
    url = "redis://127.0.0.1:6379/3"
    assert redis_urls.celery_broker(url) == (url, {})
    assert redis_urls.redbeat(url) == (url, {})
    assert redis_urls.channel_layer_host(url, socket_timeout=30) == {
        "address": url,
        "socket_timeout": 30,
    }
    assert redis_urls.parse_sentinel(url) is None


def test_a_sentinel_url_names_every_sentinel_the_master_and_the_database():
    target = redis_urls.parse_sentinel(SENTINEL)
    assert target == redis_urls.SentinelUrl(
        sentinels=(("10.0.0.1", 26379), ("10.0.0.2", 26379)),
        master_name="desk",
        db=2,
        password="s3cret",
        sentinel_password="sp",
    )


def test_the_broker_gets_kombus_form_and_the_master_in_its_options():
    url, options = redis_urls.celery_broker(SENTINEL)
    assert url == "sentinel://:s3cret@10.0.0.1:26379;sentinel://:s3cret@10.0.0.2:26379/2"
    assert options == {"master_name": "desk", "sentinel_kwargs": {"password": "sp"}}


def test_the_scheduler_and_the_channel_layer_get_their_sentinel_options():
    url, options = redis_urls.redbeat(SENTINEL)
    assert url.startswith("redis-sentinel")
    assert options["sentinels"] == [("10.0.0.1", 26379), ("10.0.0.2", 26379)]
    assert (options["service_name"], options["db"], options["password"]) == ("desk", 2, "s3cret")
    host = redis_urls.channel_layer_host(SENTINEL, socket_keepalive=True)
    assert host["master_name"] == "desk" and host["sentinels"][1] == ("10.0.0.2", 26379)
    assert host["db"] == 2 and host["socket_keepalive"] is True


def test_the_cache_pool_asks_the_sentinels_for_the_master():
    pool = redis_urls.ConnectionPool.from_url(SENTINEL, socket_timeout=1.0)
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "desk"
    assert pool.connection_kwargs["db"] == 2


@pytest.mark.parametrize("url", ["redis+sentinel://10.0.0.1:26379", "redis+sentinel:///desk"])
def test_a_sentinel_url_without_hosts_or_master_is_refused(url):
    with pytest.raises(ValueError, match="needs hosts and a master name"):
        redis_urls.parse_sentinel(url)


def test_every_cache_object_of_a_process_shares_one_pool_per_url():
    """Django keeps a cache object per thread and per async context; with a pool each,
    every open chat socket held a Redis connection of its own."""
    url = "redis://127.0.0.1:6379/11"
    first = redis_urls.ConnectionPool.from_url(url, socket_timeout=1.0)
    assert redis_urls.ConnectionPool.from_url(url, socket_timeout=1.0) is first
    assert redis_urls.ConnectionPool.from_url(url, socket_timeout=2.0) is not first
    assert redis_urls.ConnectionPool.from_url("redis://127.0.0.1:6379/12") is not first


def test_many_async_contexts_reading_the_cache_open_one_connection(settings):
    """Two hundred coroutines (each its own context, as each socket is) read the Redis
    cache: the process opens a handful of connections, not one per coroutine."""
    import asyncio
    import os

    import redis
    from asgiref.sync import sync_to_async
    from django.core.cache import caches

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs REDIS_URL (a Redis server): .ci/run sets it")
    settings.CACHES = {
        "probe": {
            "BACKEND": "helpdesk.core.cache.TolerantRedisCache",
            "LOCATION": [redis_url.rsplit("/", 1)[0] + "/13"],
            "OPTIONS": {"pool_class": "helpdesk.core.redis_urls.ConnectionPool"},
        },
        **settings.CACHES,
    }
    admin = redis.Redis.from_url(redis_url.rsplit("/", 1)[0] + "/13")

    def clients_on_13() -> int:
        return sum(1 for c in admin.client_list() if c.get("db") == "13")

    before = clients_on_13()

    async def one_socket() -> None:
        await sync_to_async(caches["probe"].get)("session:x")
        await asyncio.sleep(0.2)  # still open, as a socket is

    async def many() -> None:
        await asyncio.gather(*(one_socket() for _ in range(200)))

    asyncio.run(many())
    assert clients_on_13() - before <= 5
