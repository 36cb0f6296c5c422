"""The Redis cache, tolerant of a Redis outage.

Everything kept in the cache here (sessions, written through to the database by
cached_db; entitlement; the SLA calendar; rate-limit counters) can be rebuilt from the
database or skipped, so while Redis is away a read is a miss and a write is skipped,
logged once per call, instead of every page and chat socket failing with a 500 (Django's
cached_db session re-fills the cache after a miss and raised there)."""

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


# One warning (with its traceback) per interval: a page makes several cache calls, and an
# outage would otherwise write a traceback for each of them.
WARN_EVERY_SECONDS = 30.0
_last_warning = 0.0


def _unavailable(action: str) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("cache %s failed; carrying on without the cache", action, exc_info=True)


class TolerantRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except Exception:
            _unavailable("read")
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except Exception:
            _unavailable("read")
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except Exception:
            _unavailable("read")
            return False

    def add(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return super().add(*args, **kwargs)
        except Exception:
            _unavailable("write")
            return True

    def set(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().set(*args, **kwargs)
        except Exception:
            _unavailable("write")

    def set_many(self, *args: Any, **kwargs: Any) -> list[Any]:
        try:
            return super().set_many(*args, **kwargs)
        except Exception:
            _unavailable("write")
            return []

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return super().touch(*args, **kwargs)
        except Exception:
            _unavailable("write")
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except Exception:
            _unavailable("delete")
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except Exception:
            _unavailable("delete")

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except ValueError:
            raise
        except Exception:
            _unavailable("write")
            return delta
