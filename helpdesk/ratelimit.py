"""A fixed-window counter in the cache (Redis in production): cheap and shared by
every web process."""

import time

from django.core.cache import cache


def _key(scope: str, ident: str, window: int) -> str:
    return f"rl:{scope}:{ident}:{int(time.time() // window)}"


def rate_limit_exceeded(*, scope: str, ident: str, limit: int, window: int = 3600) -> bool:
    return (cache.get(_key(scope, ident, window)) or 0) >= limit


def rate_limit_count(*, scope: str, ident: str, window: int = 3600) -> None:
    key = _key(scope, ident, window)
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)
