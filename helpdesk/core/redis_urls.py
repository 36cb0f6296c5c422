"""One URL form per Redis role, plain or behind Redis Sentinel, translated into what each
client wants: the cache (redis-py), the channel layer (channels-redis), the Celery broker
(kombu) and the scheduler's lock and schedule (celery-redbeat).

    redis://[:password@]host:port/db                    one server (rediss:// for TLS)
    redis+sentinel://[:password@]host:port[,host:port...]/master_name[/db]

The password is the Redis servers'; sentinels are asked without one unless the query says
`?sentinel_password=...`. Imported by settings: nothing here touches Django.
"""

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import redis
from redis.sentinel import Sentinel, SentinelConnectionPool

SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379


@dataclass(frozen=True)
class SentinelUrl:
    sentinels: tuple[tuple[str, int], ...]
    master_name: str
    db: int
    password: str | None
    sentinel_password: str | None

    @property
    def sentinel_kwargs(self) -> dict[str, Any] | None:
        return {"password": self.sentinel_password} if self.sentinel_password else None


def parse_sentinel(url: str) -> SentinelUrl | None:
    """The parts of a redis+sentinel:// URL; None for any other URL."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        return None
    credentials, _, hosts = parts.netloc.rpartition("@")
    password = unquote(credentials.partition(":")[2]) if credentials else None
    sentinels = []
    for host in hosts.split(","):
        name, _, port = host.rpartition(":") if ":" in host else (host, "", "")
        sentinels.append((name, int(port or SENTINEL_PORT)))
    path = [p for p in parts.path.split("/") if p]
    if not path or not sentinels or not sentinels[0][0]:
        raise ValueError(f"{SENTINEL_SCHEME}:// needs hosts and a master name: {url!r}")
    query = parse_qs(parts.query)
    return SentinelUrl(
        sentinels=tuple(sentinels),
        master_name=path[0],
        db=int(path[1]) if len(path) > 1 else 0,
        password=password or None,
        sentinel_password=query.get("sentinel_password", [None])[0],
    )


# One pool per URL and options for the whole process. Django keeps a cache object per
# thread and per async context (asgiref's Local), each with its own pools: every chat
# socket (its own context) held a Redis connection of its own for its session and
# entitlement reads, 5,000 sockets 5,000 connections (docs/benchmarks.md, capacity).
# redis-py's pools are thread-safe and reset themselves in a forked child.
_shared_pools: dict[tuple[str, str], Any] = {}
_shared_lock = threading.Lock()


class ConnectionPool(redis.ConnectionPool):
    """The cache's pool class (Django's RedisCache OPTIONS "pool_class"): a plain URL as
    redis-py reads it, a redis+sentinel:// URL as a pool that asks the sentinels where
    the master is (and asks again after a failover); one per URL and options in the
    process, whichever cache object asks."""

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Any:
        key = (url, repr(sorted(kwargs.items())))
        with _shared_lock:
            pool = _shared_pools.get(key)
            if pool is None:
                pool = _shared_pools[key] = cls._new_pool(url, **kwargs)
        return pool

    @classmethod
    def _new_pool(cls, url: str, **kwargs: Any) -> Any:
        target = parse_sentinel(url)
        if target is None:
            return redis.ConnectionPool.from_url(url, **kwargs)
        manager = Sentinel(
            list(target.sentinels),
            sentinel_kwargs={
                **(target.sentinel_kwargs or {}),
                "socket_timeout": kwargs.get("socket_timeout", 1.0),
                "socket_connect_timeout": kwargs.get("socket_connect_timeout", 1.0),
            },
        )
        return SentinelConnectionPool(
            target.master_name, manager, db=target.db, password=target.password, **kwargs
        )


def channel_layer_host(url: str, **options: Any) -> dict[str, Any]:
    """One entry of channels-redis's CONFIG["hosts"]."""
    target = parse_sentinel(url)
    if target is None:
        return {"address": url, **options}
    return {
        "sentinels": list(target.sentinels),
        "master_name": target.master_name,
        "sentinel_kwargs": target.sentinel_kwargs,
        "db": target.db,
        "password": target.password,
        **options,
    }


def celery_broker(url: str) -> tuple[str, dict[str, Any]]:
    """kombu's broker URL and transport options: kombu names every sentinel in the URL,
    `sentinel://h1:p1;sentinel://h2:p2/db`, and the master in the options."""
    target = parse_sentinel(url)
    if target is None:
        return url, {}
    auth = f":{quote(target.password, safe='')}@" if target.password else ""
    hosts = ";".join(f"sentinel://{auth}{host}:{port}" for host, port in target.sentinels)
    options: dict[str, Any] = {"master_name": target.master_name}
    if target.sentinel_kwargs:
        options["sentinel_kwargs"] = target.sentinel_kwargs
    return f"{hosts}/{target.db}", options


def redbeat(url: str) -> tuple[str, dict[str, Any]]:
    """celery-redbeat's redis URL and options (its own `redis-sentinel://` convention)."""
    target = parse_sentinel(url)
    if target is None:
        return url, {}
    options: dict[str, Any] = {
        "sentinels": list(target.sentinels),
        "service_name": target.master_name,
        "db": target.db,
        "socket_timeout": 1.0,
    }
    if target.password:
        options["password"] = target.password
    if target.sentinel_kwargs:
        options["sentinel_kwargs"] = target.sentinel_kwargs
    return "redis-sentinel://", options
