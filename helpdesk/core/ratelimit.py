"""A fixed-window counter in the cache (Redis in production): cheap, shared by every web
process, and atomic, so requests that arrive together cannot all slip under the limit."""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _key(scope: str, ident: str, window: int) -> str:
    return f"rl:{scope}:{ident}:{int(time.time() // window)}"


def rate_limit_take(*, scope: str, ident: str, limit: int, window: int = 3600) -> bool:
    """Count one use and say whether it is within `limit` for this window.

    add-then-incr, comparing the count the cache returns: Redis INCR (and LocMem's lock)
    make each caller see its own number, so exactly `limit` callers get True however many
    arrive at once. A use refused here is not counted. With the cache unreachable the
    limit fails open: a Redis outage must not stop customers reaching support."""
    key = _key(scope, ident, window)
    try:
        count = 1 if cache.add(key, 1, timeout=window) else cache.incr(key)
    except ValueError:  # the window's key expired between add and incr
        return rate_limit_take(scope=scope, ident=ident, limit=limit, window=window)
    except Exception:
        logger.warning("rate limit %s not counted: cache unavailable", scope)
        return True
    if count > limit:
        rate_limit_give_back(scope=scope, ident=ident, window=window)
        return False
    return True


def rate_limit_used(*, scope: str, ident: str, window: int = 3600) -> int:
    """How many uses this window has counted so far (0 with the cache away)."""
    try:
        return int(cache.get(_key(scope, ident, window)) or 0)
    except Exception:
        return 0


def rate_limit_give_back(*, scope: str, ident: str, window: int = 3600) -> None:
    """Undo one take: the use it counted was refused or did not happen (a rolled-back
    write), so it must not count against the user."""
    try:
        cache.decr(_key(scope, ident, window))
    except Exception:
        return


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


def axes_client_ip(request: HttpRequest) -> str:
    """django-axes' client address: the same TRUSTED_PROXIES rule as every other limit."""
    return client_address(request)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """django-axes' account key: emails are stored lower-case, so `Lead@X` and `lead@x`
    are one account and share one failure count."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field) or request.POST.get(field, "")
    # AccessAttempt.username is 255 characters; a longer "email" must not be a 500.
    return str(raw).strip().lower()[:255]
