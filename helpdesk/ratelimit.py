"""A fixed-window counter in the cache (Redis in production): cheap and shared by
every web process."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


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


def client_address(request: HttpRequest) -> str:
    """The client's IP address. Behind `TRUSTED_PROXIES` reverse proxies, REMOTE_ADDR is
    the nearest proxy; the client is the entry that many places from the right of
    X-Forwarded-For (entries further left are whatever the client sent, so not trusted)."""
    trusted = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if trusted and len(hops) >= trusted:
        return hops[-trusted]
    return request.META.get("REMOTE_ADDR", "")
